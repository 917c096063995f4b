"""A municipality user produces the evaluation report in the browser and
opens its PDF and XLSX downloads (and the pseudonymised dataset); the programmabureau gets the
national report without the dataset. Every page visited is checked with axe-core."""

from __future__ import annotations

import csv
import io
import os

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import assert_accessible, login

#: Set LVV_E2E_SCREENSHOTS to a directory to keep screenshots of the pages (for review).
SCREENSHOTS = os.environ.get("LVV_E2E_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"analyse-{name}.png"), full_page=True)


def test_municipality_user_produces_the_report_and_opens_the_downloads(page, live_app):
    login(page, live_app, "gemeente.amsterdam")
    page.get_by_role("link", name="Analyse", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluatiestatistiek: Amsterdam")
    assert_accessible(page)
    _shot(page, "formulier")

    page.get_by_role("button", name="Maak de analyse").click()
    expect(page.get_by_role("heading", name="Logistische regressie")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Verblijfsduur", exact=True)).to_be_visible()
    expect(page.locator("table caption", has_text="Deelnemers per gemeente")).to_be_visible()
    expect(page.get_by_role("img", name="Kaplan–Meier: aandeel deelnemers nog in de LVV per gemeente")).to_be_visible()
    assert_accessible(page)
    _shot(page, "rapport")

    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("link", name="PDF-rapport").click()
    pdf = PdfReader(download.value.path())
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "Evaluatiestatistiek LVV" in first and "gemeente Amsterdam" in first and "Definities" in first
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Logistische regressie" in text and "Kaplan–Meier" in text
    assert download.value.suggested_filename.endswith("-amsterdam.pdf")

    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("link", name="Excel (XLSX), één werkblad per tabel en model").click()
    with open(download.value.path(), "rb") as f:
        workbook = load_workbook(io.BytesIO(f.read()), read_only=True)
    assert {"Rapport", "tabel deelnemers", "model oplossing", "overlevingsanalyse"} <= set(workbook.sheetnames)
    assert workbook["Rapport"]["B3"].value == "Amsterdam"

    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Dataset als CSV").click()
    with open(download.value.path(), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and set(rows[0]) >= {"rij_id", "gemeente", "uitstroomcategorie"}
    assert {r["gemeente"] for r in rows} == {"Amsterdam"}
    assert "v_nummer" not in rows[0] and "persoon_id" not in rows[0]


def test_programmabureau_gets_the_national_report_without_the_dataset(page, live_app):
    login(page, live_app, "programmabureau")
    page.goto("/analyse/")
    expect(page.locator("#id_gemeente")).to_be_visible()
    page.get_by_role("button", name="Maak de analyse").click()
    expect(page.get_by_role("heading", name="Logistische regressie")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Dataset als CSV")).to_have_count(0)
    assert_accessible(page)
    _shot(page, "landelijk")
    response = page.request.get("/analyse/dataset.csv")
    assert response.status == 403
    response = page.request.get(page.get_by_role("link", name="PDF-rapport").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert "alle gemeenten" in PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
