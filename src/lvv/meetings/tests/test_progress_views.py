"""The progress pages (namespace `progress`) and the progress part of the trajectory page: who may open
them, what they show (and never show), and that the forms refuse bad input in Dutch without writing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lvv.accounts.models import Municipality, OrganisationType
from lvv.admissions.services import admission_decide
from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.demo import factories
from lvv.meetings import services
from lvv.meetings.models import (
    DecisionKind,
    DelayCause,
    Escalation,
    ProgressPolicy,
    ScenarioStep,
    StepStatus,
    StuckCause,
)
from lvv.trajectories.models import Trajectory
from lvv.trajectories.services import perspective_record, trajectory_assign_organisations

ADMITTED = factories.ADMISSION_DATE  # 2022-01-10
DAY = dt.timedelta(days=1)
MINUTES_LSO = "Verslag voor de tafel: de ambassade is opnieuw gebeld."
MINUTES_OWN = "Intern verslag gemeente: niet voor de partners."


def url(name: str, *args) -> str:
    return reverse(f"progress:{name}", args=args)


def detail(trajectory: Trajectory) -> str:
    return reverse("trajectories:detail", args=[trajectory.pk])


@pytest.fixture
def world(gemeente_user, lso_chair, ngo, ngo_user):
    """An Amsterdam trajectory (consent: NGO and IND; the NGO assigned) with two steps, a review, an
    escalation and minutes of both kinds; all built with the clock on the day it happened."""
    with clock.frozen(ADMITTED):
        trajectory = factories.admitted_trajectory(actor=gemeente_user, family_name="Voortgangsma", share_ind=True)
        trajectory_assign_organisations(actor=gemeente_user, trajectory=trajectory, organisations=[ngo])
        dtv = factories.national_organisation(OrganisationType.DTV)
        embassy = services.step_add(
            actor=gemeente_user,
            trajectory=trajectory,
            description="Geboorteakte opvragen via de ambassade",
            responsible=dtv,
            due_date=dt.date(2022, 2, 1),
        )
        return_talk = services.step_add(
            actor=gemeente_user,
            trajectory=trajectory,
            description="Terugkeergesprek voeren",
            responsible=ngo,
            due_date=dt.date(2022, 6, 1),
        )
    meeting_day = dt.date(2022, 2, 7)
    with clock.frozen(meeting_day):
        meeting = services.meeting_create(
            actor=lso_chair,
            municipality=trajectory.municipality,
            kind="lso",
            date=meeting_day,
            chair=lso_chair.organisation,
        )
        item = meeting.items.get(trajectory=trajectory)
        services.decision_record(
            actor=lso_chair,
            item=item,
            kind=DecisionKind.STEP_REVIEW,
            step=embassy,
            delay_cause=DelayCause.OUTSIDE_PARTY,
            stuck_cause=StuckCause.IDENTITY,
            summary="Ambassade reageert niet.",
        )
        services.decision_record(
            actor=lso_chair,
            item=item,
            kind=DecisionKind.ESCALATION,
            question="Kan het MRT de ambassade benaderen?",
            summary="Escalatie naar het MRT.",
        )
        services.minutes_add(actor=lso_chair, item=item, text=MINUTES_LSO, visibility="lso")
        services.minutes_add(actor=lso_chair, item=item, text=MINUTES_OWN, visibility="organisatie")
    trajectory.refresh_from_db()
    return {
        "trajectory": trajectory,
        "embassy": embassy,
        "return_talk": return_talk,
        "escalation": Escalation.objects.get(trajectory=trajectory),
        "meeting": meeting,
    }


def get(client, user, path, day=None, **data):
    client.force_login(user)
    with clock.frozen(day or dt.date(2022, 3, 1)):
        return client.get(path, data)


def post(client, user, path, data, day=None):
    client.force_login(user)
    with clock.frozen(day or dt.date(2022, 3, 1)):
        return client.post(path, data)


# --- the signals dashboard ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("gemeente_user", 200),
        ("lso_chair", 200),
        ("rotterdam_user", 200),
        ("ngo_user", 403),
        ("ind_user", 403),
        ("dtv_user", 403),
        ("programmabureau_user", 403),
    ],
)
def test_dashboard_is_for_the_municipality_users(client, request, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    assert get(client, user, url("dashboard")).status_code == status


def test_dashboard_lists_the_signals_with_links_and_logs_the_persons_shown(client, world, lso_chair):
    trajectory = world["trajectory"]
    day = ADMITTED + dt.timedelta(weeks=13)  # after the review: not overdue, but no perspective yet
    response = get(client, lso_chair, url("dashboard"), day)
    html = response.content.decode()
    assert "Voortgangsma" in html
    assert f'href="{detail(trajectory)}"' in html
    assert [t.pk for t in response.context["no_perspective"]] == [trajectory.pk]
    assert response.context["overdue"] == []
    sections = {anchor: count for anchor, _, count, _ in response.context["sections"]}
    assert sections["geen-perspectief"] == 1 and sections["deeltermijnen"] == 0
    entries = AccessLogEntry.objects.filter(person_id=trajectory.person_id, view_name="progress:dashboard")
    assert entries.filter(username=lso_chair.username, action="lezen").count() == 1


def test_dashboard_shows_and_logs_the_first_rows_of_a_long_list_only(client, world, lso_chair, monkeypatch):
    """A list longer than SIGNALS_SHOWN shows (and logs) its first rows; the heading keeps the count."""
    from lvv.demo import factories
    from lvv.meetings import views_progress

    trajectory = world["trajectory"]
    with clock.frozen(ADMITTED):
        factories.admitted_trajectory(actor=lso_chair, admission_date=ADMITTED, family_name="Tweedepersoon")
    monkeypatch.setattr(views_progress, "SIGNALS_SHOWN", 1)
    response = get(client, lso_chair, url("dashboard"), ADMITTED + dt.timedelta(weeks=13))
    html = response.content.decode()
    sections = {anchor: count for anchor, _, count, _ in response.context["sections"]}
    assert sections["geen-perspectief"] == 2
    assert "Hier staan de eerste 1 van 2" in html
    section = html.split('id="geen-perspectief"', 1)[1].split("</section>", 1)[0]
    assert section.count('<tr class="utrecht-table__row">') == 1 + 1  # header row + one person
    lists = [response.context[k] for k in ("expired", "expiring", "no_perspective", "not_discussed", "waiting")]
    first_rows = {group[0].person_id for group in lists if group}
    logged = AccessLogEntry.objects.filter(view_name="progress:dashboard", username=lso_chair.username)
    assert set(logged.values_list("person_id", flat=True)) == first_rows
    assert logged.count() == len(first_rows)  # one read per person shown, none for the rest
    assert trajectory.pk in {t.pk for t in response.context["no_perspective"]}


def test_dashboard_does_not_show_other_municipalities(client, world, rotterdam_user):
    response = get(client, rotterdam_user, url("dashboard"), ADMITTED + dt.timedelta(weeks=13))
    assert "Voortgangsma" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(person_id=world["trajectory"].person_id, username=rotterdam_user.username)


def test_navigation_offers_signals_to_municipal_users_and_the_stuck_report_to_the_programmabureau(
    client, gemeente_user, programmabureau_user, ngo_user
):
    def labels(user, path):
        return [item["label"] for item in get(client, user, path).context["nav_items"]]

    assert "Signalen" in labels(gemeente_user, "/trajecten/")
    assert "Signalen" not in labels(ngo_user, "/trajecten/")
    pb = labels(programmabureau_user, url("stuck"))
    assert "Vastgelopen trajecten" in pb and "Signalen" not in pb and "Werklijst" not in pb


# --- stuck cases ---------------------------------------------------------------------------------------


def test_municipal_stuck_report_groups_by_cause_with_links(client, world, gemeente_user):
    trajectory = world["trajectory"]
    day = ADMITTED + dt.timedelta(weeks=30)
    response = get(client, gemeente_user, url("stuck"), day)
    assert response.status_code == 200
    groups = {cause: [t.pk for t in items] for cause, _, items in response.context["groups"]}
    assert groups[StuckCause.IDENTITY] == [trajectory.pk]
    html = response.content.decode()
    assert "Identiteit of nationaliteit (1)" in html
    assert f'href="{detail(trajectory)}"' in html
    assert AccessLogEntry.objects.filter(person_id=trajectory.person_id, view_name="progress:stuck").exists()
    # ?weken=N: with more weeks than have passed, nothing is stuck.
    response = get(client, gemeente_user, url("stuck"), day, weken="52")
    assert response.context["weeks"] == 52 and response.context["total"] == 0


def test_national_stuck_report_has_counts_and_no_person_data(client, world, programmabureau_user, rotterdam_user):
    with clock.frozen(ADMITTED):
        rotterdam = factories.admitted_trajectory(
            actor=rotterdam_user, municipality=factories.municipality("Rotterdam"), family_name="Maasbewoner"
        )
    response = get(client, programmabureau_user, url("stuck"), ADMITTED + dt.timedelta(weeks=30))
    assert response.status_code == 200
    html = response.content.decode()
    for t in (world["trajectory"], rotterdam):
        assert t.person.family_name not in html
        assert t.person.given_names not in html
        assert t.external_id not in html
        assert detail(t) not in html
    assert "/trajecten/" not in html
    rows = {r["municipality"]: r for r in response.context["rows"]}
    assert rows["Amsterdam"]["total"] == 1 and rows["Rotterdam"]["total"] == 1
    causes = response.context["causes"]
    assert rows["Amsterdam"]["cells"][causes.index("Identiteit of nationaliteit")] == 1
    assert rows["Rotterdam"]["cells"][causes.index("Geen reden vastgelegd")] == 1
    assert response.context["total"] == 2
    assert "trajectory" not in response.context and "groups" not in response.context
    assert not AccessLogEntry.objects.filter(username=programmabureau_user.username).exists()


@pytest.mark.parametrize(
    ("weken", "message"),
    [("twee", "Vul een geheel aantal weken in."), ("0", "Vul minstens 1 week in."), ("9999", "Vul hoogstens 520")],
)
def test_stuck_report_refuses_a_bad_number_of_weeks_in_dutch(client, gemeente_user, weken, message):
    response = get(client, gemeente_user, url("stuck"), weken=weken)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["weeks"] == 16  # the policy's default is used


@pytest.mark.parametrize("user_fixture", ["ngo_user", "ind_user", "dtv_user"])
def test_stuck_report_is_refused_to_ngos_and_chain_partners(client, request, user_fixture):
    assert get(client, request.getfixturevalue(user_fixture), url("stuck")).status_code == 403


# --- the trajectory page ---------------------------------------------------------------------------


def test_trajectory_page_shows_scenario_term_decisions_and_escalation(client, world, gemeente_user):
    trajectory = world["trajectory"]
    response = get(client, gemeente_user, detail(trajectory), dt.date(2022, 3, 1))
    html = response.content.decode()
    assert "Begeleidingsscenario" in html
    assert "Geboorteakte opvragen via de ambassade" in html and "Terugkeergesprek voeren" in html
    # The embassy step is open and its deadline (1 February) has passed; the other is not due yet.
    steps = {s.pk: s for s in response.context["progress"]["steps"]}
    assert steps[world["embassy"].pk].is_late and not steps[world["return_talk"].pk].is_late
    assert html.count("lvv-step-status--te-laat") == 1
    assert "Deeltermijn geëvalueerd" in html and "Escalatie naar het MRT" in html
    assert "Reden vastgelopen: identiteit of nationaliteit" in html
    assert "Kan het MRT de ambassade benaderen?" in html
    assert "Casusoverzicht voor het escalatieteam" in html
    assert "Stap toevoegen" in html
    assert "Advies vastleggen" in html
    assert url("escalation_advice", trajectory.pk, world["escalation"].pk) in html
    # Amsterdam's 18 months are far away: no warning styling.
    assert "lvv-term--warning" not in html and "lvv-term--expired" not in html
    assert f"Verblijfstermijn tot en met {trajectory.stay_until:%Y-%m-%d}" in html


@pytest.mark.parametrize("user_fixture", ["gemeente_user", "lso_chair", "ngo_user", "ind_user"])
def test_trajectory_page_never_shows_minutes(client, world, request, user_fixture):
    html = get(client, request.getfixturevalue(user_fixture), detail(world["trajectory"])).content.decode()
    assert "Deeltermijn geëvalueerd" in html  # decisions are shown to everyone who sees the trajectory
    assert MINUTES_LSO not in html
    assert MINUTES_OWN not in html


def test_chain_partner_sees_progress_but_no_buttons(client, world, ind_user):
    html = get(client, ind_user, detail(world["trajectory"])).content.decode()
    assert "Geboorteakte opvragen via de ambassade" in html
    for label in ("Stap toevoegen", "Stappen uit sjabloon", "Advies vastleggen", ">Gereed<"):
        assert label not in html


def test_ngo_may_report_its_own_step_done_only(client, world, ngo_user):
    response = get(client, ngo_user, detail(world["trajectory"]))
    html = response.content.decode()
    trajectory = world["trajectory"]
    assert url("step_done", trajectory.pk, world["return_talk"].pk) in html
    assert url("step_done", trajectory.pk, world["embassy"].pk) not in html
    assert "Stap toevoegen" not in html
    assert get(client, ngo_user, url("step_done", trajectory.pk, world["embassy"].pk)).status_code == 403
    response = post(
        client, ngo_user, url("step_done", trajectory.pk, world["return_talk"].pk), {"done_on": "2022-02-20"}
    )
    assert response.status_code == 302
    assert response["Location"] == detail(trajectory) + "#voortgang"
    step = ScenarioStep.objects.get(pk=world["return_talk"].pk)
    assert (step.status, step.done_on) == (StepStatus.DONE, dt.date(2022, 2, 20))


@pytest.mark.parametrize(
    ("done_on", "message"),
    [("", "Gereed op is verplicht."), ("2022-03-02", "ligt in de toekomst"), ("2021-12-01", "vóór het begin")],
)
def test_step_done_refuses_bad_dates_in_dutch(client, world, gemeente_user, done_on, message):
    step = world["return_talk"]
    response = post(client, gemeente_user, url("step_done", world["trajectory"].pk, step.pk), {"done_on": done_on})
    assert response.status_code == 200
    assert message in response.content.decode()
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN


def test_rotterdam_term_is_shown_as_warning_and_as_expired(client, rotterdam_user):
    with clock.frozen(ADMITTED):
        trajectory = factories.admitted_trajectory(
            actor=rotterdam_user, municipality=factories.municipality("Rotterdam")
        )
    until = trajectory.stay_until
    html = get(client, rotterdam_user, detail(trajectory), until - dt.timedelta(weeks=5)).content.decode()
    assert "lvv-term--warning" not in html and "lvv-term--expired" not in html
    html = get(client, rotterdam_user, detail(trajectory), until - dt.timedelta(weeks=4)).content.decode()
    assert "lvv-term--warning" in html and "loopt af over 28 dagen" in html
    html = get(client, rotterdam_user, detail(trajectory), until + 3 * DAY).content.decode()
    assert "lvv-term--expired" in html and "verlopen, 3 dagen geleden" in html


# --- adding steps -------------------------------------------------------------------------------------


def test_step_new_adds_a_step(client, world, gemeente_user, ngo):
    trajectory = world["trajectory"]
    response = post(
        client,
        gemeente_user,
        url("step_new", trajectory.pk),
        {"description": "Laissez-passer aanvragen", "responsible": ngo.pk, "due_date": "2022-05-01"},
    )
    assert response.status_code == 302 and response["Location"] == detail(trajectory) + "#voortgang"
    step = trajectory.steps.get(description="Laissez-passer aanvragen")
    assert (step.responsible, step.due_date, step.status) == (ngo, dt.date(2022, 5, 1), StepStatus.OPEN)
    assert AccessLogEntry.objects.filter(
        person_id=trajectory.person_id, view_name="progress:step_new", action="wijzigen"
    ).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": "Stap", "due_date": "2021-06-01"}, "De deeltermijn ligt vóór het begin van het traject"),
        ({"description": "", "due_date": "2022-05-01"}, "Beschrijf de stap."),
        ({"description": "Stap", "due_date": "morgen"}, "Deeltermijn: vul een geldige datum in."),
    ],
)
def test_step_new_refuses_bad_input_in_dutch_and_writes_nothing(client, world, gemeente_user, data, message):
    trajectory = world["trajectory"]
    before = ScenarioStep.objects.count()
    data = {"responsible": factories.municipal_organisation("Amsterdam").pk, **data}
    response = post(client, gemeente_user, url("step_new", trajectory.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Er is iets niet goed ingevuld" in response.content.decode()
    assert ScenarioStep.objects.count() == before


def test_step_pages_are_404_outside_scope_and_403_without_the_right(
    client, world, gemeente_user, rotterdam_user, ngo_user, ind_user
):
    trajectory = world["trajectory"]
    for path in (
        url("step_new", trajectory.pk),
        url("steps_from_template", trajectory.pk),
        url("escalation_advice", trajectory.pk, world["escalation"].pk),
    ):
        assert get(client, rotterdam_user, path).status_code == 404
        assert get(client, ngo_user, path).status_code == 403
        assert get(client, ind_user, path).status_code == 403
    # A step of another trajectory is not found under this one.
    with clock.frozen(ADMITTED):
        other = factories.admitted_trajectory(actor=rotterdam_user, municipality=factories.municipality("Rotterdam"))
        other_step = services.step_add(
            actor=rotterdam_user,
            trajectory=other,
            description="Andere stap",
            responsible=factories.municipal_organisation("Rotterdam"),
            due_date=dt.date(2022, 5, 1),
        )
    assert get(client, gemeente_user, url("step_done", trajectory.pk, other_step.pk)).status_code == 404


def test_steps_from_template_needs_a_perspective(client, world, gemeente_user):
    trajectory = world["trajectory"]
    before = ScenarioStep.objects.count()
    response = get(client, gemeente_user, url("steps_from_template", trajectory.pk))
    assert "nog geen perspectief" in response.content.decode()
    response = post(client, gemeente_user, url("steps_from_template", trajectory.pk), {"start": "2022-03-01"})
    assert response.status_code == 200
    assert "Dit traject heeft nog geen perspectief" in response.content.decode()
    assert ScenarioStep.objects.count() == before


def test_steps_from_template_adds_the_steps_of_the_current_perspective(client, world, gemeente_user, ngo):
    trajectory = world["trajectory"]
    with clock.frozen(dt.date(2022, 2, 7)):
        perspective_record(
            actor=gemeente_user,
            trajectory=trajectory,
            perspective="terugkeer",
            status="voorlopig",
            decided_on=dt.date(2022, 2, 7),
        )
    html = get(client, gemeente_user, detail(trajectory)).content.decode()
    assert "Stappen uit sjabloon (terugkeer)" in html
    response = get(client, gemeente_user, url("steps_from_template", trajectory.pk))
    assert [r["description"] for r in response.context["rows"]] == [
        "Geboorteakte of identiteitsdocument opvragen via de ambassade",
        "Aanvraag laissez-passer indienen",
        "Terugkeergesprek en herintegratieplan (IOM of ngo)",
    ]
    response = post(client, gemeente_user, url("steps_from_template", trajectory.pk), {"start": "2022-03-01"})
    assert response.status_code == 302
    added = trajectory.steps.filter(created_at__date__gte=dt.date(2022, 3, 1)).order_by("due_date")
    assert [(s.responsible.type, s.due_date) for s in added] == [
        ("ngo", dt.date(2022, 4, 30)),
        ("dtv", dt.date(2022, 5, 30)),
        ("dtv", dt.date(2022, 6, 29)),
    ]
    assert added.filter(responsible=ngo).exists()


def test_steps_from_template_refuses_a_start_that_makes_a_step_due_before_the_trajectory(client, world, gemeente_user):
    trajectory = world["trajectory"]
    with clock.frozen(dt.date(2022, 2, 7)):
        perspective_record(
            actor=gemeente_user,
            trajectory=trajectory,
            perspective="legalisering",
            status="voorlopig",
            decided_on=dt.date(2022, 2, 7),
        )
    before = ScenarioStep.objects.count()
    response = post(client, gemeente_user, url("steps_from_template", trajectory.pk), {"start": "2021-10-01"})
    assert response.status_code == 200
    assert "De deeltermijn ligt vóór het begin van het traject" in response.content.decode()
    assert ScenarioStep.objects.count() == before  # all or nothing


# --- escalation advice --------------------------------------------------------------------------------


def test_escalation_advice_is_recorded(client, world, gemeente_user):
    trajectory, escalation = world["trajectory"], world["escalation"]
    path = url("escalation_advice", trajectory.pk, escalation.pk)
    response = post(
        client,
        gemeente_user,
        path,
        {"advice": "MRT benadert de ambassade via BZ.", "advice_on": "2022-02-20", "follow_up": ""},
    )
    assert response.status_code == 302 and response["Location"] == detail(trajectory) + "#escalaties"
    escalation.refresh_from_db()
    assert (escalation.advice, escalation.advice_on) == ("MRT benadert de ambassade via BZ.", dt.date(2022, 2, 20))
    html = get(client, gemeente_user, detail(trajectory)).content.decode()
    assert "MRT benadert de ambassade via BZ." in html and "Advies wijzigen" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"advice": "", "advice_on": "2022-02-20"}, "Vul het advies of de uitkomst in."),
        ({"advice": "Advies", "advice_on": "2022-02-01"}, "De datum van het advies ligt vóór de aanvraag"),
        ({"advice": "Advies", "advice_on": "2022-04-01"}, "ligt in de toekomst"),
    ],
)
def test_escalation_advice_refuses_bad_input_in_dutch(client, world, gemeente_user, data, message):
    escalation = world["escalation"]
    response = post(client, gemeente_user, url("escalation_advice", world["trajectory"].pk, escalation.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    escalation.refresh_from_db()
    assert escalation.advice == "" and escalation.advice_on is None


# --- the policy page ------------------------------------------------------------------------------------


@pytest.fixture
def functional_admin(reference_data):
    return factories.UserFactory(organisation=factories.municipal_organisation("Amsterdam"), is_functional_admin=True)


def test_policy_is_edited_by_the_municipality_functional_admin(client, functional_admin, rotterdam_user):
    response = get(client, functional_admin, url("policy"))
    assert response.status_code == 200
    assert response.context["form"].initial["max_stay_months"] == 18
    data = {
        "max_stay_months": "12",
        "entry_ban_max_stay_months": "",
        "warning_weeks": "8",
        "no_perspective_weeks": "10",
        "not_discussed_weeks": "6",
        "stuck_weeks": "20",
        "deciding_escalation": "on",
        "lso_parties": ["ngo", "dtv", "ind"],
    }
    assert response.context["form"].initial["lso_parties"] == ["ngo", "ind", "dtv", "avim"]
    response = post(client, functional_admin, url("policy"), data)
    assert response.status_code == 302
    policy = ProgressPolicy.objects.get(municipality__name="Amsterdam")
    assert (policy.max_stay_months, policy.warning_weeks, policy.stuck_weeks) == (12, 8, 20)
    assert policy.deciding_escalation is True
    # AVIM no longer sits at the Amsterdam table: a consent for the other three now admits plainly.
    assert Municipality.objects.get(name="Amsterdam").lso_parties == ["ngo", "ind", "dtv"]
    trajectory = factories.consented_trajectory(actor=functional_admin, share_ind=True, share_dtv=True)
    decision = admission_decide(
        actor=functional_admin, trajectory=trajectory, outcome="toegelaten", decided_on=factories.ADMISSION_DATE
    )
    assert decision.consent_missing == ""
    # Rotterdam's policy is not touched.
    assert ProgressPolicy.objects.get(municipality__name="Rotterdam").max_stay_months == 6
    assert Municipality.objects.get(name="Rotterdam").lso_parties == ["ngo", "ind", "dtv", "avim"]


def test_policy_refuses_a_zero_threshold_in_dutch(client, functional_admin):
    data = {"warning_weeks": "0", "no_perspective_weeks": "12", "not_discussed_weeks": "12", "stuck_weeks": "16"}
    response = post(client, functional_admin, url("policy"), data)
    assert response.status_code == 200
    assert "Waarschuwing vóór het einde van de termijn (weken): vul minstens 1 in." in response.content.decode()
    assert ProgressPolicy.objects.get(municipality__name="Amsterdam").warning_weeks == 4


@pytest.mark.parametrize("user_fixture", ["gemeente_user", "lso_chair", "ngo_user", "ind_user", "programmabureau_user"])
def test_policy_is_refused_to_everyone_else(client, request, user_fixture):
    assert get(client, request.getfixturevalue(user_fixture), url("policy")).status_code == 403


def test_programmabureau_functional_admin_has_no_municipal_policy(client, reference_data):
    admin = factories.UserFactory(
        organisation=factories.national_organisation(OrganisationType.PROGRAMMABUREAU), is_functional_admin=True
    )
    assert get(client, admin, url("policy")).status_code == 403
