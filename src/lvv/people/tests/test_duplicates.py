"""The duplicate check at every application ("shopping" between LVVs, domain brief §3). Another
LVV's registration is reported as municipality, start date and status only — never the person."""

import dataclasses
import datetime as dt

import pytest

from lvv.core.tests import factories
from lvv.people.duplicates import LocalMatch, OtherRegistration, duplicate_check


@pytest.fixture
def registered_in_amsterdam(gemeente_user):
    """Mohammed Ali, born 1990 in Somalia, admitted in Amsterdam on 10 January 2022."""
    return factories.admitted_trajectory(
        actor=gemeente_user,
        given_names="Mohammed",
        family_name="Ali",
        birth_date=None,
        birth_year=1990,
        country_of_origin="SO",
        v_number="1234567890",
    )


def test_same_v_number_in_another_municipality_reveals_only_municipality_start_and_status(
    registered_in_amsterdam, rotterdam
):
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890", family_name="Onbekend")
    assert report.found
    assert report.same_lvv == []
    assert report.other_lvv == [
        OtherRegistration(municipality="Amsterdam", start_date=dt.date(2022, 1, 10), status="Toegelaten")
    ]
    assert {f.name for f in dataclasses.fields(OtherRegistration)} == {"municipality", "start_date", "status"}
    registration = report.other_lvv[0]
    assert all(isinstance(getattr(registration, f), str | dt.date) for f in ("municipality", "start_date", "status"))


def test_other_registration_carries_no_person_fields():
    person_fields = {
        "person",
        "person_id",
        "given_names",
        "family_name",
        "birth_date",
        "birth_year",
        "v_number",
        "country_of_origin",
        "phone",
        "email",
        "address",
    }
    assert not person_fields & {f.name for f in dataclasses.fields(OtherRegistration)}


def test_other_registration_before_admission_reports_the_application_date(gemeente_user, rotterdam):
    factories.registered_trajectory(actor=gemeente_user, v_number="1234567890", application_date=dt.date(2022, 1, 3))
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890")
    assert report.other_lvv == [OtherRegistration("Amsterdam", dt.date(2022, 1, 3), "Aangemeld")]


def test_every_trajectory_in_another_municipality_is_reported(gemeente_user, rotterdam):
    first = factories.outflowed_trajectory(actor=gemeente_user, v_number="1234567890", outflow_date=dt.date(2022, 6, 1))
    factories.registered_trajectory(actor=gemeente_user, person=first.person, application_date=dt.date(2022, 9, 1))
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890")
    assert [(r.start_date, r.status) for r in report.other_lvv] == [
        (dt.date(2022, 1, 10), "Uitgestroomd"),
        (dt.date(2022, 9, 1), "Aangemeld"),
    ]


def test_fuzzy_name_with_a_typo_and_same_birth_year_and_country_is_found(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Mohamed", family_name="Ali", birth_year=1990, country="SO"
    )
    assert report.other_lvv == [OtherRegistration("Amsterdam", dt.date(2022, 1, 10), "Toegelaten")]


def test_fuzzy_name_with_swapped_names_and_a_full_birth_date_is_found(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk,
        given_names="Ali",
        family_name="Mohammed",
        birth_date=dt.date(1990, 7, 1),
        country="SO",
    )
    assert len(report.other_lvv) == 1


def test_same_name_with_a_different_birth_year_is_not_a_match(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Mohamed", family_name="Ali", birth_year=1985, country="SO"
    )
    assert not report.found


def test_same_name_with_a_different_country_is_not_a_match(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Mohamed", family_name="Ali", birth_year=1990, country="SD"
    )
    assert not report.found


def test_a_different_name_is_not_a_match(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Ahmed", family_name="Hassan", birth_year=1990, country="SO"
    )
    assert not report.found


def test_match_in_the_own_municipality_returns_the_person(registered_in_amsterdam, amsterdam):
    person = registered_in_amsterdam.person
    report = duplicate_check(municipality_id=amsterdam.pk, v_number="1234567890")
    assert report.other_lvv == []
    assert len(report.same_lvv) == 1
    match = report.same_lvv[0]
    assert isinstance(match, LocalMatch)
    assert match.person == person
    assert match.reasons == ["zelfde V-nummer"]
    assert match.score == 100.0


def test_fuzzy_match_in_the_own_municipality_returns_the_person(registered_in_amsterdam, amsterdam):
    report = duplicate_check(
        municipality_id=amsterdam.pk, given_names="Mohamed", family_name="Ali", birth_year=1990, country="SO"
    )
    assert [m.person for m in report.same_lvv] == [registered_in_amsterdam.person]
    assert report.same_lvv[0].reasons[0].startswith("naam lijkt")


def test_an_alias_is_matched_too(gemeente_user, amsterdam):
    trajectory = factories.registered_trajectory(
        actor=gemeente_user,
        given_names="Kofi",
        family_name="Mensah",
        birth_date=dt.date(1985, 2, 2),
        country_of_origin="GH",
        aliases=["Kwame Asante"],
    )
    report = duplicate_check(
        municipality_id=amsterdam.pk, given_names="Kwame", family_name="Asante", birth_year=1985, country="GH"
    )
    assert [m.person for m in report.same_lvv] == [trajectory.person]


def test_the_person_being_edited_is_not_its_own_duplicate(registered_in_amsterdam, amsterdam):
    report = duplicate_check(
        municipality_id=amsterdam.pk,
        v_number="1234567890",
        exclude_person_id=registered_in_amsterdam.person_id,
    )
    assert not report.found


def test_nothing_to_compare_finds_nothing(registered_in_amsterdam, amsterdam):
    assert not duplicate_check(municipality_id=amsterdam.pk).found
