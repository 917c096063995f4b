"""Two case workers edit the same person in the browser: the first save wins, the second
sees the Dutch optimistic-locking message on the form and the first one's value stays."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login


def test_the_second_of_two_concurrent_person_edits_is_refused(page, browser, live_app):
    login(page, live_app, "gemeente.amsterdam")
    page.goto("/trajecten/")
    page.locator("table a[href^='/trajecten/']").first.click()
    page.locator("a[href^='/personen/']").first.click()
    person_url = page.url
    page.get_by_role("link", name="Gegevens wijzigen").click()
    edit_url = page.url

    other_context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", base_url=live_app)
    other = other_context.new_page()
    try:
        login(other, live_app, "voorzitter.amsterdam")
        other.goto(edit_url)
        # Both forms are open; the first saves.
        page.get_by_label("Adres of verblijfplaats").fill("Eerste adres 1")
        with page.expect_navigation():
            page.get_by_role("button", name="Opslaan").click()
        assert page.url.split("?")[0] == person_url
        # The second saves the form it opened before the first save.
        other.get_by_label("Adres of verblijfplaats").fill("Tweede adres 2")
        with other.expect_navigation():
            other.get_by_role("button", name="Opslaan").click()
        summary = other.locator("[data-lvv-error-summary]")
        expect(summary).to_contain_text(re.compile("Iemand anders heeft deze persoonsgegevens intussen gewijzigd"))
        expect(summary).to_contain_text("laad de pagina opnieuw")
        other.screenshot(path="/tmp/conc-shots/stale-person-edit.png", full_page=True)
        assert_accessible(other)
        page.goto(person_url)
        expect(page.locator("main")).to_contain_text("Eerste adres 1")
        expect(page.locator("main")).not_to_contain_text("Tweede adres 2")
    finally:
        other_context.close()
