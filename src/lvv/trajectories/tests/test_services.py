"""Rules of the writes after admission: outflow, perspective, placement and the later IND decision.
Every refusal must raise ApplicationError with a Dutch message and write nothing."""

import datetime as dt

import pytest

from lvv.core import clock
from lvv.demo import factories
from lvv.demo.tests.assertions import refused
from lvv.trajectories.models import InstrumentUse, Placement, Stage, Trajectory
from lvv.trajectories.services import (
    ind_decision_record,
    instruments_update,
    outflow_register,
    perspective_record,
    placement_record,
)

ADMITTED_ON = factories.ADMISSION_DATE


def _non_admitted(stage: str, actor) -> Trajectory:
    """A trajectory in a stage where nothing after admission may be recorded."""
    builders = {
        Stage.AANGEMELD: factories.registered_trajectory,
        Stage.IN_TOETSING: factories.consented_trajectory,
        Stage.GEWEIGERD: factories.refused_trajectory,
        Stage.UITGESTROOMD: factories.outflowed_trajectory,
    }
    trajectory = builders[stage](actor=actor)
    assert trajectory.stage == stage
    return trajectory


# --- outflow -----------------------------------------------------------------------------------


def test_outflow_before_admission_is_refused(gemeente_user, admitted_trajectory):
    with refused("ligt vóór de datum van toelating (10 januari 2022)", trajectory=admitted_trajectory):
        outflow_register(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            outflow_date=ADMITTED_ON - dt.timedelta(days=1),
            outcome_code="mob",
        )


def test_outflow_on_the_day_of_admission_is_allowed(gemeente_user, admitted_trajectory):
    trajectory = outflow_register(
        actor=gemeente_user, trajectory=admitted_trajectory, outflow_date=ADMITTED_ON, outcome_code="mob"
    )
    assert (trajectory.stage, trajectory.outflow_date) == (Stage.UITGESTROOMD, ADMITTED_ON)


def test_outflow_in_the_future_is_refused(gemeente_user, admitted_trajectory):
    with clock.frozen(dt.date(2022, 3, 1)), refused("ligt in de toekomst", trajectory=admitted_trajectory):
        outflow_register(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            outflow_date=dt.date(2022, 3, 2),
            outcome_code="mob",
        )


@pytest.mark.parametrize("stage", [Stage.AANGEMELD, Stage.IN_TOETSING, Stage.GEWEIGERD, Stage.UITGESTROOMD])
def test_outflow_on_a_trajectory_that_is_not_admitted_is_refused(gemeente_user, stage):
    trajectory = _non_admitted(stage, gemeente_user)
    with refused("niet (meer) toegelaten; uitstroom kan alleen", trajectory=trajectory):
        outflow_register(
            actor=gemeente_user, trajectory=trajectory, outflow_date=dt.date(2022, 7, 1), outcome_code="mob"
        )


def test_outflow_with_an_unknown_outcome_is_refused(gemeente_user, admitted_trajectory):
    with refused("Onbekende uitstroomreden", trajectory=admitted_trajectory):
        outflow_register(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            outflow_date=dt.date(2022, 3, 1),
            outcome_code="weggelopen",
        )


def test_outflow_ends_the_current_placement(gemeente_user, admitted_trajectory):
    placement = placement_record(
        actor=gemeente_user,
        trajectory=admitted_trajectory,
        location=factories.location("Amsterdam"),
        shelter_form="centraal",
        hours="24uur",
        start_date=dt.date(2022, 1, 11),
    )
    outflow_register(
        actor=gemeente_user,
        trajectory=admitted_trajectory,
        outflow_date=dt.date(2022, 3, 1),
        outcome_code="zelfstandig_vertrek",
    )
    placement.refresh_from_db()
    assert placement.end_date == dt.date(2022, 3, 1)


# --- perspective -------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.AANGEMELD, Stage.GEWEIGERD, Stage.UITGESTROOMD])
def test_perspective_on_a_trajectory_that_is_not_admitted_is_refused(gemeente_user, stage):
    trajectory = _non_admitted(stage, gemeente_user)
    with refused("niet (meer) toegelaten; een perspectief kan alleen", trajectory=trajectory):
        perspective_record(
            actor=gemeente_user,
            trajectory=trajectory,
            perspective="terugkeer",
            status="voorlopig",
            decided_on=dt.date(2022, 7, 1),
        )


def test_perspective_dated_before_admission_is_refused(gemeente_user, admitted_trajectory):
    with refused("De datum van het perspectief ligt vóór de datum van toelating", trajectory=admitted_trajectory):
        perspective_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            perspective="terugkeer",
            status="voorlopig",
            decided_on=ADMITTED_ON - dt.timedelta(days=1),
        )


def test_perspective_in_the_future_is_refused(gemeente_user, admitted_trajectory):
    with clock.frozen(dt.date(2022, 3, 1)), refused("ligt in de toekomst", trajectory=admitted_trajectory):
        perspective_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            perspective="legalisering",
            status="voorlopig",
            decided_on=dt.date(2022, 3, 2),
        )


def test_definitive_perspective_without_v_number_is_refused(gemeente_user, admitted_trajectory):
    assert admitted_trajectory.person.v_number == ""
    with refused(
        "definitief perspectief kan pas worden vastgelegd als het V-nummer bekend is",
        trajectory=admitted_trajectory,
    ):
        perspective_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            perspective="terugkeer",
            status="definitief",
            decided_on=dt.date(2022, 2, 1),
        )


def test_provisional_perspective_without_v_number_is_allowed(gemeente_user, admitted_trajectory):
    record = perspective_record(
        actor=gemeente_user,
        trajectory=admitted_trajectory,
        perspective="terugkeer",
        status="voorlopig",
        decided_on=dt.date(2022, 2, 1),
    )
    admitted_trajectory.refresh_from_db()
    assert record.status == "voorlopig"
    assert admitted_trajectory.stage == Stage.PERSPECTIEF_BEPAALD


def test_definitive_perspective_with_v_number_is_allowed(gemeente_user):
    trajectory = factories.admitted_trajectory(actor=gemeente_user, v_number="1234567890")
    perspective_record(
        actor=gemeente_user,
        trajectory=trajectory,
        perspective="legalisering",
        status="definitief",
        decided_on=dt.date(2022, 2, 1),
        lso_meeting_date=dt.date(2022, 1, 31),
    )
    assert trajectory.current_perspective().status == "definitief"


def test_perspective_with_lso_meeting_after_the_decision_is_refused(gemeente_user, admitted_trajectory):
    with refused("De datum van het LSO ligt na de datum van het besluit", trajectory=admitted_trajectory):
        perspective_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            perspective="terugkeer",
            status="voorlopig",
            decided_on=dt.date(2022, 2, 1),
            lso_meeting_date=dt.date(2022, 2, 2),
        )


# --- placement ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.AANGEMELD, Stage.IN_TOETSING, Stage.GEWEIGERD, Stage.UITGESTROOMD])
def test_placement_on_a_trajectory_that_is_not_admitted_is_refused(gemeente_user, stage):
    trajectory = _non_admitted(stage, gemeente_user)
    with refused("niet (meer) toegelaten; een plaatsing kan alleen", trajectory=trajectory):
        placement_record(
            actor=gemeente_user,
            trajectory=trajectory,
            location=factories.location("Amsterdam"),
            shelter_form="centraal",
            hours="24uur",
            start_date=dt.date(2022, 7, 1),
        )


def test_placement_at_a_location_of_another_municipality_is_refused(gemeente_user, admitted_trajectory):
    with refused("Deze locatie hoort niet bij de gemeente van het traject", trajectory=admitted_trajectory):
        placement_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            location=factories.location("Rotterdam"),
            shelter_form="centraal",
            hours="24uur",
            start_date=dt.date(2022, 1, 11),
        )


def test_placement_in_the_future_is_refused(gemeente_user, admitted_trajectory):
    with clock.frozen(dt.date(2022, 3, 1)), refused("ligt in de toekomst", trajectory=admitted_trajectory):
        placement_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            location=factories.location("Amsterdam"),
            shelter_form="centraal",
            hours="24uur",
            start_date=dt.date(2022, 3, 2),
        )


def test_placement_before_admission_is_refused(gemeente_user, admitted_trajectory):
    with refused("De startdatum ligt vóór de datum van toelating", trajectory=admitted_trajectory):
        placement_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            location=factories.location("Amsterdam"),
            shelter_form="centraal",
            hours="24uur",
            start_date=ADMITTED_ON - dt.timedelta(days=1),
        )


def test_a_new_placement_ends_the_current_one(gemeente_user):
    trajectory = factories.admitted_trajectory(actor=gemeente_user)
    first = placement_record(
        actor=gemeente_user,
        trajectory=trajectory,
        location=factories.location("Amsterdam"),
        shelter_form="centraal",
        hours="24uur",
        start_date=dt.date(2022, 1, 11),
    )
    second = placement_record(
        actor=gemeente_user,
        trajectory=trajectory,
        location=factories.location("Amsterdam"),
        shelter_form="terugkeerbed",
        hours="24uur",
        start_date=dt.date(2022, 2, 1),
    )
    first.refresh_from_db()
    assert first.end_date == dt.date(2022, 2, 1)
    assert trajectory.current_placement() == second
    assert Placement.objects.filter(trajectory=trajectory, end_date__isnull=True).count() == 1


def test_a_placement_starting_before_the_current_one_is_refused(gemeente_user, admitted_trajectory):
    placement_record(
        actor=gemeente_user,
        trajectory=admitted_trajectory,
        location=factories.location("Amsterdam"),
        shelter_form="centraal",
        hours="24uur",
        start_date=dt.date(2022, 2, 1),
    )
    with refused(
        "De nieuwe plaatsing begint vóór de huidige plaatsing (1 februari 2022)",
        trajectory=admitted_trajectory,
    ):
        placement_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            location=factories.location("Amsterdam"),
            shelter_form="decentraal",
            hours="24uur",
            start_date=dt.date(2022, 1, 20),
        )


# --- IND decision after outflow ----------------------------------------------------------------


def test_ind_decision_dated_before_outflow_is_refused(gemeente_user):
    trajectory = factories.outflowed_trajectory(
        actor=gemeente_user, outflow_date=dt.date(2022, 6, 1), outcome_code="hasa"
    )
    with refused("De datum van het besluit ligt vóór de datum van uitstroom (1 juni 2022)", trajectory=trajectory):
        ind_decision_record(
            actor=gemeente_user,
            trajectory=trajectory,
            decision="inwilliging",
            decided_on=dt.date(2022, 5, 31),
        )


@pytest.mark.parametrize("outcome_code", ["mob", "zelfstandig_vertrek", "inwilliging", "vertrekmoratorium"])
def test_ind_decision_for_an_outcome_other_than_hasa_or_article_64_is_refused(gemeente_user, outcome_code):
    trajectory = factories.outflowed_trajectory(actor=gemeente_user, outcome_code=outcome_code)
    with refused("hoort alleen bij uitstroom met HASA of artikel 64", trajectory=trajectory):
        ind_decision_record(
            actor=gemeente_user, trajectory=trajectory, decision="afwijzing", decided_on=dt.date(2022, 8, 1)
        )


@pytest.mark.parametrize("outcome_code", ["hasa", "artikel_64"])
def test_ind_decision_after_hasa_or_article_64_is_recorded(gemeente_user, outcome_code):
    trajectory = factories.outflowed_trajectory(actor=gemeente_user, outcome_code=outcome_code)
    ind_decision_record(
        actor=gemeente_user, trajectory=trajectory, decision="afwijzing", decided_on=dt.date(2022, 8, 1)
    )
    trajectory.refresh_from_db()
    assert (trajectory.ind_decision, trajectory.ind_decision_date) == ("afwijzing", dt.date(2022, 8, 1))


@pytest.mark.parametrize("stage", [Stage.AANGEMELD, Stage.GEWEIGERD])
def test_ind_decision_on_a_trajectory_that_has_not_outflowed_is_refused(gemeente_user, stage):
    trajectory = _non_admitted(stage, gemeente_user)
    with refused("Het traject is nog niet uitgestroomd", trajectory=trajectory):
        ind_decision_record(
            actor=gemeente_user, trajectory=trajectory, decision="inwilliging", decided_on=dt.date(2022, 8, 1)
        )


def test_ind_decision_on_a_running_trajectory_is_refused(gemeente_user, admitted_trajectory):
    with refused("Het traject is nog niet uitgestroomd", trajectory=admitted_trajectory):
        ind_decision_record(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            decision="inwilliging",
            decided_on=dt.date(2022, 8, 1),
        )


def test_ind_decision_in_the_future_is_refused(gemeente_user):
    trajectory = factories.outflowed_trajectory(actor=gemeente_user, outflow_date=dt.date(2022, 6, 1))
    with clock.frozen(dt.date(2022, 7, 1)), refused("ligt in de toekomst", trajectory=trajectory):
        ind_decision_record(
            actor=gemeente_user, trajectory=trajectory, decision="inwilliging", decided_on=dt.date(2022, 7, 2)
        )


def test_ind_decision_other_than_granted_or_rejected_is_refused(gemeente_user):
    trajectory = factories.outflowed_trajectory(actor=gemeente_user)
    with refused("Kies inwilliging of afwijzing", trajectory=trajectory):
        ind_decision_record(
            actor=gemeente_user, trajectory=trajectory, decision="aangehouden", decided_on=dt.date(2022, 8, 1)
        )


# --- guidance instruments ----------------------------------------------------------------------


def test_instruments_on_a_trajectory_that_was_never_admitted_are_refused(gemeente_user):
    trajectory = factories.consented_trajectory(actor=gemeente_user)
    with refused("Begeleidingsinstrumenten horen bij een toegelaten traject", trajectory=trajectory):
        instruments_update(actor=gemeente_user, trajectory=trajectory, values={"stabilisatie": ("ja", None, None)})


def test_instruments_are_all_or_nothing(gemeente_user, admitted_trajectory):
    with refused("De einddatum van activering ligt vóór de startdatum", trajectory=admitted_trajectory):
        instruments_update(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            values={
                "stabilisatie": ("ja", dt.date(2022, 1, 15), None),
                "activering": ("ja", dt.date(2022, 2, 1), dt.date(2022, 1, 20)),
            },
        )
    assert not InstrumentUse.objects.exists()


def test_instruments_with_an_unknown_value_are_refused(gemeente_user, admitted_trajectory):
    with refused("Ongeldige waarde voor Stabilisatie", trajectory=admitted_trajectory):
        instruments_update(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            values={"stabilisatie": ("misschien", None, None)},
        )


def test_instrument_dated_in_the_future_is_refused(gemeente_user, admitted_trajectory):
    with clock.frozen(dt.date(2022, 3, 1)), refused("ligt in de toekomst", trajectory=admitted_trajectory):
        instruments_update(
            actor=gemeente_user,
            trajectory=admitted_trajectory,
            values={"stabilisatie": ("ja", dt.date(2022, 3, 2), None)},
        )


def test_unchanged_instruments_add_no_timeline_event(gemeente_user, admitted_trajectory):
    values = {"stabilisatie": ("ja", dt.date(2022, 1, 15), None)}
    instruments_update(actor=gemeente_user, trajectory=admitted_trajectory, values=values)
    instruments_update(actor=gemeente_user, trajectory=admitted_trajectory, values=values)
    assert admitted_trajectory.events.filter(kind="instrumenten").count() == 1
