"""The uniform delivery format v1 (docs/aanleverformat.md): its columns, and the checks of one row
and of one file on its own. Pure: the reference data comes in as a `Reference`, so the checks run
without a database. What needs the registry (persons, earlier trajectories) is in `importing/`.

Every fault is a `Fault(line, column, message)`, printed as `regel N: kolom: melding` (the header
is line 1; the message is Dutch). The rules are the registry's own — the V-nummer validator, the
country list, the outcome codes, the date rules — so a rule is never written twice."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from lvv.core.dates import require_past_date
from lvv.core.exceptions import ApplicationError
from lvv.core.tables import Table
from lvv.monitor.indicators import MONITOR_INSTRUMENTS
from lvv.people.countries import is_valid_country
from lvv.people.models import STATELESS, UNKNOWN_COUNTRY, V_NUMBER_VALIDATOR, Sex
from lvv.people.services import MSG_BIRTH_YEAR_RANGE
from lvv.trajectories.models import InstrumentValue, PerspectiveKind, ShelterForm
from lvv.trajectories.services import MSG_INSTRUMENTS_NOT_ADMITTED, MSG_NO_IND_DECISION

FORMAT_VERSION = "1"
KIND_TRAJECTORIES = "trajecten"
KIND_CAPACITY = "capaciteit"

TRAJECTORY_COLUMNS = (
    "traject_id",
    "gemeente",
    "persoon_id",
    "v_nummer",
    "geslacht",
    "geboortejaar",
    "land_van_herkomst",
    "datum_aanmelding",
    "datum_toelating",
    "toelating_via_uitzondering",
    "opvangvorm",
    "perspectief",
    "datum_perspectief",
    *MONITOR_INSTRUMENTS,
    "datum_uitstroom",
    "uitstroomreden",
    "besluit_na_uitstroom",
    "datum_besluit",
)
CAPACITY_COLUMNS = ("gemeente", "locatie", "plaatsen", "geldig_vanaf", "geldig_tot")
COLUMNS = {KIND_TRAJECTORIES: TRAJECTORY_COLUMNS, KIND_CAPACITY: CAPACITY_COLUMNS}

YES, NO = "ja", "nee"
DECISIONS = ("inwilliging", "afwijzing")
#: Values of an instrument column; empty means `onbekend`. The registry's choices, looked up once.
INSTRUMENT_CHOICES = (InstrumentValue.JA, InstrumentValue.NEE, InstrumentValue.NVT, InstrumentValue.ONBEKEND)
SEXES = tuple(Sex.values)
SHELTER_FORMS = tuple(ShelterForm.values)
PERSPECTIVES = tuple(PerspectiveKind.values)

MSG_UNKNOWN_FILE = (
    "de kolomnamen passen niet bij een trajectbestand (met traject_id) of een capaciteitsbestand "
    "(met plaatsen); zie docs/aanleverformat.md"
)
MSG_COLUMN_MISSING = "kolom ontbreekt in de kopregel"
MSG_COLUMN_UNKNOWN = "onbekende kolom (formaat v1 kent haar niet)"
MSG_COLUMN_TWICE = "kolom staat twee keer in de kopregel"
MSG_TOO_MANY_CELLS = "de regel heeft meer cellen ({cells}) dan de kopregel kolommen ({columns})"
MSG_REQUIRED = "is verplicht"
MSG_TOO_LONG = "is langer dan {max_length} tekens"
MSG_REQUIRED_WITHOUT_V_NUMBER = "is verplicht als v_nummer leeg is"
MSG_DATE = "'{value}' is geen bestaande datum in de vorm JJJJ-MM-DD"
MSG_CHOICE = "onbekende waarde '{value}'; kies uit: {options}"
MSG_MUNICIPALITY = "onbekende gemeente '{value}'"
MSG_COUNTRY = "onbekende landcode '{value}'; gebruik een ISO 3166-1-code van twee letters, staatloos of onbekend"
MSG_YEAR = "'{value}' is geen jaartal (JJJJ)"
MSG_BEFORE = "{value} ligt vóór {other} ({other_value})"
MSG_AFTER = "{value} ligt na {other} ({other_value})"
MSG_NEEDS_ADMISSION = "hoort bij een toegelaten traject: vul ook datum_toelating in"
MSG_NEEDS = "is verplicht bij {other}"
MSG_TRAJECTORY_TWICE = "traject_id '{value}' staat ook in regel {line} (uniek per gemeente)"
MSG_PLACES = "'{value}' is geen geheel aantal plaatsen van 0 tot en met 999999999"
MSG_CAPACITY_TWICE = "dezelfde locatie en geldig_vanaf staan ook in regel {line}"
MSG_CAPACITY_OVERLAP = "deze periode overlapt met regel {line} van dezelfde locatie"


@dataclass(frozen=True, order=True)
class Fault:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        # One fault, one line: a line break quoted from a cell or header is shown escaped.
        return f"regel {self.line}: {self.column}: {self.message}".translate(_LINE_BREAKS)


#: Characters str.splitlines() breaks on, shown as escapes in a fault.
_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


@dataclass
class Reference:
    """What the checks need to know about the registry: names and codes, and today."""

    #: Municipality name in lower case → its name as registered.
    municipalities: Mapping[str, str]
    #: Outcome code → whether an IND decision can follow it (HASA, artikel 64).
    outcomes: Mapping[str, bool]
    today: dt.date


@dataclass
class TrajectoryRecord:
    """One valid row of a trajectory file, in registry terms."""

    line: int
    traject_id: str
    gemeente: str
    persoon_id: str
    v_nummer: str
    geslacht: str
    geboortejaar: int | None
    land_van_herkomst: str
    datum_aanmelding: dt.date
    datum_toelating: dt.date | None
    uitzondering: bool
    opvangvorm: str
    perspectief: str
    datum_perspectief: dt.date | None
    instrumenten: dict[str, str] = field(default_factory=dict)  # code → ja/nee/nvt/onbekend
    datum_uitstroom: dt.date | None = None
    uitstroomreden: str = ""
    besluit_na_uitstroom: str = ""
    datum_besluit: dt.date | None = None


@dataclass
class CapacityRecord:
    line: int
    gemeente: str
    locatie: str
    plaatsen: int
    geldig_vanaf: dt.date
    geldig_tot: dt.date | None


def _text(value) -> str:
    if value.__class__ is str:  # most cells: first, and without the checks below
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


#: The columns that describe the person rather than the trajectory (the same on every row of a person).
PERSON_COLUMNS = ("persoon_id", "v_nummer", "geslacht", "geboortejaar", "land_van_herkomst")


def trajectory_columns(
    *,
    traject_id: str,
    gemeente: str,
    persoon_id: str,
    v_nummer: str,
    geslacht: str,
    geboortejaar: int | None,
    land_van_herkomst: str,
    datum_aanmelding: dt.date,
    datum_toelating: dt.date | None,
    uitzondering: bool,
    opvangvorm: str,
    perspectief: str,
    datum_perspectief: dt.date | None,
    instrumenten: Mapping[str, str],
    datum_uitstroom: dt.date | None,
    uitstroomreden: str,
    besluit_na_uitstroom: str,
    datum_besluit: dt.date | None,
) -> dict[str, str]:
    """One row of a trajectory file, as text in the column order of the format. Used both to write an
    export and to see whether a delivered row differs from what the registry holds."""
    values = (  # in the order of TRAJECTORY_COLUMNS
        traject_id,
        gemeente,
        persoon_id,
        v_nummer,
        geslacht,
        geboortejaar,
        land_van_herkomst,
        datum_aanmelding,
        datum_toelating,
        uitzondering,
        opvangvorm,
        perspectief,
        datum_perspectief,
        *(
            "" if instrumenten.get(code, "onbekend") == "onbekend" else instrumenten[code]
            for code in MONITOR_INSTRUMENTS
        ),
        datum_uitstroom,
        uitstroomreden,
        besluit_na_uitstroom,
        datum_besluit,
    )
    return dict(zip(TRAJECTORY_COLUMNS, map(_text, values), strict=True))


def record_columns(record: TrajectoryRecord) -> dict[str, str]:
    return trajectory_columns(
        **{name: getattr(record, name) for name in TrajectoryRecord.__dataclass_fields__ if name != "line"}
    )


def file_kind(header: Iterable[str]) -> str | None:
    """A trajectory file is recognised by `traject_id`, a capacity file by `plaatsen`."""
    names = set(header)
    if "traject_id" in names:
        return KIND_TRAJECTORIES
    if "plaatsen" in names:
        return KIND_CAPACITY
    return None


def header_faults(header: list[str], kind: str) -> list[Fault]:
    expected = COLUMNS[kind]
    faults = [Fault(1, name, MSG_COLUMN_MISSING) for name in expected if name not in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            faults.append(Fault(1, name, MSG_COLUMN_TWICE))
        elif name not in expected:
            faults.append(Fault(1, name or "(leeg)", MSG_COLUMN_UNKNOWN))
        seen.add(name)
    return faults


class _Row:
    """One row's cells by column name, collecting the faults found while reading them."""

    def __init__(self, line: int, header: list[str], cells: list[str], faults: list[Fault], today: dt.date):
        self.line = line
        self.today = today
        self.faults = faults
        self.values = dict(zip(header, cells, strict=False))
        if len([c for c in cells[len(header) :] if c]):
            self.fault(header[-1], MSG_TOO_MANY_CELLS.format(cells=len(cells), columns=len(header)))

    def fault(self, column: str, message: str) -> None:
        self.faults.append(Fault(self.line, column, message))

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.values.get(column, "")
        if required and not value:
            self.fault(column, MSG_REQUIRED)
        if max_length and len(value) > max_length:
            self.fault(column, MSG_TOO_LONG.format(max_length=max_length))
        return value

    def choice(self, column: str, options: Iterable[str], *, default: str = "") -> str:
        value = self.values.get(column, "")  # = self.text(column): no length or required check here
        if not value:
            return default
        value = value.lower()
        if value not in options:  # a tuple of choices or a mapping of codes: `in` asks the same
            self.fault(column, MSG_CHOICE.format(value=self.values[column], options=", ".join(list(options))))
            return default
        return value

    def date(self, column: str, *, required: bool = False, past: bool = True) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        try:
            if len(value) != 10:
                raise ValueError(value)
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            self.fault(column, MSG_DATE.format(value=value))
            return None
        if past and parsed > self.today:  # only a date after today can break the rule: ask it then
            try:
                require_past_date(parsed, label=value, field=column)
            except ApplicationError as exc:  # the registry's rule: only what has happened
                self.fault(column, exc.message)
                return None
        return parsed

    def not_before(self, column: str, value: dt.date | None, other: str, other_value: dt.date | None) -> None:
        if value and other_value and value < other_value:
            self.fault(column, MSG_BEFORE.format(value=value, other=other, other_value=other_value))

    def municipality(self, reference: Reference) -> str:
        value = self.text("gemeente", required=True)
        if value and value.lower() not in reference.municipalities:
            self.fault("gemeente", MSG_MUNICIPALITY.format(value=value))
            return ""
        return reference.municipalities.get(value.lower(), "")


def _v_number(row: _Row) -> str:
    value = row.text("v_nummer")
    if value:
        try:
            V_NUMBER_VALIDATOR(value)
        except ValidationError as exc:
            row.fault("v_nummer", f"{exc.messages[0]} (gevonden: '{value}')")
    return value


def _birth_year(row: _Row, today: dt.date) -> int | None:
    value = row.text("geboortejaar")
    if not value:
        return None
    if not (len(value) == 4 and value.isascii() and value.isdigit()):
        row.fault("geboortejaar", MSG_YEAR.format(value=value))
        return None
    if not 1900 <= int(value) <= today.year:
        row.fault("geboortejaar", MSG_BIRTH_YEAR_RANGE)
        return None
    return int(value)


#: The registry's country rule, remembered per code (a delivery repeats a few codes many times).
_valid_country = functools.lru_cache(maxsize=512)(is_valid_country)


def _country(row: _Row) -> str:
    value = row.text("land_van_herkomst")
    if not value:
        return UNKNOWN_COUNTRY
    code = value.lower() if value.lower() in (STATELESS, UNKNOWN_COUNTRY) else value.upper()
    if not _valid_country(code):
        row.fault("land_van_herkomst", MSG_COUNTRY.format(value=value))
    return code


def _trajectory_record(row: _Row, reference: Reference) -> TrajectoryRecord:
    v_nummer = _v_number(row)
    record = TrajectoryRecord(
        line=row.line,
        traject_id=row.text("traject_id", required=True, max_length=40),
        gemeente=row.municipality(reference),
        persoon_id=row.text("persoon_id", max_length=40),
        v_nummer=v_nummer,
        geslacht=row.choice("geslacht", SEXES, default=Sex.ONBEKEND),
        geboortejaar=_birth_year(row, reference.today),
        land_van_herkomst=_country(row),
        datum_aanmelding=row.date("datum_aanmelding", required=True),
        datum_toelating=row.date("datum_toelating"),
        uitzondering=row.choice("toelating_via_uitzondering", (YES, NO), default=NO) == YES,
        opvangvorm=row.choice("opvangvorm", SHELTER_FORMS),
        perspectief=row.choice("perspectief", PERSPECTIVES),
        datum_perspectief=row.date("datum_perspectief"),
        instrumenten={
            code: row.choice(code, INSTRUMENT_CHOICES, default=InstrumentValue.ONBEKEND) for code in MONITOR_INSTRUMENTS
        },
        datum_uitstroom=row.date("datum_uitstroom"),
        uitstroomreden=row.choice("uitstroomreden", reference.outcomes),
        besluit_na_uitstroom=row.choice("besluit_na_uitstroom", DECISIONS),
        datum_besluit=row.date("datum_besluit"),
    )
    if not record.persoon_id and not v_nummer:
        row.fault("persoon_id", MSG_REQUIRED_WITHOUT_V_NUMBER)
    _check_order(row, record, reference)
    return record


def _check_order(row: _Row, r: TrajectoryRecord, reference: Reference) -> None:
    """Dates in their order, and every fact with the fact it depends on."""
    row.not_before("datum_toelating", r.datum_toelating, "datum_aanmelding", r.datum_aanmelding)
    row.not_before("datum_perspectief", r.datum_perspectief, "datum_toelating", r.datum_toelating)
    row.not_before("datum_uitstroom", r.datum_uitstroom, "datum_toelating", r.datum_toelating)
    row.not_before("datum_besluit", r.datum_besluit, "datum_uitstroom", r.datum_uitstroom)
    if r.datum_perspectief and r.datum_uitstroom and r.datum_perspectief > r.datum_uitstroom:
        row.fault(
            "datum_perspectief",
            MSG_AFTER.format(value=r.datum_perspectief, other="datum_uitstroom", other_value=r.datum_uitstroom),
        )
    admitted = r.datum_toelating is not None or bool(row.values.get("datum_toelating"))
    if not admitted:
        for column, present in (
            ("toelating_via_uitzondering", r.uitzondering),
            ("opvangvorm", r.opvangvorm),
            ("perspectief", r.perspectief),
            ("datum_uitstroom", r.datum_uitstroom),
        ):
            if present:
                row.fault(column, MSG_NEEDS_ADMISSION)
        used = [code for code, value in r.instrumenten.items() if value != InstrumentValue.ONBEKEND]
        if used:
            row.fault(used[0], MSG_INSTRUMENTS_NOT_ADMITTED)
    _together(row, "perspectief", r.perspectief, "datum_perspectief", r.datum_perspectief)
    _together(row, "uitstroomreden", r.uitstroomreden, "datum_uitstroom", r.datum_uitstroom)
    _together(row, "besluit_na_uitstroom", r.besluit_na_uitstroom, "datum_besluit", r.datum_besluit)
    if r.besluit_na_uitstroom and not reference.outcomes.get(r.uitstroomreden, False):
        row.fault("besluit_na_uitstroom", MSG_NO_IND_DECISION)


def _together(row: _Row, first: str, first_value, second: str, second_value) -> None:
    """Two columns that are filled in both or neither (a value whose own check failed counts as given)."""
    has_first = bool(first_value) or bool(row.values.get(first))
    has_second = bool(second_value) or bool(row.values.get(second))
    if has_first and not has_second:
        row.fault(second, MSG_NEEDS.format(other=first))
    elif has_second and not has_first:
        row.fault(first, MSG_NEEDS.format(other=second))


def parse_trajectories(table: Table, reference: Reference) -> tuple[list[TrajectoryRecord], list[Fault]]:
    """Every row checked on its own and against the other rows of the file. Only rows without a
    fault are returned as records (the caller imports nothing while there is any fault)."""
    faults = header_faults(table.header, KIND_TRAJECTORIES)
    if faults:
        return [], faults
    records, seen = [], {}
    for line, cells in table.rows:
        row_faults: list[Fault] = []
        record = _trajectory_record(_Row(line, table.header, cells, row_faults, reference.today), reference)
        key = (record.gemeente, record.traject_id)
        if record.traject_id and record.gemeente:
            if key in seen:
                row_faults.append(
                    Fault(line, "traject_id", MSG_TRAJECTORY_TWICE.format(value=record.traject_id, line=seen[key]))
                )
            else:
                seen[key] = line
        faults.extend(row_faults)
        if not row_faults:
            records.append(record)
    return records, faults


def parse_capacity(table: Table, reference: Reference) -> tuple[list[CapacityRecord], list[Fault]]:
    faults = header_faults(table.header, KIND_CAPACITY)
    if faults:
        return [], faults
    records = []
    for line, cells in table.rows:
        row_faults: list[Fault] = []
        row = _Row(line, table.header, cells, row_faults, reference.today)
        gemeente = row.municipality(reference)
        locatie = row.text("locatie", required=True, max_length=100)
        places_text = row.text("plaatsen", required=True)
        # At most 9 digits: fits every database's integer and no municipality has a billion places.
        places = int(places_text) if places_text.isascii() and places_text.isdigit() and len(places_text) <= 9 else None
        if places_text and places is None:
            row.fault("plaatsen", MSG_PLACES.format(value=places_text))
        valid_from = row.date("geldig_vanaf", required=True, past=False)
        valid_to = row.date("geldig_tot", past=False)
        row.not_before("geldig_tot", valid_to, "geldig_vanaf", valid_from)
        faults.extend(row_faults)
        if not row_faults:
            records.append(CapacityRecord(line, gemeente, locatie, places, valid_from, valid_to))
    # Per location the periods may not overlap: the capacity on P is the sum of the rows valid on P.
    by_location: dict[tuple[str, str], list[CapacityRecord]] = {}
    for record in records:
        by_location.setdefault((record.gemeente, record.locatie.lower()), []).append(record)
    for periods in by_location.values():
        periods.sort(key=lambda r: (r.geldig_vanaf, r.line))
        for earlier, later in zip(periods, periods[1:], strict=False):
            if later.geldig_vanaf == earlier.geldig_vanaf:
                faults.append(Fault(later.line, "geldig_vanaf", MSG_CAPACITY_TWICE.format(line=earlier.line)))
            elif earlier.geldig_tot is None or earlier.geldig_tot >= later.geldig_vanaf:
                faults.append(Fault(later.line, "geldig_vanaf", MSG_CAPACITY_OVERLAP.format(line=earlier.line)))
    return records, faults
