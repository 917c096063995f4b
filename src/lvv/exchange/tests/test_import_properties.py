"""Property-based tests of `lvv import`: any delivery file either imports correctly or is
refused whole with one `regel N: kolom: melding` line per fault — never a traceback, never a partial
write.

Hypothesis builds delivery files from the format (docs/aanleverformat.md): valid trajectory files
(known municipalities, dates in their order, codes from the outcome list, instruments, persons whose
trajectories follow each other) and valid capacity files, written as CSV (comma or semicolon, with or
without BOM, any column order and header case, guarded or raw formula-like text) or XLSX (dates as
date cells). It then mutates them: random text per cell, bad dates, huge values, quotes and newlines,
formula-like cells, missing / extra / doubled columns, ragged rows, doubled rows, other encodings,
truncated bytes, empty files.

Properties:
- a valid file imports, the registry holds exactly its rows (the export projection of each delivered
  row is the row), and importing it again changes nothing;
- any file either imports — and then importing it again changes nothing — or is refused with exit
  status 1, at least one fault line of the form `regel N: kolom: melding`, and the database exactly
  as it was (row counts and a checksum over every table an import can touch).

Every example runs in a savepoint that is rolled back, so each starts from the reference data.
Run time is kept down with `max_examples`. The examples are derandomised (the same on every run, in
CI and locally); to hunt for new failures run e.g.
`LVV_HYPOTHESIS_RANDOM=1 LVV_HYPOTHESIS_EXAMPLES=500 pytest src/lvv/exchange/tests/test_import_properties.py`."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lvv.core import clock
from lvv.core.tables import FORMULA_STARTS, GUARD
from lvv.demo.reference_data import OUTCOME_CODES, PILOTS
from lvv.exchange.delivery import CAPACITY_COLUMNS, TRAJECTORY_COLUMNS
from lvv.exchange.exports import capacity_rows, registered_trajectories
from lvv.monitor.indicators import MONITOR_INSTRUMENTS
from lvv.people.models import Person
from lvv.trajectories.models import Trajectory

from .helpers import checksum, row_counts

pytestmark = pytest.mark.usefixtures("reference_data")

TODAY = dt.date(2026, 1, 15)
MUNICIPALITIES = tuple(PILOTS)
#: Outcome code → whether an IND decision can follow it.
OUTCOMES = {code: ind for code, _label, _category, ind in OUTCOME_CODES}
SEXES = ("man", "vrouw", "anders", "onbekend", "")
COUNTRIES = ("IR", "NG", "SY", "ER", "AF", "IQ", "GN", "UG", "MA", "DZ", "staatloos", "onbekend", "")
SHELTER_FORMS = ("centraal", "decentraal", "eigen_netwerk", "nachtopvang", "terugkeerbed")
PERSPECTIVES = ("terugkeer", "legalisering", "doormigratie")
INSTRUMENT_VALUES = ("ja", "nee", "nvt", "")
#: Columns whose values are codes: not case-sensitive, so they are written in any case.
CODE_COLUMNS = {
    "gemeente",
    "geslacht",
    "land_van_herkomst",
    "toelating_via_uitzondering",
    "opvangvorm",
    "perspectief",
    *MONITOR_INSTRUMENTS,
    "uitstroomreden",
    "besluit_na_uitstroom",
}
DATE_COLUMNS = {"datum_aanmelding", "datum_toelating", "datum_perspectief", "datum_uitstroom", "datum_besluit"}
FAULT_LINE = re.compile(r"^regel (\d+): (.+?): (.+)$", re.DOTALL)

PROPERTY = settings(
    max_examples=int(os.environ.get("LVV_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    derandomize=not os.environ.get("LVV_HYPOTHESIS_RANDOM"),  # the same examples on every run, unless asked
    database=None,  # no .hypothesis/ folder in the work tree; a failure prints its reproducer
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- running an import ---------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_registry():
    """One example: the clock fixed, every write rolled back afterwards (the reference data stays)."""
    with clock.frozen(TODAY), transaction.atomic():
        yield
        transaction.set_rollback(True)


def lvv_import(path: Path) -> tuple[int, str, list[str]]:
    """(exit status, standard output, fault lines) of `lvv import`. Any exception other than the
    command's own refusal propagates, and fails the property."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("lvv_import", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        assert exc.returncode == 1
        assert "er is niets ingelezen" in str(exc)
        return 1, out.getvalue(), err.getvalue().splitlines()
    return 0, out.getvalue(), err.getvalue().splitlines()


def faults_of(lines: list[str]) -> list[str]:
    """The printed faults. A fault whose message quotes a cell with a line break spans several lines
    (see test_every_fault_is_printed_on_one_line); here each `regel N:` starts a fault."""
    return re.split(r"\n(?=regel \d+: )", "\n".join(lines)) if lines else []


def assert_refused_whole(lines: list[str], *, counts: dict, state: str, last_line: int) -> None:
    faults = faults_of(lines)
    assert faults, "refused without a message"
    for fault in faults:
        match = FAULT_LINE.match(fault)
        assert match, f"not a 'regel N: kolom: melding' fault: {fault!r}"
        assert 1 <= int(match[1]) <= last_line, fault
    assert row_counts() == counts
    assert checksum() == state


def assert_reimport_changes_nothing(path: Path) -> None:
    state = checksum()
    code, out, lines = lvv_import(path)
    assert code == 0, lines
    assert " 0 nieuw, 0 bijgewerkt," in out or "locaties: 0 nieuw of bijgewerkt" in out, out
    assert checksum() == state


# --- valid deliveries, built from the format -----------------------------------------------------

#: Text a municipality may use as an identifier: anything printable, also formula-like or with
#: quotes, commas, semicolons and non-Latin letters (control characters are for the mutations).
id_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
    max_size=30,
).map(str.lstrip)
nasty_ids = st.sampled_from(["=1+1", "+31", "-", "@A1", '"', "a,b", "a;b", "Ünïcödé", "中文", "x" * 30])
ids = st.one_of(id_text, nasty_ids).filter(lambda s: not s.startswith(GUARD))


def days(low: int, high: int):
    return st.integers(low, high).map(lambda n: dt.timedelta(days=n))


@st.composite
def person_trajectories(draw, *, municipality: str, index: int) -> list[dict]:
    """One person's trajectories in one municipality, one after the other; every row carries the
    person's columns."""
    persoon_id = draw(st.one_of(st.just(""), ids.map(lambda s: f"{s}#{index}")))
    v_nummer = draw(st.sampled_from(["", f"{2000000000 + index * 7919:010d}"])) if persoon_id else ""
    if not persoon_id:
        v_nummer = f"{3000000000 + index * 7919:010d}"
    person = {
        "gemeente": municipality,
        "persoon_id": persoon_id,
        "v_nummer": v_nummer,
        "geslacht": draw(st.sampled_from(SEXES)),
        "geboortejaar": draw(st.one_of(st.just(""), st.integers(1900, TODAY.year).map(str))),
        "land_van_herkomst": draw(st.sampled_from(COUNTRIES)),
    }
    rows = []
    cursor = draw(st.dates(dt.date(2005, 1, 1), dt.date(2018, 6, 30)))
    count = draw(st.integers(1, 3))
    for n in range(count):
        last = n == count - 1
        row = {**person, "traject_id": draw(ids.map(lambda s, n=n: f"{s}/{index}.{n}"))}
        row |= {c: "" for c in TRAJECTORY_COLUMNS if c not in row}
        row["datum_aanmelding"] = cursor.isoformat()
        if draw(st.booleans()):
            admission = cursor + draw(days(0, 60))
            row["datum_toelating"] = admission.isoformat()
            row["toelating_via_uitzondering"] = draw(st.sampled_from(["ja", "nee", ""]))
            row["opvangvorm"] = draw(st.sampled_from(("", *SHELTER_FORMS)))
            for code in MONITOR_INSTRUMENTS:
                row[code] = draw(st.sampled_from(INSTRUMENT_VALUES))
            outflow = admission + draw(days(0, 700)) if not last or draw(st.booleans()) else None
            if draw(st.booleans()):
                row["perspectief"] = draw(st.sampled_from(PERSPECTIVES))
                until = outflow or TODAY
                row["datum_perspectief"] = (admission + draw(days(0, (until - admission).days))).isoformat()
            if outflow:
                row["datum_uitstroom"] = outflow.isoformat()
                reason = draw(st.sampled_from(sorted(OUTCOMES)))
                row["uitstroomreden"] = reason
                if OUTCOMES[reason] and draw(st.booleans()):
                    row["besluit_na_uitstroom"] = draw(st.sampled_from(["inwilliging", "afwijzing"]))
                    row["datum_besluit"] = (outflow + draw(days(0, 200))).isoformat()
                cursor = outflow + draw(days(0, 100))
            else:
                cursor = admission
        else:
            row["toelating_via_uitzondering"] = draw(st.sampled_from(["nee", ""]))
            cursor = cursor + draw(days(0, 100))
        rows.append(row)
    return rows


@st.composite
def trajectory_deliveries(draw, *, max_persons: int = 4) -> list[dict]:
    """The canonical rows of a valid trajectory file, in file order (persons interleaved)."""
    rows = []
    for index in range(draw(st.integers(1, max_persons))):
        rows += draw(person_trajectories(municipality=draw(st.sampled_from(MUNICIPALITIES)), index=index))
    return draw(st.permutations(rows))


@st.composite
def capacity_deliveries(draw) -> list[dict]:
    """A valid capacity file: per location periods that do not overlap."""
    rows, named = [], set()
    for index in range(draw(st.integers(1, 3))):
        municipality = draw(st.sampled_from(MUNICIPALITIES))
        location = draw(st.one_of(st.just(municipality), ids.map(lambda s, i=index: f"L{i} {s}".strip())))
        if (municipality, location.lower()) in named:
            continue
        named.add((municipality, location.lower()))
        start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2030, 1, 1)))
        for n in range(draw(st.integers(1, 3))):
            end = start + draw(days(0, 900)) if n < 2 and draw(st.booleans()) else None
            rows.append(
                {
                    "gemeente": municipality,
                    "locatie": location,
                    "plaatsen": str(draw(st.integers(0, 5000))),
                    "geldig_vanaf": start.isoformat(),
                    "geldig_tot": end.isoformat() if end else "",
                }
            )
            if end is None:
                break
            start = end + draw(days(1, 400))
    return draw(st.permutations(rows))


def expected_columns(row: dict) -> dict:
    """A delivered row as the export writes it back: empty codes become their default."""
    expected = dict(row)
    expected["geslacht"] = row["geslacht"] or "onbekend"
    expected["land_van_herkomst"] = row["land_van_herkomst"] or "onbekend"
    expected["toelating_via_uitzondering"] = row["toelating_via_uitzondering"] or "nee"
    return expected


# --- writing a table as a file -------------------------------------------------------------------


@st.composite
def csv_layouts(draw) -> dict:
    return {
        "format": "csv",
        "delimiter": draw(st.sampled_from([",", ";"])),
        "bom": draw(st.booleans()),
        "line_end": draw(st.sampled_from(["\n", "\r\n"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        "guard": draw(st.booleans()),  # formula-like text with the export's leading apostrophe
        "blank_lines": draw(st.booleans()),
    }


@st.composite
def xlsx_layouts(draw) -> dict:
    return {"format": "xlsx", "typed": draw(st.booleans())}


layouts = st.one_of(csv_layouts(), xlsx_layouts())


def table_of(rows: list[dict], columns, draw) -> tuple[list[str], list[list]]:
    """Header and cells: any column order, header and codes in any case."""
    header = draw(st.permutations(list(columns)))
    cased = draw(st.sampled_from([str.lower, str.upper, str.title]))
    cells = []
    for row in rows:
        line = []
        for column in header:
            value = row[column]
            if column in CODE_COLUMNS and value:
                value = draw(st.sampled_from([str, str.upper, str.title]))(value)
            line.append(value)
        cells.append(line)
    return [cased(name) for name in header], cells


def file_bytes(header: list[str], cells: list[list], layout: dict, draw=None) -> bytes:
    if layout["format"] == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", name) for name in header])  # openpyxl refuses control characters
        for line in cells:
            values = []
            for value in line:
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    if layout.get("typed") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                        with contextlib.suppress(ValueError):
                            value = dt.date.fromisoformat(value)
                values.append(value)
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"  # text as typed, as Excel stores it with a quote prefix
                    cell.quotePrefix = True
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=layout["delimiter"], lineterminator=layout["line_end"], quoting=layout["quoting"]
    )
    writer.writerow(header)
    for line in cells:
        if layout["blank_lines"]:
            writer.writerow([])
        values = ["" if v is None else str(v) for v in line]
        if layout["guard"]:
            values = [GUARD + v if v.startswith(FORMULA_STARTS) else v for v in values]
        writer.writerow(values)
    return ("\ufeff" if layout["bom"] else "").encode() + out.getvalue().encode("utf-8")


def write(tmp_path: Path, content: bytes, layout: dict) -> Path:
    path = tmp_path / f"aanlevering.{layout['format']}"
    path.write_bytes(content)
    return path


# --- valid files import exactly ------------------------------------------------------------------


@PROPERTY
@given(rows=trajectory_deliveries(), layout=layouts, data=st.data())
def test_a_valid_trajectory_file_imports_exactly_its_rows(tmp_path, rows, layout, data):
    header, cells = table_of(rows, TRAJECTORY_COLUMNS, data.draw)
    path = write(tmp_path, file_bytes(header, cells, layout), layout)
    with fresh_registry():
        trajectories, persons = Trajectory.objects.count(), Person.objects.count()

        code, out, lines = lvv_import(path)

        assert code == 0, lines
        assert f"trajecten: {len(rows)} nieuw, 0 bijgewerkt, 0 ongewijzigd" in out
        assert Trajectory.objects.count() == trajectories + len(rows)
        delivered_persons = {(r["gemeente"], r["persoon_id"] or r["v_nummer"]) for r in rows}
        assert Person.objects.count() == persons + len(delivered_persons)
        registered = {(t.columns["gemeente"], t.columns["traject_id"]): t.columns for t in registered_trajectories()}
        for row in rows:
            columns = registered[(row["gemeente"], row["traject_id"])]
            expected = expected_columns(row)
            if not row["persoon_id"]:  # the registry makes up a key for a person known by V-nummer only
                assert columns.pop("persoon_id").startswith("P-")
                expected.pop("persoon_id")
            assert columns == expected
        assert_reimport_changes_nothing(path)


@PROPERTY
@given(rows=capacity_deliveries(), layout=layouts, data=st.data())
def test_a_valid_capacity_file_gives_exactly_its_periods(tmp_path, rows, layout, data):
    header, cells = table_of(rows, CAPACITY_COLUMNS, data.draw)
    path = write(tmp_path, file_bytes(header, cells, layout), layout)
    with fresh_registry():
        code, out, lines = lvv_import(path)

        assert code == 0, lines
        named = {(r["gemeente"], r["locatie"].lower()) for r in rows}
        on_record = sorted(r for r in capacity_rows() if (r[0], r[1].lower()) in named)
        delivered = sorted([r[c] for c in CAPACITY_COLUMNS] for r in rows)
        assert [[m, loc.lower(), *rest] for m, loc, *rest in on_record] == [
            [m, loc.lower(), *rest] for m, loc, *rest in delivered
        ]
        assert_reimport_changes_nothing(path)


@PROPERTY
@given(first=trajectory_deliveries(max_persons=3), data=st.data())
def test_a_corrected_file_updates_the_delivered_trajectories_exactly(tmp_path, first, data):
    """A second delivery that re-dates some persons' trajectories (same traject_ids, same person)
    is valid: the registry then holds the second file's rows."""
    second = []
    by_person: dict[tuple, list[dict]] = {}
    for row in first:
        by_person.setdefault((row["gemeente"], row["persoon_id"], row["v_nummer"]), []).append(row)
    for index, ((municipality, _, _), rows) in enumerate(sorted(by_person.items())):
        if data.draw(st.booleans(), label=f"redo person {index}"):
            again = data.draw(person_trajectories(municipality=municipality, index=index))
            again = again[: len(rows)]
            # Keep the person and the traject_ids; keep as many trajectories as the first file had.
            for old, new in zip(rows, again, strict=False):
                for column in ("persoon_id", "v_nummer", "geslacht", "geboortejaar", "land_van_herkomst"):
                    new[column] = old[column]
                new["traject_id"] = old["traject_id"]
            if len(again) == len(rows):
                second += again
                continue
        second += rows
    layout = data.draw(layouts)
    first_path = tmp_path / "eerste.csv"
    first_path.write_bytes(file_bytes(list(TRAJECTORY_COLUMNS), [[r[c] for c in TRAJECTORY_COLUMNS] for r in first],
                                      {"format": "csv", "delimiter": ",", "bom": False, "line_end": "\n",
                                       "quoting": csv.QUOTE_MINIMAL, "guard": True, "blank_lines": False}))  # fmt: skip
    header, cells = table_of(second, TRAJECTORY_COLUMNS, data.draw)
    path = write(tmp_path, file_bytes(header, cells, layout), layout)
    with fresh_registry():
        assert lvv_import(first_path)[0] == 0

        code, out, lines = lvv_import(path)

        assert code == 0, lines
        registered = {(t.columns["gemeente"], t.columns["traject_id"]): t.columns for t in registered_trajectories()}
        assert len(registered) == len(first)
        for row in second:
            columns = registered[(row["gemeente"], row["traject_id"])]
            expected = expected_columns(row)
            if not row["persoon_id"]:
                columns.pop("persoon_id"), expected.pop("persoon_id")
            assert columns == expected
        assert_reimport_changes_nothing(path)


# --- any file: imported whole, or refused whole --------------------------------------------------

NASTY_CELLS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+31 6 1234",
    "-1",
    "@SUM(A1)",
    "'=1+1",
    '"',
    'a"b',
    "a,b;c",
    "regel\neinde",
    "\r\n",
    " ",
    "\t",
    "\x00",
    "\ufeff",
    "x" * 10_000,
    "9" * 400,
    "2021-02-30",
    "2021-13-01",
    "2021-1-1",
    "01-01-2021",
    "2021-01-01T10:00",
    "20210101",
    "9999-12-31",
    "2030-01-01",
    "0001-01-01",
    "1899",
    "-2000",
    "0",
    "NaN",
    "None",
    "null",
    "ja ",
    "JA",
    "onbekend",
    "staatloos",
    "XX",
    "💥",
    "Atlantis",
    "1000000001",
    "100000000",
    "١٢٣٤٥٦٧٨٩٠",
]
cell_values = st.one_of(st.sampled_from(NASTY_CELLS), st.text(max_size=40), ids)


@st.composite
def mutated(draw, header: list[str], cells: list[list]) -> tuple[list, list]:
    """The table with one to three changes of any kind."""
    header, cells = list(header), [list(line) for line in cells]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                [
                    "cell",
                    "cell",
                    "cell",
                    "drop_column",
                    "extra_column",
                    "double_column",
                    "rename_column",
                    "short_row",
                    "long_row",
                    "double_row",
                    "swap_cells",
                    "no_rows",
                    "empty_header",
                ]
            )
        )
        width = len(header)
        if kind == "cell" and cells and width:
            line = draw(st.integers(0, len(cells) - 1))
            column = draw(st.integers(0, len(cells[line]) - 1)) if cells[line] else 0
            if cells[line]:
                cells[line][column] = draw(cell_values)
        elif kind == "drop_column" and width:
            column = draw(st.integers(0, width - 1))
            del header[column]
            for line in cells:
                del line[column : column + 1]
        elif kind == "extra_column":
            header.append(draw(st.sampled_from(["extra", "opmerking", "", "Traject_ID"])))
            for line in cells:
                line.append(draw(cell_values))
        elif kind == "double_column" and width:
            column = draw(st.integers(0, width - 1))
            header.append(header[column])
            for line in cells:
                line.append(line[column] if column < len(line) else "")
        elif kind == "rename_column" and width:
            header[draw(st.integers(0, width - 1))] = draw(cell_values)
        elif kind == "short_row" and cells:
            line = cells[draw(st.integers(0, len(cells) - 1))]
            del line[draw(st.integers(0, len(line))) :]
        elif kind == "long_row" and cells:
            cells[draw(st.integers(0, len(cells) - 1))] += draw(st.lists(cell_values, min_size=1, max_size=3))
        elif kind == "double_row" and cells:
            line = draw(st.integers(0, len(cells) - 1))
            cells.insert(draw(st.integers(0, len(cells))), list(cells[line]))
        elif kind == "swap_cells" and cells and width > 1:
            line = cells[draw(st.integers(0, len(cells) - 1))]
            if len(line) > 1:
                a, b = draw(st.lists(st.integers(0, len(line) - 1), min_size=2, max_size=2, unique=True))
                line[a], line[b] = line[b], line[a]
        elif kind == "no_rows":
            cells = []
        elif kind == "empty_header":
            header = ["" for _ in header]
    return header, cells


@st.composite
def damaged(draw, content: bytes) -> bytes:
    """The bytes of a file, damaged the way files are: another encoding, cut off, garbage, empty."""
    kind = draw(st.sampled_from(["latin-1", "utf-16", "cut", "flip", "empty", "bom_only", "garbage", "prefix"]))
    if kind in ("latin-1", "utf-16"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return content[::-1]
        return text.encode(kind, errors="replace")
    if kind == "cut":
        return content[: draw(st.integers(0, max(len(content) - 1, 0)))]
    if kind == "flip" and content:
        at = draw(st.integers(0, len(content) - 1))
        return content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1 :]
    if kind == "empty":
        return b""
    if kind == "bom_only":
        return b"\xef\xbb\xbf" + draw(st.sampled_from([b"", b"\n", b"\r\n\r\n", b";;;", b",,,\n"]))
    if kind == "garbage":
        return draw(st.binary(max_size=200))
    return draw(st.sampled_from([b"\n", b"\xff\xfe", b"PK\x03\x04", b"sep=;\n"])) + content


def assert_imported_whole_or_refused_whole(path: Path, last_line: int) -> None:
    counts, state = row_counts(), checksum()
    code, out, lines = lvv_import(path)
    event("imported" if code == 0 else "refused")
    if code == 0:
        assert not lines
        assert_reimport_changes_nothing(path)
    else:
        assert_refused_whole(lines, counts=counts, state=state, last_line=last_line)


@PROPERTY
@given(
    rows=trajectory_deliveries(max_persons=3),
    kind=st.sampled_from(["trajecten", "capaciteit"]),
    already_imported=st.booleans(),
    layout=layouts,
    data=st.data(),
)
def test_any_changed_file_is_imported_whole_or_refused_whole(tmp_path, rows, kind, already_imported, layout, data):
    if kind == "capaciteit":
        rows, columns = data.draw(capacity_deliveries()), CAPACITY_COLUMNS
    else:
        columns = TRAJECTORY_COLUMNS
    header, cells = table_of(rows, columns, data.draw)
    original = write(tmp_path, file_bytes(header, cells, layout), layout)
    original = original.rename(tmp_path / f"origineel.{layout['format']}")
    header, cells = data.draw(mutated(header, cells))
    content = file_bytes(header, cells, layout)
    if data.draw(st.integers(0, 4), label="damage the bytes") == 0:
        content = data.draw(damaged(content))
    path = write(tmp_path, content, layout)
    # Every line of the file: quoted newlines, blank lines and huge cells included.
    last_line = max(content.count(b"\n"), content.count(b"\r"), len(cells) * 2) + 2
    with fresh_registry():
        if already_imported:
            assert lvv_import(original)[0] == 0
        assert_imported_whole_or_refused_whole(path, last_line)


@PROPERTY
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_bytes_are_imported_whole_or_refused_whole(tmp_path, content):
    path = tmp_path / "willekeurig.csv"
    path.write_bytes(content)
    with fresh_registry():
        assert_imported_whole_or_refused_whole(path, content.count(b"\n") + content.count(b"\r") + 2)


# --- deliveries about what was registered through the web ----------------------------------------


@pytest.fixture
def web_registry(gemeente_user) -> list[dict]:
    """Amsterdam trajectories registered through the services (not by a delivery): admitted, refused,
    flowed out, and only applied (a person with a birth date). Their traject_id, persoon_id and
    V-nummer are what a delivery may name."""
    from lvv.demo import factories

    made = [
        factories.admitted_trajectory(actor=gemeente_user, v_number="1111111111"),
        factories.refused_trajectory(actor=gemeente_user),
        factories.outflowed_trajectory(actor=gemeente_user, v_number="2222222222"),
        factories.registered_trajectory(actor=gemeente_user, v_number="3333333333"),
    ]
    return [
        {"traject_id": t.external_id, "persoon_id": t.person.person_key, "v_nummer": t.person.v_number} for t in made
    ]


@PROPERTY
@given(rows=trajectory_deliveries(max_persons=3), layout=layouts, data=st.data())
def test_a_delivery_about_web_registered_trajectories_is_imported_whole_or_refused_whole(
    tmp_path, web_registry, rows, layout, data
):
    """Rows that name trajectories, persons and V-nummers registered through the web: either the
    registry then holds exactly the delivered trajectory columns, or nothing changed."""
    for row in rows:
        if data.draw(st.booleans(), label="about the web registry"):
            registered = data.draw(st.sampled_from(web_registry))
            row["gemeente"] = "Amsterdam"
            for column in data.draw(st.sets(st.sampled_from(["traject_id", "persoon_id", "v_nummer"]), min_size=1)):
                row[column] = registered[column]
    header, cells = table_of(rows, TRAJECTORY_COLUMNS, data.draw)
    path = write(tmp_path, file_bytes(header, cells, layout), layout)
    with fresh_registry():
        counts, state = row_counts(), checksum()
        code, out, lines = lvv_import(path)
        event("imported" if code == 0 else "refused")
        if code == 1:
            assert_refused_whole(lines, counts=counts, state=state, last_line=2 * len(rows) + 1)  # blank lines
            return
        by_key = {(t.columns["gemeente"], t.columns["traject_id"]): t.columns for t in registered_trajectories()}
        for row in rows:
            columns, expected = by_key[(row["gemeente"], row["traject_id"])], expected_columns(row)
            for column in ("persoon_id", "v_nummer", "geslacht", "geboortejaar", "land_van_herkomst"):
                columns.pop(column), expected.pop(column)  # the person's: the latest known value wins
            assert columns == expected
        assert_reimport_changes_nothing(path)


# --- one fault, one line -------------------------------------------------------------------------


@PROPERTY
@given(value=st.text(st.sampled_from("ab =;\"'\n\r\u2028\x85\x0b"), min_size=1, max_size=8))
@example(value="regel\neinde")
def test_every_fault_is_printed_on_one_line(tmp_path, value):
    row = {c: "" for c in TRAJECTORY_COLUMNS} | {"traject_id": "T-1", "gemeente": "Amsterdam", "persoon_id": "A1"}
    row |= {"datum_aanmelding": "2021-01-01", "geslacht": value}
    layout = {"format": "csv", "delimiter": ",", "bom": False, "line_end": "\n", "quoting": csv.QUOTE_MINIMAL,
              "guard": False, "blank_lines": False}  # fmt: skip
    path = write(tmp_path, file_bytes(list(TRAJECTORY_COLUMNS), [[row[c] for c in TRAJECTORY_COLUMNS]], layout), layout)
    with fresh_registry():
        code, _, lines = lvv_import(path)
    if code == 1:
        assert all(FAULT_LINE.match(line) and "\n" not in line for line in lines), lines


@PROPERTY
@given(places=st.integers(0, 10**30).map(str))
@example(places="99999999999999999999")
@example(places="9" * 5000)
def test_any_number_of_places_is_imported_or_refused(tmp_path, places):
    path = tmp_path / "capaciteit.csv"
    path.write_text(f"gemeente,locatie,plaatsen,geldig_vanaf,geldig_tot\nAmsterdam,Amsterdam,{places},2020-01-01,\n")
    with fresh_registry():
        assert_imported_whole_or_refused_whole(path, last_line=2)
