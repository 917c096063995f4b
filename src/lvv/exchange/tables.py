"""Reading and writing tables as CSV (UTF-8) or XLSX (first sheet), for deliveries, exports and the
monitor. Cells are text in, text or numbers out.

Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return)
as a formula. Text we write that starts so is made inert by `lvv.core.exports` — in CSV by a leading
apostrophe, in XLSX by storing it as a quoted text cell — and `read_table` removes such an
apostrophe again, so an export reads back unchanged. Numbers are written as numbers and never
prefixed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lvv.core.exports import FORMULA_STARTS, GUARD, append_guarded, guard, unguard

__all__ = ["FORMULA_STARTS", "GUARD", "Table", "TableError", "csv_text", "guard", "read_table", "unguard", "xlsx_bytes"]

XLSX_MAGIC = b"PK\x03\x04"

MSG_NUL = "Het bestand bevat op regel {line} een NUL-teken (\\x00); verwijder het en lever opnieuw aan."
MSG_NOT_UTF8 = "Het bestand is geen UTF-8-tekst (sla het op als CSV UTF-8 of als XLSX)."
MSG_NOT_XLSX = "Het bestand is geen leesbaar XLSX-bestand."
MSG_EMPTY = "Het bestand is leeg: de eerste regel moet de kolomnamen bevatten."


class TableError(Exception):
    """The file cannot be read as a table at all (not a row-level fault)."""


@dataclass
class Table:
    header: list[str]
    #: (line number in the file, cells) for every non-empty row after the header (line 1).
    rows: list[tuple[int, list[str]]]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean(cells: Iterable) -> list[str]:
    return [unguard(_cell_text(c).strip()) for c in cells]


def _clean_text(cells: list[str]) -> list[str]:
    """`_clean` for cells that are text already (CSV): the same result, in a tenth of the time."""
    return [unguard(c) if c[:1] == GUARD else c for c in map(str.strip, cells)]


def read_table(path: str | Path) -> Table:
    """Read a CSV (comma or semicolon) or XLSX file: the header and the non-empty rows."""
    data = Path(path).read_bytes()
    if data.startswith(XLSX_MAGIC):
        rows = [(number, _clean(cells)) for number, cells in _read_xlsx(data)]
    else:
        rows = [(number, _clean_text(cells)) for number, cells in _read_csv(data)]
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows or rows[0][0] != 1:
        raise TableError(MSG_EMPTY)
    header = [name.lower() for name in rows[0][1]]
    while header and not header[-1]:
        header.pop()
    return Table(header=header, rows=rows[1:])


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(MSG_NOT_UTF8) from exc
    if "\x00" in text:
        # No database stores it (PostgreSQL refuses it in text): refused whole, before any write.
        raise TableError(MSG_NUL.format(line=text.count("\n", 0, text.index("\x00")) + 1))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines, start = [], 1
    for cells in reader:
        lines.append((start, cells))  # the line the record starts on (a quoted cell may span lines)
        start = reader.line_num + 1
    return lines


def _read_xlsx(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(MSG_NOT_XLSX) from exc
    try:
        sheet = workbook.worksheets[0]
        return [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        workbook.close()


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([guard(v) for v in header])
    for row in rows:
        writer.writerow(["" if v is None else guard(v) for v in row])
    return out.getvalue()


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        append_guarded(sheet, header)
        for row in rows:
            append_guarded(sheet, row)  # formula-like text: a quoted text cell, never evaluated
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
