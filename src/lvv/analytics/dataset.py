"""The analysis dataset of the evaluation: one row per person, built on the monitor's basis `personen`.

The units are the monitor's own (`lvv.monitor.selectors.monitor_input` + `indicators.select_units`
with basis `personen`): per person the last trajectory applied for on or before P, a person whose
last trajectory ended in `overleden` left out. Of those units, the ones admitted on or before P
are the *participants* (`AnalysisData.persons`); the ones that also left on or before P form the
*analysis dataset* of the regressions (`AnalysisData.outflowed`). The persons still in the LVV on P
stay in `persons`: the survival analysis censors them at P.

What the monitor's rows do not carry (sex, birth year, country of origin, first application type,
shelter form) is read here in three `values_list` queries keyed on (municipality, traject_id).

Pseudonymised export: `export_frame` keeps no name, no V-nummer, no date and no registry key, and
gives every row a fresh random id, in a random order, on every export. Small cells can be
suppressed on request (`suppress=k`): a value held by fewer than k rows of the export becomes
"onderdrukt"; the exact age then becomes its age group."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import pandas as pd

from lvv.accounts.models import Municipality
from lvv.admissions.models import Application
from lvv.core.dates import months_between
from lvv.core.exceptions import ApplicationError
from lvv.monitor.indicators import (
    BASIS_PERSONEN,
    BASIS_TRAJECTEN,
    MONITOR_INSTRUMENTS,
    UNKNOWN,
    monitor,
    select_units,
)
from lvv.monitor.selectors import monitor_input
from lvv.people.models import UNKNOWN_COUNTRY
from lvv.trajectories.models import OutcomeCategory, Placement, Trajectory

MSG_UNKNOWN_MUNICIPALITY = "Onbekende gemeente: {name}."

#: Outcome categories of the analyses (the excluded category `uitgesloten` holds only `overleden`).
CATEGORIES = (
    OutcomeCategory.BESTENDIG.value,
    OutcomeCategory.SEMI_BESTENDIG.value,
    OutcomeCategory.GEEN_OPLOSSING.value,
)
CATEGORY_LABELS = {"bestendig": "Bestendig", "semi_bestendig": "Semi-bestendig", "geen_oplossing": "Geen oplossing"}
#: Age groups of the evaluation: (label, lowest age, highest age).
AGE_GROUPS = (("≤25", None, 25), ("26–35", 26, 35), ("36–45", 36, 45), ("46–55", 46, 55), ("56+", 56, None))
NO_VALUE = "onbekend"
SUPPRESSED = "onderdrukt"

#: The columns of the exported dataset, in order (rij_id first).
EXPORT_COLUMNS = (
    "rij_id",
    "gemeente",
    "geslacht",
    "leeftijd_bij_toelating",
    "land_van_herkomst",
    "eerste_aanvraag",
    "opvangvorm",
    "perspectief",
    *MONITOR_INSTRUMENTS,
    "uitstroomreden",
    "uitstroomcategorie",
    "verblijf_maanden",
)
#: Columns whose rare values are suppressed on request.
CATEGORICAL_EXPORT_COLUMNS = ("geslacht", "land_van_herkomst", "eerste_aanvraag", "opvangvorm", "perspectief")


def age_group(age: float | None) -> str:
    if age is None or pd.isna(age):
        return NO_VALUE
    for label, low, high in AGE_GROUPS:
        if (low is None or age >= low) and (high is None or age <= high):
            return label
    return NO_VALUE  # pragma: no cover - the groups cover every integer


@dataclass
class AnalysisData:
    peildatum: dt.date
    #: The municipality the analysis is narrowed to (None: the whole country).
    municipality: str | None
    #: Every participant: admitted on or before P (basis personen, deceased left out).
    persons: pd.DataFrame
    #: Municipalities to list, also without any participant (the LVV municipalities).
    municipalities: list[str]
    #: Per municipality: trajectories admitted (basis trajecten) and unique persons (basis personen,
    #: deceased included), and deceased persons left out.
    trajecten: dict[str, int] = field(default_factory=dict)
    unieke_personen: dict[str, int] = field(default_factory=dict)
    overleden: dict[str, int] = field(default_factory=dict)
    #: Outcome code → category and label, in the order of the taxonomy.
    outcome_codes: dict[str, str] = field(default_factory=dict)

    @property
    def outflowed(self) -> pd.DataFrame:
        """The analysis dataset of the regressions: participants who left on or before P."""
        return self.persons[self.persons["uitgestroomd"]]


def resolve_municipality(name: str | None) -> str | None:
    """The registered spelling of a municipality name (case-insensitive); a clear error if unknown."""
    if name is None or not name.strip():
        return None
    found = Municipality.objects.filter(name__iexact=name.strip()).values_list("name", flat=True).first()
    if found is None:
        raise ApplicationError(MSG_UNKNOWN_MUNICIPALITY.format(name=name), field="gemeente")
    return found


def _person_facts(peildatum: dt.date) -> dict[tuple[str, str], tuple]:
    """(municipality, traject_id) → (person pk, sex, birth year, country, first application type)."""
    facts = {}
    for external_id, municipality, person_id, sex, birth_date, birth_year, country in Trajectory.objects.filter(
        application_date__lte=peildatum
    ).values_list(
        "external_id",
        "municipality__name",
        "person_id",
        "person__sex",
        "person__birth_date",
        "person__birth_year",
        "person__country_of_origin",
    ):
        year = birth_date.year if birth_date else birth_year
        facts[(municipality, external_id)] = (person_id, sex, year, country)
    first = {
        (m, e): kind
        for m, e, kind in Application.objects.filter(trajectory__application_date__lte=peildatum).values_list(
            "trajectory__municipality__name", "trajectory__external_id", "first_application_type"
        )
    }
    return {key: (*value, first.get(key, UNKNOWN)) for key, value in facts.items()}


def _shelter_forms(peildatum: dt.date) -> dict[tuple[str, str], str]:
    """The shelter form of each trajectory on P: its latest placement started on or before P."""
    latest: dict[tuple[str, str], tuple] = {}
    for municipality, external_id, form, start, pk in Placement.objects.filter(start_date__lte=peildatum).values_list(
        "trajectory__municipality__name", "trajectory__external_id", "shelter_form", "start_date", "pk"
    ):
        key = (municipality, external_id)
        if key not in latest or (start, pk) > latest[key][0]:
            latest[key] = ((start, pk), form)
    return {key: form for key, (_, form) in latest.items()}


def _perspective(perspectives, peildatum: dt.date) -> str:
    known = [(decided_on, kind) for decided_on, kind in perspectives if decided_on <= peildatum]
    return max(known)[1] if known else "geen"


def analysis_data(*, peildatum: dt.date, municipality: str | None = None) -> AnalysisData:
    """The participants on P (optionally of one municipality), as a pandas DataFrame."""
    municipality = resolve_municipality(municipality)
    data = monitor_input(peildatum=peildatum)
    categories = {o.code: o.category for o in data.outcomes}
    units, deceased = select_units(data.rows, peildatum=peildatum, basis=BASIS_PERSONEN)
    facts = _person_facts(peildatum)
    forms = _shelter_forms(peildatum)
    records = []
    for u in units:
        if u.admission_date is None or u.admission_date > peildatum:
            continue  # applied, not (yet) admitted: not a participant
        if municipality is not None and u.municipality != municipality:
            continue
        key = (u.municipality, u.trajectory_id)
        person_id, sex, birth_year, country, first_type = facts[key]
        outflowed = u.outflow_date is not None and u.outflow_date <= peildatum
        end = u.outflow_date if outflowed else peildatum
        records.append(
            {
                "_person_id": person_id,
                "gemeente": u.municipality,
                "geslacht": sex,
                "leeftijd_bij_toelating": (u.admission_date.year - birth_year) if birth_year else None,
                "land_van_herkomst": country or UNKNOWN_COUNTRY,
                "eerste_aanvraag": first_type or UNKNOWN,
                "opvangvorm": forms.get(key, NO_VALUE),
                "perspectief": _perspective(u.perspectives, peildatum),
                **{code: u.instruments.get(code, UNKNOWN) for code in MONITOR_INSTRUMENTS},
                "uitgestroomd": outflowed,
                "uitstroomreden": u.outcome if outflowed else "",
                "uitstroomcategorie": categories.get(u.outcome, "") if outflowed else "",
                "verblijf_maanden": months_between(u.admission_date, end),
            }
        )
    columns = [
        "_person_id",
        "gemeente",
        "geslacht",
        "leeftijd_bij_toelating",
        "land_van_herkomst",
        "eerste_aanvraag",
        "opvangvorm",
        "perspectief",
        *MONITOR_INSTRUMENTS,
        "uitgestroomd",
        "uitstroomreden",
        "uitstroomcategorie",
        "verblijf_maanden",
    ]
    persons = pd.DataFrame.from_records(records, columns=columns)
    persons["leeftijd_bij_toelating"] = persons["leeftijd_bij_toelating"].astype("float64")
    persons["uitgestroomd"] = persons["uitgestroomd"].astype(bool)
    persons["verblijf_maanden"] = persons["verblijf_maanden"].astype("float64")

    # Trajectories (basis trajecten, admitted) and unique persons per municipality, from the monitor.
    names = [municipality] if municipality else data.municipalities
    by_traject = monitor(
        data.rows, capacity=[], outcomes=data.outcomes, peildatum=peildatum, basis=BASIS_TRAJECTEN, municipalities=names
    )["per_gemeente"]
    unique, dead = {}, {}
    for u in units:
        if u.admission_date is not None and u.admission_date <= peildatum:
            unique[u.municipality] = unique.get(u.municipality, 0) + 1
    for d in deceased:
        if d.admission_date is not None and d.admission_date <= peildatum:
            unique[d.municipality] = unique.get(d.municipality, 0) + 1
            dead[d.municipality] = dead.get(d.municipality, 0) + 1
    if municipality is None:
        names = sorted({*data.municipalities, *persons["gemeente"].unique()})
    return AnalysisData(
        peildatum=peildatum,
        municipality=municipality,
        persons=persons,
        municipalities=names,
        trajecten={name: by_traject.get(name, {}).get("instroom", 0) for name in names},
        unieke_personen={name: unique.get(name, 0) for name in names},
        overleden={name: dead.get(name, 0) for name in names},
        outcome_codes={o.code: o.category for o in data.outcomes},
    )


def export_frame(data: AnalysisData, *, suppress: int | None = None, rng: secrets.SystemRandom | None = None):
    """The pseudonymised person-level dataset (outflowed participants): EXPORT_COLUMNS, a random
    row id per export and a random row order. With `suppress=k`, values held by fewer than k rows
    become "onderdrukt" and the age becomes an age group."""
    rng = rng or secrets.SystemRandom()
    frame = data.outflowed.drop(columns=["_person_id", "uitgestroomd"]).copy()
    frame["verblijf_maanden"] = frame["verblijf_maanden"].round(1)
    order = list(range(len(frame)))
    rng.shuffle(order)
    frame = frame.iloc[order].reset_index(drop=True)
    ids: set[str] = set()
    while len(ids) < len(frame):
        ids.add(f"{rng.getrandbits(48):012x}")
    frame.insert(0, "rij_id", rng.sample(sorted(ids), len(ids)))
    if suppress:
        for column in (*CATEGORICAL_EXPORT_COLUMNS, "uitstroomreden", "gemeente"):
            counts = frame[column].value_counts()
            rare = counts[counts < suppress].index
            frame.loc[frame[column].isin(rare), column] = SUPPRESSED
        frame["leeftijd_bij_toelating"] = [age_group(a) for a in frame["leeftijd_bij_toelating"]]
        counts = frame["leeftijd_bij_toelating"].value_counts()
        rare = counts[counts < suppress].index
        frame.loc[frame["leeftijd_bij_toelating"].isin(rare), "leeftijd_bij_toelating"] = SUPPRESSED
    else:
        frame["leeftijd_bij_toelating"] = frame["leeftijd_bij_toelating"].astype("Int64")
    return frame[list(EXPORT_COLUMNS)]
