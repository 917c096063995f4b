"""Sharing by consent and by purpose in the browser.

1. A municipal case worker uploads a document for the chain partners (class keten) on a trajectory
   that DT&V may see; the DT&V user, logged in in a second browser, opens it.
2. The participant withdraws his consent for DT&V only: the case worker records it on the consent
   form. The DT&V user's next request for the trajectory, in the same session, gets "not found";
   the trajectory shows the withdrawal to the municipality.
3. An NGO worker writes a note for its own organisation, then widens it to the LSO table: the
   page asks for a reason and a confirmation first.
Every page visited is checked with axe-core; screenshots go to /tmp/sharing-shots/.
"""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

SHOTS = Path("/tmp/sharing-shots")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_document_for_the_chain_then_consent_withdrawn_for_dtv(page, browser, live_app, tmp_path):
    dtv_context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", base_url=live_app)
    dtv = dtv_context.new_page()
    try:
        login(dtv, live_app, "dtv")
        dtv.goto("/trajecten/")
        dtv.locator("table a[href^='/trajecten/']").first.click()
        trajectory_url = dtv.url
        header = dtv.locator("main p.lvv-muted").first.inner_text()
        municipality = header.split(" · ")[1].strip()
        assert_accessible(dtv)

        # 1. The municipality uploads a document for the chain partners.
        login(page, live_app, f"gemeente.{municipality.lower()}")
        page.goto(trajectory_url)
        expect(page.locator("#kop-toestemming + ul")).to_contain_text("DTV")
        page.get_by_role("link", name="Document", exact=True).click()
        assert_accessible(page)
        upload = tmp_path / "vertrekafspraken.pdf"
        upload.write_bytes(PDF)
        page.get_by_label("Titel").fill("Afspraken vertrekgesprek")
        page.get_by_label("Bestand").set_input_files(str(upload))
        page.get_by_label("Gemeente en ketenpartners met toestemming").check()
        _shot(page, "1-document-upload")
        with page.expect_navigation():
            page.get_by_role("button", name="Opslaan").click()
        expect(page.locator(".lvv-messages")).to_contain_text("Het document is toegevoegd.")
        expect(page.locator("#kop-documenten + table")).to_contain_text("Afspraken vertrekgesprek")
        assert_accessible(page)

        # DT&V, still logged in, sees the document and downloads it.
        dtv.goto(trajectory_url)
        link = dtv.get_by_role("link", name="Afspraken vertrekgesprek")
        expect(link).to_be_visible()
        with dtv.expect_download() as download:
            link.click()
        assert Path(download.value.path()).read_bytes() == PDF

        # 2. Consent withdrawn for DT&V only.
        page.locator("#kop-toestemming + ul").get_by_role("link", name="Intrekken").last.click()
        assert_accessible(page)
        page.get_by_label("Alleen de toestemming voor DT&V").check()
        page.get_by_label("Datum van intrekking").fill(page.evaluate("new Date().toLocaleDateString('sv-SE')"))
        _shot(page, "2-consent-withdraw-dtv")
        with page.expect_navigation():
            page.get_by_role("button", name="Opslaan").click()
        expect(page.locator(".lvv-messages")).to_contain_text("De toestemming is ingetrokken.")
        expect(page.locator("#kop-toestemming + ul")).to_contain_text(
            re.compile(r"Toestemming voor DT&V ingetrokken op")
        )
        expect(page.locator("main")).to_contain_text("Toestemming voor DT&V ingetrokken op")  # timeline too
        _shot(page, "3-trajectory-after-withdrawal")
        assert_accessible(page)

        # DT&V's next request in the same session: refused.
        response = dtv.goto(trajectory_url)
        assert response.status == 404
        expect(dtv.locator("main")).not_to_contain_text("Afspraken vertrekgesprek")
        _shot(dtv, "4-dtv-refused")
        assert_accessible(dtv)
        dtv.goto("/trajecten/")
        expect(dtv.locator(f"a[href='{trajectory_url.split(live_app.rstrip('/'))[-1]}']")).to_have_count(0)
    finally:
        dtv_context.close()


def test_ngo_note_widened_to_the_lso_table_only_with_reason_and_confirmation(page, live_app):
    login(page, live_app, "ngo.amsterdam")
    page.goto("/trajecten/")
    page.locator("table a[href^='/trajecten/']").first.click()
    page.get_by_role("link", name="Notitie", exact=True).click()
    page.get_by_label("Notitie").fill("Deelnemer vertelde over zijn gezondheid; alleen voor ons.")
    page.get_by_label("Alleen eigen organisatie").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    note = page.locator("article.lvv-note", has_text="alleen voor ons").first
    expect(note).to_contain_text("Alleen eigen organisatie")

    note.get_by_role("link", name=re.compile("Zichtbaarheid wijzigen")).click()
    assert_accessible(page)
    page.get_by_label("Partijen aan de LSO-tafel met toestemming").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main")).to_contain_text("Geef de reden waarom meer partijen dit mogen lezen.")
    _shot(page, "5-downgrade-needs-reason")
    assert_accessible(page)
    page.get_by_label("Reden").fill("Deelnemer wil dat het LSO dit weet.")
    page.get_by_label("Ik bevestig dat meer partijen dit mogen lezen dan nu.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".lvv-messages")).to_contain_text("De zichtbaarheid is gewijzigd.")
    note = page.locator("article.lvv-note", has_text="alleen voor ons").first
    expect(note).to_contain_text("Partijen aan de LSO-tafel met toestemming")
    expect(page.locator("main")).to_contain_text("zichtbaarheid verruimd van alleen eigen organisatie naar partijen")
    _shot(page, "6-note-widened")
    assert_accessible(page)
