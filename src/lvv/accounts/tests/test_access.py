"""Who sees which trajectory and which notes (docs/access.md: every party sees exactly what it is
entitled to, no more). The visibility matrix is one generated test."""

import datetime as dt

import pytest

from lvv.accounts.access import (
    can,
    can_view_trajectory,
    note_scope,
)
from lvv.admissions.services import consent_record, consent_withdraw
from lvv.demo import factories
from lvv.people.selectors import person_scope
from lvv.trajectories.selectors import trajectory_scope
from lvv.trajectories.services import note_add, trajectory_assign_organisations

ROLES = [
    "gemeente_user",
    "lso_chair",
    "rotterdam_user",
    "ngo_user",
    "ind_user",
    "dtv_user",
    "avim_user",
    "programmabureau_user",
]


@pytest.fixture
def cases(gemeente_user, rotterdam_user, ngo):
    """Five trajectories that differ in municipality, consent and NGO assignment:

    A1  Amsterdam, consent ngo + IND, assigned to the NGO
    A2  Amsterdam, consent ngo + DT&V + AVIM, not assigned
    A3  Amsterdam, no consent yet (aangemeld), assigned to the NGO
    A4  Amsterdam, consent IND only (not ngo), assigned to the NGO
    R1  Rotterdam, consent ngo + IND + DT&V
    """
    a1 = factories.admitted_trajectory(actor=gemeente_user, share_ngo=True, share_ind=True)
    a2 = factories.admitted_trajectory(actor=gemeente_user, share_ngo=True, share_dtv=True, share_avim=True)
    a3 = factories.registered_trajectory(actor=gemeente_user)
    a4 = factories.admitted_trajectory(actor=gemeente_user, share_ngo=False, share_ind=True)
    r1 = factories.admitted_trajectory(actor=rotterdam_user, share_ngo=True, share_ind=True, share_dtv=True)
    for trajectory in (a1, a3, a4):
        trajectory_assign_organisations(actor=gemeente_user, trajectory=trajectory, organisations=[ngo])
    return {"A1": a1, "A2": a2, "A3": a3, "A4": a4, "R1": r1}


VISIBLE = {
    "gemeente_user": {"A1", "A2", "A3", "A4"},
    "lso_chair": {"A1", "A2", "A3", "A4"},
    "rotterdam_user": {"R1"},
    "ngo_user": {"A1"},
    "ind_user": {"A1", "A4", "R1"},
    "dtv_user": {"A2", "R1"},
    "avim_user": {"A2"},
    "programmabureau_user": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_trajectory_scope_per_role(request, cases, role):
    user = request.getfixturevalue(role)
    names = {t.pk: name for name, t in cases.items()}
    assert {names[pk] for pk in trajectory_scope(user).values_list("pk", flat=True)} == VISIBLE[role]
    for name, trajectory in cases.items():
        assert can_view_trajectory(user, trajectory) is (name in VISIBLE[role])


@pytest.mark.parametrize("role", ROLES)
def test_person_scope_follows_the_trajectory_scope(request, cases, role):
    user = request.getfixturevalue(role)
    expected = {cases[name].person_id for name in VISIBLE[role]}
    assert set(person_scope(user).values_list("pk", flat=True)) == expected


def test_a_user_without_organisation_sees_nothing(cases):
    user = factories.UserFactory(organisation=None)
    assert not trajectory_scope(user).exists()
    assert not person_scope(user).exists()


def test_a_deactivated_user_sees_nothing(cases, gemeente_user):
    gemeente_user.is_active = False
    gemeente_user.save()
    assert not trajectory_scope(gemeente_user).exists()


def test_ngo_loses_sight_when_unassigned(cases, gemeente_user, ngo_user):
    trajectory_assign_organisations(actor=gemeente_user, trajectory=cases["A1"], organisations=[])
    assert not can_view_trajectory(ngo_user, cases["A1"])


def test_ngo_of_another_municipality_cannot_be_assigned(cases, gemeente_user, rotterdam):
    from lvv.demo.tests.assertions import refused

    other = factories.OrganisationFactory(municipality=rotterdam)
    with refused("is geen ngo van deze gemeente", trajectory=cases["A2"]):
        trajectory_assign_organisations(actor=gemeente_user, trajectory=cases["A2"], organisations=[other])


@pytest.mark.parametrize(
    ("role", "case"), [("ind_user", "A1"), ("dtv_user", "A2"), ("avim_user", "A2"), ("ngo_user", "A1")]
)
def test_parties_lose_sight_after_consent_withdrawal(request, cases, gemeente_user, role, case):
    user = request.getfixturevalue(role)
    trajectory = cases[case]
    assert can_view_trajectory(user, trajectory)
    consent_withdraw(actor=gemeente_user, consent=trajectory.consents.get(), withdrawn_on=dt.date(2022, 3, 1))
    assert not can_view_trajectory(user, trajectory)
    assert can_view_trajectory(gemeente_user, trajectory), "the municipality keeps its own case"


def test_a_new_consent_without_the_party_ends_its_sight(cases, gemeente_user, ind_user, dtv_user):
    consent_record(actor=gemeente_user, trajectory=cases["A1"], signed_on=dt.date(2022, 3, 1), share_dtv=True)
    assert not can_view_trajectory(ind_user, cases["A1"])
    assert can_view_trajectory(dtv_user, cases["A1"])


@pytest.mark.parametrize(
    ("role", "case"),
    [("ind_user", "A1"), ("dtv_user", "A2"), ("avim_user", "A2"), ("programmabureau_user", "A1")],
)
def test_chain_partners_and_programmabureau_may_not_write(request, cases, role, case):
    user = request.getfixturevalue(role)
    for action in (
        "register",
        "admit",
        "consent",
        "place",
        "perspective",
        "instruments",
        "outflow",
        "note",
        "assign",
    ):
        assert not can(user, action, cases[case])


def test_ngo_may_only_record_guidance(cases, ngo_user):
    allowed = {
        a
        for a in (
            "register",
            "admit",
            "consent",
            "place",
            "perspective",
            "instruments",
            "outflow",
            "note",
            "assign",
        )
        if can(ngo_user, a, cases["A1"])
    }
    assert allowed == {"instruments", "note", "place"}


def test_the_municipality_may_not_write_to_another_municipalitys_case(cases, rotterdam_user):
    assert not can(rotterdam_user, "outflow", cases["A1"])
    assert can(rotterdam_user, "outflow", cases["R1"])


# --- notes -------------------------------------------------------------------------------------


@pytest.fixture
def notes(cases, gemeente_user, ngo_user, ind_user):
    trajectory = cases["A1"]
    # Share with every party, so each chain partner may open the trajectory and only the note class decides.
    consent_record(
        actor=gemeente_user,
        trajectory=trajectory,
        signed_on=dt.date(2022, 2, 1),
        share_ngo=True,
        share_ind=True,
        share_dtv=True,
        share_avim=True,
    )
    return {
        "gemeente_organisatie": note_add(
            actor=gemeente_user,
            trajectory=trajectory,
            text="Intern: woningzoektocht.",
            visibility="organisatie",
        ),
        "ngo_organisatie": note_add(
            actor=ngo_user, trajectory=trajectory, text="Vertrouwelijk gesprek.", visibility="organisatie"
        ),
        "ngo_lso": note_add(actor=ngo_user, trajectory=trajectory, text="Werkt mee aan documenten.", visibility="lso"),
        "ind_organisatie": note_add(
            actor=ind_user, trajectory=trajectory, text="Dossier opgevraagd.", visibility="organisatie"
        ),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("gemeente_user", {"gemeente_organisatie", "ngo_lso"}),
        ("lso_chair", {"gemeente_organisatie", "ngo_lso"}),
        ("ngo_user", {"ngo_organisatie", "ngo_lso"}),
        ("ind_user", {"ind_organisatie", "ngo_lso"}),
        ("dtv_user", {"ngo_lso"}),
        ("avim_user", {"ngo_lso"}),
        ("programmabureau_user", set()),
    ],
)
def test_note_scope_hides_organisation_notes_of_other_organisations(request, cases, notes, role, expected):
    user = request.getfixturevalue(role)
    assert can_view_trajectory(user, cases["A1"]) is (role != "programmabureau_user")
    names = {n.pk: name for name, n in notes.items()}
    assert {names[pk] for pk in note_scope(user, cases["A1"]).values_list("pk", flat=True)} == expected


def test_an_organisation_note_is_not_a_shared_timeline_event(cases, notes):
    events = cases["A1"].events.filter(kind="notitie")
    assert sorted(events.values_list("shared", flat=True)) == [False, False, False, True]
