"""The duplicate check in the application flow: a Rotterdam case worker
registering someone already known in Amsterdam sees, in Dutch, only the municipality, the signal,
the month and the status — and the disclosure is in the access log of the Amsterdam person."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from lvv.audit.models import AccessLogEntry
from lvv.demo import factories
from lvv.people.models import Person, PersonFingerprint


@pytest.fixture
def known_in_amsterdam(gemeente_user):
    return factories.admitted_trajectory(
        actor=gemeente_user,
        given_names="Mohammed",
        family_name="Warsame",
        birth_date=dt.date(1990, 5, 17),
        country_of_origin="SO",
        v_number="1234567890",
        phone="06-12345678",
        aliases=["Mo Warsame"],
    ).person


def _form(**overrides) -> dict:
    data = {
        "application_date": "2022-02-01",
        "first_application_type": "asiel",
        "referred_by": "",
        "given_names": "Onbekende",
        "family_name": "Aanmelder",
        "aliases": "",
        "birth_date": "",
        "birth_year": "",
        "sex": "man",
        "country_of_origin": "SO",
        "languages": "",
        "v_number": "1234567890",
        "phone": "",
        "email": "",
        "address": "",
        "has_regiobinding": "true",
        "regiobinding_months": "12",
        "regiobinding_description": "",
        "long_bbb_elsewhere": "false",
        "willing_to_cooperate": "true",
        "safe_country": "false",
        "vulnerable": "",
    }
    return data | overrides


def _warning(html: str) -> str:
    found = re.search(r'<div[^>]*id="dubbele-registraties".*?</div></div>\s*</div>', html, re.S)
    assert found, "no duplicate warning on the page"
    return found.group(0)


def test_the_application_shows_the_strong_signal_in_dutch_and_nothing_about_the_person(
    client, rotterdam_user, known_in_amsterdam
):
    client.force_login(rotterdam_user)
    response = client.post(reverse("admissions:application_new"), _form())
    assert response.status_code == 200
    html = response.content.decode()
    warning = _warning(html)
    assert "Mogelijk dubbele registratie" in warning
    assert "Al ingeschreven bij een andere LVV" in warning
    text = re.sub(r"<[^>]+>", "", warning)
    assert re.search(r"Amsterdam, bekend sinds 2022-01, status: Toegelaten — sterk signaal: zelfde V-nummer", text)
    assert "via het programmabureau" in text
    for secret in ("Mohammed", "Warsame", "1990", "06-12345678", known_in_amsterdam.person_key):
        assert secret not in html
    assert "bevestig dat u toch een nieuwe persoon registreert" in html
    assert not Person.objects.filter(municipality=rotterdam_user.municipality).exists()


def test_the_application_shows_the_weak_signal(client, rotterdam_user, known_in_amsterdam):
    client.force_login(rotterdam_user)
    form = _form(v_number="", given_names="Warsame", family_name="Mohammed", birth_date="1990-05-17")
    text = re.sub(r"<[^>]+>", "", _warning(client.post(reverse("admissions:application_new"), form).content.decode()))
    assert "Amsterdam, bekend sinds 2022-01, status: Toegelaten — zwak signaal: zelfde naam en geboortedatum" in text
    assert "Mo Warsame" not in text


def test_the_disclosure_is_logged_for_the_person_in_the_other_lvv(client, rotterdam_user, known_in_amsterdam):
    client.force_login(rotterdam_user)
    client.post(reverse("admissions:application_new"), _form())
    entries = AccessLogEntry.objects.filter(person_id=known_in_amsterdam.pk, user=rotterdam_user)
    assert [(e.action, e.purpose, e.fields) for e in entries] == [
        ("lezen", "Landelijke duplicaatcontrole bij aanmelding (pseudoniem)", "duplicaatsignaal")
    ]


def test_after_confirming_the_new_person_is_registered_and_fingerprinted(client, rotterdam_user, known_in_amsterdam):
    client.force_login(rotterdam_user)
    response = client.post(reverse("admissions:application_new"), _form(confirm_duplicates="on"))
    assert response.status_code == 302
    person = Person.objects.get(municipality=rotterdam_user.municipality)
    assert PersonFingerprint.objects.filter(person=person, kind="v_number").exists()


def test_no_warning_without_a_match(client, rotterdam_user, known_in_amsterdam):
    client.force_login(rotterdam_user)
    response = client.post(reverse("admissions:application_new"), _form(v_number="9999999999"))
    assert response.status_code == 302
    assert not AccessLogEntry.objects.filter(person_id=known_in_amsterdam.pk, user=rotterdam_user).exists()


def test_the_trajectory_page_shows_the_other_lvv_too(client, rotterdam_user, known_in_amsterdam):
    trajectory = factories.registered_trajectory(actor=rotterdam_user, v_number="1234567890")
    client.force_login(rotterdam_user)
    html = client.get(reverse("trajectories:detail", args=[trajectory.pk])).content.decode()
    text = re.sub(r"<[^>]+>", "", _warning(html))
    assert "Amsterdam, bekend sinds 2022-01, status: Toegelaten — sterk signaal: zelfde V-nummer" in text
    assert "Warsame" not in html
    entries = AccessLogEntry.objects.filter(person_id=known_in_amsterdam.pk, user=rotterdam_user)
    assert [(e.action, e.purpose, e.fields) for e in entries] == [
        ("lezen", "Landelijke duplicaatcontrole op de trajectpagina (pseudoniem)", "duplicaatsignaal")
    ]
