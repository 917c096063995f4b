"""Optimistic locking: two users editing the same person or trajectory cannot silently
overwrite each other. The first save wins; the second sees a Dutch message and nothing of it is saved."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from lvv.admissions.models import Application
from lvv.admissions.services import application_update
from lvv.core.concurrency import StaleVersion, save_checked
from lvv.demo import factories
from lvv.exchange.imports import delivery_import
from lvv.exchange.tests.helpers import write_delivery
from lvv.people.models import Person
from lvv.people.services import person_update
from lvv.trajectories.models import Perspective, TimelineEvent, Trajectory
from lvv.trajectories.services import note_add, outflow_register, perspective_record, placement_record

STALE = "Iemand anders heeft"
RELOAD = "laad de pagina opnieuw en voer uw wijziging opnieuw in"


@pytest.fixture
def colleague(reference_data):
    """A second Amsterdam case worker."""
    return factories.UserFactory(
        username="collega.amsterdam", organisation=factories.municipal_organisation("Amsterdam")
    )


def _version(model, pk) -> int:
    return model.objects.values_list("version", flat=True).get(pk=pk)


def _shown_version(response) -> str:
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', response.content.decode())
    assert match, "the edit form carries no version"
    return match.group(1)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the service level --------------------------------------------------------------------------


def test_every_service_write_raises_the_trajectory_version(gemeente_user):
    trajectory = factories.admitted_trajectory(actor=gemeente_user)
    versions = [_version(Trajectory, trajectory.pk)]  # the kiosk check and the admission each wrote it
    placement_record(
        actor=gemeente_user,
        trajectory=trajectory,
        location=factories.location("Amsterdam"),
        shelter_form="centraal",
        hours="24uur",
        start_date=dt.date(2022, 1, 11),
    )
    versions.append(_version(Trajectory, trajectory.pk))
    perspective_record(
        actor=gemeente_user, trajectory=trajectory, perspective="terugkeer", status="voorlopig",
        decided_on=dt.date(2022, 2, 1),
    )  # fmt: skip
    versions.append(_version(Trajectory, trajectory.pk))
    outflow_register(actor=gemeente_user, trajectory=trajectory, outflow_date=dt.date(2022, 3, 1), outcome_code="mob")
    versions.append(_version(Trajectory, trajectory.pk))
    assert versions == [2, 3, 4, 5]


def test_every_person_update_raises_the_person_version(admitted_trajectory, gemeente_user):
    person = admitted_trajectory.person
    assert _version(Person, person.pk) == 0
    person_update(actor=gemeente_user, person=person, languages="Farsi")
    person_update(actor=gemeente_user, person=person, languages="Farsi, Engels", expected_version=1)
    assert _version(Person, person.pk) == 2


def test_a_person_update_with_a_stale_version_is_refused_and_changes_nothing(admitted_trajectory, gemeente_user):
    person = admitted_trajectory.person
    person_update(actor=gemeente_user, person=person, phone="06-11111111", expected_version=0)
    events = TimelineEvent.objects.count()

    with pytest.raises(StaleVersion) as refused:
        person_update(actor=gemeente_user, person=person, phone="06-22222222", aliases=["X"], expected_version=0)

    assert STALE in refused.value.message and RELOAD in refused.value.message
    assert "(uw versie 0, nu versie 1)" in refused.value.message
    person.refresh_from_db()
    assert (person.phone, person.version, list(person.aliases.all())) == ("06-11111111", 1, [])
    assert TimelineEvent.objects.count() == events


def test_a_perspective_on_a_stale_trajectory_is_refused_and_nothing_is_recorded(admitted_trajectory, gemeente_user):
    shown = admitted_trajectory.version
    note_add(actor=gemeente_user, trajectory=admitted_trajectory, text="Alleen een notitie", visibility="organisatie")
    assert _version(Trajectory, admitted_trajectory.pk) == shown  # a note appends; it does not conflict
    outflow_register(
        actor=gemeente_user, trajectory=admitted_trajectory, outflow_date=dt.date(2022, 3, 1), outcome_code="mob",
        expected_version=shown,
    )  # fmt: skip

    with pytest.raises(StaleVersion, match="dit traject"):
        perspective_record(
            actor=gemeente_user, trajectory=admitted_trajectory, perspective="terugkeer", status="voorlopig",
            decided_on=dt.date(2022, 2, 1), expected_version=shown,
        )  # fmt: skip

    assert not Perspective.objects.filter(trajectory=admitted_trajectory).exists()
    assert _version(Trajectory, admitted_trajectory.pk) == shown + 1


def test_an_application_update_with_a_stale_version_keeps_the_first_facts(gemeente_user):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    shown = trajectory.version
    application_update(actor=gemeente_user, trajectory=trajectory, referred_by="Ngo A", expected_version=shown)
    with pytest.raises(StaleVersion):
        application_update(actor=gemeente_user, trajectory=trajectory, referred_by="Ngo B", expected_version=shown)
    assert Application.objects.get(trajectory=trajectory).referred_by == "Ngo A"


def test_save_checked_writes_only_the_fields_named(admitted_trajectory):
    trajectory = Trajectory.objects.get(pk=admitted_trajectory.pk)
    before = trajectory.version
    trajectory.stuck_cause = "geen_documenten"
    trajectory.ind_decision = "afwijzing"  # changed in memory, not named: must not be written
    save_checked(trajectory, before, ["stuck_cause"])
    fresh = Trajectory.objects.get(pk=trajectory.pk)
    assert (fresh.stuck_cause, fresh.ind_decision, fresh.version, trajectory.version) == (
        "geen_documenten",
        "",
        before + 1,
        before + 1,
    )


# --- two users, one form ------------------------------------------------------------------------


def _person_form(person, **overrides) -> dict:
    data = {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "aliases": "",
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "birth_year": "",
        "sex": person.sex,
        "country_of_origin": person.country_of_origin,
        "languages": person.languages,
        "v_number": person.v_number,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
    }
    return {**data, **overrides}


def test_two_users_editing_one_person_the_second_is_told_and_the_first_is_kept(
    admitted_trajectory, gemeente_user, colleague
):
    person = admitted_trajectory.person
    url = reverse("people:edit", args=[person.pk])
    first, second = _client(gemeente_user), _client(colleague)
    v1, v2 = _shown_version(first.get(url)), _shown_version(second.get(url))
    assert v1 == v2 == "0"

    one = first.post(url, _person_form(person, phone="06-11111111", version=v1))
    two = second.post(url, _person_form(person, phone="06-99999999", address="Elders", version=v2))

    assert one.status_code == 302
    assert two.status_code == 200
    html = two.content.decode()
    assert "Iemand anders heeft deze persoonsgegevens intussen gewijzigd" in html and RELOAD in html
    person.refresh_from_db()
    assert (person.phone, person.address, person.version) == ("06-11111111", "", 1)


def _facts_form(**overrides) -> dict:
    data = {
        "has_regiobinding": "true",
        "regiobinding_months": "12",
        "regiobinding_description": "",
        "long_bbb_elsewhere": "false",
        "willing_to_cooperate": "true",
        "safe_country": "false",
        "vulnerable": "",
        "first_application_type": "onbekend",
        "referred_by": "",
    }
    return {**data, **overrides}


def test_two_users_editing_one_application_the_second_is_told_and_the_first_is_kept(gemeente_user, colleague):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    url = reverse("admissions:application_edit", args=[trajectory.pk])
    first, second = _client(gemeente_user), _client(colleague)
    v1, v2 = _shown_version(first.get(url)), _shown_version(second.get(url))

    one = first.post(url, _facts_form(referred_by="Stichting A", version=v1))
    two = second.post(url, _facts_form(referred_by="Stichting B", regiobinding_months="3", version=v2))

    assert one.status_code == 302
    assert two.status_code == 200
    assert "Iemand anders heeft dit traject intussen gewijzigd" in two.content.decode()
    application = Application.objects.get(trajectory=trajectory)
    assert (application.referred_by, application.regiobinding_months) == ("Stichting A", 12)
    assert _version(Trajectory, trajectory.pk) == int(v1) + 1


def test_a_perspective_form_opened_before_an_outflow_is_refused(admitted_trajectory, gemeente_user, colleague):
    pk = admitted_trajectory.pk
    first, second = _client(gemeente_user), _client(colleague)
    shown = _shown_version(second.get(reverse("trajectories:perspective_new", args=[pk])))
    v1 = _shown_version(first.get(reverse("trajectories:outflow_new", args=[pk])))

    one = first.post(
        reverse("trajectories:outflow_new", args=[pk]), {"outflow_date": "2022-03-01", "outcome": "mob", "version": v1}
    )
    two = second.post(
        reverse("trajectories:perspective_new", args=[pk]),
        {"perspective": "terugkeer", "status": "voorlopig", "decided_on": "2022-02-01", "version": shown},
    )

    assert one.status_code == 302
    assert two.status_code == 200
    assert "Iemand anders heeft dit traject intussen gewijzigd" in two.content.decode()
    assert not Perspective.objects.filter(trajectory_id=pk).exists()
    assert Trajectory.objects.get(pk=pk).stage == "uitgestroomd"


@pytest.mark.parametrize(
    "name",
    [
        "trajectories:placement_new",
        "trajectories:perspective_new",
        "trajectories:instruments_edit",
        "trajectories:outflow_new",
        "trajectories:assign_edit",
    ],
)
def test_every_form_that_changes_an_admitted_trajectory_carries_its_version(name, admitted_trajectory, gemeente_user):
    response = _client(gemeente_user).get(reverse(name, args=[admitted_trajectory.pk]))
    assert response.status_code == 200
    assert _shown_version(response) == str(admitted_trajectory.version)


@pytest.mark.parametrize("name", ["admissions:application_edit", "admissions:admission_decide"])
def test_the_admission_forms_carry_the_version(name, gemeente_user, lso_chair):
    trajectory = factories.consented_trajectory(actor=gemeente_user)
    response = _client(lso_chair).get(reverse(name, args=[trajectory.pk]))
    assert response.status_code == 200
    assert _shown_version(response) == str(trajectory.version)


def test_a_current_version_is_accepted_by_the_form(admitted_trajectory, gemeente_user):
    client = _client(gemeente_user)
    url = reverse("trajectories:perspective_new", args=[admitted_trajectory.pk])
    shown = _shown_version(client.get(url))
    response = client.post(
        url, {"perspective": "terugkeer", "status": "voorlopig", "decided_on": "2022-02-01", "version": shown}
    )
    assert response.status_code == 302
    assert Perspective.objects.filter(trajectory=admitted_trajectory).count() == 1


# --- the bulk import ----------------------------------------------------------------------------


def _row(**extra) -> dict:
    return {
        "traject_id": "U-1",
        "gemeente": "Utrecht",
        "persoon_id": "P1",
        "v_nummer": "2000000001",
        "datum_aanmelding": "2021-01-01",
        "datum_toelating": "2021-01-02",
        **extra,
    }


def test_an_import_that_changes_a_row_raises_its_version(reference_data, tmp_path):
    assert delivery_import(path=write_delivery(tmp_path / "a.csv", [_row()])).ok
    trajectory = Trajectory.objects.select_related("person").get(external_id="U-1")
    before = (trajectory.version, trajectory.person.version)

    again = delivery_import(path=write_delivery(tmp_path / "b.csv", [_row()]))
    assert again.ok
    assert (_version(Trajectory, trajectory.pk), _version(Person, trajectory.person_id)) == before  # unchanged

    changed = delivery_import(
        path=write_delivery(
            tmp_path / "c.csv", [_row(geslacht="vrouw", datum_uitstroom="2021-06-01", uitstroomreden="mob")]
        )
    )
    assert changed.ok, [str(f) for f in changed.faults]
    assert _version(Trajectory, trajectory.pk) == before[0] + 1
    assert _version(Person, trajectory.person_id) == before[1] + 1


def test_a_write_without_a_version_still_bumps_it_so_an_open_form_is_refused(admitted_trajectory):
    trajectory = admitted_trajectory
    shown = trajectory.version
    trajectory.stay_until = trajectory.admission_date
    save_checked(trajectory, None, ["stay_until", "updated_at"])  # as an LSO extension does
    assert trajectory.version == shown + 1
    with pytest.raises(StaleVersion):
        save_checked(trajectory, shown, ["stay_until"])
