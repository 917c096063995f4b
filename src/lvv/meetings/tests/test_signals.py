"""Signals and agenda proposals over time (issue §2, §3, §5, §6): the clock is moved across every due
date with `clock.frozen(...)`, never by sleeping, and at each point the signals of `meetings.signals`,
`agenda_proposals` and the dashboard page (`progress:dashboard`) are compared with what is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from lvv.accounts.models import OrganisationType
from lvv.core import clock
from lvv.demo import factories
from lvv.demo.tests.assertions import refused
from lvv.meetings import services, signals
from lvv.meetings.models import (
    AgendaItem,
    AgendaReason,
    Decision,
    DecisionKind,
    DelayCause,
    Escalation,
    Meeting,
    ScenarioStep,
    StepStatus,
    StuckCause,
)
from lvv.meetings.terms import add_months
from lvv.trajectories.models import Trajectory
from lvv.trajectories.services import note_add, perspective_record

ADMITTED = dt.date(2022, 1, 10)  # a Monday
DAY = dt.timedelta(days=1)


# --- helpers -------------------------------------------------------------------------------------


def chair_of(name: str):
    return factories.UserFactory(organisation=factories.municipal_organisation(name), is_lso_chair=True)


def clerk_of(name: str):
    return factories.UserFactory(organisation=factories.municipal_organisation(name))


def admitted(actor, name: str, *, on: dt.date = ADMITTED, **kwargs) -> Trajectory:
    """An admitted trajectory, built with the clock on the admission date (so its timeline is too)."""
    with clock.frozen(on):
        return factories.admitted_trajectory(
            actor=actor,
            municipality=factories.municipality(name),
            application_date=on - 7 * DAY,
            kiosk_date=on - 6 * DAY,
            consent_date=on - 5 * DAY,
            admission_date=on,
            **kwargs,
        )


def proposals(municipality_id: int, day: dt.date) -> dict[int, str]:
    """{trajectory pk: reason} of the agenda proposals for a meeting on `day`."""
    return {s.trajectory.pk: s.reason for s in signals.agenda_proposals(municipality_id, day)}


def meeting_on(chair, day: dt.date, *, fill: bool = True) -> Meeting:
    with clock.frozen(day):
        return services.meeting_create(
            actor=chair,
            municipality=chair.organisation.municipality,
            kind="lso",
            date=day,
            chair=chair.organisation,
            fill_agenda=fill,
        )


def item_for(meeting: Meeting, trajectory: Trajectory, chair) -> AgendaItem:
    item = meeting.items.filter(trajectory=trajectory).first()
    if item is None:
        with clock.frozen(meeting.date):
            item = services.agenda_add(actor=chair, meeting=meeting, trajectory=trajectory)
    return item


def decide(chair, meeting: Meeting, trajectory: Trajectory, kind: str, **kwargs) -> Decision:
    item = item_for(meeting, trajectory, chair)
    with clock.frozen(meeting.date):
        return services.decision_record(actor=chair, item=item, kind=kind, **kwargs)


def dashboard(client, user, day: dt.date) -> dict[str, set[int]]:
    """The trajectories per section of the dashboard page on `day` (and every row links to its page)."""
    client.force_login(user)
    with clock.frozen(day):
        response = client.get(reverse("progress:dashboard"))
    assert response.status_code == 200
    ctx = response.context
    html = response.content.decode()
    shown = {
        "deeltermijn": {s.trajectory.pk for s in ctx["overdue"]},
        "termijn_verlopen": {t.pk for t in ctx["expired"]},
        "termijn": {t.pk for t in ctx["expiring"]},
        "geen_perspectief": {t.pk for t in ctx["no_perspective"]},
        "niet_besproken": {t.pk for t in ctx["not_discussed"]},
        "wachtlijst": {t.pk for t in ctx["waiting"]},
    }
    for pks in shown.values():
        for pk in pks:
            assert reverse("trajectories:detail", kwargs={"pk": pk}) in html
    return shown


MEETING_MODELS = (Meeting, AgendaItem, Decision, ScenarioStep, Escalation)


def progress_state() -> dict:
    return {m._meta.label: [model_to_dict(o) for o in m.objects.order_by("pk")] for m in MEETING_MODELS}


# --- §2 sub-deadlines ----------------------------------------------------------------------------


def test_a_sub_deadline_is_overdue_the_day_after_and_a_review_on_or_after_it_handles_it(client, reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")  # Utrecht: no term of stay
    trajectory = admitted(clerk, "Utrecht")
    mid = trajectory.municipality_id
    due = dt.date(2022, 2, 28)
    with clock.frozen(ADMITTED):
        step = services.step_add(
            actor=clerk,
            trajectory=trajectory,
            description="Geboorteakte opvragen via de ambassade",
            responsible=factories.national_organisation(OrganisationType.DTV),
            due_date=due,
        )

    # Before and on the due date: not overdue, nothing to put on the agenda.
    for day in (due - DAY, due):
        with clock.frozen(day):
            assert list(signals.overdue_steps(mid)) == []
        assert proposals(mid, day) == {}
        assert dashboard(client, chair, day)["deeltermijn"] == set()

    # The day after: overdue, proposed as "deeltermijn", on the dashboard with a link.
    with clock.frozen(due + DAY):
        assert list(signals.overdue_steps(mid)) == [step]
    assert proposals(mid, due + DAY) == {trajectory.pk: AgendaReason.STEP_DUE}
    assert dashboard(client, chair, due + DAY)["deeltermijn"] == {trajectory.pk}

    # The meeting a week later puts it on the agenda as a review and records the cause.
    meeting = meeting_on(chair, dt.date(2022, 3, 7))
    item = meeting.items.get()
    assert (item.trajectory_id, item.reason) == (trajectory.pk, AgendaReason.STEP_DUE)
    assert "Geboorteakte opvragen via de ambassade" in item.detail
    decide(
        chair,
        meeting,
        trajectory,
        DecisionKind.STEP_REVIEW,
        step=step,
        delay_cause=DelayCause.OUTSIDE_PARTY,
        stuck_cause=StuckCause.OUTSIDE_PARTY,
        summary="De ambassade reageert niet; DT&V belt opnieuw.",
    )
    trajectory.refresh_from_db()
    assert trajectory.stuck_cause == StuckCause.OUTSIDE_PARTY
    for day in (dt.date(2022, 3, 8), dt.date(2022, 3, 30)):
        assert proposals(mid, day) == {}
        assert dashboard(client, chair, day)["deeltermijn"] == set()


def test_a_review_with_a_new_deadline_makes_the_step_due_again_after_that_deadline(reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    mid = trajectory.municipality_id
    with clock.frozen(ADMITTED):
        step = services.step_add(
            actor=clerk,
            trajectory=trajectory,
            description="Herhaalde asielaanvraag (HASA) indienen",
            responsible=factories.municipal_organisation("Utrecht"),
            due_date=dt.date(2022, 2, 1),
        )
    meeting = meeting_on(chair, dt.date(2022, 2, 7))
    decide(
        chair,
        meeting,
        trajectory,
        DecisionKind.STEP_REVIEW,
        step=step,
        delay_cause=DelayCause.MORE_GUIDANCE,
        new_due_date=dt.date(2022, 3, 1),
    )
    assert proposals(mid, dt.date(2022, 3, 1)) == {}
    assert proposals(mid, dt.date(2022, 3, 2)) == {trajectory.pk: AgendaReason.STEP_DUE}
    # Done in time for the next meeting: an open step only is overdue.
    with clock.frozen(dt.date(2022, 3, 3)):
        services.step_complete(actor=clerk, step=step, done_on=dt.date(2022, 3, 3))
    assert proposals(mid, dt.date(2022, 3, 4)) == {}


def test_a_review_before_the_deadline_does_not_handle_it(reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    with clock.frozen(ADMITTED):
        step = services.step_add(
            actor=clerk,
            trajectory=trajectory,
            description="Medisch advies voor artikel 64 aanvragen",
            responsible=factories.municipal_organisation("Utrecht"),
            due_date=dt.date(2022, 3, 1),
        )
    meeting = meeting_on(chair, dt.date(2022, 2, 7))
    decide(chair, meeting, trajectory, DecisionKind.STEP_REVIEW, step=step, delay_cause=DelayCause.ON_TRACK)
    assert proposals(trajectory.municipality_id, dt.date(2022, 3, 2)) == {trajectory.pk: AgendaReason.STEP_DUE}


def test_a_waived_step_is_never_due(reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    with clock.frozen(ADMITTED):
        step = services.step_add(
            actor=clerk,
            trajectory=trajectory,
            description="Aanvraag laissez-passer indienen",
            responsible=factories.national_organisation(OrganisationType.DTV),
            due_date=dt.date(2022, 3, 1),
        )
    meeting = meeting_on(chair, dt.date(2022, 2, 7))
    decide(chair, meeting, trajectory, DecisionKind.STEP_WAIVED, step=step, summary="Perspectief is legalisering.")
    step.refresh_from_db()
    assert (step.status, step.waiver_reason) == (StepStatus.WAIVED, "Perspectief is legalisering.")
    assert proposals(trajectory.municipality_id, dt.date(2022, 3, 2)) == {}


# --- §3 terms of stay ----------------------------------------------------------------------------


def test_rotterdam_term_warns_inside_the_warning_weeks_expires_after_stay_until_and_an_extension_moves_it(
    client, reference_data
):
    clerk, chair = clerk_of("Rotterdam"), chair_of("Rotterdam")
    trajectory = admitted(clerk, "Rotterdam")
    mid = trajectory.municipality_id
    until = add_months(ADMITTED, 6)
    assert trajectory.stay_until == until == dt.date(2022, 7, 12)
    with clock.frozen(dt.date(2022, 2, 1)):  # a perspective, so only the term signals here
        perspective_record(
            actor=clerk,
            trajectory=trajectory,
            perspective="terugkeer",
            status="voorlopig",
            decided_on=dt.date(2022, 2, 1),
        )
    warn_from = until - dt.timedelta(weeks=4)  # Rotterdam's policy: 4 weeks

    day = warn_from - DAY
    with clock.frozen(day):
        assert list(signals.terms_expiring(mid)) == []
    assert proposals(mid, day).get(trajectory.pk) != AgendaReason.TERM_EXPIRING
    assert trajectory.pk not in dashboard(client, chair, day)["termijn"]

    for day in (warn_from, until):  # inside the warning period, up to and including the last day
        with clock.frozen(day):
            assert list(signals.terms_expiring(mid)) == [trajectory]
            assert list(signals.terms_expired(mid)) == []
        assert proposals(mid, day) == {trajectory.pk: AgendaReason.TERM_EXPIRING}
        assert dashboard(client, chair, day)["termijn"] == {trajectory.pk}
    assert meeting_on(chair, warn_from).items.get().reason == AgendaReason.TERM_EXPIRING

    day = until + DAY  # expired without a decision
    with clock.frozen(day):
        assert list(signals.terms_expired(mid)) == [trajectory]
        assert list(signals.terms_expiring(mid)) == []
    assert proposals(mid, day) == {trajectory.pk: AgendaReason.TERM_EXPIRED}
    shown = dashboard(client, chair, day)
    assert (shown["termijn_verlopen"], shown["termijn"]) == ({trajectory.pk}, set())

    meeting = meeting_on(chair, until + 2 * DAY)
    assert meeting.items.get().reason == AgendaReason.TERM_EXPIRED
    new_until = dt.date(2022, 10, 12)
    decide(chair, meeting, trajectory, DecisionKind.EXTENSION, extended_until=new_until, summary="Terugkeer in gang.")
    trajectory.refresh_from_db()
    assert trajectory.stay_until == new_until
    assert proposals(mid, until + 3 * DAY) == {}
    assert dashboard(client, chair, until + 3 * DAY)["termijn_verlopen"] == set()
    # The extended term warns and expires in its turn.
    assert proposals(mid, new_until - dt.timedelta(weeks=4)) == {trajectory.pk: AgendaReason.TERM_EXPIRING}
    assert proposals(mid, new_until + DAY)[trajectory.pk] == AgendaReason.TERM_EXPIRED


def test_amsterdam_has_18_months_and_utrecht_no_term(reference_data):
    assert admitted(clerk_of("Amsterdam"), "Amsterdam").stay_until == add_months(ADMITTED, 18)
    assert admitted(clerk_of("Utrecht"), "Utrecht").stay_until is None


def test_groningen_entry_ban_term_applies_only_when_the_kiosk_found_a_heavy_entry_ban(reference_data):
    clerk, chair = clerk_of("Groningen"), chair_of("Groningen")
    plain = admitted(clerk, "Groningen")
    assert plain.stay_until is None

    # Admitted as an LSO exception despite the heavy entry ban: the stricter term applies.
    with clock.frozen(ADMITTED - 7 * DAY):
        banned = factories.consented_trajectory(
            actor=clerk,
            municipality=factories.municipality("Groningen"),
            application_date=ADMITTED - 7 * DAY,
            kiosk_date=ADMITTED - 7 * DAY,
            consent_date=ADMITTED - 7 * DAY,
            findings={"heavy_entry_ban": True},
        )
    meeting = meeting_on(chair, ADMITTED, fill=False)
    decide(chair, meeting, banned, DecisionKind.ADMISSION_EXCEPTION, summary="Na risicoanalyse toegelaten.")
    banned.refresh_from_db()
    assert banned.is_exception
    assert banned.stay_until == add_months(ADMITTED, 6)
    mid = banned.municipality_id
    assert proposals(mid, banned.stay_until + DAY)[banned.pk] == AgendaReason.TERM_EXPIRED
    assert plain.pk not in {t.pk for t in signals.terms_expired(mid, banned.stay_until + DAY)}


# --- §5 no perspective / not discussed / waiting list / open steps per party -----------------------


def test_no_perspective_after_n_weeks_until_a_perspective_is_recorded(client, reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    mid = trajectory.municipality_id
    at = ADMITTED + dt.timedelta(weeks=12)  # Utrecht's policy: 12 weeks
    assert proposals(mid, at - DAY) == {}
    assert dashboard(client, chair, at - DAY)["geen_perspectief"] == set()
    assert proposals(mid, at) == {trajectory.pk: AgendaReason.NO_PERSPECTIVE}
    assert dashboard(client, chair, at)["geen_perspectief"] == {trajectory.pk}
    assert meeting_on(chair, at - DAY).items.count() == 0
    assert meeting_on(chair, at).items.get().reason == AgendaReason.NO_PERSPECTIVE
    with clock.frozen(at + DAY):
        perspective_record(
            actor=clerk, trajectory=trajectory, perspective="legalisering", status="voorlopig", decided_on=at + DAY
        )
    assert trajectory.pk not in {t.pk for t in signals.without_perspective(mid, at + 2 * DAY)}
    assert dashboard(client, chair, at + 2 * DAY)["geen_perspectief"] == set()
    # A perspective decided later does not hide the signal on an earlier day.
    assert trajectory.pk in {t.pk for t in signals.without_perspective(mid, at)}


def test_not_discussed_for_n_weeks_resets_after_being_on_a_meeting_agenda(client, reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    mid = trajectory.municipality_id
    with clock.frozen(ADMITTED):
        perspective_record(
            actor=clerk, trajectory=trajectory, perspective="terugkeer", status="voorlopig", decided_on=ADMITTED
        )
    at = ADMITTED + dt.timedelta(weeks=12)
    assert proposals(mid, at - DAY) == {}
    assert dashboard(client, chair, at - DAY)["niet_besproken"] == set()
    assert proposals(mid, at) == {trajectory.pk: AgendaReason.NOT_DISCUSSED}
    assert dashboard(client, chair, at)["niet_besproken"] == {trajectory.pk}

    meeting = meeting_on(chair, at + 7 * DAY)  # the proposal puts it on the agenda
    assert meeting.items.get().reason == AgendaReason.NOT_DISCUSSED
    # A meeting planned for later does not count before its date.
    assert trajectory.pk in {t.pk for t in signals.not_discussed(mid, at + 6 * DAY)}
    for day in (at + 7 * DAY, at + 7 * DAY + dt.timedelta(weeks=12) - DAY):
        assert proposals(mid, day) == {}
        assert dashboard(client, chair, day)["niet_besproken"] == set()
    again = at + 7 * DAY + dt.timedelta(weeks=12)
    assert proposals(mid, again) == {trajectory.pk: AgendaReason.NOT_DISCUSSED}


def test_waiting_list_and_open_steps_per_party(client, reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    with clock.frozen(ADMITTED):
        waiting = factories.consented_trajectory(
            actor=clerk,
            municipality=factories.municipality("Utrecht"),
            application_date=ADMITTED,
            kiosk_date=ADMITTED,
            consent_date=ADMITTED,
        )
    running = admitted(clerk, "Utrecht")
    dtv, gemeente = factories.national_organisation(OrganisationType.DTV), factories.municipal_organisation("Utrecht")
    with clock.frozen(ADMITTED):
        for description, org, due in [
            ("Laissez-passer aanvragen", dtv, dt.date(2022, 2, 1)),
            ("Identiteitsdocument opvragen", dtv, dt.date(2022, 5, 1)),
            ("Huisvesting regelen", gemeente, dt.date(2022, 5, 1)),
        ]:
            services.step_add(actor=clerk, trajectory=running, description=description, responsible=org, due_date=due)
    assert [t.pk for t in signals.waiting_list(running.municipality_id)] == [waiting.pk]
    assert signals.open_steps_per_party(running.municipality_id) == sorted([(dtv.name, 2), (gemeente.name, 1)])

    client.force_login(chair)
    with clock.frozen(dt.date(2022, 2, 2)):
        response = client.get(reverse("progress:dashboard"))
    assert response.context["per_party"] == sorted([(dtv.name, 2, 1), (gemeente.name, 1, 0)])
    assert dashboard(client, chair, dt.date(2022, 2, 2))["wachtlijst"] == {waiting.pk}


def test_signals_stay_inside_the_municipality(reference_data):
    ams, rot = admitted(clerk_of("Amsterdam"), "Amsterdam"), admitted(clerk_of("Rotterdam"), "Rotterdam")
    day = ADMITTED + dt.timedelta(weeks=13)
    assert set(proposals(ams.municipality_id, day)) == {ams.pk}
    assert set(proposals(rot.municipality_id, day)) == {rot.pk}


def test_closed_trajectories_give_no_signals(reference_data):
    clerk = clerk_of("Rotterdam")
    with clock.frozen(dt.date(2022, 3, 1)):
        t = factories.outflowed_trajectory(
            actor=clerk, municipality=factories.municipality("Rotterdam"), outflow_date=dt.date(2022, 3, 1)
        )
    assert t.stay_until is not None
    assert proposals(t.municipality_id, t.stay_until + DAY) == {}


# --- bad input: refused with a Dutch message, nothing changed ---------------------------------------


def refused_progress(message: str, *, trajectory: Trajectory):
    """`refused(...)` for the registry tables, plus the meeting/step tables of this app."""

    class _Both:
        def __enter__(self):
            self.before = progress_state()
            self.inner = refused(message, trajectory=trajectory)
            return self.inner.__enter__()

        def __exit__(self, *exc):
            result = self.inner.__exit__(*exc)
            assert progress_state() == self.before
            return result

    return _Both()


def test_a_step_due_before_the_trajectory_started_is_refused(reference_data):
    clerk = clerk_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    with (
        clock.frozen(ADMITTED),
        refused_progress("De deeltermijn ligt vóór het begin van het traject", trajectory=trajectory),
    ):
        services.step_add(
            actor=clerk,
            trajectory=trajectory,
            description="Geboorteakte opvragen",
            responsible=factories.municipal_organisation("Utrecht"),
            due_date=ADMITTED - 30 * DAY,
        )


def test_a_waiver_without_reason_is_refused(reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    with clock.frozen(ADMITTED):
        step = services.step_add(
            actor=clerk,
            trajectory=trajectory,
            description="Laissez-passer aanvragen",
            responsible=factories.national_organisation(OrganisationType.DTV),
            due_date=dt.date(2022, 3, 1),
        )
    meeting = meeting_on(chair, dt.date(2022, 2, 7), fill=False)
    item = item_for(meeting, trajectory, chair)
    with clock.frozen(meeting.date), refused_progress("Geef de reden waarom de stap vervalt", trajectory=trajectory):
        services.decision_record(actor=chair, item=item, kind=DecisionKind.STEP_WAIVED, step=step, summary="  ")
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN


def test_an_extension_on_an_outflowed_trajectory_is_refused(reference_data):
    clerk, chair = clerk_of("Rotterdam"), chair_of("Rotterdam")
    with clock.frozen(dt.date(2022, 3, 1)):
        trajectory = factories.outflowed_trajectory(
            actor=clerk, municipality=factories.municipality("Rotterdam"), outflow_date=dt.date(2022, 3, 1)
        )
    meeting = meeting_on(chair, dt.date(2022, 3, 7), fill=False)
    item = item_for(meeting, trajectory, chair)
    with clock.frozen(meeting.date), refused_progress("Verlenging kan alleen bij een lopend", trajectory=trajectory):
        services.decision_record(
            actor=chair, item=item, kind=DecisionKind.EXTENSION, extended_until=dt.date(2022, 12, 31)
        )


def test_an_extension_that_does_not_move_the_term_later_is_refused(reference_data):
    clerk, chair = clerk_of("Rotterdam"), chair_of("Rotterdam")
    trajectory = admitted(clerk, "Rotterdam")
    meeting = meeting_on(chair, dt.date(2022, 3, 7), fill=False)
    item = item_for(meeting, trajectory, chair)
    with clock.frozen(meeting.date), refused_progress("moet na de huidige einddatum", trajectory=trajectory):
        services.decision_record(
            actor=chair, item=item, kind=DecisionKind.EXTENSION, extended_until=trajectory.stay_until
        )


def test_a_decision_in_a_meeting_of_another_municipality_is_refused(reference_data):
    ams_clerk, rot_chair = clerk_of("Amsterdam"), chair_of("Rotterdam")
    trajectory = admitted(ams_clerk, "Amsterdam")
    meeting = meeting_on(rot_chair, dt.date(2022, 3, 7), fill=False)
    with clock.frozen(meeting.date), refused_progress(services.MSG_OTHER_MUNICIPALITY, trajectory=trajectory):
        services.agenda_add(actor=rot_chair, meeting=meeting, trajectory=trajectory)
    # Even when the item exists (e.g. from an import), the decision is refused.
    item = AgendaItem.objects.create(meeting=meeting, trajectory=trajectory, reason=AgendaReason.MANUAL)
    with clock.frozen(meeting.date), refused_progress(services.MSG_OTHER_MUNICIPALITY, trajectory=trajectory):
        services.decision_record(
            actor=rot_chair, item=item, kind=DecisionKind.SCENARIO, summary="Scenario vastgesteld."
        )


def test_a_decision_before_the_meeting_took_place_is_refused(reference_data):
    clerk, chair = clerk_of("Utrecht"), chair_of("Utrecht")
    trajectory = admitted(clerk, "Utrecht")
    meeting = meeting_on(chair, dt.date(2022, 3, 7), fill=False)
    item = item_for(meeting, trajectory, chair)
    with clock.frozen(meeting.date - DAY), refused_progress("nog niet plaatsgevonden", trajectory=trajectory):
        services.decision_record(actor=chair, item=item, kind=DecisionKind.SCENARIO, summary="Vastgesteld.")


# --- §4 stuck cases --------------------------------------------------------------------------------


def test_stuck_cases_by_cause_without_progress_for_n_weeks(reference_data):
    clerk, chair = clerk_of("Amsterdam"), chair_of("Amsterdam")
    medical, waiting_ind, on_track, silent = (admitted(clerk, "Amsterdam") for _ in range(4))
    with clock.frozen(ADMITTED):
        steps = {
            t.pk: services.step_add(
                actor=clerk,
                trajectory=t,
                description="Medisch advies artikel 64",
                responsible=factories.municipal_organisation("Amsterdam"),
                due_date=dt.date(2022, 2, 1),
            )
            for t in (medical, waiting_ind, on_track)
        }
    meeting = meeting_on(chair, dt.date(2022, 2, 7))
    for t, delay, cause in (
        (medical, DelayCause.OUTSIDE_PARTY, StuckCause.MEDICAL),
        (waiting_ind, DelayCause.OUTSIDE_PARTY, StuckCause.OUTSIDE_PARTY),
        (on_track, DelayCause.ON_TRACK, ""),
    ):
        decide(chair, meeting, t, DecisionKind.STEP_REVIEW, step=steps[t.pk], delay_cause=delay, stuck_cause=cause)
    # A note is no progress.
    with clock.frozen(dt.date(2022, 3, 1)):
        note_add(actor=clerk, trajectory=silent, text="Gebeld, geen nieuws.", visibility="lso")
    mid = medical.municipality_id

    def stuck(day, **kwargs):
        return {t.pk: t.stuck_cause for t in signals.stuck_cases(municipality_id=mid, today=day, **kwargs)}

    # Amsterdam's policy: 16 weeks. A review that records a delay (and its cause) is no progress,
    # so those two stalled on the day of admission like the silent one; the review "on schedule" is.
    sixteen = ADMITTED + dt.timedelta(weeks=16)
    assert stuck(sixteen - DAY) == {}
    assert stuck(sixteen) == {silent.pk: "", medical.pk: "medisch", waiting_ind.pk: "wacht_op_externe_partij"}
    assert stuck(dt.date(2022, 2, 7) + dt.timedelta(weeks=16)) == {
        silent.pk: "",
        medical.pk: StuckCause.MEDICAL,
        waiting_ind.pk: StuckCause.OUTSIDE_PARTY,
        on_track.pk: "",
    }
    assert set(stuck(dt.date(2022, 3, 1), weeks=4)) == {silent.pk, medical.pk, waiting_ind.pk}
    # Progress (a step done) takes a case off the report.
    with clock.frozen(dt.date(2022, 5, 1)):
        services.step_complete(actor=clerk, step=steps[medical.pk], done_on=dt.date(2022, 5, 1))
    assert medical.pk not in stuck(sixteen)
    # Nationally the same cases count (with the default 16 weeks), plus other municipalities' cases.
    rotterdam = admitted(clerk_of("Rotterdam"), "Rotterdam")
    national = signals.stuck_cases(municipality_id=None, today=sixteen)
    assert {t.pk for t in national} == {silent.pk, waiting_ind.pk, rotterdam.pk}


@pytest.mark.parametrize("weeks", [1, 4])
def test_every_signal_function_uses_the_injected_clock(weeks, reference_data):
    """Without `today`, the signals ask `core.clock`: freezing it is enough to look at another day."""
    clerk = clerk_of("Rotterdam")
    trajectory = admitted(clerk, "Rotterdam")
    day = trajectory.stay_until + dt.timedelta(weeks=weeks)
    with clock.frozen(day):
        assert list(signals.terms_expired(trajectory.municipality_id)) == [trajectory]
        assert [t.pk for t in signals.stuck_cases(municipality_id=trajectory.municipality_id)] == [trajectory.pk]
    assert list(signals.terms_expired(trajectory.municipality_id, ADMITTED)) == []
