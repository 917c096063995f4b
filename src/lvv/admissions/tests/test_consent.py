"""The consent in force: a person's latest declaration over all his trajectories, with its
withdrawals, decides who sees him; admission needs it to cover the parties at the LSO table, or the
LSO's recorded decision to admit without them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from lvv.admissions.consent import consent_in_force, consent_in_force_refresh, covered_parties
from lvv.admissions.models import AdmissionOutcome, Consent
from lvv.admissions.services import admission_decide, application_register, consent_record, consent_withdraw
from lvv.demo import factories
from lvv.demo.tests.assertions import refused
from lvv.people.selectors import person_scope
from lvv.people.services import identity_check_record
from lvv.trajectories.models import Stage, TimelineEvent, Trajectory
from lvv.trajectories.selectors import trajectory_scope
from lvv.trajectories.services import outflow_register

ALL = {"share_ngo": True, "share_ind": True, "share_dtv": True, "share_avim": True}


def _second_trajectory(actor, first: Trajectory, **shares) -> Trajectory:
    """The same person applies again after his first trajectory ended, and signs a new declaration."""
    outflow_register(actor=actor, trajectory=first, outflow_date=dt.date(2022, 6, 1), outcome_code="mob")
    second = application_register(
        actor=actor, person=first.person, application_date=dt.date(2022, 9, 1), **factories.GOOD_FACTS
    )
    identity_check_record(actor=actor, trajectory=second, performed_on=dt.date(2022, 9, 1), outcome="vingerafdrukken")
    consent_record(actor=actor, trajectory=second, signed_on=dt.date(2022, 9, 2), **shares)
    return second


def test_the_latest_declaration_over_all_trajectories_is_in_force(gemeente_user):
    first = factories.admitted_trajectory(actor=gemeente_user, **ALL)
    assert consent_in_force(first.person_id).trajectory_id == first.pk
    second = _second_trajectory(gemeente_user, first, share_ngo=True, share_dtv=True)
    in_force = consent_in_force(first.person_id)
    assert in_force.trajectory_id == second.pk and covered_parties(in_force) == ["ngo", "dtv"]
    assert Consent.objects.filter(person=first.person, in_force=True).count() == 1
    # A second declaration on the same trajectory replaces the first there, and is the one in force.
    consent_record(actor=gemeente_user, trajectory=second, signed_on=dt.date(2022, 9, 5), share_ngo=True)
    assert covered_parties(consent_in_force(first.person_id)) == ["ngo"]


def test_the_database_holds_one_declaration_in_force_per_person(gemeente_user):
    trajectory = factories.admitted_trajectory(actor=gemeente_user, **ALL)
    consent_record(actor=gemeente_user, trajectory=trajectory, signed_on=dt.date(2022, 2, 1), share_ngo=True)
    older = Consent.objects.filter(person=trajectory.person, in_force=False).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=older.pk).update(in_force=True)


def test_refresh_follows_the_date_of_signing_not_the_order_of_recording(gemeente_user):
    trajectory = factories.admitted_trajectory(actor=gemeente_user, **ALL)
    latest = consent_in_force(trajectory.person_id)
    # An older paper declaration recorded afterwards (signed before the one in force): not in force.
    Consent.objects.create(
        trajectory=trajectory,
        person=trajectory.person,
        signed_on=dt.date(2022, 1, 4),
        share_ngo=True,
        recorded_by=gemeente_user,
    )
    assert consent_in_force_refresh(trajectory.person_id).pk == latest.pk
    assert consent_in_force(trajectory.person_id).pk == latest.pk


@pytest.mark.parametrize(
    ("party", "user_fixture"), [("ngo", "ngo_user"), ("ind", "ind_user"), ("dtv", "dtv_user"), ("avim", "avim_user")]
)
@pytest.mark.parametrize("how", ["new declaration without the party", "party withdrawn", "whole declaration withdrawn"])
def test_an_older_declaration_never_grants_what_the_latest_withholds(
    request, gemeente_user, ngo, party, user_fixture, how
):
    user = request.getfixturevalue(user_fixture)
    first = factories.admitted_trajectory(actor=gemeente_user, **ALL)
    first.assigned_organisations.add(ngo)
    shares = dict(ALL)
    if how == "new declaration without the party":
        shares[f"share_{party}"] = False
    second = _second_trajectory(gemeente_user, first, **shares)
    second.assigned_organisations.add(ngo)
    if how != "new declaration without the party":
        consent_withdraw(
            actor=gemeente_user,
            consent=consent_in_force(first.person_id),
            withdrawn_on=dt.date(2022, 9, 3),
            party=party if how == "party withdrawn" else "",
        )
    assert not trajectory_scope(user).filter(person=first.person).exists()
    assert not person_scope(user).filter(pk=first.person_id).exists()
    # The municipality keeps its access.
    assert trajectory_scope(gemeente_user).filter(person=first.person).count() == 2


@pytest.mark.parametrize(("party", "user_fixture"), [("ind", "ind_user"), ("dtv", "dtv_user"), ("avim", "avim_user")])
def test_a_renewed_declaration_opens_both_trajectories(gemeente_user, request, party, user_fixture):
    user = request.getfixturevalue(user_fixture)
    first = factories.admitted_trajectory(actor=gemeente_user)  # ngo's only
    assert not trajectory_scope(user).filter(person=first.person).exists()
    _second_trajectory(gemeente_user, first, share_ngo=True, **{f"share_{party}": True})
    assert trajectory_scope(user).filter(person=first.person).count() == 2
    assert person_scope(user).filter(pk=first.person_id).exists()


# --- admission and the LSO table -------------------------------------------------------------------


def test_admission_needs_consent_for_every_party_at_the_table_or_the_lsos_decision(lso_chair):
    trajectory = factories.consented_trajectory(actor=lso_chair, share_ngo=True, share_ind=True)
    with refused("geldt niet voor DT&V en AVIM, die aan tafel zitten bij het LSO van Amsterdam", trajectory=trajectory):
        admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=factories.ADMISSION_DATE,
        )
    with refused("vraagt de datum van het LSO", trajectory=trajectory):
        admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=factories.ADMISSION_DATE,
            consent_exception_motivation="De deelnemer wil AVIM en DT&V niet; het LSO laat toe.",
        )
    decision = admission_decide(
        actor=lso_chair,
        trajectory=trajectory,
        outcome=AdmissionOutcome.TOEGELATEN,
        decided_on=factories.ADMISSION_DATE,
        consent_exception_motivation="De deelnemer wil AVIM en DT&V niet; het LSO laat toe.",
        lso_meeting_date=dt.date(2022, 1, 7),
    )
    assert (decision.consent_missing, decision.lso_meeting_date) == ("dtv,avim", dt.date(2022, 1, 7))
    event = TimelineEvent.objects.get(trajectory=trajectory, kind="toelating")
    assert "zonder toestemming voor DT&V en AVIM (besluit LSO van 7 januari 2022)" in event.description


def test_a_consent_covering_the_table_admits_without_an_lso_decision(gemeente_user, amsterdam):
    amsterdam.lso_parties = ["ngo", "ind"]
    amsterdam.save(update_fields=["lso_parties"])
    trajectory = factories.consented_trajectory(actor=gemeente_user, share_ngo=True, share_ind=True)
    decision = admission_decide(
        actor=gemeente_user, trajectory=trajectory, outcome="toegelaten", decided_on=factories.ADMISSION_DATE
    )
    assert decision.consent_missing == "" and decision.lso_meeting_date is None


def test_a_withdrawal_on_the_declaration_counts_at_admission(gemeente_user):
    trajectory = factories.consented_trajectory(actor=gemeente_user, **ALL)
    consent_withdraw(
        actor=gemeente_user, consent=trajectory.consents.get(), withdrawn_on=dt.date(2022, 1, 6), party="dtv"
    )
    with refused("geldt niet voor DT&V", trajectory=trajectory):
        admission_decide(
            actor=gemeente_user, trajectory=trajectory, outcome="toegelaten", decided_on=factories.ADMISSION_DATE
        )


def test_an_earlier_trajectorys_declaration_does_not_admit_a_new_application(gemeente_user):
    first = factories.admitted_trajectory(actor=gemeente_user, **ALL)
    outflow_register(actor=gemeente_user, trajectory=first, outflow_date=dt.date(2022, 6, 1), outcome_code="mob")
    second = application_register(
        actor=gemeente_user, person=first.person, application_date=dt.date(2022, 9, 1), **factories.GOOD_FACTS
    )
    identity_check_record(
        actor=gemeente_user, trajectory=second, performed_on=dt.date(2022, 9, 1), outcome="vingerafdrukken"
    )
    with refused("voor deze aanmelding een toestemmingsverklaring heeft getekend", trajectory=second):
        admission_decide(actor=gemeente_user, trajectory=second, outcome="toegelaten", decided_on=dt.date(2022, 9, 5))
    assert Trajectory.objects.get(pk=second.pk).stage == Stage.IN_TOETSING
