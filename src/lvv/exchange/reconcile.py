"""Reconciliation with the chain partners (issue 5 §5; docs/ketenreconciliatie.md).

The IND and DT&V deliver an extract (CSV or XLSX: a V-nummer plus their status and dates). This
module

1. reads and checks an extract, all or nothing, with the delivery format's faults
   (`regel N: kolom: melding`) and the same row helpers (`delivery._Row`);
2. compares the registry with the extracts — a pure function over plain records
   (`reconcile`), so every rule is tested without a database — and reports per municipality:
   V-numbers unknown to the IND, malformed V-numbers, probably mistyped V-numbers (one digit off or
   two adjacent digits swapped from one the IND knows), trajectories unknown to DT&V or registered
   there only after their outflow, and outcomes the partners contradict;
3. finds persons registered in more than one LVV (`national_duplicates`): the same V-nummer, or
   for persons without one a fuzzy name match (rapidfuzz, the registry's own duplicate rules) on the
   same birth date;
4. stores the latest extract of each partner (`ChainExtract`, older ones are deleted) so the web
   page can show the report, and writes the report as JSON, CSV or XLSX.

A registry fact is only compared with an extract when it is dated on or before the extract's
peildatum: what happened later cannot be in it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from rapidfuzz import fuzz, process

from lvv.accounts.models import Municipality
from lvv.core import clock
from lvv.core.tables import TableError, csv_text, read_table, xlsx_bytes
from lvv.people.duplicates import NAME_THRESHOLD, normalise_name
from lvv.people.models import UNKNOWN_COUNTRY, V_NUMBER_VALIDATOR, Alias, Person
from lvv.trajectories.models import Trajectory

from .delivery import (
    MSG_COLUMN_MISSING,
    MSG_COLUMN_TWICE,
    MSG_COLUMN_UNKNOWN,
    MSG_NEEDS,
    Fault,
    _Row,
)
from .models import ChainExtract, ChainExtractRow, ChainPartner

# --- the extract formats ---------------------------------------------------------------------------

IND = ChainPartner.IND
DTV = ChainPartner.DTV

IND_COLUMNS = ("v_nummer", "procedure", "status", "datum_aanvraag", "datum_besluit", "besluit")
DTV_COLUMNS = ("v_nummer", "dossier_status", "datum_aanmelding_dtv", "datum_vertrek", "vertrekwijze")
COLUMNS = {IND: IND_COLUMNS, DTV: DTV_COLUMNS}

#: IND procedures: `geen` means the IND knows the V-nummer but has no application on record.
PROCEDURES = ("asiel", "hasa", "artikel_64", "regulier", "geen")
NO_PROCEDURE = "geen"
IND_STATUSES = ("in_behandeling", "besloten", "ingetrokken", "buiten_behandeling")
DECIDED = "besloten"
DECISIONS = ("inwilliging", "afwijzing")
GRANTED = "inwilliging"
DOSSIER_STATUSES = ("lopend", "afgesloten")
CLOSED_DOSSIER = "afgesloten"
#: How DT&V records a departure; `mob` is a departure with unknown destination (not a real departure).
DEPARTURE_KINDS = ("zelfstandig", "gedwongen", "derde_land", "mob")
MOB = "mob"

MSG_PEILDATUM_FUTURE = "de peildatum van het extract ({peildatum}) ligt in de toekomst"
MSG_AFTER_PEILDATUM = "{value} ligt na de peildatum van het extract ({peildatum})"
MSG_EMPTY_WITHOUT_PROCEDURE = "moet leeg zijn bij procedure 'geen'"
MSG_DECISION_ONLY_DECIDED = "hoort alleen bij status 'besloten'"
MSG_DECISION_REQUIRED = "is verplicht bij status 'besloten'"
MSG_DEPARTURE_OPEN_DOSSIER = "een dossier met een vertrek is afgesloten: gebruik dossier_status 'afgesloten'"
MSG_ROW_TWICE = "dezelfde regel ({key}) staat ook in regel {line}"
MSG_NO_ROWS = "het extract bevat geen regels"
MSG_WRONG_PARTNER = "de kolomnamen passen bij een {found}-extract, niet bij een {expected}-extract"
MSG_UNKNOWN_EXTRACT = (
    "de kolomnamen passen niet bij een IND-extract (met procedure) of een DT&V-extract (met dossier_status); "
    "zie docs/ketenreconciliatie.md"
)
MSG_UNREADABLE = "het bestand kan niet worden gelezen ({reason})"


@dataclass(frozen=True)
class IndRecord:
    line: int
    v_nummer: str
    procedure: str
    status: str = ""
    datum_aanvraag: dt.date | None = None
    datum_besluit: dt.date | None = None
    besluit: str = ""


@dataclass(frozen=True)
class DtvRecord:
    line: int
    v_nummer: str
    dossier_status: str
    datum_aanmelding_dtv: dt.date
    datum_vertrek: dt.date | None = None
    vertrekwijze: str = ""


@dataclass
class Extract:
    """One partner's extract: what it knew on its peildatum."""

    partner: str
    peildatum: dt.date
    records: list  # IndRecord or DtvRecord

    @property
    def v_numbers(self) -> set[str]:
        return {r.v_nummer for r in self.records}

    def by_v_number(self) -> dict[str, list]:
        result: dict[str, list] = defaultdict(list)
        for r in self.records:
            result[r.v_nummer].append(r)
        return result


def extract_partner(header: Iterable[str]) -> str | None:
    """An IND extract is recognised by `procedure`, a DT&V extract by `dossier_status`."""
    names = set(header)
    if "procedure" in names:
        return IND
    if "dossier_status" in names:
        return DTV
    return None


def _header_faults(header: list[str], partner: str) -> list[Fault]:
    found = extract_partner(header)
    if found is not None and found != partner:
        label = ChainPartner(partner).label
        return [Fault(1, "kopregel", MSG_WRONG_PARTNER.format(found=ChainPartner(found).label, expected=label))]
    expected = COLUMNS[partner]
    faults = [Fault(1, name, MSG_COLUMN_MISSING) for name in expected if name not in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            faults.append(Fault(1, name, MSG_COLUMN_TWICE))
        elif name not in expected:
            faults.append(Fault(1, name or "(leeg)", MSG_COLUMN_UNKNOWN))
        seen.add(name)
    return faults


def _v_number(row: _Row) -> str:
    value = row.text("v_nummer", required=True)
    if value:
        try:
            V_NUMBER_VALIDATOR(value)
        except ValidationError as exc:
            row.fault("v_nummer", f"{exc.messages[0]} (gevonden: '{value}')")
    return value


def _date(row: _Row, column: str, peildatum: dt.date, *, required: bool = False) -> dt.date | None:
    value = row.date(column, required=required)
    if value and value > peildatum:
        row.fault(column, MSG_AFTER_PEILDATUM.format(value=value, peildatum=peildatum))
    return value


def _ind_record(row: _Row, peildatum: dt.date) -> IndRecord:
    procedure = row.choice("procedure", PROCEDURES)
    if not row.values.get("procedure"):
        row.fault("procedure", "is verplicht")
    if procedure == NO_PROCEDURE:
        for column in ("status", "datum_aanvraag", "datum_besluit", "besluit"):
            if row.values.get(column):
                row.fault(column, MSG_EMPTY_WITHOUT_PROCEDURE)
        return IndRecord(row.line, _v_number(row), procedure)
    v_number = _v_number(row)
    status = row.choice("status", IND_STATUSES)
    if procedure and not row.values.get("status"):
        row.fault("status", MSG_NEEDS.format(other="procedure"))
    applied = _date(row, "datum_aanvraag", peildatum, required=bool(procedure))
    decision = row.choice("besluit", DECISIONS)
    decided_on = _date(row, "datum_besluit", peildatum)
    row.not_before("datum_besluit", decided_on, "datum_aanvraag", applied)
    has_decision = bool(row.values.get("besluit"))
    if status == DECIDED and not has_decision:
        row.fault("besluit", MSG_DECISION_REQUIRED)
    elif has_decision and status and status != DECIDED:
        row.fault("besluit", MSG_DECISION_ONLY_DECIDED)
    if has_decision and not row.values.get("datum_besluit"):
        row.fault("datum_besluit", MSG_NEEDS.format(other="besluit"))
    elif row.values.get("datum_besluit") and not has_decision:
        row.fault("besluit", MSG_NEEDS.format(other="datum_besluit"))
    return IndRecord(row.line, v_number, procedure, status, applied, decided_on, decision)


def _dtv_record(row: _Row, peildatum: dt.date) -> DtvRecord:
    v_number = _v_number(row)
    status = row.choice("dossier_status", DOSSIER_STATUSES)
    if not row.values.get("dossier_status"):
        row.fault("dossier_status", "is verplicht")
    registered = _date(row, "datum_aanmelding_dtv", peildatum, required=True)
    departed = _date(row, "datum_vertrek", peildatum)
    kind = row.choice("vertrekwijze", DEPARTURE_KINDS)
    has_departure, has_kind = bool(row.values.get("datum_vertrek")), bool(row.values.get("vertrekwijze"))
    if has_departure and not has_kind:
        row.fault("vertrekwijze", MSG_NEEDS.format(other="datum_vertrek"))
    elif has_kind and not has_departure:
        row.fault("datum_vertrek", MSG_NEEDS.format(other="vertrekwijze"))
    if has_departure and status and status != CLOSED_DOSSIER:
        row.fault("dossier_status", MSG_DEPARTURE_OPEN_DOSSIER)
    return DtvRecord(row.line, v_number, status, registered, departed, kind)  # type: ignore[arg-type]


def parse_extract(table, *, partner: str, peildatum: dt.date, today: dt.date) -> tuple[list, list[Fault]]:
    """Every row checked on its own and against the other rows. Only fault-free rows come back as
    records; the caller uses nothing while there is any fault."""
    faults = _header_faults(table.header, partner)
    if peildatum > today:
        faults.append(Fault(1, "peildatum", MSG_PEILDATUM_FUTURE.format(peildatum=peildatum)))
    if faults:
        return [], faults
    if not table.rows:
        return [], [Fault(2, "bestand", MSG_NO_ROWS)]
    make = _ind_record if partner == IND else _dtv_record
    records, seen = [], {}
    for line, cells in table.rows:
        row_faults: list[Fault] = []
        record = make(_Row(line, table.header, cells, row_faults, today), peildatum)
        if partner == IND:
            key = (record.v_nummer, record.procedure, record.datum_aanvraag)
            column, text = (
                "procedure",
                f"{record.v_nummer}, {record.procedure}, {record.datum_aanvraag or 'geen datum'}",
            )
        else:
            key = (record.v_nummer, record.datum_aanmelding_dtv)
            column, text = "datum_aanmelding_dtv", f"{record.v_nummer}, {record.datum_aanmelding_dtv}"
        if not row_faults:
            if key in seen:
                row_faults.append(Fault(line, column, MSG_ROW_TWICE.format(key=text, line=seen[key])))
            else:
                seen[key] = line
        faults.extend(row_faults)
        if not row_faults:
            records.append(record)
    return records, faults


@dataclass
class ExtractReading:
    partner: str
    peildatum: dt.date
    records: list = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    rows: int = 0
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.faults

    @property
    def extract(self) -> Extract:
        return Extract(self.partner, self.peildatum, self.records)


def extract_read(path: str | Path, *, partner: str, peildatum: dt.date) -> ExtractReading:
    """Read and check an extract file (CSV or XLSX); faults instead of exceptions."""
    reading = ExtractReading(partner=partner, peildatum=peildatum)
    try:
        reading.sha256 = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        table = read_table(path)
    except TableError as exc:
        reading.faults = [Fault(1, "bestand", str(exc))]
        return reading
    except OSError as exc:
        reading.faults = [Fault(1, "bestand", MSG_UNREADABLE.format(reason=exc.strerror or exc))]
        return reading
    if extract_partner(table.header) is None and not set(COLUMNS[partner]) & set(table.header):
        reading.faults = [Fault(1, "kopregel", MSG_UNKNOWN_EXTRACT)]
        return reading
    reading.rows = len(table.rows)
    reading.records, reading.faults = parse_extract(table, partner=partner, peildatum=peildatum, today=clock.today())
    reading.faults.sort(key=lambda f: f.line)
    return reading


# --- the registry, as plain records ------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryTrajectory:
    pk: int
    person_pk: int
    traject_id: str
    municipality: str
    application: dt.date
    admission: dt.date | None = None
    outflow: dt.date | None = None
    outcome: str = ""
    ind_decision: str = ""
    ind_decision_date: dt.date | None = None


@dataclass
class RegistryPerson:
    pk: int
    municipality: str
    person_key: str
    v_number: str
    trajectories: list[RegistryTrajectory] = field(default_factory=list)
    # For the duplicate report only:
    names: tuple[str, ...] = ()  # normalised full name and aliases
    birth_date: dt.date | None = None
    birth_year: int | None = None
    country: str = UNKNOWN_COUNTRY

    @property
    def known_birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year

    @property
    def first_application(self) -> dt.date | None:
        return min((t.application for t in self.trajectories), default=None)


PLACEHOLDER_NAME = re.compile(r"Persoon (met V-nummer )?\S+")


def _placeholder_name(given: str, family: str) -> bool:
    """A person delivered in a file has no name, only the placeholder `lvv import` writes
    ("Persoon <persoon_id>" or "Persoon met V-nummer <V>"); placeholders must never match each other."""
    return not given and PLACEHOLDER_NAME.fullmatch(family) is not None


def registry_load(*, with_names: bool = False) -> list[RegistryPerson]:
    """Every person of the registry with their trajectories, in a few queries (never one per row)."""
    persons: dict[int, RegistryPerson] = {}
    fields = ["id", "municipality__name", "person_key", "v_number"]
    if with_names:
        fields += ["given_names", "family_name", "birth_date", "birth_year", "country_of_origin"]
    for values in Person.objects.order_by("municipality__name", "person_key").values_list(*fields):
        person = RegistryPerson(*values[:4])
        if with_names:
            given, family, person.birth_date, person.birth_year, person.country = values[4:]
            if not _placeholder_name(given, family):
                person.names = (normalise_name(f"{given} {family}"),)
        persons[person.pk] = person
    if with_names:
        for person_id, name in Alias.objects.values_list("person_id", "name"):
            persons[person_id].names += (normalise_name(name),)
    for values in Trajectory.objects.order_by("application_date", "id").values_list(
        "id",
        "person_id",
        "external_id",
        "municipality__name",
        "application_date",
        "admission_date",
        "outflow_date",
        "outcome_id",
        "ind_decision",
        "ind_decision_date",
    ):
        trajectory = RegistryTrajectory(*values[:7], values[7] or "", values[8] or "", values[9])
        persons[trajectory.person_pk].trajectories.append(trajectory)
    return list(persons.values())


# --- the reconciliation ------------------------------------------------------------------------------

#: A partner's record belongs to a trajectory when dated between its start and its outflow plus this.
TOLERANCE = dt.timedelta(days=30)

UNKNOWN_IND = "onbekend_bij_ind"
MALFORMED = "ongeldig_v_nummer"
MISTYPED = "vermoedelijk_verkeerd_v_nummer"
UNKNOWN_DTV = "onbekend_bij_dtv"
LATE_DTV = "aangemeld_na_uitstroom"
OUTCOME = "uitstroom_verschilt"
#: category → (label, the partner whose extract it needs; None: none)
CATEGORIES: dict[str, tuple[str, str | None]] = {
    UNKNOWN_IND: ("V-nummer onbekend bij de IND", IND),
    MALFORMED: ("Ongeldig V-nummer", None),
    MISTYPED: ("V-nummer vermoedelijk verkeerd overgenomen", IND),
    UNKNOWN_DTV: ("Traject onbekend bij DT&V", DTV),
    LATE_DTV: ("Bij DT&V aangemeld na de uitstroom", DTV),
    OUTCOME: ("Uitkomst verschilt van IND of DT&V", None),
}
#: Kinds of outcome disagreement (category `uitstroom_verschilt`): kind → (partner, label).
OUTCOME_KINDS: dict[str, tuple[str, str]] = {
    "aanvraag_onbekend_bij_ind": (IND, "register: HASA of artikel 64; IND kent geen aanvraag"),
    "besluit_verschilt": (IND, "besluit na uitstroom verschilt van de IND"),
    "besluit_ontbreekt_in_register": (IND, "IND heeft besloten; het register niet"),
    "inwilliging_onbekend_bij_ind": (IND, "register: inwilliging; IND kent geen inwilliging"),
    "aanvraag_niet_in_register": (IND, "IND: HASA of artikel 64 rond de uitstroom; register: andere reden"),
    "inwilliging_traject_open": (IND, "IND: vergunning verleend; traject staat nog open"),
    "vertrek_onbekend_bij_dtv": (DTV, "register: vertrek; DT&V kent geen vertrek"),
    "vertrekwijze_verschilt": (DTV, "register en DT&V noemen een andere vertrekwijze"),
    "vertrek_niet_in_register": (DTV, "DT&V: vertrek rond de uitstroom; register: andere reden"),
    "vertrek_traject_open": (DTV, "DT&V: vertrokken; traject staat nog open"),
}
NOT_COMPARED = {"overleden"}
IND_APPLICATION_OUTCOMES = {"hasa": "HASA", "artikel_64": "artikel 64"}
#: Registry outcome → the DT&V departure kinds that agree with it.
DEPARTURE_OUTCOMES = {"zelfstandig_vertrek": {"zelfstandig"}, "doormigratie": {"derde_land"}}
#: Other outcomes a DT&V departure soon after the outflow does not contradict (detention, then removal).
FOLLOWED_BY_DEPARTURE = {"inbewaringstelling": {"gedwongen"}}
DEPARTURE_LABELS = {
    "zelfstandig": "zelfstandig vertrek",
    "gedwongen": "gedwongen vertrek",
    "derde_land": "vertrek naar een derde land",
    "mob": "vertrek met onbekende bestemming",
}


@dataclass
class Finding:
    """One discrepancy, about one person (and, where it concerns one, one trajectory)."""

    category: str
    municipality: str
    person_pk: int
    person_key: str
    v_number: str
    message: str
    traject_id: str = ""
    trajectory_pk: int | None = None
    kind: str = ""  # for `uitstroom_verschilt`: a key of OUTCOME_KINDS
    partner: str = ""
    candidates: list[dict] = field(default_factory=list)  # for a mistyped or malformed V-nummer

    def as_dict(self) -> dict:
        data = {"v_nummer": self.v_number, "persoon_id": self.person_key}
        if self.traject_id:
            data["traject_id"] = self.traject_id
        if self.kind:
            data |= {"partner": self.partner, "soort": self.kind}
        if self.category in (MALFORMED, MISTYPED):
            data["kandidaten"] = self.candidates
        data["melding"] = self.message
        return data


def v_number_candidates(value: str, known: set[str], taken: Iterable[str] = ()) -> list[dict]:
    """V-numbers the partner knows that `value` probably was meant to be: one digit different, two
    adjacent digits swapped, or (for a malformed one) the same digits without separators, one digit
    missing or one too many. A V-nummer in `taken` (held by another person of the same municipality)
    is not a candidate."""
    found: dict[str, str] = {}
    taken = set(taken)

    def consider(candidate: str, how: str) -> None:
        if candidate != value and candidate in known and candidate not in taken and candidate not in found:
            found[candidate] = how

    digits = re.sub(r"\D", "", value)
    if len(value) == 10 and value.isascii() and value.isdigit():
        for i in range(10):
            for d in "0123456789":
                if d != value[i]:
                    consider(value[:i] + d + value[i + 1 :], f"één cijfer anders (positie {i + 1})")
        for i in range(9):
            if value[i] != value[i + 1]:
                swapped = value[:i] + value[i + 1] + value[i] + value[i + 2 :]
                consider(swapped, f"twee cijfers verwisseld (posities {i + 1} en {i + 2})")
    else:
        if len(digits) == 10:
            consider(digits, "dezelfde cijfers zonder spaties of leestekens")
        elif len(digits) == 9:
            for i in range(10):
                for d in "0123456789":
                    consider(digits[:i] + d + digits[i:], "één cijfer ontbreekt")
        elif len(digits) == 11:
            for i in range(11):
                consider(digits[:i] + digits[i + 1 :], "één cijfer te veel")
    return [{"v_nummer": c, "reden": how} for c, how in sorted(found.items())]


def is_valid_v_number(value: str) -> bool:
    return len(value) == 10 and value.isascii() and value.isdigit()


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else "onbekend"


class _Reconciler:
    def __init__(
        self, persons: Sequence[RegistryPerson], ind: Extract | None, dtv: Extract | None, only: str | None = None
    ):
        self.persons = persons
        self.only = only
        self.ind, self.dtv = ind, dtv
        self.ind_rows = ind.by_v_number() if ind else {}
        self.dtv_rows = dtv.by_v_number() if dtv else {}
        self.findings: list[Finding] = []
        # Every trajectory of a V-nummer, across municipalities: the same person (issue 5 §1).
        self.by_v_number: dict[str, list[RegistryTrajectory]] = defaultdict(list)
        for p in persons:
            if is_valid_v_number(p.v_number):
                self.by_v_number[p.v_number].extend(p.trajectories)
        for trajectories in self.by_v_number.values():
            trajectories.sort(key=lambda t: (t.application, t.pk))
        self.taken: dict[str, set[str]] = defaultdict(set)  # municipality → its persons' V-numbers
        for p in persons:
            if p.v_number:
                self.taken[p.municipality].add(p.v_number)

    def add(self, category: str, person: RegistryPerson, message: str, trajectory=None, **kwargs) -> None:
        if kwargs.get("kind"):
            kwargs.setdefault("partner", OUTCOME_KINDS[kwargs["kind"]][0])
        self.findings.append(
            Finding(
                category=category,
                municipality=trajectory.municipality if trajectory else person.municipality,
                person_pk=person.pk,
                person_key=person.person_key,
                v_number=person.v_number,
                message=message,
                traject_id=trajectory.traject_id if trajectory else "",
                trajectory_pk=trajectory.pk if trajectory else None,
                **kwargs,
            )
        )

    def run(self) -> list[Finding]:
        known_ind = self.ind.v_numbers if self.ind else set()
        for person in self.persons:
            if not person.v_number or self.only not in (None, person.municipality):
                continue
            doubtful = False
            if not is_valid_v_number(person.v_number):
                candidates = v_number_candidates(person.v_number, known_ind, self.taken[person.municipality])
                message = f"'{person.v_number}' is geen V-nummer van 10 cijfers"
                if candidates:
                    message += "; bedoeld is waarschijnlijk " + " of ".join(c["v_nummer"] for c in candidates)
                self.add(MALFORMED, person, message, candidates=candidates)
                continue
            if self.ind and person.first_application and person.first_application <= self.ind.peildatum:
                if person.v_number not in known_ind:
                    candidates = v_number_candidates(person.v_number, known_ind, self.taken[person.municipality])
                    if candidates:
                        doubtful = True
                        alternatives = "; ".join(f"{c['v_nummer']}: {c['reden']}" for c in candidates)
                        self.add(
                            MISTYPED,
                            person,
                            f"de IND kent {person.v_number} niet, wel: {alternatives}",
                            candidates=candidates,
                        )
                    else:
                        self.add(UNKNOWN_IND, person, f"de IND kent V-nummer {person.v_number} niet")
                else:
                    for trajectory in person.trajectories:
                        self._ind_outcome(person, trajectory)
            if self.dtv and not doubtful:
                for trajectory in person.trajectories:
                    self._dtv_trajectory(person, trajectory)
        return self.findings

    # -- IND --

    def _ind_outcome(self, person: RegistryPerson, t: RegistryTrajectory) -> None:
        peildatum = self.ind.peildatum
        rows: list[IndRecord] = self.ind_rows.get(person.v_number, [])
        if t.outflow is None:
            if t.admission and t.admission <= peildatum:
                granted = [
                    r for r in rows if r.besluit == GRANTED and r.datum_besluit and r.datum_besluit >= t.admission
                ]
                if granted:
                    r = max(granted, key=lambda r: r.datum_besluit)
                    self.add(
                        OUTCOME,
                        person,
                        f"IND: inwilliging ({r.procedure}) op {_d(r.datum_besluit)}; het traject staat nog open",
                        t,
                        kind="inwilliging_traject_open",
                    )
            return
        if t.outflow + TOLERANCE > peildatum or t.outcome in NOT_COMPARED:
            return  # what the IND records around a recent outflow may come after its peildatum
        start, end = t.application, t.outflow + TOLERANCE
        if t.outcome in IND_APPLICATION_OUTCOMES:
            label = IND_APPLICATION_OUTCOMES[t.outcome]
            same = [r for r in rows if r.procedure == t.outcome]
            matching = [r for r in same if r.datum_aanvraag and start <= r.datum_aanvraag <= end]
            if not matching:
                message = (
                    f"register: uitstroom {label} op {_d(t.outflow)}; de IND kent geen {label}-aanvraag "
                    f"tussen {_d(start)} en {_d(end)}"
                )
                if same:
                    message += " (wel op " + ", ".join(_d(r.datum_aanvraag) for r in same) + ")"
                self.add(OUTCOME, person, message, t, kind="aanvraag_onbekend_bij_ind")
                return
            r = max(matching, key=lambda r: r.datum_aanvraag)
            registry_decided = t.ind_decision and t.ind_decision_date and t.ind_decision_date <= peildatum
            if registry_decided and r.besluit != t.ind_decision:
                ind_says = f"{r.besluit} op {_d(r.datum_besluit)}" if r.besluit else f"nog geen besluit ({r.status})"
                self.add(
                    OUTCOME,
                    person,
                    f"register: besluit {t.ind_decision} op {_d(t.ind_decision_date)}; IND: {ind_says}",
                    t,
                    kind="besluit_verschilt",
                )
            elif not t.ind_decision and r.besluit:
                self.add(
                    OUTCOME,
                    person,
                    f"IND: {label}-aanvraag van {_d(r.datum_aanvraag)} is besloten ({r.besluit} op "
                    f"{_d(r.datum_besluit)}); het register heeft geen besluit",
                    t,
                    kind="besluit_ontbreekt_in_register",
                )
            return
        if t.outcome == GRANTED:
            granted = [r for r in rows if r.besluit == GRANTED and r.datum_besluit and start <= r.datum_besluit <= end]
            if not granted:
                self.add(
                    OUTCOME,
                    person,
                    f"register: uitstroom inwilliging op {_d(t.outflow)}; de IND kent geen inwilliging "
                    f"tussen {_d(start)} en {_d(end)}",
                    t,
                    kind="inwilliging_onbekend_bij_ind",
                )
            return
        around = [
            r
            for r in rows
            if r.procedure in IND_APPLICATION_OUTCOMES
            and r.datum_aanvraag
            and abs((r.datum_aanvraag - t.outflow).days) <= TOLERANCE.days
        ]
        if around:
            r = max(around, key=lambda r: r.datum_aanvraag)
            self.add(
                OUTCOME,
                person,
                f"IND: {IND_APPLICATION_OUTCOMES[r.procedure]}-aanvraag op {_d(r.datum_aanvraag)}, rond de "
                f"uitstroom op {_d(t.outflow)}; register: uitstroomreden {t.outcome}",
                t,
                kind="aanvraag_niet_in_register",
            )

    # -- DT&V --

    def _registrations(self, t: RegistryTrajectory, v_number: str) -> list[DtvRecord]:
        """The DT&V registrations that belong to trajectory `t`: each registration belongs to the
        person's latest trajectory (in any municipality) that started on or before it; one from
        before the person's first trajectory belongs to the first."""
        trajectories = self.by_v_number[v_number]
        result = []
        for r in self.dtv_rows.get(v_number, []):
            owner = trajectories[0]
            for candidate in trajectories:
                if candidate.application <= r.datum_aanmelding_dtv:
                    owner = candidate
            if owner.pk == t.pk:
                result.append(r)
        return result

    def _dtv_trajectory(self, person: RegistryPerson, t: RegistryTrajectory) -> None:
        peildatum = self.dtv.peildatum
        if t.admission is None or t.admission > peildatum:
            return  # only admitted trajectories are reported to DT&V, and only those it could know
        registrations = self._registrations(t, person.v_number)
        if not registrations and t.admission + TOLERANCE <= peildatum:  # a recent one may still be on its way
            self.add(UNKNOWN_DTV, person, f"toegelaten op {_d(t.admission)}; DT&V kent geen aanmelding", t)
        elif t.outflow and t.outflow <= peildatum:
            first = min(r.datum_aanmelding_dtv for r in registrations)
            if first > t.outflow:
                self.add(
                    LATE_DTV,
                    person,
                    f"uitgestroomd op {_d(t.outflow)}; bij DT&V aangemeld op {_d(first)} "
                    f"({(first - t.outflow).days} dagen later)",
                    t,
                )
        departures = [r for r in self.dtv_rows.get(person.v_number, []) if r.datum_vertrek]
        if t.outflow is None:
            after = [r for r in departures if t.admission <= r.datum_vertrek <= peildatum]
            if after:
                r = max(after, key=lambda r: r.datum_vertrek)
                self.add(
                    OUTCOME,
                    person,
                    f"DT&V: {DEPARTURE_LABELS[r.vertrekwijze]} op {_d(r.datum_vertrek)}; het traject staat nog open",
                    t,
                    kind="vertrek_traject_open",
                )
            return
        if t.outflow + TOLERANCE > peildatum or t.outcome in NOT_COMPARED:
            return
        if t.outcome in DEPARTURE_OUTCOMES:
            window = [r for r in departures if t.admission <= r.datum_vertrek <= t.outflow + TOLERANCE]
            agreeing = [r for r in window if r.vertrekwijze in DEPARTURE_OUTCOMES[t.outcome]]
            if agreeing:
                return
            if window:
                r = max(window, key=lambda r: r.datum_vertrek)
                self.add(
                    OUTCOME,
                    person,
                    f"register: uitstroom {t.outcome} op {_d(t.outflow)}; DT&V: {DEPARTURE_LABELS[r.vertrekwijze]} "
                    f"op {_d(r.datum_vertrek)}",
                    t,
                    kind="vertrekwijze_verschilt",
                )
            else:
                self.add(
                    OUTCOME,
                    person,
                    f"register: uitstroom {t.outcome} op {_d(t.outflow)}; DT&V kent geen vertrek tussen "
                    f"{_d(t.admission)} en {_d(t.outflow + TOLERANCE)}",
                    t,
                    kind="vertrek_onbekend_bij_dtv",
                )
            return
        around = [
            r
            for r in departures
            if r.vertrekwijze != MOB
            and r.vertrekwijze not in FOLLOWED_BY_DEPARTURE.get(t.outcome, ())
            and abs((r.datum_vertrek - t.outflow).days) <= TOLERANCE.days
        ]
        if around:
            r = max(around, key=lambda r: r.datum_vertrek)
            self.add(
                OUTCOME,
                person,
                f"DT&V: {DEPARTURE_LABELS[r.vertrekwijze]} op {_d(r.datum_vertrek)}, rond de uitstroom op "
                f"{_d(t.outflow)}; register: uitstroomreden {t.outcome}",
                t,
                kind="vertrek_niet_in_register",
            )


def reconcile(
    persons: Sequence[RegistryPerson],
    *,
    ind: Extract | None = None,
    dtv: Extract | None = None,
    municipality: str | None = None,
) -> list[Finding]:
    """Every discrepancy between the registry and the extracts (either may be missing), or only those
    of one municipality (the other municipalities' persons still count as the same person). Pure."""
    return _Reconciler(persons, ind, dtv, municipality).run()


def category_counts(findings: Iterable[Finding], *, ind: bool, dtv: bool) -> dict:
    """Counts per category; a category whose extract is missing is None (not compared), not 0."""
    have = {IND: ind, DTV: dtv, None: True}
    counts: dict = {c: (0 if have[partner] else None) for c, (_, partner) in CATEGORIES.items()}
    kinds: dict = {k: (0 if have[partner] else None) for k, (partner, _) in OUTCOME_KINDS.items()}
    for f in findings:
        counts[f.category] += 1
        if f.kind:
            kinds[f.kind] += 1
    counts[f"{OUTCOME}_per_soort"] = kinds
    return counts


# --- the national duplicate report -------------------------------------------------------------------

BY_V_NUMBER = "v_nummer"
BY_NAME = "naam_en_geboortedatum"


@dataclass
class DuplicateGroup:
    """One human being, probably, registered by more than one LVV."""

    persons: list[RegistryPerson]
    grounds: set[str]
    score: float = 100.0  # the lowest name score that joined the group (100 for a V-nummer only)

    @property
    def municipalities(self) -> list[str]:
        return sorted({p.municipality for p in self.persons})

    @property
    def simultaneous(self) -> bool:
        """Two trajectories in different municipalities that overlap in time ("shopping" while in
        another LVV, rather than after leaving it)."""
        spans = [
            (p.municipality, t.application, t.outflow or dt.date.max) for p in self.persons for t in p.trajectories
        ]
        return any(a[0] != b[0] and a[1] <= b[2] and b[1] <= a[2] for i, a in enumerate(spans) for b in spans[i + 1 :])


def _countries_match(a: str, b: str) -> bool:
    return UNKNOWN_COUNTRY in (a, b) or a == b  # the registry's duplicate rule (people/duplicates.py)


def national_duplicates(persons: Sequence[RegistryPerson]) -> list[DuplicateGroup]:
    """Persons registered by more than one LVV: the same V-nummer in several municipalities, and —
    for persons without a V-nummer — a name that matches (rapidfuzz token_sort_ratio ≥ the
    registry's threshold, aliases included) with the same birth date (or, when a date is missing,
    the same birth year) and a compatible country. Persons with two different V-numbers are
    different people. Pure."""
    parent = list(range(len(persons)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: list[tuple[int, int, str, float]] = []
    by_v: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(persons):
        if p.v_number:
            by_v[p.v_number].append(i)
    for members in by_v.values():
        for j in members[1:]:
            if persons[j].municipality != persons[members[0]].municipality:
                edges.append((members[0], j, BY_V_NUMBER, 100.0))

    blocks: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(persons):
        if p.known_birth_year and any(p.names):
            blocks[p.known_birth_year].append(i)
    for members in blocks.values():
        queries = [i for i in members if not persons[i].v_number]
        if not queries:
            continue
        owners = [i for i in members for name in persons[i].names if name]
        choices = [name for i in members for name in persons[i].names if name]
        query_owners = [i for i in queries for name in persons[i].names if name]
        query_names = [name for i in queries for name in persons[i].names if name]
        scores = process.cdist(
            query_names, choices, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_THRESHOLD, workers=1
        )
        best: dict[tuple[int, int], float] = {}
        for qi, ci in zip(*scores.nonzero(), strict=True):
            a, b = query_owners[qi], owners[ci]
            pa, pb = persons[a], persons[b]
            if pa.municipality == pb.municipality:
                continue
            if pa.birth_date and pb.birth_date and pa.birth_date != pb.birth_date:
                continue
            if not _countries_match(pa.country, pb.country):
                continue
            key = (min(a, b), max(a, b))
            best[key] = max(best.get(key, 0.0), float(scores[qi, ci]))
        edges += [(a, b, BY_NAME, score) for (a, b), score in best.items()]

    grounds: dict[int, set[str]] = defaultdict(set)
    lowest: dict[int, float] = {}
    for a, b, _, _ in edges:
        parent[find(a)] = find(b)
    for a, _, ground, score in edges:
        root = find(a)
        grounds[root].add(ground)
        lowest[root] = min(lowest.get(root, 100.0), score)
    members_of: dict[int, list[RegistryPerson]] = defaultdict(list)
    for i, p in enumerate(persons):
        if find(i) in grounds:
            members_of[find(i)].append(p)
    groups = [
        DuplicateGroup(sorted(ms, key=lambda p: (p.municipality, p.pk)), grounds[root], round(lowest[root], 1))
        for root, ms in members_of.items()
    ]
    groups.sort(key=lambda g: (min(p.first_application or dt.date.max for p in g.persons), g.persons[0].pk))
    return groups


def _trajectory_dict(t: RegistryTrajectory) -> dict:
    return {
        "traject_id": t.traject_id,
        "datum_aanmelding": t.application.isoformat(),
        "datum_toelating": t.admission.isoformat() if t.admission else None,
        "datum_uitstroom": t.outflow.isoformat() if t.outflow else None,
        "uitstroomreden": t.outcome or None,
    }


def duplicate_dict(group: DuplicateGroup, *, viewpoint: str | None = None) -> dict:
    """A group as JSON. Seen from a municipality (`viewpoint`), the other LVVs' registrations show only
    the municipality and the dates — the same as the duplicate check at an application."""
    registrations = []
    for p in group.persons:
        own = viewpoint is None or p.municipality == viewpoint
        entry: dict = {"gemeente": p.municipality}
        if own:
            entry |= {"persoon_id": p.person_key, "v_nummer": p.v_number}
        trajectories = [_trajectory_dict(t) for t in p.trajectories]
        if not own:
            for t in trajectories:
                del t["traject_id"]
                del t["uitstroomreden"]
        entry["trajecten"] = trajectories
        registrations.append(entry)
    return {
        "grond": sorted(group.grounds),
        "naamscore": group.score if BY_NAME in group.grounds else None,
        "gemeenten": group.municipalities,
        "gelijktijdig": group.simultaneous,
        "inschrijvingen": registrations,
    }


def duplicate_counts(groups: Iterable[DuplicateGroup], municipalities: Iterable[str]) -> dict:
    """Per municipality: its persons also registered elsewhere, of whom at the same time."""
    counts = {m: {"ook_elders_ingeschreven": 0, "gelijktijdig": 0} for m in municipalities}
    for g in groups:
        simultaneous = g.simultaneous
        for p in g.persons:
            row = counts.setdefault(p.municipality, {"ook_elders_ingeschreven": 0, "gelijktijdig": 0})
            row["ook_elders_ingeschreven"] += 1
            row["gelijktijdig"] += int(simultaneous)
    return counts


# --- the report ---------------------------------------------------------------------------------------


@dataclass
class Report:
    """The reconciliation and duplicate report, for every municipality or one."""

    findings: list[Finding]
    duplicates: list[DuplicateGroup]
    municipalities: list[str]
    ind: Extract | None = None
    dtv: Extract | None = None
    municipality: str | None = None  # the report is about this municipality only
    #: Persons without a V-nummer per municipality: the partners cannot be asked about them.
    without_v_number: dict[str, int] = field(default_factory=dict)

    def findings_of(self, municipality: str) -> list[Finding]:
        return [f for f in self.findings if f.municipality == municipality]

    def duplicates_of(self, municipality: str) -> list[DuplicateGroup]:
        return [g for g in self.duplicates if municipality in g.municipalities]

    def counts(self, findings: Iterable[Finding]) -> dict:
        return category_counts(findings, ind=self.ind is not None, dtv=self.dtv is not None)

    def person_ids(self) -> list[int]:
        """Every registry person this report shows at person level (for the access log)."""
        ids = [f.person_pk for f in self.shown_findings()]
        for g in self.shown_duplicates():
            ids += [p.pk for p in g.persons if self.municipality in (None, p.municipality)]
        return list(dict.fromkeys(ids))

    def shown_findings(self) -> list[Finding]:
        return self.findings if self.municipality is None else self.findings_of(self.municipality)

    def shown_duplicates(self) -> list[DuplicateGroup]:
        return self.duplicates if self.municipality is None else self.duplicates_of(self.municipality)

    def as_dict(self, *, persons: bool = True) -> dict:
        """The report as JSON. `persons=False`: counts only (the programmabureau's view)."""
        shown = [self.municipality] if self.municipality else self.municipalities
        duplicate_figures = duplicate_counts(self.duplicates, self.municipalities)
        per_municipality = {}
        for name in shown:
            findings = self.findings_of(name)
            entry: dict = {
                "aantallen": self.counts(findings)
                | {"zonder_v_nummer": self.without_v_number.get(name, 0)}
                | duplicate_figures.get(name, {})
            }
            if persons:
                entry["bevindingen"] = {c: [f.as_dict() for f in findings if f.category == c] for c in CATEGORIES}
                entry["dubbele_inschrijvingen"] = [duplicate_dict(g, viewpoint=name) for g in self.duplicates_of(name)]
            per_municipality[name] = entry
        national = self.counts(self.findings) | {
            "zonder_v_nummer": sum(self.without_v_number.values()),
            "dubbel_ingeschreven_personen": len(self.duplicates),
            "waarvan_gelijktijdig": sum(g.simultaneous for g in self.duplicates),
        }
        return {
            "peildatum_ind": self.ind.peildatum.isoformat() if self.ind else None,
            "peildatum_dtv": self.dtv.peildatum.isoformat() if self.dtv else None,
            "landelijk": national,
            "per_gemeente": per_municipality,
        } | (
            {"dubbele_inschrijvingen": [duplicate_dict(g) for g in self.duplicates]}
            if persons and self.municipality is None
            else {}
        )


def report_build(
    *,
    ind: Extract | None = None,
    dtv: Extract | None = None,
    municipality: str | None = None,
    findings_of_one: bool = False,
) -> Report:
    """The report from the registry as it is now. `municipality`: that municipality's view;
    `findings_of_one`: compute only its findings (its web page; the national counts are then not
    national and must not be shown)."""
    persons = registry_load(with_names=True)
    municipalities = list(Municipality.objects.filter(has_lvv=True).order_by("name").values_list("name", flat=True))
    return Report(
        findings=reconcile(persons, ind=ind, dtv=dtv, municipality=municipality if findings_of_one else None),
        duplicates=national_duplicates(persons),
        municipalities=municipalities,
        ind=ind,
        dtv=dtv,
        municipality=municipality,
        without_v_number=dict(Counter(p.municipality for p in persons if not p.v_number)),
    )


FORMATS = ("json", "csv", "xlsx")
FINDING_COLUMNS = ("gemeente", "categorie", "soort", "partner", "v_nummer", "persoon_id", "traject_id", "melding")
SUMMARY_COLUMNS = ("gemeente", *CATEGORIES, "ook_elders_ingeschreven", "gelijktijdig")
DUPLICATE_COLUMNS = (
    "groep",
    "grond",
    "gemeente",
    "persoon_id",
    "v_nummer",
    "traject_id",
    "datum_aanmelding",
    "datum_toelating",
    "datum_uitstroom",
    "gelijktijdig",
)


def finding_rows(report: Report) -> list[list]:
    return [
        [f.municipality, f.category, f.kind, str(f.partner or ""), f.v_number, f.person_key, f.traject_id, f.message]
        for f in sorted(report.shown_findings(), key=lambda f: (f.municipality, list(CATEGORIES).index(f.category)))
    ]


def summary_rows(report: Report) -> list[list]:
    data = report.as_dict(persons=False)
    rows = []
    for name, entry in data["per_gemeente"].items():
        counts = entry["aantallen"]
        rows.append([name, *(counts[c] for c in CATEGORIES), counts["ook_elders_ingeschreven"], counts["gelijktijdig"]])
    return rows


def duplicate_rows(report: Report) -> list[list]:
    rows = []
    for number, group in enumerate(report.shown_duplicates(), start=1):
        data = duplicate_dict(group, viewpoint=report.municipality)
        for entry in data["inschrijvingen"]:
            for t in entry["trajecten"]:
                rows.append(
                    [
                        number,
                        " + ".join(data["grond"]),
                        entry["gemeente"],
                        entry.get("persoon_id", ""),
                        entry.get("v_nummer", ""),
                        t.get("traject_id", ""),
                        t["datum_aanmelding"],
                        t["datum_toelating"] or "",
                        t["datum_uitstroom"] or "",
                        "ja" if data["gelijktijdig"] else "nee",
                    ]
                )
    return rows


def report_bytes(report: Report, file_format: str, *, persons: bool = True) -> bytes:
    """JSON (the whole report), CSV (one row per finding, duplicate registrations included, or with
    `persons=False` the counts per municipality) or XLSX (a sheet per table)."""
    if file_format == "json":
        return (json.dumps(report.as_dict(persons=persons), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if file_format == "csv":
        if not persons:
            return csv_text(SUMMARY_COLUMNS, summary_rows(report)).encode("utf-8")
        rows = finding_rows(report)
        for row in duplicate_rows(report):
            _, ground, municipality, key, v_number, traject_id, applied, admitted, left, _ = row
            dates = f"aanmelding {applied}, toelating {admitted or '-'}, uitstroom {left or '-'}"
            rows.append([municipality, "dubbele_inschrijving", ground, "", v_number, key, traject_id, dates])
        return csv_text(FINDING_COLUMNS, rows).encode("utf-8")
    if file_format == "xlsx":
        sheets = [("samenvatting", SUMMARY_COLUMNS, summary_rows(report))]
        if persons:
            sheets += [
                ("bevindingen", FINDING_COLUMNS, finding_rows(report)),
                ("dubbele_inschrijvingen", DUPLICATE_COLUMNS, duplicate_rows(report)),
            ]
        return xlsx_bytes(sheets)
    raise ValueError(f"unknown format {file_format!r}")


# --- storing the latest extract per partner ----------------------------------------------------------


DATE_FIELDS = {"datum_aanvraag", "datum_besluit", "datum_aanmelding_dtv", "datum_vertrek"}


def _record_values(record) -> dict:
    values = dataclasses.asdict(record)
    del values["line"], values["v_nummer"]
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def _record_from(partner: str, line: int, v_number: str, values: Mapping) -> IndRecord | DtvRecord:
    kind = IndRecord if partner == IND else DtvRecord
    converted = {k: (dt.date.fromisoformat(v) if k in DATE_FIELDS and v else v) for k, v in values.items()}
    return kind(line=line, v_nummer=v_number, **converted)


@transaction.atomic
def extract_store(*, actor, reading: ExtractReading, file_name: str) -> ChainExtract:
    """Store a checked extract as the partner's latest; the partner's earlier extracts are deleted
    (only the latest is needed, and an older copy of person data is not kept)."""
    if not reading.ok:
        raise ValueError("an extract with faults is never stored")
    extract = ChainExtract.objects.create(
        partner=reading.partner,
        peildatum=reading.peildatum,
        file_name=file_name[:200],
        sha256=reading.sha256,
        row_count=len(reading.records),
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    ChainExtractRow.objects.bulk_create(
        [
            ChainExtractRow(extract=extract, line=r.line, v_number=r.v_nummer, values=_record_values(r))
            for r in reading.records
        ],
        batch_size=1000,
    )
    ChainExtract.objects.filter(partner=reading.partner).exclude(pk=extract.pk).delete()
    return extract


def extract_latest(partner: str) -> tuple[ChainExtract | None, Extract | None]:
    """The partner's stored extract: its record, and its rows as an `Extract`."""
    stored = ChainExtract.objects.filter(partner=partner).order_by("-uploaded_at", "-pk").first()
    if stored is None:
        return None, None
    records = [
        _record_from(partner, line, v_number, values)
        for line, v_number, values in stored.rows.order_by("line").values_list("line", "v_number", "values")
    ]
    return stored, Extract(partner, stored.peildatum, records)
