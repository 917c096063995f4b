"""`lvv analyse`: the JSON contract, XLSX (one sheet per table and model), PDF (Dutch, peildatum and
definitions on page 1), a user's own model, the pseudonymised dataset and clear Dutch errors."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pypdf import PdfReader

from lvv.core import clock
from lvv.exchange.imports import delivery_import
from lvv.people.models import Person

from .simulation import simulate, write_delivery

pytestmark = pytest.mark.usefixtures("reference_data")
P = "2024-01-01"
CONTRACT_COEFFICIENTS = {
    "constant", "geslacht_vrouw", "leeftijd", "land_IR", "land_NG", "land_ER", "land_IQ", "land_GN", "land_AF",
    "land_UG", "gemeente_Amsterdam", "gemeente_Eindhoven", "gemeente_Groningen", "gemeente_Utrecht",
}  # fmt: skip


@pytest.fixture
def delivered(tmp_path):
    rows = simulate(1500, seed=11)
    # A few still in the LVV on P (no outflow) and a few leaving after P: participants, not outflowed.
    for row in rows[:40]:
        row["datum_uitstroom"] = row["uitstroomreden"] = ""
    for row in rows[40:60]:
        row["datum_uitstroom"] = "2024-03-01"
    rows[60]["geslacht"] = "anders"
    rows[61]["uitstroomreden"] = "overleden"
    with clock.frozen(dt.date(2024, 6, 1)):
        result = delivery_import(path=write_delivery(tmp_path / "levering.csv", rows))
    assert result.ok, result.faults[:3]
    return rows


def analyse(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("lvv_analyse", "--peildatum", P, *args, stdout=out, stderr=err)
    return out.getvalue()


def test_json_contract(delivered):
    report = json.loads(analyse("--format", "json"))
    assert report["peildatum"] == P
    assert set(report["modellen"]) == {"oplossing", "bestendig", "semi_bestendig"}
    for model in report["modellen"].values():
        assert model["n"] == 1500 - 60 - 1 - 1  # in LVV / left after P / deceased / sex "anders"
        assert model["n_weggelaten"] == 1 and model["weggelaten"] == {"geslacht niet man of vrouw": 1}
        for key, kind in (("log_likelihood", float), ("nagelkerke_r2", float), ("cox_snell_r2", float)):
            assert isinstance(model[key], kind)
        assert set(model["coefficienten"]) == CONTRACT_COEFFICIENTS
        for c in model["coefficienten"].values():
            assert set(c) == {"b", "se", "wald", "p", "odds_ratio", "ci95"} and len(c["ci95"]) == 2
            assert c["ci95"][0] <= c["odds_ratio"] <= c["ci95"][1]
        mc = model["multicollineariteit"]
        assert set(mc["vif"]) == set(mc["tolerance"]) == CONTRACT_COEFFICIENTS - {"constant"}
        assert isinstance(mc["condition_index_max"], float)
    diff = report["verschillen_gemeenten"]
    assert diff["chi_kwadraat"]["df"] == 2 * 4 and set(diff["f_toetsen"]) == {
        "oplossing",
        "bestendig",
        "semi_bestendig",
    }
    assert diff["f_toetsen"]["oplossing"]["tekst"].startswith("F(4, ")
    stay = report["verblijfsduur"]
    assert set(stay["per_gemeente"]) >= {"Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht"}
    for s in stay["per_gemeente"].values():
        assert {"n", "uitgestroomd", "mediaan_maanden"} <= set(s) and "curve" not in s
    assert sum(s["n"] for s in stay["per_gemeente"].values()) == 1500 - 1
    assert sum(s["uitgestroomd"] for s in stay["per_gemeente"].values()) == 1500 - 60 - 1
    assert 0 <= stay["logrank_p"] <= 1
    participants = report["tabellen"]["deelnemers"]["rijen"][-1]
    assert participants[:7] == ["Totaal", 1500, 1500, 1, 1499, 1439, 60]
    # No person-level data in the report.
    text = json.dumps(report)
    assert "3000000000" not in text and "SIM-1" not in text


def test_one_municipality(delivered):
    report = json.loads(analyse("--gemeente", "utrecht"))
    assert report["gemeente"] == "Utrecht"
    model = report["modellen"]["oplossing"]
    assert not any(name.startswith("gemeente_") for name in model["coefficienten"])
    assert any("één gemeente" in m for m in model["meldingen"])
    assert list(report["verblijfsduur"]["per_gemeente"]) == ["Utrecht"]
    assert report["verschillen_gemeenten"]["chi_kwadraat"] is None


def test_own_model_and_its_errors(delivered):
    report = json.loads(
        analyse("--uitkomst", "reden_hasa", "--predictoren", "geslacht,gemeente", "--referentie", "gemeente=Amsterdam")
    )
    own = report["modellen"]["eigen_model"]
    assert set(own["coefficienten"]) == {
        "constant", "geslacht_vrouw",
        "gemeente_Eindhoven", "gemeente_Groningen", "gemeente_Rotterdam", "gemeente_Utrecht",
    }  # fmt: skip
    with pytest.raises(CommandError, match="Referentiecategorie 'Emmen' van gemeente komt in de gegevens niet voor"):
        analyse("--uitkomst", "oplossing", "--referentie", "gemeente=Emmen")
    with pytest.raises(CommandError, match="Onbekende gemeente: Atlantis"):
        analyse("--gemeente", "Atlantis")
    with pytest.raises(CommandError, match="Ongeldige peildatum"):
        call_command("lvv_analyse", "--peildatum", "1-7-2022")
    with pytest.raises(CommandError, match="--output"):
        analyse("--format", "pdf")


def test_xlsx_and_pdf(delivered, tmp_path):
    analyse("--format", "xlsx", "--output", str(tmp_path / "analyse.xlsx"))
    workbook = load_workbook(tmp_path / "analyse.xlsx", read_only=True)
    assert workbook.sheetnames == [
        "Rapport", "tabel deelnemers", "tabel geslacht", "tabel leeftijd", "tabel landen",
        "tabel uitstroom_categorie", "tabel uitstroom_reden", "tabel verblijfsduur", "tabel instrumenten",
        "model oplossing", "model bestendig", "model semi_bestendig", "verschillen gemeenten", "overlevingsanalyse",
    ]  # fmt: skip
    model = [row for row in workbook["model oplossing"].iter_rows(values_only=True)]
    assert ("N", 1438) in [r[:2] for r in model]

    analyse("--format", "pdf", "--output", str(tmp_path / "analyse.pdf"))
    reader = PdfReader(tmp_path / "analyse.pdf")
    first = reader.pages[0].extract_text()
    assert "Evaluatiestatistiek LVV" in first and "1 januari 2024" in first and "Definities" in first
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Nagelkerke" in text and "Kaplan" in text and "Log-rank" in text


def test_dataset_is_pseudonymised_and_random_per_export(delivered, tmp_path):
    analyse("--dataset", str(tmp_path / "a.csv"))
    analyse("--dataset", str(tmp_path / "b.csv"), "--onderdrukken", "10")
    a = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    b = list(csv.DictReader((tmp_path / "b.csv").open(encoding="utf-8")))
    assert len(a) == len(b) == 1439
    assert list(a[0])[:3] == ["rij_id", "gemeente", "geslacht"]
    assert not {r["rij_id"] for r in a} & {r["rij_id"] for r in b}
    content = (tmp_path / "a.csv").read_text()
    for person in Person.objects.all()[:50]:
        assert person.v_number not in content and f",{person.person_key}," not in content
    assert "SIM-" not in content and "2021-" not in content  # no trajectory ids, no dates
    # Suppression: the one "anders" becomes "onderdrukt", ages become groups.
    assert sum(r["geslacht"] == "onderdrukt" for r in b) == 1
    assert {r["leeftijd_bij_toelating"] for r in b} <= {"≤25", "26–35", "36–45", "46–55", "56+", "onderdrukt"}
