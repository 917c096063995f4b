"""Deliveries through the API. The request body — a JSON array of rows, or the CSV or XLSX file
itself — becomes a delivery file, which goes through exactly the checks and the all-or-nothing
import of `lvv import` (`lvv.exchange.imports.delivery_import`); nothing here repeats a rule of the
format. What the API adds: the shape of a JSON body, the organisation's right to deliver for the
municipalities in the file, and the access log of the persons whose data a delivery wrote."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from lvv.accounts.models import Municipality, Organisation
from lvv.core import clock
from lvv.core.limits import mb_number
from lvv.core.tables import Table, TableError, csv_text, read_table
from lvv.exchange.delivery import (
    COLUMNS,
    KIND_CAPACITY,
    KIND_TRAJECTORIES,
    MSG_COLUMN_UNKNOWN,
    Fault,
    file_kind,
)
from lvv.exchange.imports import ImportResult, delivery_import
from lvv.trajectories.models import Trajectory

from .audit import log_delivery_writes
from .permissions import may_deliver_for
from .problems import InvalidParam, Problem, problem_response

JSON_TYPE = "application/json"
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {JSON_TYPE: "json", CSV_TYPE: "csv", XLSX_TYPE: "xlsx"}
MAX_BODY_BYTES = 100 * 1024 * 1024
CHUNK = 64 * 1024

MSG_MEDIA_TYPE = "Lever aan als application/json (een array van regels), text/csv of XLSX ({xlsx}); niet als '{found}'."
MSG_TOO_LARGE = "De body is groter dan {mb} MB; lever in delen aan."


MSG_NOT_JSON = "De body is geen geldige JSON: {error} (regel {line}, kolom {column})."
MSG_NOT_ARRAY = "De body moet een JSON-array van regels zijn (één object per regel)."
MSG_NOT_OBJECT = "moet een object zijn met de kolommen van het aanleverformaat als sleutels"
MSG_EMPTY_OBJECT = "de regel is leeg"
MSG_VALUE_TYPE = "moet tekst, een geheel getal of null zijn"
MSG_LINE_BREAK = "mag geen regeleinde bevatten"
MSG_NUL = "mag geen NUL-teken (\\u0000) bevatten"
MSG_NUL_CSV = "Het bestand bevat een NUL-teken (regel {line}); een levering is tekst zonder NUL-tekens."
MSG_TOO_DEEP = "De body is te diep geneste JSON; lever een array van regels (objecten met tekst of getallen)."
MSG_WRONG_KIND = "dit is een {found}bestand; lever het aan met POST /api/v1/{path}"
MSG_FAULTS = "De levering heeft {count} fout(en); er is niets ingelezen."
MSG_OTHER_MUNICIPALITY = "{organisation} levert alleen aan voor {own}, niet voor {other}"
MSG_FORBIDDEN_ROWS = "{organisation} levert alleen aan voor {own}; {count} regel(s) zijn voor een andere gemeente."
PATHS = {KIND_TRAJECTORIES: "leveringen", KIND_CAPACITY: "capaciteit"}
FILE_NAMES = {KIND_TRAJECTORIES: "traject", KIND_CAPACITY: "capaciteits"}


@dataclass
class Delivery:
    """The body as a delivery file, and the faults found in the shape of a JSON body."""

    path: Path
    source: str  # json / csv / xlsx
    faults: list[InvalidParam] = field(default_factory=list)

    @property
    def is_json(self) -> bool:
        return self.source == "json"


def max_body_bytes() -> int:
    return int(getattr(settings, "LVV_API_MAX_BODY_BYTES", MAX_BODY_BYTES))


def _receive(request, target: Path) -> None:
    """Stream the body to `target` (not `request.body`: a national delivery is larger than Django's
    in-memory limit), refusing more than `max_body_bytes()`: at once when Content-Length says so,
    else as soon as the cap is passed, having read at most the cap + 1 byte. (The views'
    `@body_limit(max_body_bytes)` refuses the first case already before the view runs.)"""
    limit = max_body_bytes()
    too_large = Problem(413, MSG_TOO_LARGE.format(mb=limit // (1024 * 1024)))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    size = 0
    with target.open("wb") as out:
        while chunk := request.read(min(CHUNK, limit + 1 - size)):
            size += len(chunk)
            if size > limit:
                raise too_large
            out.write(chunk)


def _cell(value, line: int, index: int, column: str, faults: list[InvalidParam]) -> str:
    """A JSON value as the text of a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "\n" in value or "\r" in value:
            faults.append(InvalidParam(column, MSG_LINE_BREAK, line, f"/{index}/{column}"))
            return ""
        if "\x00" in value:  # PostgreSQL cannot store it: refuse it here rather than fail on writing
            faults.append(InvalidParam(column, MSG_NUL, line, f"/{index}/{column}"))
            return ""
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    faults.append(InvalidParam(column, MSG_VALUE_TYPE, line, f"/{index}/{column}"))
    return ""


def _json_to_csv(source: Path, target: Path, kind: str) -> list[InvalidParam]:
    """Write the JSON array in `source` as a delivery file; element i becomes line i + 2. Faults of
    shape (not an object, an unknown key, a value of the wrong type) are returned; the cell is then
    left empty, so the format's own checks still see the rest of the row."""
    try:
        data = json.loads(source.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise Problem(400, "De body is geen UTF-8-tekst.", [InvalidParam("body", str(exc))]) from exc
    except json.JSONDecodeError as exc:
        message = MSG_NOT_JSON.format(error=exc.msg, line=exc.lineno, column=exc.colno)
        raise Problem(400, message, [InvalidParam("body", message)]) from exc
    except RecursionError as exc:  # e.g. [[[[…]]]] nested deeper than the parser's stack
        raise Problem(400, MSG_TOO_DEEP, [InvalidParam("body", MSG_TOO_DEEP)]) from exc
    if not isinstance(data, list):
        raise Problem(400, MSG_NOT_ARRAY, [InvalidParam("body", MSG_NOT_ARRAY, pointer="")])
    columns = COLUMNS[kind]
    faults: list[InvalidParam] = []
    rows = []
    for index, element in enumerate(data):
        line = index + 2
        if not isinstance(element, dict):
            faults.append(InvalidParam("regel", MSG_NOT_OBJECT, line, f"/{index}"))
            rows.append([""] * len(columns))
            continue
        for key in element:
            if key not in columns:
                faults.append(InvalidParam(key, MSG_COLUMN_UNKNOWN, line, f"/{index}/{key}"))
        cells = [_cell(element.get(c), line, index, c, faults) for c in columns]
        if not any(cell.strip() for cell in cells) and not any(k not in columns for k in element):
            faults.append(InvalidParam("regel", MSG_EMPTY_OBJECT, line, f"/{index}"))
        rows.append(cells)
    target.write_text(csv_text(columns, rows), encoding="utf-8")
    return faults


def _refuse_nul(path: Path) -> None:
    """A NUL byte in a CSV body: 400 naming its line (PostgreSQL cannot store NUL in text)."""
    lines = 1
    with path.open("rb") as body:
        while chunk := body.read(CHUNK):
            position = chunk.find(b"\x00")
            if position >= 0:
                line = lines + chunk.count(b"\n", 0, position)
                message = MSG_NUL_CSV.format(line=line)
                raise Problem(400, message, [InvalidParam("body", message, line)])
            lines += chunk.count(b"\n")


def delivery_receive(request, *, kind: str, folder: Path, name: str) -> Delivery:
    """The request body as a delivery file in `folder`, named `name` (the name the timeline shows)."""
    source = MEDIA_TYPES.get((request.content_type or "").lower())
    if source is None:
        raise Problem(415, MSG_MEDIA_TYPE.format(xlsx=XLSX_TYPE, found=request.content_type or "geen"))
    body = folder / "body"
    _receive(request, body)
    if source == "json":
        path = folder / f"{name}.csv"
        faults = _json_to_csv(body, path, kind)
        return Delivery(path=path, source=source, faults=faults)
    if source == "csv":
        _refuse_nul(body)
    path = folder / f"{name}.{source}"
    body.rename(path)
    return Delivery(path=path, source=source)


def _table(delivery: Delivery) -> Table | None:
    try:
        return read_table(delivery.path)
    except TableError:
        return None  # delivery_import reports it, in its own words


def _check_kind(table: Table | None, kind: str) -> None:
    found = file_kind(table.header) if table else None
    if found is not None and found != kind:
        message = MSG_WRONG_KIND.format(found=FILE_NAMES[found], path=PATHS[found])
        raise Problem(400, message, [InvalidParam("kopregel", message, 1)])


def _check_municipalities(table: Table | None, organisation: Organisation) -> None:
    """403 when a row names a known municipality the organisation may not deliver for. Unknown or
    empty names are left to the format's checks (400)."""
    if table is None or "gemeente" not in table.header:
        return
    position = table.header.index("gemeente")
    known = {name.lower(): name for name in Municipality.objects.values_list("name", flat=True)}
    own = organisation.municipality.name if organisation.municipality_id else "geen gemeente"
    refused = []
    for line, cells in table.rows:
        name = known.get(cells[position].strip().lower()) if position < len(cells) else None
        if name is not None and not may_deliver_for(organisation, name):
            refused.append(
                InvalidParam(
                    "gemeente",
                    MSG_OTHER_MUNICIPALITY.format(organisation=organisation.name, own=own, other=name),
                    line,
                )
            )
    if refused:
        raise Problem(
            403, MSG_FORBIDDEN_ROWS.format(organisation=organisation.name, own=own, count=len(refused)), refused
        )


def _pointer(fault: Fault, delivery: Delivery) -> str | None:
    if not delivery.is_json or fault.line < 2:
        return None
    index = fault.line - 2
    return (
        f"/{index}/{fault.column}"
        if fault.column in COLUMNS[KIND_TRAJECTORIES] + COLUMNS[KIND_CAPACITY]
        else f"/{index}"
    )


def _merged_faults(delivery: Delivery, faults: Iterable[Fault]) -> list[InvalidParam]:
    """The shape faults of a JSON body and the format's faults, by line; a cell with a shape fault
    is not reported again (its value was left out)."""
    shaped = {(p.line, p.name) for p in delivery.faults}
    merged = list(delivery.faults) + [
        InvalidParam(f.column, f.message, f.line, _pointer(f, delivery))
        for f in faults
        if (f.line, f.column) not in shaped
    ]
    return sorted(merged, key=lambda p: p.line or 0)  # stable: within a line, in order found


def _result_body(result: ImportResult, *, written: bool) -> dict:
    body: dict = {"soort": result.kind, "regels": result.rows, "ingelezen": written}
    if result.kind == KIND_CAPACITY:
        body["locaties"] = {
            "nieuw_of_bijgewerkt": result.created,
            "nieuwe_locaties": result.locations_created,
            "ongewijzigd": result.unchanged,
        }
    else:
        body["trajecten"] = {"nieuw": result.created, "bijgewerkt": result.updated, "ongewijzigd": result.unchanged}
        body["personen"] = {"nieuw": result.persons_created, "bijgewerkt": result.persons_updated}
    body["samenvatting"] = result.summary()
    return body


def _delivered_person_ids(table: Table, organisation: Organisation) -> list[int]:
    position = table.header.index("traject_id")
    external_ids = [cells[position].strip() for _, cells in table.rows if position < len(cells)]
    person_ids: list[int] = []
    for start in range(0, len(external_ids), 500):
        person_ids += Trajectory.objects.filter(
            municipality_id=organisation.municipality_id, external_id__in=external_ids[start : start + 500]
        ).values_list("person_id", flat=True)
    return person_ids


def delivery_process(request, *, kind: str, folder: Path, dry_run: bool) -> dict:
    """Check and (unless `dry_run`) import the body of `request`; the result as the response body.
    Raises `Problem` 400 with every fault when anything is wrong, and then nothing is written."""
    token = request.api_token
    organisation = token.organisation
    name = f"api-{token.key_id}-{clock.now():%Y%m%dT%H%M%S}"
    delivery = delivery_receive(request, kind=kind, folder=folder, name=name)
    table = _table(delivery)
    _check_kind(table, kind)
    _check_municipalities(table, organisation)
    if dry_run or delivery.faults:
        result = delivery_import(path=delivery.path, dry_run=True)  # reads only: no write lock
    else:
        # The checks, the writes and their access-log entries in one transaction: what was checked
        # is what is written, and no write goes unlogged.
        with transaction.atomic():
            result = delivery_import(path=delivery.path)
            if result.written and kind == KIND_TRAJECTORIES and table is not None:
                log_delivery_writes(request, _delivered_person_ids(table, organisation))
    faults = _merged_faults(delivery, result.faults)
    if faults:
        raise Problem(400, MSG_FAULTS.format(count=len(faults)), faults)
    return _result_body(result, written=result.written)


def too_large_response(request, limit: int):
    """413 as problem details, for a body over its cap (`lvv.core.limits`, which finds this function
    through the setting LVV_TOO_LARGE_RESPONSES)."""
    return problem_response(Problem(413, MSG_TOO_LARGE.format(mb=mb_number(limit))), instance=request.path)
