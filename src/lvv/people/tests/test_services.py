"""Person records and the identity check at the kiosk."""

import datetime as dt

import pytest

from lvv.core import clock
from lvv.demo import factories
from lvv.demo.tests.assertions import refused
from lvv.people.models import Person
from lvv.people.services import identity_check_record, person_create, person_update
from lvv.trajectories.models import Stage, TimelineEvent


@pytest.mark.parametrize(
    "v_number", ["123456789", "12345678901", "12345678AB", "1234 56789", "V123456789", "١٢٣٤٥٦٧٨٩٠"]
)
def test_v_number_that_is_not_ten_digits_is_refused(gemeente_user, amsterdam, v_number):
    with refused("Een V-nummer bestaat uit precies 10 cijfers"):
        person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali", v_number=v_number)
    assert not Person.objects.exists()


def test_changing_a_v_number_to_nine_digits_is_refused(gemeente_user, admitted_trajectory):
    person = admitted_trajectory.person
    with refused("Een V-nummer bestaat uit precies 10 cijfers", trajectory=admitted_trajectory):
        person_update(actor=gemeente_user, person=person, v_number="123456789")
    person.refresh_from_db()
    assert person.v_number == ""


def test_v_number_surrounded_by_spaces_is_stored_trimmed(gemeente_user, amsterdam):
    person = person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali", v_number=" 1234567890 ")
    person.refresh_from_db()
    assert person.v_number == "1234567890"


def test_duplicate_v_number_within_a_municipality_is_refused(gemeente_user, amsterdam):
    person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali", v_number="1234567890")
    with refused("Dit V-nummer is in deze gemeente al geregistreerd bij een andere persoon"):
        person_create(actor=gemeente_user, municipality=amsterdam, family_name="Yusuf", v_number="1234567890")
    assert Person.objects.filter(v_number="1234567890").count() == 1


def test_giving_an_existing_person_a_v_number_taken_in_the_municipality_is_refused(gemeente_user, amsterdam):
    person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali", v_number="1234567890")
    other = person_create(actor=gemeente_user, municipality=amsterdam, family_name="Yusuf")
    with refused("Dit V-nummer is in deze gemeente al geregistreerd"):
        person_update(actor=gemeente_user, person=other, v_number="1234567890")


def test_same_v_number_in_another_municipality_is_allowed(gemeente_user, rotterdam_user, amsterdam, rotterdam):
    person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali", v_number="1234567890")
    person_create(actor=rotterdam_user, municipality=rotterdam, family_name="Ali", v_number="1234567890")
    assert Person.objects.filter(v_number="1234567890").count() == 2


def test_several_persons_without_v_number_are_allowed(gemeente_user, amsterdam):
    person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali")
    person_create(actor=gemeente_user, municipality=amsterdam, family_name="Yusuf")
    assert Person.objects.filter(v_number="").count() == 2


def test_birth_date_in_the_future_is_refused(gemeente_user, amsterdam):
    with clock.frozen(dt.date(2022, 3, 1)), refused("De geboortedatum ligt in de toekomst"):
        person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali", birth_date=dt.date(2022, 3, 2))


def test_unknown_country_code_is_refused(gemeente_user, amsterdam):
    with refused("Kies een land uit de lijst"):
        person_create(actor=gemeente_user, municipality=amsterdam, family_name="Ali", country_of_origin="XX")


def test_updating_a_person_is_recorded_on_the_open_trajectory(gemeente_user, admitted_trajectory):
    person_update(actor=gemeente_user, person=admitted_trajectory.person, v_number="1234567890")
    event = TimelineEvent.objects.get(trajectory=admitted_trajectory, kind="persoonsgegevens")
    assert event.actor == gemeente_user
    assert "V-nummer" in event.description


# --- identity check at the kiosk ---------------------------------------------------------------


def test_identity_check_in_the_future_is_refused(gemeente_user):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    with (
        clock.frozen(dt.date(2022, 1, 4)),
        refused("De datum van de identiteitscontrole ligt in de toekomst", trajectory=trajectory),
    ):
        identity_check_record(
            actor=gemeente_user,
            trajectory=trajectory,
            performed_on=dt.date(2022, 1, 5),
            outcome="vingerafdrukken",
        )


def test_identity_check_not_taken_needs_a_reason(gemeente_user):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    with refused("Geef de reden waarom de identiteitscontrole niet is afgenomen", trajectory=trajectory):
        identity_check_record(
            actor=gemeente_user,
            trajectory=trajectory,
            performed_on=dt.date(2022, 1, 4),
            outcome="niet_afgenomen",
            not_taken_reason="  ",
        )


def test_identity_check_on_a_closed_trajectory_is_refused(gemeente_user):
    trajectory = factories.refused_trajectory(actor=gemeente_user)
    with refused("Dit traject is afgesloten", trajectory=trajectory):
        identity_check_record(
            actor=gemeente_user,
            trajectory=trajectory,
            performed_on=dt.date(2022, 1, 12),
            outcome="vingerafdrukken",
        )


def test_identity_check_moves_the_application_into_assessment_and_logs_the_findings(gemeente_user):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    check = identity_check_record(
        actor=gemeente_user,
        trajectory=trajectory,
        performed_on=dt.date(2022, 1, 4),
        outcome="vingerafdrukken",
        heavy_entry_ban=True,
        registered_other_lvv=True,
    )
    trajectory.refresh_from_db()
    assert trajectory.stage == Stage.IN_TOETSING
    assert check.heavy_entry_ban and check.registered_other_lvv and not check.dublin_claimant
    event = TimelineEvent.objects.get(trajectory=trajectory, kind="identiteitscontrole")
    assert "zwaar inreisverbod" in event.description
    assert "al ingeschreven bij een andere LVV" in event.description
