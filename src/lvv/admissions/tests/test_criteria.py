"""The admission criteria are data: national rules plus each pilot municipality's own, evaluated on
what is known about an application (`CriterionRule`, docs/datamodel.md)."""

import datetime as dt

import pytest

from lvv.admissions.criteria import MET, NOT_MET, UNKNOWN, criteria_check, rules_for
from lvv.admissions.models import AdmissionOutcome, CheckKind, CriterionRule
from lvv.admissions.services import admission_decide
from lvv.demo import factories
from lvv.demo.tests.assertions import refused

NATIONAL = {
    CheckKind.NO_HEAVY_ENTRY_BAN,
    CheckKind.NOT_UNDESIRABLE,
    CheckKind.NOT_EU_CITIZEN,
    CheckKind.NOT_DUBLIN,
    CheckKind.NOT_STATE_RECEPTION,
}


def _result(trajectory, kind):
    """The one result for a check kind (fails if the kind is checked twice or not at all)."""
    kinds = dict(CriterionRule.objects.values_list("pk", "check_kind"))
    [result] = [r for r in criteria_check(trajectory) if kinds[r.rule_id] == kind]
    return result


def _applicant(actor, name, **kwargs):
    return factories.registered_trajectory(actor=actor, municipality=factories.municipality(name), **kwargs)


@pytest.mark.parametrize(
    ("name", "local"),
    [
        ("Amsterdam", {CheckKind.REGIOBINDING}),
        ("Eindhoven", {CheckKind.REGIOBINDING, CheckKind.NOT_SAFE_COUNTRY}),
        ("Groningen", {CheckKind.REGIOBINDING, CheckKind.NOT_SAFE_COUNTRY, CheckKind.NO_HEAVY_ENTRY_BAN}),
        (
            "Rotterdam",
            {
                CheckKind.REGIOBINDING,
                CheckKind.ADULT,
                CheckKind.NO_LONG_BBB_ELSEWHERE,
                CheckKind.WILLING_TO_COOPERATE,
                CheckKind.NOT_SAFE_COUNTRY,
            },
        ),
        ("Utrecht", {CheckKind.REGIOBINDING, CheckKind.WILLING_TO_COOPERATE}),
    ],
)
def test_each_pilot_municipality_checks_the_national_rules_plus_its_own(reference_data, name, local):
    rules = rules_for(factories.municipality(name).pk)
    kinds = [r.check_kind for r in rules]
    assert len(kinds) == len(set(kinds)), "a check kind is evaluated at most once"
    assert set(kinds) == NATIONAL | local
    assert {r.check_kind for r in rules if r.municipality is not None} == local


def test_loading_the_reference_data_again_keeps_the_rules_and_their_edits(reference_data):
    from lvv.demo.reference_data import load_reference_data

    rule = CriterionRule.objects.get(municipality__name="Eindhoven", check_kind=CheckKind.REGIOBINDING)
    rule.params = {"min_maanden": 9}
    rule.save()
    count = CriterionRule.objects.count()
    load_reference_data()
    assert CriterionRule.objects.count() == count
    rule.refresh_from_db()
    assert rule.params == {"min_maanden": 9}


# --- Eindhoven: regiobinding of at least half a year -------------------------------------------


@pytest.fixture
def eindhoven_user(reference_data):
    return factories.UserFactory(organisation=factories.municipal_organisation("Eindhoven"))


@pytest.mark.parametrize(
    ("months", "status"),
    [(3, NOT_MET), (5, NOT_MET), (6, MET), (7, MET), (None, UNKNOWN)],
)
def test_eindhoven_requires_six_months_of_regiobinding(eindhoven_user, months, status):
    trajectory = _applicant(
        eindhoven_user, "Eindhoven", facts={"has_regiobinding": True, "regiobinding_months": months}
    )
    result = _result(trajectory, CheckKind.REGIOBINDING)
    assert result.status == status
    assert result.scope == "Eindhoven"


def test_eindhoven_regiobinding_explicitly_absent_is_not_met(eindhoven_user):
    trajectory = _applicant(eindhoven_user, "Eindhoven", facts={"has_regiobinding": False})
    assert _result(trajectory, CheckKind.REGIOBINDING).status == NOT_MET


def test_amsterdam_needs_no_minimum_duration_of_regiobinding(gemeente_user):
    trajectory = _applicant(gemeente_user, "Amsterdam", facts={"has_regiobinding": True})
    assert _result(trajectory, CheckKind.REGIOBINDING).status == MET


def test_eindhoven_admission_with_three_months_of_regiobinding_is_refused(eindhoven_user):
    trajectory = factories.consented_trajectory(
        actor=eindhoven_user,
        municipality=factories.municipality("Eindhoven"),
        facts={**factories.GOOD_FACTS, "regiobinding_months": 3},
    )
    with refused("Regiobinding van minimaal een half jaar", trajectory=trajectory):
        admission_decide(
            actor=eindhoven_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=factories.ADMISSION_DATE,
        )


# --- Rotterdam: adults only --------------------------------------------------------------------


def test_rotterdam_refuses_a_minor(rotterdam_user):
    trajectory = _applicant(
        rotterdam_user, "Rotterdam", birth_date=dt.date(2005, 6, 1), application_date=dt.date(2022, 1, 3)
    )
    result = _result(trajectory, CheckKind.ADULT)
    assert result.status == NOT_MET
    assert "16 jaar" in result.reason
    assert result.exception_possible is False


def test_rotterdam_admits_someone_who_turned_eighteen_before_applying(rotterdam_user):
    trajectory = _applicant(
        rotterdam_user, "Rotterdam", birth_date=dt.date(2004, 1, 3), application_date=dt.date(2022, 1, 3)
    )
    assert _result(trajectory, CheckKind.ADULT).status == MET


def test_rotterdam_age_is_unknown_when_only_a_borderline_birth_year_is_known(rotterdam_user):
    trajectory = _applicant(
        rotterdam_user, "Rotterdam", birth_date=None, birth_year=2004, application_date=dt.date(2022, 1, 3)
    )
    assert _result(trajectory, CheckKind.ADULT).status == UNKNOWN


def test_rotterdam_plain_admission_of_a_minor_is_refused(rotterdam_user):
    trajectory = factories.consented_trajectory(
        actor=rotterdam_user, municipality=factories.municipality("Rotterdam"), birth_date=dt.date(2006, 1, 1)
    )
    with refused("Niet aan alle toelatingscriteria is voldaan (Meerderjarig)", trajectory=trajectory):
        admission_decide(
            actor=rotterdam_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=factories.ADMISSION_DATE,
        )


def test_amsterdam_has_no_adult_rule(gemeente_user):
    trajectory = _applicant(gemeente_user, "Amsterdam", birth_date=dt.date(2006, 1, 1))
    kinds = dict(CriterionRule.objects.values_list("pk", "check_kind"))
    assert CheckKind.ADULT not in {kinds[r.rule_id] for r in criteria_check(trajectory)}


# --- Groningen: its own heavy-entry-ban rule replaces the national one -------------------------


def test_groningen_local_heavy_entry_ban_rule_replaces_the_national_one(reference_data):
    national = CriterionRule.objects.get(municipality=None, check_kind=CheckKind.NO_HEAVY_ENTRY_BAN)
    groningen = CriterionRule.objects.get(municipality__name="Groningen", check_kind=CheckKind.NO_HEAVY_ENTRY_BAN)
    groningen_ids = [r.pk for r in rules_for(factories.municipality("Groningen").pk)]
    amsterdam_ids = [r.pk for r in rules_for(factories.municipality("Amsterdam").pk)]
    assert groningen.pk in groningen_ids and national.pk not in groningen_ids
    assert national.pk in amsterdam_ids and groningen.pk not in amsterdam_ids


def test_groningen_evaluates_a_heavy_entry_ban_with_its_own_exception(reference_data):
    actor = factories.UserFactory(organisation=factories.municipal_organisation("Groningen"))
    trajectory = factories.checked_trajectory(
        actor=actor, municipality=factories.municipality("Groningen"), findings={"heavy_entry_ban": True}
    )
    result = _result(trajectory, CheckKind.NO_HEAVY_ENTRY_BAN)
    assert result.status == NOT_MET
    assert result.scope == "Groningen"
    assert "risicoanalyse" in result.exception_conditions


# --- the kiosk feeds the national rules ----------------------------------------------------------


@pytest.mark.parametrize(
    ("finding", "kind"),
    [
        ("heavy_entry_ban", CheckKind.NO_HEAVY_ENTRY_BAN),
        ("declared_undesirable", CheckKind.NOT_UNDESIRABLE),
        ("eu_citizen", CheckKind.NOT_EU_CITIZEN),
        ("dublin_claimant", CheckKind.NOT_DUBLIN),
        ("entitled_state_reception", CheckKind.NOT_STATE_RECEPTION),
    ],
)
def test_a_kiosk_finding_fails_the_matching_national_rule(gemeente_user, finding, kind):
    trajectory = factories.checked_trajectory(actor=gemeente_user, findings={finding: True})
    results = criteria_check(trajectory)
    kinds = dict(CriterionRule.objects.values_list("pk", "check_kind"))
    assert [kinds[r.rule_id] for r in results if r.status == NOT_MET] == [kind]


def test_national_rules_are_unknown_before_the_kiosk(gemeente_user):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    assert _result(trajectory, CheckKind.NO_HEAVY_ENTRY_BAN).status == UNKNOWN


# --- rules are data ----------------------------------------------------------------------------


def test_editing_a_rules_params_changes_the_outcome(eindhoven_user):
    trajectory = _applicant(eindhoven_user, "Eindhoven", facts={"has_regiobinding": True, "regiobinding_months": 3})
    assert _result(trajectory, CheckKind.REGIOBINDING).status == NOT_MET
    rule = CriterionRule.objects.get(municipality__name="Eindhoven", check_kind=CheckKind.REGIOBINDING)
    rule.params = {"min_maanden": 2}
    rule.save()
    assert _result(trajectory, CheckKind.REGIOBINDING).status == MET


def test_raising_the_minimum_age_changes_the_outcome(rotterdam_user):
    trajectory = _applicant(rotterdam_user, "Rotterdam", birth_date=dt.date(2002, 1, 1))
    assert _result(trajectory, CheckKind.ADULT).status == MET
    CriterionRule.objects.filter(municipality__name="Rotterdam", check_kind=CheckKind.ADULT).update(
        params={"min_leeftijd": 21}
    )
    assert _result(trajectory, CheckKind.ADULT).status == NOT_MET


def test_a_deactivated_local_rule_is_no_longer_checked_and_the_national_one_returns(reference_data):
    actor = factories.UserFactory(organisation=factories.municipal_organisation("Groningen"))
    trajectory = factories.registered_trajectory(actor=actor, municipality=factories.municipality("Groningen"))
    CriterionRule.objects.filter(municipality__name="Groningen", check_kind=CheckKind.NO_HEAVY_ENTRY_BAN).update(
        active=False
    )
    assert _result(trajectory, CheckKind.NO_HEAVY_ENTRY_BAN).scope == "landelijk"


def test_a_new_local_rule_is_checked(gemeente_user, amsterdam):
    CriterionRule.objects.create(
        municipality=amsterdam,
        check_kind=CheckKind.WILLING_TO_COOPERATE,
        label="Bereid mee te werken",
        order=99,
    )
    trajectory = _applicant(gemeente_user, "Amsterdam", facts={"has_regiobinding": True, "willing_to_cooperate": False})
    assert _result(trajectory, CheckKind.WILLING_TO_COOPERATE).status == NOT_MET
