"""Formula injection: text a user typed that starts with = + - @ (or a tab) is written
inert by every CSV and XLSX file the application makes — in CSV with a leading apostrophe, in XLSX
as a quoted text cell — and the delivery-format export still reads back unchanged.

One scenario per payload: the sample delivery (`lvv import`), with the payload as the traject_id of
a trajectory, as the name of the municipality Rotterdam and as the name of a user who read a person.
Then every download and command that writes CSV or XLSX is run, and every cell is checked."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lvv.accounts.models import Municipality
from lvv.core import clock
from lvv.core.exports import FORMULA_STARTS, guard, unguard
from lvv.core.tables import read_table
from lvv.demo import factories
from lvv.exchange.exports import export_bytes
from lvv.exchange.tests.helpers import EXAMPLES, SAMPLE, SAMPLE_CAPACITY, run_import
from lvv.trajectories.models import Trajectory

PAYLOADS = ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2+3", "\t=1+1"]
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
XLSX = "xlsx"
CSV = "csv"


@pytest.fixture
def scenario(request, reference_data, tmp_path):
    payload = request.param
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    assert run_import(SAMPLE)[0] == 0
    trajectory = Trajectory.objects.filter(municipality__name="Amsterdam").order_by("pk").first()
    Trajectory.objects.filter(pk=trajectory.pk).update(external_id=payload)
    Municipality.objects.filter(name="Rotterdam").update(name=payload)
    admin = factories.UserFactory(
        username="beheerder.amsterdam",
        first_name=payload,
        last_name="Beheer",
        is_functional_admin=True,
        organisation=factories.municipal_organisation("Amsterdam"),
    )
    return payload, trajectory, admin, tmp_path


def _command(name, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _outputs(payload, trajectory, admin, tmp_path, programmabureau_user) -> dict[str, tuple[str, bytes]]:
    """Every CSV and XLSX file the application writes, from this scenario: name -> (kind, bytes)."""
    files: dict[str, tuple[str, bytes]] = {}
    ind, dtv = str(EXAMPLES / "ind-extract.csv"), str(EXAMPLES / "dtv-extract.csv")

    files["lvv export (csv)"] = (CSV, export_bytes("trajecten"))
    files["lvv export (xlsx)"] = (XLSX, export_bytes("trajecten", file_format="xlsx"))
    files["lvv export capaciteit (csv)"] = (CSV, export_bytes("capaciteit"))
    files["lvv_export command"] = (CSV, _command("lvv_export").encode())

    files["lvv monitor (csv)"] = (CSV, _command("lvv_monitor", "--peildatum", "2022-12-31", "--format", "csv").encode())
    _command("lvv_monitor", "--peildatum", "2022-12-31", "--format", "xlsx", "--output", str(tmp_path / "m.xlsx"))
    files["lvv monitor (xlsx)"] = (XLSX, (tmp_path / "m.xlsx").read_bytes())

    args = ("--ind", ind, "--dtv", dtv, "--peildatum", "2022-12-31")
    files["lvv reconcile (csv)"] = (CSV, _command("lvv_reconcile", *args, "--format", "csv").encode())
    _command("lvv_reconcile", *args, "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    files["lvv reconcile (xlsx)"] = (XLSX, (tmp_path / "r.xlsx").read_bytes())
    files["lvv duplicates (csv)"] = (CSV, _command("lvv_duplicates", "--format", "csv").encode())
    _command("lvv_duplicates", "--format", "xlsx", "--output", str(tmp_path / "d.xlsx"))
    files["lvv duplicates (xlsx)"] = (XLSX, (tmp_path / "d.xlsx").read_bytes())

    analyse = ("lvv_analyse", "--peildatum", "2022-12-31", "--format", "xlsx", "--output", str(tmp_path / "a.xlsx"))
    _command(*analyse, "--dataset", str(tmp_path / "a.csv"))
    files["lvv analyse report (xlsx)"] = (XLSX, (tmp_path / "a.xlsx").read_bytes())
    files["lvv analyse dataset (csv)"] = (CSV, (tmp_path / "a.csv").read_bytes())
    _command(*analyse, "--dataset", str(tmp_path / "a2.xlsx"))
    files["lvv analyse dataset (xlsx)"] = (XLSX, (tmp_path / "a2.xlsx").read_bytes())

    client = Client()
    client.force_login(programmabureau_user)
    for kind in (CSV, XLSX):
        response = client.get(reverse(f"monitor:download_{kind}"), {"peildatum": "2022-12-31"})
        assert response.status_code == 200
        files[f"monitor download ({kind})"] = (kind, response.content)

    client.force_login(admin)
    person = trajectory.person
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200  # logged: read by `payload`
    request = {"reden": "betrokkene", "kenmerk": "2026-0412"}
    response = client.get(reverse("privacy:access_report_csv", args=[person.pk]), request)
    assert response.status_code == 200
    files["privacy art. 15 (csv)"] = (CSV, response.content)
    return files


def _cells(kind: str, content: bytes) -> list:
    """Every cell: text for CSV; openpyxl cells for XLSX."""
    if kind == CSV:
        return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("scenario", PAYLOADS, indirect=True)
def test_every_csv_and_xlsx_writes_formula_like_text_inert(scenario, programmabureau_user):
    payload, trajectory, admin, tmp_path = scenario
    with clock.frozen(dt.date(2023, 1, 15)):
        files = _outputs(payload, trajectory, admin, tmp_path, programmabureau_user)
    for name, (kind, content) in files.items():
        cells = _cells(kind, content)
        if kind == CSV:
            assert any(c.startswith("'") and payload.strip() in c for c in cells), f"{name}: payload not guarded"
            for text in cells:
                # A cell may start like a formula only as a plain number (e.g. -0.5), which runs nothing.
                assert not text.startswith(FORMULA_STARTS) or NUMBER.fullmatch(text), f"{name}: {text!r} runs"
        else:
            texts = [c.value for c in cells if isinstance(c.value, str)]
            assert any(payload.strip() in t for t in texts), f"{name}: payload not found"
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{name}: {cell.coordinate} {cell.value!r}"
                assert cell.data_type != "f", f"{name}: {cell.coordinate} is a formula"


@pytest.mark.parametrize("scenario", PAYLOADS[:2], indirect=True)
@pytest.mark.parametrize("kind", [CSV, XLSX])
def test_the_delivery_export_reads_back_unchanged(scenario, kind):
    payload, trajectory, admin, tmp_path = scenario
    path = tmp_path / f"export.{kind}"
    path.write_bytes(export_bytes("trajecten", file_format=kind))
    table = read_table(path)
    column = table.header.index("traject_id")
    assert payload in [cells[column] for _, cells in table.rows]


@pytest.mark.parametrize(
    "text", ["=1+1", "+31", "-foo", "@A1", "\tx", "\rx", "'=1", "''+1", "'t Zandt", "Amsterdam", "", "-"]
)
def test_guard_is_undone_by_unguard(text):
    guarded = guard(text)
    assert not guarded.startswith(FORMULA_STARTS)
    assert unguard(guarded) == text


def test_numbers_are_never_guarded():
    assert guard(-5) == -5 and guard(-0.5) == -0.5 and guard(None) is None
