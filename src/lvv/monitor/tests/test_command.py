"""`lvv monitor`: JSON on standard output with exactly the published names; CSV and XLSX tables."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from lvv.accounts.models import Municipality, Region
from lvv.demo import factories
from lvv.monitor.indicators import INDICATOR_NAMES


def run(*args) -> str:
    out = io.StringIO()
    call_command("lvv_monitor", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def registry(gemeente_user):
    factories.outflowed_trajectory(actor=gemeente_user)


def test_json_on_standard_output(registry):
    report = json.loads(run("--peildatum", "2022-07-01", "--format", "json"))
    assert list(report) == ["peildatum", "basis", "landelijk", "per_gemeente"]
    assert (report["peildatum"], report["basis"]) == ("2022-07-01", "trajecten")
    assert tuple(report["landelijk"]) == INDICATOR_NAMES
    assert report["landelijk"]["uitstroom_semi_bestendig"] == 1
    assert report["per_gemeente"]["Amsterdam"]["uitstroom_per_reden"]["hasa"] == 1


def test_basis_and_gemeente(registry):
    report = json.loads(run("--peildatum", "2022-07-01", "--basis", "personen", "--gemeente", "Amsterdam"))
    assert report["basis"] == "personen"
    assert list(report["per_gemeente"]) == ["Amsterdam"]


def test_csv_is_one_table_with_flattened_names(registry, tmp_path):
    path = tmp_path / "monitor.csv"
    call_command(
        "lvv_monitor", "--peildatum", "2022-07-01", "--format", "csv", "--output", str(path), stderr=io.StringIO()
    )
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["niveau"], r["gemeente"]) for r in rows][:2] == [("landelijk", ""), ("gemeente", "Amsterdam")]
    assert rows[0]["besluiten.hasa.geen_besluit"] == "1"
    assert rows[0]["instrumenten.activering.onbekend"] == "1"
    assert rows[0]["aandeel_perspectief_bepaald"] == ""  # null: nobody in the LVV


def test_xlsx_has_a_sheet_per_table_and_guards_user_text(registry, tmp_path):
    Municipality.objects.create(name="=HYPERLINK(1)", region=Region.objects.first(), has_lvv=True)
    path = tmp_path / "monitor.xlsx"
    call_command(
        "lvv_monitor", "--peildatum", "2022-07-01", "--format", "xlsx", "--output", str(path), stderr=io.StringIO()
    )
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["landelijk", "per_gemeente"]
    header = [c.value for c in workbook["landelijk"][1]]
    assert header[:5] == ["peildatum", "basis", "niveau", "gemeente", "aanmeldingen"]
    assert workbook["landelijk"].cell(2, 5).value == 1  # a number, not text
    names = {row[3].value: row[3] for row in workbook["per_gemeente"].iter_rows(min_row=2)}
    cell = names["=HYPERLINK(1)"]
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula


def test_csv_guards_a_municipality_name_that_looks_like_a_formula(registry):
    Municipality.objects.create(name="@SUM(1)", region=Region.objects.first(), has_lvv=True)
    text = run("--peildatum", "2022-07-01", "--format", "csv")
    assert "\n2022-07-01,trajecten,gemeente,'@SUM(1)," in text


@pytest.mark.parametrize(
    "args,message",
    [
        (["--peildatum", "2022-02-30"], "Ongeldige peildatum"),
        (["--peildatum", "2022-07-01", "--gemeente", "Atlantis"], "Onbekende gemeente"),
        (["--peildatum", "2022-07-01", "--format", "xlsx"], "--output"),
    ],
)
def test_mistakes_are_refused_in_dutch(reference_data, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
