"""The chain partners' extracts (docs/ketenreconciliatie.md): their formats, and reading and checking
one, all or nothing, with the delivery format's faults (`regel N: kolom: melding`) and the same row
helpers (`delivery._Row`). The IND and DT&V deliver a CSV or XLSX file: a V-nummer plus their status
and dates, as known on the extract's peildatum."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from lvv.core import clock
from lvv.core.tables import Table, TableError, read_table
from lvv.people.models import V_NUMBER_VALIDATOR

from ..delivery import (
    MSG_COLUMN_MISSING,
    MSG_COLUMN_TWICE,
    MSG_COLUMN_UNKNOWN,
    MSG_NEEDS,
    Fault,
    _Row,
)
from ..models import ChainPartner

IND = ChainPartner.IND
DTV = ChainPartner.DTV

IND_COLUMNS = ("v_nummer", "procedure", "status", "datum_aanvraag", "datum_besluit", "besluit")
DTV_COLUMNS = ("v_nummer", "dossier_status", "datum_aanmelding_dtv", "datum_vertrek", "vertrekwijze")
COLUMNS: dict[str, tuple[str, ...]] = {IND: IND_COLUMNS, DTV: DTV_COLUMNS}

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


#: A checked row of an extract.
ExtractRecord = IndRecord | DtvRecord


@dataclass
class Extract:
    """One partner's extract: what it knew on its peildatum."""

    partner: str
    peildatum: dt.date
    records: list[ExtractRecord]

    @property
    def v_numbers(self) -> set[str]:
        return {r.v_nummer for r in self.records}


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


def parse_extract(
    table: Table, *, partner: str, peildatum: dt.date, today: dt.date
) -> tuple[list[ExtractRecord], list[Fault]]:
    """Every row checked on its own and against the other rows. Only fault-free rows come back as
    records; the caller uses nothing while there is any fault."""
    faults = _header_faults(table.header, partner)
    if peildatum > today:
        faults.append(Fault(1, "peildatum", MSG_PEILDATUM_FUTURE.format(peildatum=peildatum)))
    if faults:
        return [], faults
    if not table.rows:
        return [], [Fault(2, "bestand", MSG_NO_ROWS)]
    records: list[ExtractRecord] = []
    seen: dict[tuple[object, ...], int] = {}
    for line, cells in table.rows:
        row_faults: list[Fault] = []
        row = _Row(line, table.header, cells, row_faults, today)
        record: ExtractRecord
        key: tuple[object, ...]
        if partner == IND:
            record = _ind_record(row, peildatum)
            key = (record.v_nummer, record.procedure, record.datum_aanvraag)
            column, text = (
                "procedure",
                f"{record.v_nummer}, {record.procedure}, {record.datum_aanvraag or 'geen datum'}",
            )
        else:
            record = _dtv_record(row, peildatum)
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
    """An extract file read and checked: its records when it has no fault, else its faults."""

    partner: str
    peildatum: dt.date
    records: list[ExtractRecord] = field(default_factory=list)
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
