"""The data subject's right of access (issue 7, acceptance 4): the report lists exactly the accesses
made in a scripted session, and the copy of the data holds what the municipality answers for."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from lvv.audit.models import AccessLogEntry
from lvv.core.tests import factories
from lvv.trajectories.services import note_add, trajectory_assign_organisations


@pytest.fixture
def admin_user(reference_data):
    """A functional administrator of the municipality of Amsterdam (answers art. 15 requests)."""
    return factories.UserFactory(
        username="beheerder.amsterdam",
        first_name="Bea",
        last_name="Beheer",
        is_functional_admin=True,
        organisation=factories.municipal_organisation("Amsterdam"),
    )


@pytest.fixture
def world(gemeente_user, ngo_user, ngo, admin_user):
    trajectory = factories.admitted_trajectory(
        actor=gemeente_user, family_name="Inzagelaar", v_number="1234567890", phone="06-11112222"
    )
    trajectory_assign_organisations(actor=gemeente_user, trajectory=trajectory, organisations=[ngo])
    other = factories.admitted_trajectory(actor=gemeente_user, family_name="Anderman")
    return trajectory, other


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_report_lists_exactly_the_accesses_of_a_scripted_session(
    world, gemeente_user, ngo_user, rotterdam_user, ind_user, admin_user
):
    trajectory, other = world
    person = trajectory.person
    assert not AccessLogEntry.objects.for_person(person.pk).exists()  # the services log nothing

    case_worker, ngo_worker = _as(gemeente_user), _as(ngo_user)
    expected = []  # (username, action, view name) in order
    assert case_worker.get(reverse("people:detail", args=[person.pk])).status_code == 200
    expected.append((gemeente_user.username, "Ingezien", "people:detail"))
    assert ngo_worker.get(reverse("trajectories:detail", args=[trajectory.pk])).status_code == 200
    expected.append((ngo_user.username, "Ingezien", "trajectories:detail"))
    assert case_worker.get(reverse("trajectories:list")).status_code == 200  # both people on the list
    expected.append((gemeente_user.username, "Ingezien", "trajectories:list"))
    response = ngo_worker.post(
        reverse("trajectories:note_new", args=[trajectory.pk]), {"text": "Gesprek gehad.", "visibility": "lso"}
    )
    assert response.status_code == 302
    expected.append((ngo_user.username, "Gewijzigd", "trajectories:note_new"))
    # Not about this person: not in the report.
    assert case_worker.get(reverse("people:detail", args=[other.person.pk])).status_code == 200
    # Refused (outside their scope): in the report as a refused attempt, nothing was shown.
    assert _as(rotterdam_user).get(reverse("people:detail", args=[person.pk])).status_code == 404
    expected.append((rotterdam_user.username, "Geweigerd", "people:detail"))
    assert _as(ind_user).get(reverse("trajectories:detail", args=[trajectory.pk])).status_code == 404
    expected.append((ind_user.username, "Geweigerd", "trajectories:detail"))

    admin = _as(admin_user)
    rows = _csv_rows(admin.get(reverse("audit:access_report_csv", args=[person.pk])))
    got = [(r["gebruiker"].rsplit("(", 1)[-1].rstrip(")"), r["handeling"], r["wat"].split(" – ")[0]) for r in rows]
    assert got == expected
    assert rows[0]["organisatie"] == gemeente_user.organisation.name and rows[0]["rol"] == "Medewerker gemeente"
    assert rows[1]["organisatie"] == ngo_user.organisation.name and rows[1]["rol"] == "Medewerker ngo"
    assert rows[1]["verwerkingsactiviteit"] == "Opvang en begeleiding (lvv-begeleiding)"
    assert rows[3]["velden"] == "text, visibility"
    assert all(r["tijdstip"] for r in rows)

    # The HTML page shows the same accesses, plus the CSV download it came after.
    html = admin.get(reverse("audit:access_report", args=[person.pk])).content.decode()
    assert html.count('<tr class="utrecht-table__row">') == 1 + len(expected) + 1
    assert "Rechten van de betrokkene (lvv-rechten-betrokkene)" in html
    assert "Inzagelaar" in html and "Anderman" not in html

    # A later report lists the earlier openings of the report too: they were accesses as well.
    rows = _csv_rows(admin.get(reverse("audit:access_report_csv", args=[person.pk])))
    assert [r["wat"].split(" – ")[0] for r in rows[len(expected) :]] == [
        "audit:access_report_csv",
        "audit:access_report",
    ]


def test_the_log_never_holds_the_v_number_or_name(world, gemeente_user):
    trajectory, _ = world
    _as(gemeente_user).get(reverse("people:detail", args=[trajectory.person.pk]))
    entry = AccessLogEntry.objects.for_person(trajectory.person.pk).get()
    values = " ".join(str(v) for v in AccessLogEntry.objects.filter(pk=entry.pk).values().get().values())
    assert "1234567890" not in values and "Inzagelaar" not in values


def test_only_the_municipalitys_functional_administrator_answers(world, gemeente_user, ngo_user, admin_user):
    person = world[0].person
    url = reverse("audit:access_report", args=[person.pk])
    assert _as(gemeente_user).get(url).status_code == 403
    assert _as(ngo_user).get(url).status_code == 403
    rotterdam_admin = factories.UserFactory(
        is_functional_admin=True, organisation=factories.municipal_organisation("Rotterdam")
    )
    assert _as(rotterdam_admin).get(url).status_code == 404
    assert _as(admin_user).get(url).status_code == 200
    page = _as(admin_user).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert url in page  # the person page links to it for the administrator
    assert url not in _as(gemeente_user).get(reverse("people:detail", args=[person.pk])).content.decode()


def test_copy_of_the_data_in_json_and_readable_form(world, gemeente_user, ngo_user, ngo, admin_user):
    trajectory, _ = world
    person = trajectory.person
    note_add(actor=gemeente_user, trajectory=trajectory, text="Notitie van de gemeente.", visibility="organisatie")
    note_add(actor=ngo_user, trajectory=trajectory, text="Gedeelde ngo-notitie.", visibility="lso")
    note_add(actor=ngo_user, trajectory=trajectory, text="Alleen voor de ngo.", visibility="organisatie")
    admin = _as(admin_user)

    response = admin.get(reverse("audit:data_copy_json", args=[person.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    record = data["persoon"]
    assert record["achternaam"] == "Inzagelaar" and record["V-nummer"] == "1234567890"
    assert record["telefoonnummer"] == "06-11112222"
    assert record["land van herkomst"].endswith("(IR)")
    [traject] = record["trajecten"]
    assert traject["trajectnummer"] == trajectory.external_id
    assert {n["notitie"] for n in traject["notities"]} == {"Notitie van de gemeente.", "Gedeelde ngo-notitie."}
    assert "Alleen voor de ngo." not in response.content.decode()
    assert traject["betrokken ngo's"] == [ngo.name]

    html = admin.get(reverse("audit:data_copy", args=[person.pk])).content.decode()
    assert "Inzagelaar" in html and "Gedeelde ngo-notitie." in html and "Alleen voor de ngo." not in html
    pdf = admin.get(reverse("audit:data_copy_pdf", args=[person.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    logged = AccessLogEntry.objects.for_person(person.pk).filter(username=admin_user.username)
    assert list(logged.order_by("seq").values_list("view_name", "processing_activity")) == [
        ("audit:data_copy_json", "lvv-rechten-betrokkene"),
        ("audit:data_copy", "lvv-rechten-betrokkene"),
        ("audit:data_copy_pdf", "lvv-rechten-betrokkene"),
    ]
