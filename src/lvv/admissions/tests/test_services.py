"""Application, consent and the admission decision: who may be admitted, when, and how."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from lvv.admissions.models import AdmissionDecision, AdmissionOutcome
from lvv.admissions.services import (
    admission_decide,
    application_register,
    consent_record,
    consent_withdraw,
)
from lvv.core import clock
from lvv.demo import factories
from lvv.demo.tests.assertions import refused
from lvv.people.services import person_create
from lvv.trajectories.models import Stage, TimelineEvent, Trajectory

DECIDED_ON = factories.ADMISSION_DATE


# --- admission ---------------------------------------------------------------------------------


def test_admission_without_consent_is_refused(gemeente_user):
    trajectory = factories.checked_trajectory(actor=gemeente_user)
    with refused(
        "Toelating kan pas als de deelnemer voor deze aanmelding een toestemmingsverklaring heeft getekend",
        trajectory=trajectory,
    ):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=DECIDED_ON,
        )


def test_admission_after_consent_withdrawal_is_refused(gemeente_user):
    trajectory = factories.consented_trajectory(actor=gemeente_user)
    consent_withdraw(actor=gemeente_user, consent=trajectory.consents.get(), withdrawn_on=dt.date(2022, 1, 6))
    with refused(
        "toestemmingsverklaring heeft getekend die van kracht is en niet is ingetrokken", trajectory=trajectory
    ):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=DECIDED_ON,
        )


def test_exception_after_consent_withdrawal_is_refused_too(lso_chair):
    trajectory = factories.consented_trajectory(actor=lso_chair)
    consent_withdraw(actor=lso_chair, consent=trajectory.consents.get(), withdrawn_on=dt.date(2022, 1, 6))
    with refused(
        "toestemmingsverklaring heeft getekend die van kracht is en niet is ingetrokken", trajectory=trajectory
    ):
        admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.UITZONDERING,
            decided_on=DECIDED_ON,
            exception_motivation="Kwetsbaar.",
            lso_meeting_date=DECIDED_ON,
        )


def test_admission_with_consent_signed_after_the_decision_is_refused(gemeente_user):
    trajectory = factories.consented_trajectory(actor=gemeente_user, consent_date=dt.date(2022, 1, 12))
    with refused("De toestemmingsverklaring is getekend na de datum van het besluit", trajectory=trajectory):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=DECIDED_ON,
        )


def _with_heavy_entry_ban(actor, municipality_name="Amsterdam"):
    return factories.consented_trajectory(
        actor=actor,
        municipality=factories.municipality(municipality_name),
        findings={"heavy_entry_ban": True},
        **ALL_PARTIES,
    )


#: A declaration that covers every party at the LSO table (all four by default).
ALL_PARTIES = {"share_ngo": True, "share_ind": True, "share_dtv": True, "share_avim": True}


def test_plain_admission_when_a_criterion_is_not_met_is_refused(gemeente_user):
    trajectory = _with_heavy_entry_ban(gemeente_user)
    with refused(
        "Niet aan alle toelatingscriteria is voldaan (Geen zwaar inreisverbod (10 jaar of langer))",
        trajectory=trajectory,
    ):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=DECIDED_ON,
        )


def test_lso_exception_with_motivation_and_meeting_date_admits_and_flags_the_trajectory(lso_chair):
    trajectory = _with_heavy_entry_ban(lso_chair)
    decision = admission_decide(
        actor=lso_chair,
        trajectory=trajectory,
        outcome=AdmissionOutcome.UITZONDERING,
        decided_on=DECIDED_ON,
        exception_motivation="Ernstig ziek; terugkeer wordt voorbereid.",
        lso_meeting_date=dt.date(2022, 1, 7),
    )
    trajectory.refresh_from_db()
    assert trajectory.stage == Stage.TOEGELATEN
    assert trajectory.is_exception is True
    assert trajectory.admission_date == DECIDED_ON
    assert decision.lso_meeting_date == dt.date(2022, 1, 7)
    assert decision.exception_motivation == "Ernstig ziek; terugkeer wordt voorbereid."
    failed = [r for r in decision.criteria_snapshot if r["status"] == "niet_voldaan"]
    assert [r["label"] for r in failed] == ["Geen zwaar inreisverbod (10 jaar of langer)"]
    event = TimelineEvent.objects.filter(trajectory=trajectory, kind="toelating").get()
    assert event.actor == lso_chair
    assert "als LSO-uitzondering (LSO van 7 januari 2022)" in event.description


def test_exception_without_motivation_is_refused(lso_chair):
    trajectory = _with_heavy_entry_ban(lso_chair)
    with refused("Een LSO-uitzondering vraagt een motivering", trajectory=trajectory):
        admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.UITZONDERING,
            decided_on=DECIDED_ON,
            exception_motivation="   ",
            lso_meeting_date=dt.date(2022, 1, 7),
        )


def test_exception_without_meeting_date_is_refused(lso_chair):
    trajectory = _with_heavy_entry_ban(lso_chair)
    with refused("Een LSO-uitzondering vraagt de datum van het LSO", trajectory=trajectory):
        admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.UITZONDERING,
            decided_on=DECIDED_ON,
            exception_motivation="Kwetsbaar.",
        )


def test_exception_with_a_meeting_date_in_the_future_is_refused(lso_chair):
    trajectory = _with_heavy_entry_ban(lso_chair)
    with (
        clock.frozen(dt.date(2022, 1, 20)),
        refused("De datum van het LSO ligt in de toekomst", trajectory=trajectory),
    ):
        admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.UITZONDERING,
            decided_on=DECIDED_ON,
            exception_motivation="Kwetsbaar.",
            lso_meeting_date=dt.date(2022, 1, 21),
        )


def test_exception_decided_in_an_lso_after_the_decision_date_is_refused(lso_chair):
    trajectory = _with_heavy_entry_ban(lso_chair)
    with refused("De datum van het LSO ligt na de datum van het besluit", trajectory=trajectory):
        admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.UITZONDERING,
            decided_on=DECIDED_ON,
            exception_motivation="Kwetsbaar.",
            lso_meeting_date=DECIDED_ON + dt.timedelta(days=1),
        )


def test_refusal_without_reason_is_refused(gemeente_user):
    trajectory = _with_heavy_entry_ban(gemeente_user)
    with refused("Geef de reden van de weigering", trajectory=trajectory):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.GEWEIGERD,
            decided_on=DECIDED_ON,
            refusal_reason="  ",
        )


def test_refusal_with_reason_closes_the_trajectory(gemeente_user):
    trajectory = _with_heavy_entry_ban(gemeente_user)
    admission_decide(
        actor=gemeente_user,
        trajectory=trajectory,
        outcome=AdmissionOutcome.GEWEIGERD,
        decided_on=DECIDED_ON,
        refusal_reason="Zwaar inreisverbod.",
    )
    trajectory.refresh_from_db()
    assert (trajectory.stage, trajectory.admission_date, trajectory.is_open) == (Stage.GEWEIGERD, None, False)


@pytest.mark.parametrize("second_outcome", [AdmissionOutcome.TOEGELATEN, AdmissionOutcome.GEWEIGERD])
def test_deciding_twice_is_refused(gemeente_user, admitted_trajectory, second_outcome):
    with refused("Over deze aanmelding is al besloten", trajectory=admitted_trajectory):
        admission_decide(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            outcome=second_outcome,
            decided_on=dt.date(2022, 1, 11),
            refusal_reason="Toch niet.",
        )
    assert AdmissionDecision.objects.filter(trajectory=admitted_trajectory).count() == 1


def test_deciding_again_after_a_refusal_is_refused(gemeente_user):
    trajectory = factories.refused_trajectory(actor=gemeente_user)
    with refused("Over deze aanmelding is al besloten", trajectory=trajectory):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=dt.date(2022, 1, 11),
        )


def test_decision_before_the_application_is_refused(gemeente_user):
    trajectory = factories.consented_trajectory(actor=gemeente_user)
    with refused("De datum van het besluit ligt vóór de datum van aanmelding (3 januari 2022)", trajectory=trajectory):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.GEWEIGERD,
            decided_on=dt.date(2022, 1, 2),
            refusal_reason="Geen regiobinding.",
        )


def test_admission_decision_in_the_future_is_refused(gemeente_user):
    trajectory = factories.consented_trajectory(actor=gemeente_user)
    with (
        clock.frozen(dt.date(2022, 1, 9)),
        refused("De datum van het besluit ligt in de toekomst", trajectory=trajectory),
    ):
        admission_decide(
            actor=gemeente_user,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=dt.date(2022, 1, 10),
        )


# --- application, open trajectories and re-entry -----------------------------------------------


def test_application_in_the_future_is_refused(gemeente_user, amsterdam):
    person = person_create(actor=gemeente_user, municipality=amsterdam, family_name="Tesfaye")
    with clock.frozen(dt.date(2022, 3, 1)), refused("De datum van aanmelding ligt in de toekomst"):
        application_register(actor=gemeente_user, person=person, application_date=dt.date(2022, 3, 2))
    assert not person.trajectories.exists()


def test_second_open_trajectory_for_the_same_person_is_refused(gemeente_user, admitted_trajectory):
    with refused("Deze persoon heeft al een lopend traject", trajectory=admitted_trajectory):
        application_register(
            actor=gemeente_user, person=admitted_trajectory.person, application_date=dt.date(2022, 2, 1)
        )


def test_second_open_trajectory_is_refused_while_the_first_is_still_being_assessed(gemeente_user):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    with refused(f"Deze persoon heeft al een lopend traject ({trajectory.external_id})", trajectory=trajectory):
        application_register(actor=gemeente_user, person=trajectory.person, application_date=dt.date(2022, 2, 1))


def test_database_refuses_a_second_open_trajectory_for_the_same_person(admitted_trajectory):
    with pytest.raises(IntegrityError), transaction.atomic():
        Trajectory.objects.create(
            person=admitted_trajectory.person,
            municipality=admitted_trajectory.municipality,
            external_id="AMS-HANDMATIG",
            application_date=dt.date(2022, 2, 1),
            stage=Stage.AANGEMELD,
        )
    assert Trajectory.objects.filter(person=admitted_trajectory.person).count() == 1


def test_database_allows_closed_trajectories_beside_an_open_one(admitted_trajectory):
    Trajectory.objects.create(
        person=admitted_trajectory.person,
        municipality=admitted_trajectory.municipality,
        external_id="AMS-OUD",
        application_date=dt.date(2021, 2, 1),
        stage=Stage.GEWEIGERD,
    )
    assert Trajectory.objects.filter(person=admitted_trajectory.person).count() == 2


def test_reentry_after_outflow_is_allowed_and_marked_in_the_timeline(gemeente_user):
    first = factories.outflowed_trajectory(
        actor=gemeente_user, outflow_date=dt.date(2022, 6, 1), outcome_code="beeindigd_deelnemer"
    )
    second = application_register(actor=gemeente_user, person=first.person, application_date=dt.date(2022, 9, 1))
    assert second.pk != first.pk
    assert second.stage == Stage.AANGEMELD
    assert Trajectory.objects.filter(person=first.person).count() == 2
    event = TimelineEvent.objects.get(trajectory=second, kind="aanmelding")
    assert event.description == "Aangemeld op 1 september 2022 (herintreding)"
    first_event = TimelineEvent.objects.get(trajectory=first, kind="aanmelding")
    assert "herintreding" not in first_event.description


def test_reentry_after_refusal_is_allowed(gemeente_user):
    first = factories.refused_trajectory(actor=gemeente_user)
    second = application_register(actor=gemeente_user, person=first.person, application_date=dt.date(2022, 2, 1))
    assert second.stage == Stage.AANGEMELD


def test_reentry_dated_before_the_previous_outflow_is_refused(gemeente_user):
    first = factories.outflowed_trajectory(actor=gemeente_user, outflow_date=dt.date(2022, 6, 1))
    with refused("De datum van aanmelding ligt vóór het einde van het vorige traject"):
        application_register(actor=gemeente_user, person=first.person, application_date=dt.date(2022, 5, 1))


def test_application_at_a_location_of_another_municipality_is_refused(gemeente_user, amsterdam):
    person = person_create(actor=gemeente_user, municipality=amsterdam, family_name="Tesfaye")
    with refused("Deze locatie hoort niet bij de gemeente"):
        application_register(
            actor=gemeente_user,
            person=person,
            application_date=dt.date(2022, 1, 3),
            location=factories.location("Rotterdam"),
        )


# --- consent -----------------------------------------------------------------------------------


def test_consent_in_the_future_is_refused(gemeente_user):
    trajectory = factories.checked_trajectory(actor=gemeente_user)
    with (
        clock.frozen(dt.date(2022, 1, 5)),
        refused("De datum van ondertekening ligt in de toekomst", trajectory=trajectory),
    ):
        consent_record(actor=gemeente_user, trajectory=trajectory, signed_on=dt.date(2022, 1, 6))


def test_consent_before_the_application_is_refused(gemeente_user):
    trajectory = factories.checked_trajectory(actor=gemeente_user)
    with refused("De toestemmingsverklaring is getekend vóór de aanmelding (3 januari 2022)", trajectory=trajectory):
        consent_record(actor=gemeente_user, trajectory=trajectory, signed_on=dt.date(2022, 1, 2))


def test_consent_on_a_closed_trajectory_is_refused(gemeente_user):
    trajectory = factories.refused_trajectory(actor=gemeente_user)
    with refused("Dit traject is afgesloten", trajectory=trajectory):
        consent_record(actor=gemeente_user, trajectory=trajectory, signed_on=dt.date(2022, 1, 12))


def test_a_new_consent_replaces_the_active_one(gemeente_user, admitted_trajectory):
    old = admitted_trajectory.consents.get()
    new = consent_record(
        actor=gemeente_user, trajectory=admitted_trajectory, signed_on=dt.date(2022, 2, 1), share_ind=True
    )
    old.refresh_from_db()
    assert old.withdrawn_on == dt.date(2022, 2, 1)
    assert list(admitted_trajectory.consents.filter(withdrawn_on__isnull=True)) == [new]


def test_withdrawing_consent_twice_is_refused(gemeente_user, admitted_trajectory):
    consent = admitted_trajectory.consents.get()
    consent_withdraw(actor=gemeente_user, consent=consent, withdrawn_on=dt.date(2022, 2, 1))
    with refused("Deze toestemming is al ingetrokken", trajectory=admitted_trajectory):
        consent_withdraw(actor=gemeente_user, consent=consent, withdrawn_on=dt.date(2022, 2, 2))


def test_withdrawal_before_signing_is_refused(gemeente_user, admitted_trajectory):
    with refused("De datum van intrekking ligt vóór de datum van ondertekening", trajectory=admitted_trajectory):
        consent_withdraw(
            actor=gemeente_user, consent=admitted_trajectory.consents.get(), withdrawn_on=dt.date(2022, 1, 4)
        )
