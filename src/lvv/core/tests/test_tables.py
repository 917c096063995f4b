"""Reading CSV and XLSX tables, and writing them without formula injection."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from lvv.core.tables import TableError, csv_text, guard, read_table, unguard, xlsx_bytes


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_csv_with_bom_blank_lines_and_a_quoted_cell_over_two_lines(tmp_path):
    path = write(tmp_path, "a.csv", '\ufeffGemeente , locatie\nAmsterdam,"Oost\nwest"\n\nUtrecht,Utrecht\n')
    table = read_table(path)
    assert table.header == ["gemeente", "locatie"]
    assert table.rows == [(2, ["Amsterdam", "Oost\nwest"]), (5, ["Utrecht", "Utrecht"])]


def test_csv_saved_by_a_dutch_spreadsheet_uses_semicolons(tmp_path):
    table = read_table(write(tmp_path, "a.csv", "gemeente;plaatsen\nAmsterdam;360\n"))
    assert table.rows == [(2, ["Amsterdam", "360"])]


def test_csv_that_is_not_utf8_or_empty_is_refused(tmp_path):
    with pytest.raises(TableError, match="UTF-8"):
        read_table(write(tmp_path, "a.csv", "gemeente\nG\xf6teborg\n".encode("latin-1")))
    with pytest.raises(TableError, match="leeg"):
        read_table(write(tmp_path, "b.csv", "\n\n"))


def test_xlsx_first_sheet_with_dates_and_numbers_as_text(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["traject_id", "datum_aanmelding", "geboortejaar", "v_nummer"])
    sheet.append(["AMS-1", dt.datetime(2021, 1, 10), 1985.0, 1000000001])
    sheet.append([None, None, None, None])
    sheet.append(["AMS-2", dt.date(2021, 2, 1), 1990, "0000000002"])
    workbook.create_sheet("tweede").append(["genegeerd"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(write(tmp_path, "a.xlsx", buffer.getvalue()))
    assert table.header == ["traject_id", "datum_aanmelding", "geboortejaar", "v_nummer"]
    assert table.rows == [
        (2, ["AMS-1", "2021-01-10", "1985", "1000000001"]),
        (4, ["AMS-2", "2021-02-01", "1990", "0000000002"]),
    ]


def test_a_damaged_xlsx_is_refused(tmp_path):
    with pytest.raises(TableError, match="XLSX"):
        read_table(write(tmp_path, "a.xlsx", b"PK\x03\x04 niet echt"))


@pytest.mark.parametrize("text", ["=1+1", "+31", "-5", "@SUM(A1)", "\tx"])
def test_text_that_a_spreadsheet_would_run_is_guarded_and_read_back_unchanged(text):
    assert guard(text) == "'" + text
    assert unguard(guard(text)) == text


def test_numbers_and_ordinary_text_are_not_guarded():
    assert guard(-5) == -5
    assert guard("Amsterdam") == "Amsterdam"
    assert unguard("'t Zandt") == "'t Zandt"


def test_csv_round_trip_with_guarded_cells(tmp_path):
    text = csv_text(["a", "b"], [["=cmd|' /C calc'!A0", 3], ["gewoon", None]])
    assert text.splitlines()[1].startswith("'=cmd")
    assert read_table(write(tmp_path, "a.csv", text)).rows == [(2, ["=cmd|' /C calc'!A0", "3"]), (3, ["gewoon", ""])]


def test_xlsx_stores_formula_like_text_as_quoted_text(tmp_path):
    content = xlsx_bytes([("blad", ["a", "b"], [["=1+1", 2]])])
    sheet = load_workbook(io.BytesIO(content)).active
    assert (sheet["A2"].value, sheet["A2"].data_type, sheet["A2"].quotePrefix) == ("=1+1", "s", True)
    assert sheet["B2"].value == 2
    assert read_table(write(tmp_path, "a.xlsx", content)).rows == [(2, ["=1+1", "2"])]
