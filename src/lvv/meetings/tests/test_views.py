"""The meeting pages (namespace `meetings`): planning a meeting fills its agenda, the chair records
typed decisions that feed the trajectory, minutes stay with the parties allowed to read them (on the
page and in the PDF), and bad input is refused in Dutch without writing anything."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from lvv.accounts.models import OrganisationType
from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.demo import factories
from lvv.meetings import pdf, services
from lvv.meetings.models import (
    AgendaItem,
    AgendaReason,
    Decision,
    DecisionKind,
    Escalation,
    Meeting,
    Minutes,
    ScenarioStep,
)
from lvv.trajectories.models import Stage, TimelineEvent, Trajectory
from lvv.trajectories.services import outflow_register, trajectory_assign_organisations

ADMITTED = factories.ADMISSION_DATE  # 2022-01-10; Amsterdam's 18 months run to 2023-07-12
MEETING_DAY = dt.date(2023, 7, 1)
MINUTES_LSO = "Verslag voor de tafel: de ambassade is opnieuw gebeld."
MINUTES_NGO = "Intern verslag van de ngo: alleen voor onszelf."


def url(name: str, *args) -> str:
    return reverse(f"meetings:{name}", args=args)


def get(client, user, path, day=MEETING_DAY, **kwargs):
    client.force_login(user)
    with clock.frozen(day):
        return client.get(path, **kwargs)


def post(client, user, path, data=None, day=MEETING_DAY):
    client.force_login(user)
    with clock.frozen(day):
        return client.post(path, data or {})


def pdf_text(response) -> str:
    """The PDF's text with every run of whitespace as one space: where a line wraps depends on the
    font the system has (Liberation Sans, or DejaVu Sans as fallback is wider), so a phrase may be
    split over two lines; the tests look for phrases, not for the layout."""
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def trajectory_state(trajectory: Trajectory) -> dict:
    fresh = Trajectory.objects.get(pk=trajectory.pk)
    return {
        "stage": fresh.stage,
        "stay_until": fresh.stay_until,
        "perspectives": fresh.perspectives.count(),
        "events": fresh.events.count(),
        "decisions": Decision.objects.filter(trajectory=fresh).count(),
        "steps": ScenarioStep.objects.filter(trajectory=fresh).count(),
    }


@pytest.fixture
def world(gemeente_user, lso_chair, ngo):
    """Three Amsterdam trajectories admitted 2022-01-10 (term to 2023-07-12), consent shared with the
    NGO and the IND, the NGO assigned: `step_due` has a sub-deadline that passed on 2023-06-01,
    `term` only has its term running out, `third` is there to be escalated."""
    dtv = factories.national_organisation(OrganisationType.DTV)
    with clock.frozen(ADMITTED):
        step_due = factories.admitted_trajectory(
            actor=gemeente_user, family_name="Deeltermijnsma", v_number="1234567890", share_ind=True
        )
        term = factories.admitted_trajectory(actor=gemeente_user, family_name="Termijnsma", share_ind=True)
        third = factories.admitted_trajectory(actor=gemeente_user, family_name="Escalatiesma", share_ind=True)
        for t in (step_due, term, third):
            trajectory_assign_organisations(actor=gemeente_user, trajectory=t, organisations=[ngo])
    with clock.frozen(dt.date(2023, 3, 1)):
        step = services.step_add(
            actor=gemeente_user,
            trajectory=step_due,
            description="Geboorteakte opvragen via de ambassade",
            responsible=dtv,
            due_date=dt.date(2023, 6, 1),
        )
    return {"step_due": step_due, "term": term, "third": third, "step": step}


def make_meeting(chair_user, *present, day=MEETING_DAY, kind="lso") -> Meeting:
    with clock.frozen(day):
        return services.meeting_create(
            actor=chair_user,
            municipality=chair_user.organisation.municipality,
            kind=kind,
            date=day,
            chair=chair_user.organisation,
            present=present,
        )


@pytest.fixture
def meeting(world, lso_chair, ngo, ind_user):
    return make_meeting(lso_chair, ngo, ind_user.organisation)


def item_of(meeting: Meeting, trajectory: Trajectory) -> AgendaItem:
    return meeting.items.get(trajectory=trajectory)


def decide(client, user, meeting, trajectory, **data):
    return post(client, user, url("item", meeting.pk, item_of(meeting, trajectory).pk), data)


# --- planning a meeting -----------------------------------------------------------------------------


def test_new_meeting_fills_the_agenda_with_what_is_due(client, world, lso_chair, ngo, ind_user):
    gemeente = lso_chair.organisation
    response = get(client, lso_chair, url("new"))
    assert response.status_code == 200
    chairs = set(response.context["form"].fields["chair"].queryset)
    assert chairs == {gemeente, ngo}

    response = post(
        client,
        lso_chair,
        url("new"),
        {
            "kind": "lso",
            "date": "2023-07-01",
            "chair": gemeente.pk,
            "present": [ngo.pk, ind_user.organisation_id],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == url("detail", meeting.pk)
    assert set(meeting.present.all()) == {gemeente, ngo, ind_user.organisation}
    reasons = dict(meeting.items.values_list("trajectory_id", "reason"))
    assert reasons[world["step_due"].pk] == AgendaReason.STEP_DUE
    assert reasons[world["term"].pk] == AgendaReason.TERM_EXPIRING


def test_a_thematic_meeting_needs_a_theme(client, world, lso_chair):
    response = post(
        client,
        lso_chair,
        url("new"),
        {"kind": "thematisch", "date": "2023-07-01", "chair": lso_chair.organisation.pk},
    )
    assert response.status_code == 200
    assert "Een thematisch overleg heeft een thema." in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("user_fixture", ["ngo_user", "ind_user", "programmabureau_user"])
def test_only_the_municipality_plans_meetings(client, world, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    assert get(client, user, url("new")).status_code == 403
    assert post(client, user, url("new"), {"kind": "lso", "date": "2023-07-01"}).status_code == 403
    assert not Meeting.objects.exists()


def test_list_shows_the_meetings_in_scope_and_the_new_button_to_managers(client, meeting, lso_chair, dtv_user):
    html = get(client, lso_chair, url("list")).content.decode()
    assert url("detail", meeting.pk) in html and "Nieuw overleg" in html
    # DT&V was not at the table: no meeting, no button.
    html = get(client, dtv_user, url("list")).content.decode()
    assert url("detail", meeting.pk) not in html and "Nieuw overleg" not in html


@pytest.mark.parametrize("user_fixture", ["rotterdam_user", "dtv_user", "programmabureau_user"])
def test_a_meeting_outside_the_scope_is_404_everywhere(client, meeting, world, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    item = item_of(meeting, world["step_due"])
    for path in (
        url("detail", meeting.pk),
        url("item", meeting.pk, item.pk),
        url("agenda_pdf", meeting.pk),
        url("decisions_pdf", meeting.pk),
    ):
        assert get(client, user, path).status_code == 404, path
    assert post(client, user, url("item", meeting.pk, item.pk), {"kind": "scenario"}).status_code == 404
    # Nothing was shown: no read or write in the log, only the refused attempts (status `error`), each
    # under the persons the request was about.
    mine = AccessLogEntry.objects.filter(username=user.username)
    assert not mine.filter(status="ok").exists()
    assert set(mine.values_list("status", flat=True)) == {"error"}
    on_agenda = set(meeting.items.values_list("trajectory__person_id", flat=True))
    assert set(mine.values_list("person_id", flat=True)) == on_agenda


def test_the_meeting_page_shows_the_agenda_and_logs_every_person_shown(client, meeting, world, lso_chair):
    response = get(client, lso_chair, url("detail", meeting.pk))
    html = response.content.decode()
    for t in (world["step_due"], world["term"]):
        assert t.person.family_name in html
        assert reverse("trajectories:detail", args=[t.pk]) in html
    assert "Deeltermijn verlopen: evaluatie" in html and "Verblijfstermijn loopt af" in html
    assert "Agenda aanvullen" in html and "Besluit vastleggen" in html
    logged = set(
        AccessLogEntry.objects.filter(username=lso_chair.username, view_name="meetings:detail").values_list(
            "person_id", flat=True
        )
    )
    assert logged == {item.trajectory.person_id for item in meeting.items.all()}


def test_chain_partners_see_only_the_items_their_consent_covers(client, meeting, world, ind_user, gemeente_user):
    with clock.frozen(ADMITTED):
        hidden = factories.admitted_trajectory(actor=gemeente_user, family_name="Geheimsma")  # no IND consent
    with clock.frozen(MEETING_DAY):
        services.agenda_add(actor=gemeente_user, meeting=meeting, trajectory=hidden)
    html = get(client, ind_user, url("detail", meeting.pk)).content.decode()
    assert "Deeltermijnsma" in html and "Geheimsma" not in html
    assert "Besluit vastleggen" not in html and "Agenda aanvullen" not in html
    hidden_item = item_of(meeting, hidden)
    assert get(client, ind_user, url("item", meeting.pk, hidden_item.pk)).status_code == 404
    assert "Geheimsma" not in pdf_text(get(client, ind_user, url("agenda_pdf", meeting.pk)))


# --- decisions --------------------------------------------------------------------------------------


def test_the_chair_records_a_perspective_and_the_trajectory_follows(client, meeting, world, lso_chair):
    trajectory = world["step_due"]
    response = decide(
        client,
        lso_chair,
        meeting,
        trajectory,
        kind="perspectief",
        perspective="terugkeer",
        perspective_status="definitief",
    )
    item = item_of(meeting, trajectory)
    assert response.status_code == 302 and response.url == url("item", meeting.pk, item.pk) + "#besluiten"
    trajectory.refresh_from_db()
    assert trajectory.stage == Stage.PERSPECTIEF_BEPAALD
    current = trajectory.current_perspective()
    assert (current.perspective, current.status, current.lso_meeting_date) == ("terugkeer", "definitief", MEETING_DAY)
    decision = Decision.objects.get(trajectory=trajectory)
    assert decision.kind == DecisionKind.PERSPECTIVE and decision.decided_by == lso_chair
    assert TimelineEvent.objects.filter(trajectory=trajectory, kind="lso_besluit").exists()
    html = get(client, lso_chair, url("item", meeting.pk, item.pk)).content.decode()
    assert "Perspectief: terugkeer (definitief)." in html


@pytest.mark.parametrize("user_fixture", ["gemeente_user", "ngo_user", "ind_user"])
def test_a_decision_by_someone_who_does_not_chair_is_403(client, meeting, world, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    before = trajectory_state(world["step_due"])
    response = decide(
        client,
        user,
        meeting,
        world["step_due"],
        kind="perspectief",
        perspective="terugkeer",
        perspective_status="voorlopig",
    )
    assert response.status_code == 403
    assert trajectory_state(world["step_due"]) == before
    # They may open the item, but get no decision form.
    html = get(client, user, url("item", meeting.pk, item_of(meeting, world["step_due"]).pk)).content.decode()
    assert 'id="besluit"' not in html


def test_a_chair_of_another_municipality_cannot_decide_here(client, meeting, world):
    rotterdam_chair = factories.UserFactory(
        username="voorzitter.rotterdam", is_lso_chair=True, organisation=factories.municipal_organisation("Rotterdam")
    )
    before = trajectory_state(world["term"])
    response = decide(client, rotterdam_chair, meeting, world["term"], kind="verlenging", extended_until="2024-01-31")
    assert response.status_code == 404
    assert trajectory_state(world["term"]) == before


def test_an_extension_on_an_outflowed_trajectory_is_refused_in_dutch(client, meeting, world, lso_chair, gemeente_user):
    trajectory = world["term"]
    with clock.frozen(dt.date(2023, 6, 20)):
        outflow_register(
            actor=gemeente_user, trajectory=trajectory, outflow_date=dt.date(2023, 6, 20), outcome_code="hasa"
        )
    before = trajectory_state(trajectory)
    response = decide(client, lso_chair, meeting, trajectory, kind="verlenging", extended_until="2024-01-31")
    assert response.status_code == 200
    assert services.MSG_EXTENSION_CLOSED in response.content.decode()
    assert services.MSG_EXTENSION_CLOSED in response.context["decision_form"].non_field_errors()
    assert trajectory_state(trajectory) == before


def test_field_errors_of_the_service_land_on_the_right_field(client, meeting, world, lso_chair):
    """`perspective_record` calls it `status`, the form `perspective_status`; a definitive perspective
    needs a V-number (the `term` trajectory has none)."""
    before = trajectory_state(world["term"])
    response = decide(
        client,
        lso_chair,
        meeting,
        world["term"],
        kind="perspectief",
        perspective="terugkeer",
        perspective_status="definitief",
    )
    assert response.status_code == 200
    assert response.context["decision_form"].errors["perspective_status"]
    response = decide(client, lso_chair, meeting, world["term"], kind="verlenging")
    assert response.context["decision_form"].errors["extended_until"] == [services.MSG_EXTENSION_DATE]
    response = decide(client, lso_chair, meeting, world["term"], kind="deeltermijn_gezet", step_description="Iets")
    assert response.context["decision_form"].errors["step_responsible"] == [services.MSG_STEP_RESPONSIBLE]
    assert trajectory_state(world["term"]) == before


def test_no_decisions_before_the_meeting_or_after_it_closed(client, world, lso_chair):
    planned = make_meeting(lso_chair, day=MEETING_DAY + dt.timedelta(days=7))
    item = item_of(planned, world["term"])
    response = post(client, lso_chair, url("item", planned.pk, item.pk), {"kind": "scenario", "summary": "Plan"})
    assert services.MSG_MEETING_FUTURE in response.content.decode()
    assert not Decision.objects.exists()

    with clock.frozen(MEETING_DAY + dt.timedelta(days=7)):
        services.meeting_close(actor=lso_chair, meeting=planned)
    response = post(
        client, lso_chair, url("item", planned.pk, item.pk), {"kind": "scenario", "summary": "Plan"}, day=planned.date
    )
    assert services.MSG_MEETING_CLOSED in response.content.decode()
    assert not Decision.objects.exists()


def test_an_item_of_another_meeting_is_404(client, meeting, world, lso_chair, rotterdam_user):
    with clock.frozen(ADMITTED):
        elsewhere = factories.admitted_trajectory(
            actor=rotterdam_user, municipality=factories.municipality("Rotterdam"), family_name="Maassma"
        )
    rotterdam_chair = factories.UserFactory(
        username="voorzitter.rotterdam", is_lso_chair=True, organisation=rotterdam_user.organisation
    )
    other = make_meeting(rotterdam_chair)
    foreign_item = item_of(other, elsewhere)
    response = post(client, lso_chair, url("item", meeting.pk, foreign_item.pk), {"kind": "scenario", "summary": "x"})
    assert response.status_code == 404
    assert not Decision.objects.exists()


def _without_liberation_sans(html: str) -> str:
    assert '"Liberation Sans", ' in html
    return html.replace('"Liberation Sans", ', "")


@pytest.mark.parametrize("font", ["system", "fallback"])
def test_an_lso_meeting_as_the_chair_runs_it(client, meeting, world, lso_chair, ngo, monkeypatch, font):
    """The acceptance story at the level of the views: a definitive perspective, an extension, two
    new steps and an escalation; then the decision list names them. Also with the fallback font (a
    system without Liberation Sans wraps the lines elsewhere: this test once failed on such a run)."""
    if font == "fallback":
        render = pdf.render_pdf
        monkeypatch.setattr(pdf, "render_pdf", lambda html: render(_without_liberation_sans(html)))
    step_due, term, third = world["step_due"], world["term"], world["third"]
    assert item_of(meeting, term).reason == AgendaReason.TERM_EXPIRING
    ok = [
        decide(
            client,
            lso_chair,
            meeting,
            step_due,
            kind="perspectief",
            perspective="terugkeer",
            perspective_status="definitief",
        ),
        decide(
            client,
            lso_chair,
            meeting,
            term,
            kind="verlenging",
            extended_until="2024-01-12",
            summary="Drie maanden extra.",
        ),
        decide(
            client,
            lso_chair,
            meeting,
            step_due,
            kind="deeltermijn_gezet",
            step_description="Laissez-passer aanvragen",
            step_responsible=factories.national_organisation(OrganisationType.DTV).pk,
            step_due_date="2023-09-01",
        ),
        decide(
            client,
            lso_chair,
            meeting,
            step_due,
            kind="deeltermijn_gezet",
            step_description="Terugkeergesprek voeren",
            step_responsible=ngo.pk,
            step_due_date="2023-08-01",
        ),
        decide(client, lso_chair, meeting, third, kind="escalatie", question="Kan het MRT de ambassade benaderen?"),
    ]
    assert [r.status_code for r in ok] == [302] * 5
    term.refresh_from_db()
    assert term.stay_until == dt.date(2024, 1, 12)
    assert set(step_due.steps.values_list("description", flat=True)) >= {
        "Laissez-passer aanvragen",
        "Terugkeergesprek voeren",
    }
    assert Escalation.objects.get(trajectory=third).question == "Kan het MRT de ambassade benaderen?"

    response = get(client, lso_chair, url("decisions_pdf", meeting.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    text = pdf_text(response)
    for name in ("Deeltermijnsma", "Termijnsma", "Escalatiesma"):
        assert name in text
    assert "Besluitenlijst" in text
    assert "Verblijf verlengd tot en met 12 januari 2024" in text
    assert "Laissez-passer aanvragen" in text and "Terugkeergesprek voeren" in text
    assert "Escalatie naar het MRT" in text and "Kan het MRT de ambassade benaderen?" in text
    assert AccessLogEntry.objects.filter(view_name="meetings:decisions_pdf", person_id=third.person_id).exists()


# --- minutes ----------------------------------------------------------------------------------------


@pytest.fixture
def minutes(client, meeting, world, lso_chair, ngo_user):
    item = item_of(meeting, world["step_due"])
    assert (
        post(
            client,
            lso_chair,
            url("minutes_add", meeting.pk, item.pk),
            {"verslag-text": MINUTES_LSO, "verslag-visibility": "lso"},
        ).status_code
        == 302
    )
    response = post(
        client,
        ngo_user,
        url("minutes_add", meeting.pk, item.pk),
        {"verslag-text": MINUTES_NGO, "verslag-visibility": "organisatie"},
    )
    assert response.status_code == 302
    assert Minutes.objects.count() == 2
    return item


def test_ind_reads_lso_minutes_but_never_an_ngos_own_minutes(client, meeting, minutes, ind_user):
    for path in (url("detail", meeting.pk), url("item", meeting.pk, minutes.pk)):
        html = get(client, ind_user, path).content.decode()
        assert MINUTES_LSO in html
        assert MINUTES_NGO not in html
    text = pdf_text(get(client, ind_user, url("decisions_pdf", meeting.pk)))
    assert "Verslag voor de tafel" in text
    assert "Intern verslag van de ngo" not in text


def test_the_ngo_reads_its_own_minutes_and_the_municipality_does_not(client, meeting, minutes, ngo_user, lso_chair):
    assert "Intern verslag van de ngo" in pdf_text(get(client, ngo_user, url("decisions_pdf", meeting.pk)))
    assert MINUTES_NGO in get(client, ngo_user, url("item", meeting.pk, minutes.pk)).content.decode()
    assert MINUTES_NGO not in get(client, lso_chair, url("detail", meeting.pk)).content.decode()
    assert "Intern verslag van de ngo" not in pdf_text(get(client, lso_chair, url("decisions_pdf", meeting.pk)))


def test_empty_minutes_are_refused_in_dutch(client, meeting, world, lso_chair):
    item = item_of(meeting, world["step_due"])
    response = post(
        client, lso_chair, url("minutes_add", meeting.pk, item.pk), {"verslag-text": "  ", "verslag-visibility": "lso"}
    )
    assert response.status_code == 200
    assert "Het verslag is leeg." in response.content.decode()
    assert not Minutes.objects.exists()


# --- the agenda -------------------------------------------------------------------------------------


CONFIRM = {"bevestig": "1"}


def test_the_agenda_can_be_edited_until_the_meeting_closes(client, meeting, world, lso_chair, gemeente_user, ngo_user):
    item = item_of(meeting, world["term"])
    assert post(client, ngo_user, url("agenda_remove", meeting.pk, item.pk), CONFIRM).status_code == 403
    assert post(client, gemeente_user, url("agenda_remove", meeting.pk, item.pk), CONFIRM).status_code == 302
    assert not meeting.items.filter(pk=item.pk).exists()

    response = get(client, gemeente_user, url("agenda_add", meeting.pk))
    assert world["term"] in response.context["form"].fields["trajectory"].queryset
    response = post(
        client, gemeente_user, url("agenda_add", meeting.pk), {"trajectory": world["term"].pk, "detail": "Op verzoek"}
    )
    added = item_of(meeting, world["term"])
    assert response.status_code == 302 and added.reason == AgendaReason.MANUAL and added.detail == "Op verzoek"

    assert post(client, ngo_user, url("close", meeting.pk), CONFIRM).status_code == 403
    assert post(client, lso_chair, url("close", meeting.pk), CONFIRM).status_code == 302
    meeting.refresh_from_db()
    assert meeting.closed
    count = meeting.items.count()
    client.force_login(gemeente_user)
    with clock.frozen(MEETING_DAY):
        response = client.post(url("agenda_fill", meeting.pk), CONFIRM, follow=True)
    assert services.MSG_MEETING_CLOSED in response.content.decode()
    assert meeting.items.count() == count
    html = get(client, lso_chair, url("detail", meeting.pk)).content.decode()
    assert "Besluit vastleggen" not in html and "Agenda aanvullen" not in html and "Afgesloten" in html


@pytest.mark.parametrize("name", ["agenda_fill", "close", "agenda_remove"])
def test_a_post_without_confirmation_shows_the_question_and_writes_nothing(client, meeting, world, lso_chair, name):
    """The buttons on the meeting page post `bevestig=1`; an empty POST (or a GET) only asks."""
    args = (meeting.pk, item_of(meeting, world["term"]).pk) if name == "agenda_remove" else (meeting.pk,)
    with clock.frozen(MEETING_DAY):
        services.agenda_remove(actor=lso_chair, item=item_of(meeting, world["third"]))  # something to fill
    before = (sorted(meeting.items.values_list("pk", flat=True)), Meeting.objects.get(pk=meeting.pk).closed)
    for response in (get(client, lso_chair, url(name, *args)), post(client, lso_chair, url(name, *args), {})):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="bevestig" value="1"' in html and "Annuleren" in html
    assert (sorted(meeting.items.values_list("pk", flat=True)), Meeting.objects.get(pk=meeting.pk).closed) == before
    assert post(client, lso_chair, url(name, *args), CONFIRM).status_code == 302
    after = (sorted(meeting.items.values_list("pk", flat=True)), Meeting.objects.get(pk=meeting.pk).closed)
    assert after != before


def test_agenda_pdf_lists_the_items_with_the_meeting_header(client, meeting, world, lso_chair):
    response = get(client, lso_chair, url("agenda_pdf", meeting.pk))
    assert response.status_code == 200
    text = pdf_text(response)
    assert "Agenda" in text and "1 juli 2023" in text and "Gemeente Amsterdam" in text
    assert "Deeltermijnsma" in text and "Deeltermijn verlopen: evaluatie" in text


# --- the PDF fetches nothing from outside ---------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["https://example.org/style.css", "http://127.0.0.1:8000/static/x.css", "file:///etc/passwd", "data:text/css,p{}"],
)
def test_the_pdf_fetcher_refuses_anything_but_static_files(address):
    with pytest.raises(pdf.RefusedURL):
        pdf.static_path(address)


def test_the_pdf_fetcher_reads_static_files(settings):
    path = pdf.static_path((pdf._static_root() / "web" / "css" / "lvv.css").as_uri())
    assert path.name == "lvv.css" and path.is_file()


def test_a_pdf_with_outside_references_renders_without_fetching_them(monkeypatch):
    opened = []
    monkeypatch.setattr("urllib.request.OpenerDirector.open", lambda self, url, *a, **k: opened.append(url))
    html = (
        '<html><head><link rel="stylesheet" href="https://example.org/x.css"></head>'
        '<body><p>Hallo</p><img src="https://example.org/x.png" alt=""><img src="/etc/hosts" alt=""></body></html>'
    )
    assert pdf.render_pdf(html).startswith(b"%PDF")
    assert opened == []


def test_navigation_offers_meetings_to_the_parties_at_the_table(client, gemeente_user, ind_user, programmabureau_user):
    def labels(user):
        return [item["label"] for item in get(client, user, reverse("web:home"), follow=True).context["nav_items"]]

    assert "Overleggen" in labels(gemeente_user)
    assert "Overleggen" in labels(ind_user)
    assert "Overleggen" not in labels(programmabureau_user)
    assert get(client, programmabureau_user, url("list")).status_code == 404
