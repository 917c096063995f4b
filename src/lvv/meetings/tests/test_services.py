"""Smaller rules of `meetings.services`: dates in stored texts are Dutch whatever the request language,
the template steps go to the NGO that guides (not Amsterdam's coordinating regiegroep), only local
organisations and chain partners sit at the table, and a decision keeps the sub-deadline it set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from lvv.accounts.models import OrganisationType
from lvv.core import clock
from lvv.demo import factories
from lvv.meetings import pdf, services
from lvv.meetings.models import Decision, DecisionKind, DelayCause, Meeting, StepTemplate
from lvv.trajectories.models import TimelineEvent
from lvv.trajectories.services import perspective_record, trajectory_assign_organisations

ADMITTED = factories.ADMISSION_DATE  # 2022-01-10
DAY = dt.date(2022, 3, 1)


@pytest.fixture
def trajectory(gemeente_user, ngo):
    with clock.frozen(ADMITTED):
        trajectory = factories.admitted_trajectory(actor=gemeente_user, family_name="Dienstsma")
        trajectory_assign_organisations(actor=gemeente_user, trajectory=trajectory, organisations=[ngo])
    return trajectory


def meeting(chair, day=DAY, **kwargs) -> Meeting:
    with clock.frozen(day):
        return services.meeting_create(
            actor=chair,
            municipality=chair.organisation.municipality,
            kind="lso",
            date=day,
            chair=chair.organisation,
            fill_agenda=False,
            **kwargs,
        )


# --- Dutch dates ----------------------------------------------------------------------------------


def test_dates_in_stored_texts_are_dutch_in_an_english_request(trajectory, gemeente_user, ngo):
    with translation.override("en"), clock.frozen(DAY):
        services.step_add(
            actor=gemeente_user,
            trajectory=trajectory,
            description="Geboorteakte opvragen",
            responsible=ngo,
            due_date=dt.date(2022, 5, 2),
        )
        summary = services.case_summary(trajectory)
    event = TimelineEvent.objects.filter(trajectory=trajectory, kind="scenario").get()
    assert event.description.endswith("deeltermijn 2 mei 2022")
    assert "10 januari 2022" in summary and "January" not in summary


def test_a_page_asked_for_in_english_still_stores_dutch_dates(client, trajectory, gemeente_user, ngo):
    client.force_login(gemeente_user)
    with clock.frozen(DAY):
        response = client.post(
            reverse("progress:step_new", args=[trajectory.pk]),
            {"description": "Medisch advies aanvragen", "responsible": ngo.pk, "due_date": "2022-10-03"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    event = TimelineEvent.objects.filter(trajectory=trajectory, kind="scenario").get()
    assert event.description.endswith("deeltermijn 3 oktober 2022")


# --- the NGO that guides ----------------------------------------------------------------------------


def test_template_steps_go_to_the_guiding_ngo_not_the_coordinating_regiegroep(
    trajectory, gemeente_user, ngo, amsterdam, lso_chair
):
    regiegroep = factories.OrganisationFactory(
        name="Aaa Regiegroep Amsterdam", type=OrganisationType.NGO, municipality=amsterdam
    )
    factories.UserFactory(organisation=regiegroep, is_lso_chair=True)
    StepTemplate.objects.create(perspective="terugkeer", description="Terugkeergesprek", responsible_type="ngo")
    with clock.frozen(DAY):
        # The regiegroep assigned first (and alphabetically first): still the guiding NGO gets the step.
        trajectory_assign_organisations(actor=gemeente_user, trajectory=trajectory, organisations=[regiegroep, ngo])
        perspective_record(
            actor=gemeente_user, trajectory=trajectory, perspective="terugkeer", status="voorlopig", decided_on=DAY
        )
        steps = services.steps_from_templates(
            actor=gemeente_user, trajectory=trajectory, perspective="terugkeer", start=DAY
        )
    assert {s.description: s.responsible for s in steps}["Terugkeergesprek"] == ngo
    assert services.guidance_ngo(trajectory) == ngo

    # Only the regiegroep assigned: then it is the one.
    with clock.frozen(DAY):
        trajectory_assign_organisations(actor=gemeente_user, trajectory=trajectory, organisations=[regiegroep])
    assert services.guidance_ngo(trajectory) == regiegroep


# --- who sits at the table ---------------------------------------------------------------------------


def test_only_local_organisations_and_chain_partners_sit_at_the_table(lso_chair, ngo, ind_user, rotterdam):
    ngo_rotterdam = factories.OrganisationFactory(name="Opvang Maasstad", municipality=rotterdam)
    gemeente_rotterdam = factories.municipal_organisation("Rotterdam")
    for outsider in (ngo_rotterdam, gemeente_rotterdam):
        with pytest.raises(services.ApplicationError) as error:
            meeting(lso_chair, present=[ngo, outsider])
        assert error.value.message == services.MSG_PRESENT_OUTSIDE.format(name=outsider)
        assert error.value.field == "present"
    assert not Meeting.objects.exists()
    ok = meeting(lso_chair, present=[ngo, ind_user.organisation])
    assert set(ok.present.all()) == {lso_chair.organisation, ngo, ind_user.organisation}


# --- the decision keeps the sub-deadline it set --------------------------------------------------------


def test_a_step_decision_keeps_its_deadline_when_a_later_review_moves_the_step(trajectory, lso_chair, ngo):
    first, second = meeting(lso_chair), meeting(lso_chair, day=dt.date(2022, 5, 10))
    with clock.frozen(first.date):
        item = services.agenda_add(actor=lso_chair, meeting=first, trajectory=trajectory)
        set_ = services.decision_record(
            actor=lso_chair,
            item=item,
            kind=DecisionKind.STEP_SET,
            step_description="Laissez-passer aanvragen",
            step_responsible=ngo,
            step_due_date=dt.date(2022, 5, 1),
        )
    with clock.frozen(second.date):
        item = services.agenda_add(actor=lso_chair, meeting=second, trajectory=trajectory)
        review = services.decision_record(
            actor=lso_chair,
            item=item,
            kind=DecisionKind.STEP_REVIEW,
            step=set_.step,
            delay_cause=DelayCause.OUTSIDE_PARTY,
            new_due_date=dt.date(2022, 7, 1),
        )
    set_.refresh_from_db()
    set_.step.refresh_from_db()
    assert set_.step.due_date == dt.date(2022, 7, 1)
    assert (set_.due_date, review.due_date) == (dt.date(2022, 5, 1), dt.date(2022, 7, 1))
    # The decision list of the first meeting still says what was decided there.
    assert "Stap: Laissez-passer aanvragen (Stichting Opvang Amsterdam), deeltermijn 1 mei 2022." in (
        pdf.describe_decision(set_)
    )
    assert "Nieuwe deeltermijn: 1 juli 2022." in pdf.describe_decision(Decision.objects.get(pk=review.pk))


def test_a_review_without_a_new_deadline_stores_none(trajectory, lso_chair, ngo):
    with clock.frozen(ADMITTED):
        step = services.step_add(
            actor=lso_chair, trajectory=trajectory, description="Iets", responsible=ngo, due_date=dt.date(2022, 2, 1)
        )
    m = meeting(lso_chair)
    with clock.frozen(m.date):
        item = services.agenda_add(actor=lso_chair, meeting=m, trajectory=trajectory)
        review = services.decision_record(
            actor=lso_chair, item=item, kind=DecisionKind.STEP_REVIEW, step=step, delay_cause=DelayCause.ON_TRACK
        )
    assert review.due_date is None
