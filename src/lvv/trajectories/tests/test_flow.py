"""The whole life of one trajectory through the services, as the desk, the LSO and the case worker
record it: application → kiosk → consent → admission → placement → perspective → instruments →
outflow (HASA) → the later IND decision."""

import datetime as dt

from lvv.admissions.models import AdmissionOutcome
from lvv.admissions.services import admission_decide, application_register, consent_record
from lvv.core import clock
from lvv.demo import factories
from lvv.people.services import identity_check_record, person_create
from lvv.trajectories.models import InstrumentUse, Stage, TimelineEvent, Trajectory
from lvv.trajectories.services import (
    ind_decision_record,
    instruments_update,
    outflow_register,
    perspective_record,
    placement_record,
)


def _stage(trajectory: Trajectory) -> str:
    return Trajectory.objects.values_list("stage", flat=True).get(pk=trajectory.pk)


def test_full_flow_from_application_to_ind_decision(gemeente_user, lso_chair, ngo_user):
    with clock.frozen(dt.date(2022, 12, 1)):
        person = person_create(
            actor=gemeente_user,
            municipality=gemeente_user.municipality,
            given_names="Samira",
            family_name="Haddad",
            birth_date=dt.date(1988, 3, 14),
            sex="vrouw",
            country_of_origin="ER",
            v_number="1234567890",
            aliases=["Samira Hadad"],
        )

        trajectory = application_register(
            actor=gemeente_user, person=person, application_date=dt.date(2022, 1, 3), **factories.GOOD_FACTS
        )
        assert _stage(trajectory) == Stage.AANGEMELD
        assert trajectory.application_date == dt.date(2022, 1, 3)

        identity_check_record(
            actor=gemeente_user, trajectory=trajectory, performed_on=dt.date(2022, 1, 4), outcome="v_nummer"
        )
        assert _stage(trajectory) == Stage.IN_TOETSING

        consent_record(
            actor=gemeente_user,
            trajectory=trajectory,
            signed_on=dt.date(2022, 1, 5),
            share_ngo=True,
            share_ind=True,
            share_dtv=True,
            share_avim=True,
        )
        assert _stage(trajectory) == Stage.IN_TOETSING

        decision = admission_decide(
            actor=lso_chair,
            trajectory=trajectory,
            outcome=AdmissionOutcome.TOEGELATEN,
            decided_on=dt.date(2022, 1, 10),
        )
        assert decision.criteria_snapshot and all(r["status"] == "voldaan" for r in decision.criteria_snapshot)
        trajectory.refresh_from_db()
        assert (trajectory.stage, trajectory.admission_date, trajectory.is_exception) == (
            Stage.TOEGELATEN,
            dt.date(2022, 1, 10),
            False,
        )

        location = factories.location("Amsterdam")
        placement = placement_record(
            actor=gemeente_user,
            trajectory=trajectory,
            location=location,
            shelter_form="centraal",
            hours="24uur",
            start_date=dt.date(2022, 1, 10),
        )
        trajectory.refresh_from_db()
        assert trajectory.stage == Stage.INTAKE
        assert trajectory.location == location

        perspective_record(
            actor=lso_chair,
            trajectory=trajectory,
            perspective="legalisering",
            status="definitief",
            decided_on=dt.date(2022, 3, 1),
            lso_meeting_date=dt.date(2022, 3, 1),
        )
        assert _stage(trajectory) == Stage.PERSPECTIEF_BEPAALD

        instruments_update(
            actor=ngo_user,
            trajectory=trajectory,
            values={
                "juridische_screening": ("ja", dt.date(2022, 1, 15), dt.date(2022, 2, 15)),
                "stabilisatie": ("ja", dt.date(2022, 1, 15), None),
                "terugkeerbegeleiding": ("nvt", None, None),
            },
        )
        assert InstrumentUse.objects.filter(trajectory=trajectory).count() == 3
        assert _stage(trajectory) == Stage.PERSPECTIEF_BEPAALD

        outflow_register(
            actor=gemeente_user, trajectory=trajectory, outflow_date=dt.date(2022, 9, 30), outcome_code="hasa"
        )
        trajectory.refresh_from_db()
        placement.refresh_from_db()
        assert (trajectory.stage, trajectory.outflow_date, trajectory.outcome_id) == (
            Stage.UITGESTROOMD,
            dt.date(2022, 9, 30),
            "hasa",
        )
        assert placement.end_date == dt.date(2022, 9, 30)
        assert not trajectory.is_open

        ind_decision_record(
            actor=gemeente_user,
            trajectory=trajectory,
            decision="inwilliging",
            decided_on=dt.date(2022, 11, 15),
        )
        trajectory.refresh_from_db()
        assert (trajectory.ind_decision, trajectory.ind_decision_date) == (
            "inwilliging",
            dt.date(2022, 11, 15),
        )
        assert trajectory.stage == Stage.UITGESTROOMD

    events = list(TimelineEvent.objects.filter(trajectory=trajectory).order_by("id"))
    assert [(e.kind, e.actor) for e in events] == [
        ("aanmelding", gemeente_user),
        ("identiteitscontrole", gemeente_user),
        ("toestemming", gemeente_user),
        ("toelating", lso_chair),
        ("plaatsing", gemeente_user),
        ("perspectief", lso_chair),
        ("instrumenten", ngo_user),
        ("uitstroom", gemeente_user),
        ("besluit_ind", gemeente_user),
    ]
    assert all(e.actor_organisation == e.actor.organisation for e in events)
    assert all(e.at is not None for e in events)
    descriptions = [e.description for e in events]
    assert descriptions[0] == "Aangemeld op 3 januari 2022"
    assert "Toegelaten op 10 januari 2022" in descriptions[3]
    assert "Uitgestroomd op 30 september 2022" in descriptions[7]
    assert "inwilliging" in descriptions[8]
