"""Formula injection guard for every CSV and XLSX file the application writes (docs/security.md §5.5).

A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return, OWASP "CSV
injection") as a formula. Every writer makes such text inert in one way:

- CSV: `guard` puts a leading apostrophe before it (``=1+1`` becomes ``'=1+1``);
- XLSX: `guard_xlsx_row` stores it as a text cell (data type ``s``) with Excel's own quote prefix,
  so it is shown as typed and never evaluated, even after editing the cell.

Only text is guarded: numbers (also negative ones), dates and None are written as they are.
`unguard` undoes `guard`, so the delivery format export reads back unchanged through `lvv import`;
text that itself starts with apostrophes before a formula start gets one more, so that round trip
is exact too."""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def _looks_like_formula(text: str) -> bool:
    return text.lstrip(GUARD).startswith(FORMULA_STARTS)


def guard(value):
    """Make user text inert for spreadsheets (CSV); leave numbers, dates and None alone."""
    if isinstance(value, str) and _looks_like_formula(value):
        return GUARD + value
    return value


def unguard(value: str) -> str:
    """The text `guard` was given (for text read back from a CSV or XLSX file)."""
    if value.startswith(GUARD) and _looks_like_formula(value):
        return value[1:]
    return value


def guard_xlsx_cells(cells: Iterable) -> None:
    """Make the openpyxl cells of a row inert: text that starts like a formula becomes a quoted text
    cell. openpyxl itself would store a value starting with "=" as a formula."""
    for cell in cells:
        if not isinstance(cell.value, str):
            continue
        if cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        elif cell.value.startswith(GUARD) and _looks_like_formula(cell.value):
            cell.value = GUARD + cell.value  # "'=x" reads back as "'=x", not as "=x"


def append_guarded(sheet, values: Iterable) -> None:
    """`sheet.append(values)` with `guard_xlsx_cells` on the new row. The row is the one `append`
    just wrote (openpyxl keeps its number in `_current_row`); `sheet.max_row` would walk every cell
    of the sheet on each call, which made a 100,000-row export quadratic."""
    values = list(values)
    sheet.append(values)
    row = getattr(sheet, "_current_row", None) or sheet.max_row
    if values:  # explicit bounds: `sheet[row]` would ask for max_column, another walk over every cell
        guard_xlsx_cells(next(sheet.iter_rows(min_row=row, max_row=row, min_col=1, max_col=len(values))))
