"""The duplicate check at every application ("shopping" between LVVs, docs/duplicaatcontrole.md).
Another LVV's registration is found by keyed fingerprints only and reported as municipality, signal,
month and status — never the person (docs/security.md §4)."""

import dataclasses
import datetime as dt

import pytest

from lvv.demo import factories
from lvv.people.duplicates import LocalMatch, OtherRegistration, duplicate_check
from lvv.people.models import Person, PersonFingerprint

V = ("v_number",)
NAME_DATE = ("name_birth_date",)
NAME_YEAR = ("name_birth_year",)


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


def test_same_v_number_in_another_municipality_reveals_only_municipality_signal_month_and_status(
    registered_in_amsterdam, rotterdam
):
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890", family_name="Onbekend")
    assert report.found
    assert report.same_lvv == []
    assert report.other_lvv == [
        OtherRegistration(municipality="Amsterdam", signals=V, since="2022-01", status="Toegelaten")
    ]
    registration = report.other_lvv[0]
    assert registration.strong and registration.strength == "sterk signaal"
    assert registration.signal == "zelfde V-nummer"
    assert {f.name for f in dataclasses.fields(OtherRegistration)} == {"municipality", "signals", "since", "status"}
    assert report.other_person_ids == [registered_in_amsterdam.person_id]  # for the access log only


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
        "start_date",
    }
    assert not person_fields & {f.name for f in dataclasses.fields(OtherRegistration)}


def test_cross_municipality_match_reveals_no_name_birth_date_or_v_number(registered_in_amsterdam, rotterdam):
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890", family_name="Iemand Anders")
    shown = repr(report.other_lvv) + " ".join(f"{r.signal} {r.strength}" for r in report.other_lvv)
    for secret in ("Mohammed", "Ali", "1990", "1234567890", "SO", registered_in_amsterdam.person.person_key):
        assert secret not in shown


def test_the_check_of_other_lvvs_reads_no_person_record(registered_in_amsterdam, rotterdam):
    """The other LVVs are compared through the fingerprint table: no query touches their persons."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = duplicate_check(
            municipality_id=rotterdam.pk,
            v_number="1234567890",
            given_names="Mohammed",
            family_name="Ali",
            birth_year=1990,
        )
    assert report.other_lvv
    person_table = Person._meta.db_table
    for query in queries.captured_queries:
        sql = query["sql"]
        if f'"{person_table}"' in sql:
            assert "WHERE" in sql and f'"{person_table}"."municipality_id" = {rotterdam.pk}' in sql, sql


def test_other_registration_before_admission_reports_the_application_month(gemeente_user, rotterdam):
    factories.registered_trajectory(actor=gemeente_user, v_number="1234567890", application_date=dt.date(2022, 1, 3))
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890")
    assert report.other_lvv == [OtherRegistration("Amsterdam", V, "2022-01", "Aangemeld")]


def test_every_trajectory_in_another_municipality_is_reported(gemeente_user, rotterdam):
    first = factories.outflowed_trajectory(actor=gemeente_user, v_number="1234567890", outflow_date=dt.date(2022, 6, 1))
    factories.registered_trajectory(actor=gemeente_user, person=first.person, application_date=dt.date(2022, 9, 1))
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890")
    assert [(r.since, r.status) for r in report.other_lvv] == [("2022-01", "Uitgestroomd"), ("2022-09", "Aangemeld")]


def test_name_and_birth_year_elsewhere_is_a_weak_signal(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Mohammed", family_name="Ali", birth_year=1990, country="SO"
    )
    assert report.other_lvv == [OtherRegistration("Amsterdam", NAME_YEAR, "2022-01", "Toegelaten")]
    assert not report.other_lvv[0].strong
    assert report.other_lvv[0].strength == "zwak signaal"
    assert report.other_lvv[0].signal == "zelfde naam en geboortejaar"


def test_name_order_case_and_diacritics_do_not_matter_elsewhere(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="ALI", family_name="  Mohámmed ", birth_date=dt.date(1990, 7, 1)
    )
    assert [r.signals for r in report.other_lvv] == [NAME_YEAR]


def test_name_and_full_birth_date_is_reported_as_such_not_also_as_year(gemeente_user, rotterdam):
    factories.registered_trajectory(
        actor=gemeente_user, given_names="Ayaan", family_name="Warsame", birth_date=dt.date(1988, 3, 9)
    )
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Ayaan", family_name="Warsame", birth_date=dt.date(1988, 3, 9)
    )
    assert [r.signals for r in report.other_lvv] == [NAME_DATE]
    assert report.other_lvv[0].signal == "zelfde naam en geboortedatum"


def test_v_number_and_name_together_are_both_reported_strongest_first(gemeente_user, rotterdam):
    factories.registered_trajectory(
        actor=gemeente_user,
        given_names="Ayaan",
        family_name="Warsame",
        birth_date=dt.date(1988, 3, 9),
        v_number="2345678901",
    )
    report = duplicate_check(
        municipality_id=rotterdam.pk,
        v_number="2345678901",
        given_names="Ayaan",
        family_name="Warsame",
        birth_date=dt.date(1988, 3, 9),
    )
    assert [r.signals for r in report.other_lvv] == [("v_number", "name_birth_date")]
    assert report.other_lvv[0].signal == "zelfde V-nummer; zelfde naam en geboortedatum"


def test_a_typo_in_the_name_is_missed_in_other_lvvs_but_found_in_the_own(registered_in_amsterdam, rotterdam, amsterdam):
    """The documented limit: across municipalities names are compared exactly after normalisation."""
    wanted = {"given_names": "Mohamed", "family_name": "Ali", "birth_year": 1990, "country": "SO"}
    assert not duplicate_check(municipality_id=rotterdam.pk, **wanted).found
    assert [m.person for m in duplicate_check(municipality_id=amsterdam.pk, **wanted).same_lvv] == [
        registered_in_amsterdam.person
    ]


def test_an_alias_elsewhere_is_matched_and_so_is_an_alias_on_the_form(gemeente_user, rotterdam):
    factories.registered_trajectory(
        actor=gemeente_user,
        given_names="Kofi",
        family_name="Mensah",
        birth_date=dt.date(1985, 2, 2),
        country_of_origin="GH",
        aliases=["Kwame Asante"],
    )
    by_alias = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Kwame", family_name="Asante", birth_date=dt.date(1985, 2, 2)
    )
    assert [r.signals for r in by_alias.other_lvv] == [NAME_DATE]
    form_alias = duplicate_check(
        municipality_id=rotterdam.pk,
        given_names="K.",
        family_name="Onbekend",
        birth_date=dt.date(1985, 2, 2),
        aliases=["Mensah Kofi"],
    )
    assert [r.signals for r in form_alias.other_lvv] == [NAME_DATE]


def test_a_name_without_any_birth_date_or_year_is_not_compared_elsewhere(gemeente_user, rotterdam):
    factories.registered_trajectory(actor=gemeente_user, given_names="Kofi", family_name="Mensah", birth_date=None)
    assert not duplicate_check(municipality_id=rotterdam.pk, given_names="Kofi", family_name="Mensah").found


def test_fingerprints_made_with_another_key_never_match(registered_in_amsterdam, rotterdam, settings):
    settings.LVV_DUPLICATE_KEY = "een-nieuwe-sleutel"
    assert not duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890").found
    assert PersonFingerprint.objects.filter(person=registered_in_amsterdam.person).exists()


def test_same_name_with_a_different_birth_year_is_not_a_match(registered_in_amsterdam, rotterdam):
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Mohammed", family_name="Ali", birth_year=1985, country="SO"
    )
    assert not report.found


def test_same_name_with_a_different_country_is_not_a_match_in_the_own_lvv(registered_in_amsterdam, amsterdam):
    report = duplicate_check(
        municipality_id=amsterdam.pk, given_names="Mohamed", family_name="Ali", birth_year=1990, country="SD"
    )
    assert not report.found


def test_the_country_is_not_part_of_the_fingerprint(registered_in_amsterdam, rotterdam):
    """Documented: the country is often unknown or changes (staatloos); it would hide real matches."""
    report = duplicate_check(
        municipality_id=rotterdam.pk, given_names="Mohammed", family_name="Ali", birth_year=1990, country="SD"
    )
    assert [r.signals for r in report.other_lvv] == [NAME_YEAR]


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
