"""Reading and writing tables as CSV (UTF-8) or XLSX (first sheet), for deliveries, exports and the
monitor. Cells are text in, text or numbers out.

Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return)
as a formula. Text we write that starts so is made inert by `lvv.core.exports` — in CSV by a leading
apostrophe, in XLSX by storing it as a quoted text cell — and `read_table` removes such an
apostrophe again, so an export reads back unchanged. Numbers are written as numbers and never
prefixed.

Limits (docs/aanleverformat.md "Grenzen", docs/security.md §5.10): a file has at most
`max_rows()` rows after the header; reading stops at the first row over it. An XLSX is a zip, and
before openpyxl opens it `_check_zip` refuses one with more than `MAX_XLSX_MEMBERS` members, whose
members unpack to more than `max_xlsx_unpacked_bytes()` together (a zip bomb), or with an XML part
that openpyxl reads whole into memory (shared strings, styles, workbook, relations) larger than
`MAX_XLSX_STRINGS_BYTES` / `MAX_XLSX_PART_BYTES`; worksheets are streamed. Python's zipfile never
unpacks a member past the size its directory declares (it checks the CRC), so the declared sizes
bound the work. Only the first worksheet is opened, and its declared size is not read: the sheet is
read up to column `MAX_COLUMNS` and row `XLSX_MAX_LINE` (what Excel can hold), as it is."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from lvv.core.exports import FORMULA_STARTS, GUARD, append_guarded, guard, unguard

__all__ = ["FORMULA_STARTS", "GUARD", "Table", "TableError", "csv_text", "guard", "read_table", "unguard", "xlsx_bytes"]

XLSX_MAGIC = b"PK\x03\x04"

MSG_NUL = "Het bestand bevat op regel {line} een NUL-teken (\\x00); verwijder het en lever opnieuw aan."
MSG_NOT_UTF8 = "Het bestand is geen UTF-8-tekst (sla het op als CSV UTF-8 of als XLSX)."
MSG_NOT_XLSX = "Het bestand is geen leesbaar XLSX-bestand."
MSG_EMPTY = "Het bestand is leeg: de eerste regel moet de kolomnamen bevatten."
MSG_TOO_MANY_ROWS = "Het bestand heeft meer dan {limit} regels na de kopregel; lever in delen aan."
MSG_XLSX_TOO_LARGE = (
    "Het XLSX-bestand is uitgepakt {found} groot; dat is meer dan de grens van {limit}. Lever in delen aan of als CSV."
)
MSG_XLSX_MEMBERS = "Het XLSX-bestand bestaat uit meer dan {limit} onderdelen; dat is geen gewone werkmap."
MSG_XLSX_PART_TOO_LARGE = "Het onderdeel {name} van het XLSX-bestand is uitgepakt {found} groot; de grens is {limit}."

#: Rows after the header (setting LVV_MAX_DELIVERY_ROWS): twice the national delivery of 100,000
#: trajectories of the benchmark (benchmarks/monitor_bench.py).
MAX_ROWS = 200_000
#: Unpacked size of all members of an XLSX together (setting LVV_MAX_XLSX_BYTES). The benchmark's
#: 100,000 rows, written by openpyxl, unpack to 111 MB (10.5 MB packed): room for about 230,000.
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
#: The shared strings, read whole into memory: those of the 100,000 rows, saved by Excel, are at
#: most 6.2 MB (250,714 different texts).
MAX_XLSX_STRINGS_BYTES = 32 * 1024 * 1024
#: Any other XML part outside xl/worksheets/ (styles, workbook, relations, theme; usually some kB).
MAX_XLSX_PART_BYTES = 8 * 1024 * 1024
#: Members of an XLSX (a workbook of one sheet has about ten) and the size of its zip directory.
MAX_XLSX_MEMBERS = 1000
MAX_ZIP_DIRECTORY_BYTES = 1024 * 1024
#: Columns read from a sheet (the widest format has 23) and Excel's last row.
MAX_COLUMNS = 200
XLSX_MAX_LINE = 1_048_576


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


def max_rows() -> int:
    return int(getattr(settings, "LVV_MAX_DELIVERY_ROWS", MAX_ROWS))


def max_xlsx_unpacked_bytes() -> int:
    return int(getattr(settings, "LVV_MAX_XLSX_BYTES", MAX_XLSX_UNPACKED_BYTES))


def _size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",") + " MB"


def read_table(path: str | Path, *, row_limit: int | None = None, unpacked_limit: int | None = None) -> Table:
    """Read a CSV (comma or semicolon) or XLSX file: the header and the non-empty rows. More than
    `row_limit` rows after the header (default `max_rows()`), or an XLSX unpacking to more than
    `unpacked_limit` (default `max_xlsx_unpacked_bytes()`), is a TableError."""
    row_limit = max_rows() if row_limit is None else row_limit
    path = Path(path)
    with path.open("rb") as f:
        is_xlsx = f.read(len(XLSX_MAGIC)) == XLSX_MAGIC
    if is_xlsx:
        unpacked_limit = max_xlsx_unpacked_bytes() if unpacked_limit is None else unpacked_limit
        rows = _read_xlsx(path, row_limit=row_limit, unpacked_limit=unpacked_limit)
    else:
        rows = [(number, _clean_text(cells)) for number, cells in _read_csv(path.read_bytes())]
        rows = [(number, cells) for number, cells in rows if any(cells)]
        if len(rows) > row_limit + 1:
            raise TableError(MSG_TOO_MANY_ROWS.format(limit=f"{row_limit:,}".replace(",", ".")))
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


def _zip_directory(path: Path) -> tuple[int, int] | None:
    """(members, directory size) from the zip's end record, read before zipfile parses the
    directory into one object per member; None when there is no end record."""
    with path.open("rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - (65535 + 22)))  # the end record: 22 bytes and a comment of at most 64 kB
        tail = f.read()
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) < position + 22:
        return None
    members, directory_size = struct.unpack("<HI", tail[position + 10 : position + 16])
    return members, directory_size


def _check_zip(path: Path, unpacked_limit: int) -> None:
    """Refuse a zip bomb before anything unpacks it (see the module docstring)."""
    members_limit = MSG_XLSX_MEMBERS.format(limit=MAX_XLSX_MEMBERS)
    directory = _zip_directory(path)
    if directory is None:
        raise TableError(MSG_NOT_XLSX)
    members, directory_size = directory
    # 0xFFFF / 0xFFFFFFFF: a ZIP64 archive, far beyond any workbook
    if members > MAX_XLSX_MEMBERS or directory_size > MAX_ZIP_DIRECTORY_BYTES:
        raise TableError(members_limit)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise TableError(MSG_NOT_XLSX) from exc
    if len(infos) > MAX_XLSX_MEMBERS:
        raise TableError(members_limit)
    unpacked = sum(info.file_size for info in infos)
    if unpacked > unpacked_limit:
        raise TableError(MSG_XLSX_TOO_LARGE.format(found=_size_text(unpacked), limit=_size_text(unpacked_limit)))
    for info in infos:
        name = info.filename.lower()
        if name.startswith("xl/worksheets/") or not name.endswith((".xml", ".rels")):
            continue  # streamed, or never read
        limit = MAX_XLSX_STRINGS_BYTES if name.endswith("sharedstrings.xml") else MAX_XLSX_PART_BYTES
        if info.file_size > limit:
            raise TableError(
                MSG_XLSX_PART_TOO_LARGE.format(
                    name=info.filename[:100], found=_size_text(info.file_size), limit=_size_text(limit)
                )
            )


def _first_sheet_workbook(path: Path):
    """openpyxl's read-only workbook with only its first worksheet, which does not read the size it
    declares (`load_workbook` makes every sheet, and each reads its declared size: when a sheet
    declares none, openpyxl parses the whole sheet to look for it, keeping an element per row)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self):
            pass  # read as it is (MAX_COLUMNS wide), never padded to a declared size

    class Reader(ExcelReader):
        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    self.wb._sheets.append(Sheet(self.wb, sheet.name, rel.target, self.shared_strings))
                    return

    reader = Reader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _read_xlsx(path: Path, *, row_limit: int, unpacked_limit: int) -> list[tuple[int, list[str]]]:
    """The non-empty rows of the first sheet, cleaned; stops at the first row over `row_limit`."""
    _check_zip(path, unpacked_limit)
    try:
        workbook = _first_sheet_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(MSG_NOT_XLSX) from exc
    rows = []
    width = MAX_COLUMNS  # the header's, once read
    try:
        sheet = workbook.worksheets[0]
        # The size the sheet declares is not read: a tiny file declaring A1:XFD1048576 would be
        # padded to 17 billion empty cells. Every row comes MAX_COLUMNS wide.
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > XLSX_MAX_LINE:
                raise TableError(MSG_NOT_XLSX)
            if cells.count(None) == len(cells):
                continue
            tail = cells[width:]
            if tail.count(None) == len(tail):
                cells = cells[:width]  # nothing right of the header: clean only its columns
            cleaned = _clean(cells)
            while cleaned and not cleaned[-1]:
                cleaned.pop()
            if cleaned:
                if not rows:
                    width = len(cleaned)
                rows.append((number, cleaned))
                if len(rows) > row_limit + 1:  # the header and row_limit rows
                    raise TableError(MSG_TOO_MANY_ROWS.format(limit=f"{row_limit:,}".replace(",", ".")))
    except TableError:
        raise
    except Exception as exc:  # a damaged member shows only while reading (bad CRC, broken XML)
        raise TableError(MSG_NOT_XLSX) from exc
    finally:
        workbook.close()
    return rows


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
