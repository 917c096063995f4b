"""Acceptance 5: the programmabureau opens the monitor, changes the peildatum, sees the
charts and downloads the XLSX — and finds no person-level data anywhere.

The persons to look for are read from the work list of the Amsterdam case worker (names and
V-numbers of the demo data), so the test needs no access to the database."""

from __future__ import annotations

import re

from openpyxl import load_workbook

from tests.e2e.conftest import assert_accessible, login

CHARTS = ("bezetting", "uitstroommix", "doorlooptijd", "perspectief", "besluiten")
SHEETS = [
    "toelichting",
    "kerncijfers",
    "uitstroom",
    "uitstroom_per_reden",
    "perspectief",
    "besluiten",
    "instrumenten",
    "verloop",
]


def _demo_persons(browser, live_app) -> set[str]:
    """Full names and V-numbers on the first page of Amsterdam's work list (in a browser context of
    its own, so the programmabureau's session starts clean)."""
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", base_url=live_app)
    try:
        return _worklist_persons(context.new_page(), live_app)
    finally:
        context.close()


def _worklist_persons(page, live_app) -> set[str]:
    login(page, live_app, "gemeente.amsterdam")
    page.goto("/trajecten/")
    rows = page.locator("table.lvv-table tbody tr")
    found = set()
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        found.add(cells.nth(0).locator("a").inner_text().strip())
        v_number = cells.nth(1).inner_text().strip()
        if re.fullmatch(r"\d{10}", v_number):
            found.add(v_number)
    assert len(found) >= 10, f"expected demo persons on the work list, found {found}"
    return found


def _assert_no_person(text: str, persons: set[str], where: str) -> None:
    shown = sorted(p for p in persons if p in text)
    assert not shown, f"person data in {where}: {shown}"


def test_programmabureau_uses_the_monitor(browser, page, live_app, tmp_path):
    persons = _demo_persons(browser, live_app)

    login(page, live_app, "programmabureau")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    assert nav.get_by_role("link", name="Monitor").count() == 1, (page.url, page.locator("body").inner_text()[:600])
    nav.get_by_role("link", name="Monitor").click()
    page.wait_for_url(re.compile(r"/monitor/"))
    assert page.locator("h1").inner_text().startswith("Monitor LVV")
    assert_accessible(page)

    # Change the peildatum (and ask for the published version).
    page.get_by_label("Peildatum", exact=True).fill("2025-12-31")
    page.get_by_label("Weergave", exact=True).select_option("publicatie")
    page.get_by_role("button", name="Toon monitor").click()
    page.wait_for_url(re.compile(r"peildatum=2025-12-31"))
    assert page.get_by_role("heading", name="Stand op 2025-12-31").is_visible()

    # The charts: inline SVG images, each labelled by its caption, with the data in a table.
    for key in CHARTS:
        chart = page.locator(f"#grafiek-{key}")
        svg = chart.locator('svg[role="img"]')
        assert svg.count() == 1, key
        assert svg.get_attribute("aria-labelledby") == f"{key}-caption"
        caption = chart.locator(f"#{key}-caption").inner_text()
        assert len(caption) > 60, (key, caption)
        assert chart.locator("details table").count() == 1
    assert page.get_by_text("<5").first.is_visible()  # small counts hidden in the published version
    assert_accessible(page)
    _assert_no_person(page.content(), persons, "the monitor page")

    # Download the XLSX of the published version.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX (publicatieversie (kleine aantallen afgeschermd))").click()
    download = download_info.value
    assert download.suggested_filename == "lvv-monitor-2025-12-31-trajecten-publicatie.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == SHEETS
    header = [c.value for c in workbook["kerncijfers"][4]]
    assert header[:2] == ["Gemeente", "Aanmeldingen"]
    names = [row[0].value for row in workbook["kerncijfers"].iter_rows(min_row=5)]
    assert "Landelijk" in names and "Amsterdam" in names
    texts = " ".join(str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "2025-12-31" in texts
    _assert_no_person(texts, persons, "the XLSX")

    # The definitions the tables link to.
    page.get_by_role("link", name="definities van de indicatoren").click()
    page.wait_for_url(re.compile(r"/monitor/definities/"))
    assert page.locator("#def-bezettingsgraad").is_visible()
    assert_accessible(page)


def test_a_municipality_sees_its_own_monitor_and_a_bad_date_is_explained(page, live_app):
    login(page, live_app, "gemeente.rotterdam")
    page.goto("/monitor/?peildatum=2025-02-30")
    assert page.get_by_text("Peildatum: vul een geldige datum in als JJJJ-MM-DD").first.is_visible()
    assert_accessible(page)
    page.goto("/monitor/?peildatum=2025-09-30")
    assert page.locator("h1").inner_text() == "Monitor LVV: Rotterdam"
    assert page.locator("text=Amsterdam").count() == 0
    assert_accessible(page)


def test_ngo_gets_no_monitor(page, live_app):
    login(page, live_app, "ngo.amsterdam")
    assert page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Monitor").count() == 0
    response = page.goto("/monitor/")
    assert response.status == 403
