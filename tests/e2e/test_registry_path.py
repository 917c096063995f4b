"""Acceptance walk of the case registry, as users would do it in the browser.

A Rotterdam case worker registers someone who is already registered in Amsterdam (the demo person
"Demo Dubbel"), sees the duplicate warning and the criteria check, records the kiosk check and
consent, admits, places, sets a perspective, registers outflow with HASA and later the IND decision.
Then an NGO user of another municipality cannot open the person, and the programmabureau sees no
person at all. Every page visited is checked with axe-core."""

import datetime as dt
import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

TODAY = dt.date.today()


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def submit(page, label: str = "Opslaan") -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def test_municipality_registers_and_follows_a_case_to_outflow(page, live_app):
    login(page, live_app, "gemeente.rotterdam")
    page.goto("/trajecten/")
    assert_accessible(page)
    page.get_by_role("link", name="Nieuwe aanmelding").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe aanmelding")
    assert_accessible(page)

    page.get_by_label("Datum aanmelding").fill(day(20))
    page.get_by_label("Voornamen").fill("Demo")
    page.get_by_label("Achternaam").fill("Dubbel")
    page.get_by_label("Geboortedatum").fill("1990-05-17")
    page.get_by_label("Geslacht").select_option("man")
    page.get_by_label("Land van herkomst", exact=True).select_option("ER")
    page.get_by_label("Eerste aanvraag").select_option("asiel")
    page.get_by_label("Band met de regio").select_option("true")
    page.get_by_label("Langdurig in bed-bad-brood in een andere gemeente").select_option("false")
    page.get_by_label("Bereid mee te werken aan een duurzame oplossing").select_option("true")
    page.get_by_label("Uit een veilig land van herkomst").select_option("false")
    submit(page, "Aanmelding registreren")

    # The duplicate warning: registered in Amsterdam, shown only as municipality, date and status.
    warning = page.locator("#dubbele-registraties")
    expect(warning).to_contain_text("Al ingeschreven bij een andere LVV")
    expect(warning.locator(".lvv-other-lvv")).to_contain_text("Amsterdam")
    assert "1234567890" not in warning.inner_text(), "another LVV's V-nummer must not be shown"
    assert_accessible(page)
    page.get_by_label(re.compile("registreer toch een nieuwe persoon")).check()
    submit(page, "Aanmelding registreren")

    # The trajectory page with the criteria check.
    expect(page.get_by_role("heading", name="Toets op de toelatingscriteria")).to_be_visible()
    criteria = page.locator(".lvv-criteria")
    expect(criteria).to_contain_text("Meerderjarig")
    expect(criteria).to_contain_text("Regiobinding met Rotterdam")
    trajectory_url = page.url
    assert_accessible(page)

    page.get_by_role("link", name="Identiteitscontrole").click()
    page.get_by_label("Datum van de controle").fill(day(20))
    page.get_by_label("Gevonden op V-nummer").check()
    page.get_by_label("Al ingeschreven bij een andere LVV").check()
    assert_accessible(page)
    submit(page)

    # Admission without consent is refused with a Dutch message.
    page.get_by_role("link", name="Besluit over toelating").click()
    page.get_by_label("Toegelaten", exact=True).check()
    page.get_by_label("Datum besluit").fill(day(18))
    submit(page, "Besluit vastleggen")
    expect(page.locator("[data-lvv-error-summary]")).to_contain_text("toestemmingsverklaring")
    assert_accessible(page)

    page.goto(trajectory_url)
    page.get_by_role("link", name="Toestemming vastleggen").click()
    page.get_by_label("Datum ondertekening").fill(day(19))
    page.get_by_label("IND").check()
    page.get_by_label("DT&V").check()
    submit(page)
    expect(page.locator("#kop-toestemming").locator("..")).to_contain_text("IND")

    # AVIM sits at the Rotterdam LSO table, but the declaration leaves it out: admitting needs the
    # LSO's decision, recorded with its motivation and date.
    page.get_by_role("link", name="Besluit over toelating").click()
    expect(page.locator(".lvv-alert")).to_contain_text("AVIM")
    page.get_by_label("Toegelaten", exact=True).check()
    page.get_by_label("Datum besluit").fill(day(18))
    submit(page, "Besluit vastleggen")
    expect(page.locator("[data-lvv-error-summary]")).to_contain_text("geldt niet voor AVIM")
    assert_accessible(page)
    page.get_by_label("Motivering LSO: toelaten zonder toestemming voor alle partijen aan tafel").fill(
        "De deelnemer wil niet dat AVIM zijn gegevens ziet; het LSO laat hem toe."
    )
    page.get_by_label("Datum van het LSO").fill(day(18))
    submit(page, "Besluit vastleggen")
    expect(page.locator(".lvv-stage").first).to_have_text("Toegelaten")

    page.get_by_role("link", name="Plaatsing").click()
    page.get_by_label("Locatie").select_option(label="Rotterdam")
    page.get_by_label("Opvangvorm").select_option("nachtopvang")
    page.get_by_label("Alleen nacht").check()
    page.get_by_label("Startdatum").fill(day(18))
    assert_accessible(page)
    submit(page)
    expect(page.locator(".lvv-stage").first).to_have_text("Intake")

    page.get_by_role("link", name="Perspectief").click()
    page.get_by_label("Legalisering").check()
    page.get_by_label("Voorlopig").check()
    page.get_by_label("Datum besluit").fill(day(15))
    submit(page)
    expect(page.locator(".lvv-stage").first).to_have_text("Perspectief bepaald")

    # Outflow before admission is refused and nothing changes.
    page.get_by_role("link", name="Uitstroom").click()
    page.get_by_label("Datum uitstroom").fill(day(30))
    page.get_by_label("Uitstroomreden").select_option("hasa")
    submit(page)
    expect(page.locator("[data-lvv-error-summary]")).to_contain_text("vóór de datum van toelating")
    page.get_by_label("Datum uitstroom").fill(day(10))
    page.get_by_label("Uitstroomreden").select_option("hasa")
    submit(page)
    expect(page.locator(".lvv-stage").first).to_have_text("Uitgestroomd")

    page.get_by_role("link", name="Besluit IND").click()
    page.get_by_label("Inwilliging").check()
    page.get_by_label("Datum besluit").fill(day(2))
    submit(page)
    timeline = page.locator(".lvv-timeline")
    for text in (
        "Aangemeld",
        "Identiteitscontrole",
        "Toestemmingsverklaring",
        "Toegelaten",
        "Geplaatst",
        "Perspectief voorlopig: legalisering",
        "Uitgestroomd",
        "IND-besluit",
    ):
        expect(timeline).to_contain_text(text)
    assert_accessible(page)

    person_url = page.get_by_role("link", name="Persoonspagina").get_attribute("href")
    page.goto(person_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo Dubbel")
    assert_accessible(page)

    # An NGO user of another municipality cannot open this person or the trajectory.
    login(page, live_app, "ngo.amsterdam")
    for url in (person_url, trajectory_url):
        response = page.goto(url)
        assert response.status == 404, f"{url}: {response.status}"
    assert_accessible(page)

    # The programmabureau sees no person at all: no work list, no person page.
    login(page, live_app, "programmabureau")
    assert "Dubbel" not in page.content()
    assert_accessible(page)
    for url in ("/trajecten/", person_url, trajectory_url):
        response = page.goto(url)
        assert response.status in (403, 404), f"{url}: {response.status}"
        assert "Dubbel" not in page.content()
