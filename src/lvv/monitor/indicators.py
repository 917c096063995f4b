"""The national monitor's indicators, exactly as published in docs/indicatoren.md, as pure functions
over plain rows: no ORM here (`selectors.py` turns the database into rows), so every figure can be
tested against a registry built by hand and checked without a database. The names of the indicators,
their order and their texts are in `catalogue.py`.

The definitions in brief (the document is the contract):
- a *person* is a V-nummer (across municipalities), or else the municipality's own person key;
- peildatum P: a dated event counts when its date <= P;
- basis `trajecten`: the units are the trajectories applied for on or before P; basis `personen`:
  per person the one trajectory with the latest application date <= P (ties: latest admission date,
  then traject_id, then municipality), and a person whose that trajectory ended with `overleden` on
  or before P counts only in `overleden`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType
from typing import NamedTuple, TypedDict

from lvv.core.dates import months_between

from . import catalogue
from .catalogue import BASIS_PERSONEN, BASIS_TRAJECTEN, MONTHS_DECIMALS, SHARE_DECIMALS

BASES = (BASIS_TRAJECTEN, BASIS_PERSONEN)

#: The outcome code of a death: left out of the outflow figures, counted on its own.
DECEASED = "overleden"
#: Outcome categories → the indicator that counts them.
CATEGORY_INDICATORS = {
    "bestendig": "uitstroom_bestendig",
    "semi_bestendig": "uitstroom_semi_bestendig",
    "geen_oplossing": "uitstroom_geen_oplossing",
}
PERSPECTIVE_KINDS = ("terugkeer", "legalisering", "doormigratie")
#: Outflow reasons after which an IND decision follows (indicator `besluiten`).
DECISION_REASONS = ("hasa", "artikel_64")
DECISIONS = ("inwilliging", "afwijzing")
NO_DECISION = "geen_besluit"
#: The guidance instruments of the monitor (and the columns of the delivery format v1).
MONITOR_INSTRUMENTS = (
    "juridische_screening",
    "juridische_begeleiding",
    "activering",
    "sociale_begeleiding",
    "toekomstorientatie",
    "terugkeerbegeleiding",
)
INSTRUMENT_VALUES = ("ja", "nee", "nvt", "onbekend")
UNKNOWN = "onbekend"

#: Every indicator, in the order of the published table (the catalogue's order). These names never
#: change meaning.
INDICATOR_NAMES: tuple[str, ...] = tuple(catalogue.INDICATORS)

#: One published figure: a count; a share, mean or median (None without units to divide by); counts
#: per outcome code, kind or instrument value; or (`besluiten`, `instrumenten`) such counts per reason
#: or instrument.
Figure = int | float | None | dict[str, int] | dict[str, dict[str, int]]
#: Every indicator by name, in the order of the published table.
Figures = dict[str, Figure]


class MonitorReport(TypedDict):
    """The monitor on one peildatum (`monitor`): the whole country and per municipality."""

    peildatum: str
    basis: str
    landelijk: Figures
    per_gemeente: dict[str, Figures]


class TrajectoryRow(NamedTuple):
    """One trajectory as the monitor sees it (a named tuple: cheap to build by the hundred thousand)."""

    trajectory_id: str
    municipality: str
    #: Who the person is, from `person_key(...)`.
    person: str
    application_date: dt.date
    admission_date: dt.date | None = None
    outflow_date: dt.date | None = None
    outcome: str | None = None
    ind_decision: str = ""
    ind_decision_date: dt.date | None = None
    #: Every perspective recorded: (decided on, kind).
    perspectives: tuple[tuple[dt.date, str], ...] = ()
    #: Instrument code → ja / nee / nvt / onbekend; a missing instrument is `onbekend`.
    instruments: Mapping[str, str] = MappingProxyType({})


class CapacityRow(NamedTuple):
    municipality: str
    places: int
    valid_from: dt.date
    valid_to: dt.date | None = None  # inclusive; None = open


class Outcome(NamedTuple):
    code: str
    category: str


def person_key(*, v_number: str, municipality: str, own_key: str | int) -> str:
    """The person definition: the same V-nummer is the same person in every municipality; without
    one, the municipality's own person key identifies the person within that municipality."""
    return f"V:{v_number}" if v_number else f"G:{municipality}:{own_key}"


# --- dated events ------------------------------------------------------------------------------


def _on_or_before(value: dt.date | None, peildatum: dt.date) -> bool:
    return value is not None and value <= peildatum


def _admitted(row: TrajectoryRow, p: dt.date) -> bool:
    return _on_or_before(row.admission_date, p)


def _outflowed(row: TrajectoryRow, p: dt.date) -> bool:
    return _on_or_before(row.outflow_date, p)


def _deceased(row: TrajectoryRow, p: dt.date) -> bool:
    return _outflowed(row, p) and row.outcome == DECEASED


def _perspective(row: TrajectoryRow, p: dt.date) -> str | None:
    """The perspective in force on P: the latest one decided on or before P."""
    known = [(decided_on, kind) for decided_on, kind in row.perspectives if decided_on <= p]
    return max(known)[1] if known else None


def _decision(row: TrajectoryRow, p: dt.date) -> str:
    if row.ind_decision in DECISIONS and _on_or_before(row.ind_decision_date, p):
        return row.ind_decision
    return NO_DECISION


# --- units -------------------------------------------------------------------------------------


def select_units(
    rows: Iterable[TrajectoryRow], *, peildatum: dt.date, basis: str = BASIS_TRAJECTEN
) -> tuple[list[TrajectoryRow], list[TrajectoryRow]]:
    """The units of the basis, and apart from them the deceased persons (basis `personen` only)."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    applied = [r for r in rows if r.application_date <= peildatum]
    if basis == BASIS_TRAJECTEN:
        return applied, []
    latest: dict[str, TrajectoryRow] = {}
    for row in applied:
        current = latest.get(row.person)
        # Most persons have one trajectory, and most of the others differ in the first part of the
        # key (the application date): the whole key is only built when it matters.
        if (
            current is None
            or row.application_date > current.application_date
            or (
                row.application_date == current.application_date
                and _unit_key(row, peildatum) > _unit_key(current, peildatum)
            )
        ):
            latest[row.person] = row
    units: list[TrajectoryRow] = []
    deceased: list[TrajectoryRow] = []
    for row in latest.values():
        (deceased if row.outcome == DECEASED and _deceased(row, peildatum) else units).append(row)
    return units, deceased


def _unit_key(row: TrajectoryRow, peildatum: dt.date) -> tuple[dt.date, dt.date | None, str, str]:
    """Which trajectory is the person's unit: the latest application, then the latest admission on or
    before P, then traject_id and municipality."""
    admission = row.admission_date if _admitted(row, peildatum) else dt.date.min
    return (row.application_date, admission, row.trajectory_id, row.municipality)


# --- the indicators ----------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, SHARE_DECIMALS) if whole else None


def capacity_on(capacity: Iterable[CapacityRow], peildatum: dt.date) -> int:
    """Places valid on P: the sum of the register rows covering P."""
    return sum(
        c.places for c in capacity if c.valid_from <= peildatum and (c.valid_to is None or c.valid_to >= peildatum)
    )


#: The (instrument, value) pairs the indicator `instrumenten` counts (the rest is `onbekend`).
_KNOWN_INSTRUMENTS = frozenset((code, value) for code in MONITOR_INSTRUMENTS for value in INSTRUMENT_VALUES[:3])


@dataclass
class Tally:
    """What the indicators are computed from, for one set of units. The tallies of disjoint sets
    (the municipalities) add up to the tally of their union (the country)."""

    aanmeldingen: int = 0
    instroom: int = 0
    in_lvv: int = 0
    uitstroom: int = 0
    overleden: int = 0
    persons: set[str] = field(default_factory=set)
    months: list[float] = field(default_factory=list)  # time in the LVV of each `uitstroom` unit
    reasons: Counter[str | None] = field(default_factory=Counter)  # outcome code → `uitstroom` units
    perspectives: Counter[str] = field(default_factory=Counter)  # kind → `in_lvv` units
    decisions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (reason, decision) → `uitstroom` units
    instruments: Counter[tuple[str, str]] = field(default_factory=Counter)  # (code, ja/nee/nvt) → `instroom` units

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            aanmeldingen=self.aanmeldingen + other.aanmeldingen,
            instroom=self.instroom + other.instroom,
            in_lvv=self.in_lvv + other.in_lvv,
            uitstroom=self.uitstroom + other.uitstroom,
            overleden=self.overleden + other.overleden,
            persons=self.persons | other.persons,
            months=self.months + other.months,
            reasons=self.reasons + other.reasons,
            perspectives=self.perspectives + other.perspectives,
            decisions=self.decisions + other.decisions,
            instruments=self.instruments + other.instruments,
        )

    @classmethod
    def combined(cls, tallies: Iterable[Tally]) -> Tally:
        """The sum of many tallies at once (the same as adding them up one by one, without building
        every intermediate set and list)."""
        tallies = list(tallies)
        total = cls(
            aanmeldingen=sum(t.aanmeldingen for t in tallies),
            instroom=sum(t.instroom for t in tallies),
            in_lvv=sum(t.in_lvv for t in tallies),
            uitstroom=sum(t.uitstroom for t in tallies),
            overleden=sum(t.overleden for t in tallies),
            persons=set().union(*(t.persons for t in tallies)),
            months=[m for t in tallies for m in t.months],
        )
        for t in tallies:
            total.reasons.update(t.reasons)
            total.perspectives.update(t.perspectives)
            total.decisions.update(t.decisions)
            total.instruments.update(t.instruments)
        return total


def tally(units: Sequence[TrajectoryRow], *, deceased: Sequence[TrajectoryRow] = (), peildatum: dt.date) -> Tally:
    """`instroom` = admitted on or before P; of those, an outflow on or before P is `overleden` or
    `uitstroom`, and no outflow on or before P is `in_lvv`. (Written as a few comprehensions rather
    than one loop: a 40-quarter series runs this millions of times.)"""
    p = peildatum
    t = Tally(aanmeldingen=len(units))
    instroom = [u for u in units if u.admission_date is not None and u.admission_date <= p]
    t.instroom = len(instroom)
    t.persons = set(map(_PERSON, instroom))
    # Rows often share one instruments mapping (the selector makes one per combination): they are
    # counted per mapping object, and each mapping's items once.
    with_instruments = [u.instruments for u in instroom if u.instruments]
    mappings = {id(m): m for m in with_instruments}
    for key, count in Counter(map(id, with_instruments)).items():
        for item in mappings[key].items():
            if item in _KNOWN_INSTRUMENTS:
                t.instruments[item] += count
    staying = [u for u in instroom if u.outflow_date is None or u.outflow_date > p]
    t.in_lvv = len(staying)
    for u in staying:
        if u.perspectives:
            kind = _perspective(u, p)
            if kind is not None:
                t.perspectives[kind] += 1
    left = [u for u in instroom if u.outflow_date is not None and u.outflow_date <= p]
    outflow = [u for u in left if u.outcome != DECEASED]
    t.overleden = len(left) - len(outflow) + sum(1 for d in deceased if _admitted(d, p))
    t.uitstroom = len(outflow)
    t.reasons = Counter(map(_OUTCOME, outflow))
    t.months = list(map(months_between, map(_ADMISSION, outflow), map(_OUTFLOW, outflow)))
    for u in outflow:
        if u.outcome in DECISION_REASONS:
            t.decisions[(u.outcome, _decision(u, p))] += 1
    return t


_PERSON, _OUTCOME = attrgetter("person"), attrgetter("outcome")
_ADMISSION, _OUTFLOW = attrgetter("admission_date"), attrgetter("outflow_date")


def figures(t: Tally, *, capacity: int, outcomes: Sequence[Outcome]) -> Figures:
    """The published indicators from a tally, with the names and in the order of the definitions."""
    by_category = dict.fromkeys(CATEGORY_INDICATORS, 0)
    for o in outcomes:
        if o.category in by_category:
            by_category[o.category] += t.reasons[o.code]
    perspectief_bepaald = sum(t.perspectives[kind] for kind in PERSPECTIVE_KINDS)
    instruments: dict[str, dict[str, int]] = {}
    for code in MONITOR_INSTRUMENTS:
        counts = {value: t.instruments[(code, value)] for value in INSTRUMENT_VALUES[:3]}
        instruments[code] = {**counts, UNKNOWN: t.instroom - sum(counts.values())}  # the rest is onbekend
    result: Figures = {
        "aanmeldingen": t.aanmeldingen,
        "instroom": t.instroom,
        "unieke_personen": len(t.persons),
        "in_lvv": t.in_lvv,
        "uitstroom": t.uitstroom,
        "overleden": t.overleden,
        **{name: by_category[cat] for cat, name in CATEGORY_INDICATORS.items()},
        **{
            name.replace("uitstroom_", "aandeel_"): _share(by_category[cat], t.uitstroom)
            for cat, name in CATEGORY_INDICATORS.items()
        },
        "uitstroom_per_reden": {o.code: t.reasons[o.code] for o in outcomes if o.code != DECEASED},
        "perspectief_bepaald": perspectief_bepaald,
        "perspectief_per_soort": {kind: t.perspectives[kind] for kind in PERSPECTIVE_KINDS},
        "aandeel_perspectief_bepaald": _share(perspectief_bepaald, t.in_lvv),
        "doorlooptijd_gemiddeld_maanden": round(statistics.fmean(t.months), MONTHS_DECIMALS) if t.months else None,
        "doorlooptijd_mediaan_maanden": round(statistics.median(t.months), MONTHS_DECIMALS) if t.months else None,
        "capaciteit": capacity,
        "bezettingsgraad": _share(t.in_lvv, capacity),
        "besluiten": {
            reason: {d: t.decisions[(reason, d)] for d in (*DECISIONS, NO_DECISION)} for reason in DECISION_REASONS
        },
        "instrumenten": instruments,
    }
    return {name: result[name] for name in INDICATOR_NAMES}


def indicators(
    units: Sequence[TrajectoryRow],
    *,
    deceased: Sequence[TrajectoryRow] = (),
    capacity: int,
    outcomes: Sequence[Outcome],
    peildatum: dt.date,
) -> Figures:
    """Every indicator over one set of units (the whole country or one municipality)."""
    return figures(tally(units, deceased=deceased, peildatum=peildatum), capacity=capacity, outcomes=outcomes)


def monitor(
    rows: Iterable[TrajectoryRow],
    *,
    capacity: Iterable[CapacityRow],
    outcomes: Sequence[Outcome],
    peildatum: dt.date,
    basis: str = BASIS_TRAJECTEN,
    municipalities: Iterable[str] = (),
) -> MonitorReport:
    """The monitor on P: the whole country and per municipality (the unit's municipality).
    `municipalities` lists those to report even without any unit or capacity."""
    capacity = list(capacity)
    units, deceased = select_units(rows, peildatum=peildatum, basis=basis)
    units_by, deceased_by, capacity_by = defaultdict(list), defaultdict(list), defaultdict(list)
    for u in units:
        units_by[u.municipality].append(u)
    for d in deceased:
        deceased_by[d.municipality].append(d)
    for c in capacity:
        capacity_by[c.municipality].append(c)
    names = sorted({*municipalities, *units_by, *deceased_by, *capacity_by})
    tallies = {name: tally(units_by[name], deceased=deceased_by[name], peildatum=peildatum) for name in names}
    return {
        "peildatum": peildatum.isoformat(),
        "basis": basis,
        # Every unit belongs to one municipality, so the country is the sum of the municipalities.
        "landelijk": figures(
            Tally.combined(tallies.values()), capacity=capacity_on(capacity, peildatum), outcomes=outcomes
        ),
        "per_gemeente": {
            name: figures(tallies[name], capacity=capacity_on(capacity_by[name], peildatum), outcomes=outcomes)
            for name in names
        },
    }
