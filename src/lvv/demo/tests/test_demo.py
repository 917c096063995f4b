"""The demo data generator (lvv.demo.data) and the `lvv_demo_data` command, at a reduced size."""

import datetime as dt
import hashlib
import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from lvv.accounts.access import can_decide
from lvv.accounts.models import Municipality, Organisation, OrganisationType, Role, User
from lvv.admissions.models import AdmissionDecision, AdmissionOutcome, Consent
from lvv.core import clock
from lvv.demo import data as demo
from lvv.demo.reference_data import load_reference_data
from lvv.meetings import services as meetings
from lvv.meetings.models import (
    AgendaItem,
    AgendaReason,
    Decision,
    Escalation,
    Meeting,
    MeetingKind,
    Minutes,
    ScenarioStep,
    StepStatus,
)
from lvv.meetings.signals import overdue_steps, stuck_cases, terms_expiring
from lvv.people.duplicates import duplicate_check
from lvv.people.models import IdentityCheck, Person
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.models import (
    CLOSED_STAGES,
    Document,
    InstrumentUse,
    Note,
    Perspective,
    Placement,
    Stage,
    TimelineEvent,
    Trajectory,
)

SIZE = 60


@pytest.fixture
def reference_data(db):
    load_reference_data()


class _Rollback(Exception):
    pass


def fingerprint() -> str:
    """Everything that must be the same for the same seed (not ids, hashes or creation timestamps)."""
    rows = [
        (
            p.municipality.name,
            p.person_key,
            p.given_names,
            p.family_name,
            p.birth_date,
            p.birth_year,
            p.sex,
            p.country_of_origin,
            p.v_number,
        )
        for p in Person.objects.select_related("municipality").order_by("municipality__name", "person_key")
    ]
    rows += [
        (
            t.municipality.name,
            t.external_id,
            t.person.person_key,
            t.stage,
            t.application_date,
            t.admission_date,
            t.outflow_date,
            t.outcome_id,
            t.ind_decision,
            t.ind_decision_date,
            t.is_exception,
            t.location.name if t.location else "",
        )
        for t in Trajectory.objects.select_related("municipality", "person", "location").order_by(
            "municipality__name", "external_id"
        )
    ]
    rows += sorted(
        (e.trajectory.external_id, e.at.isoformat(), e.kind, e.description)
        for e in TimelineEvent.objects.select_related("trajectory")
    )
    rows += [
        (
            m.municipality.name,
            m.kind,
            m.date,
            m.theme,
            m.chair.name,
            m.closed,
            sorted(m.present.values_list("name", flat=True)),
            [
                (i.trajectory.external_id, i.reason, i.detail, i.order)
                for i in m.items.select_related("trajectory").order_by("order", "id")
            ],
        )
        for m in Meeting.objects.select_related("municipality", "chair").order_by("date", "municipality__name", "kind")
    ]
    rows += sorted(
        (
            d.trajectory.external_id,
            d.meeting.date,
            d.kind,
            d.summary,
            d.perspective,
            d.extended_until,
            d.positions,
            d.delay_cause,
            d.stuck_cause,
            d.step.description if d.step else "",
            d.decided_by.username,
            d.created_at.isoformat(),
        )
        for d in Decision.objects.select_related("trajectory", "meeting", "step", "decided_by")
    )
    rows += sorted(
        (
            s.trajectory.external_id,
            s.description,
            s.responsible.name,
            s.due_date,
            s.status,
            s.done_on,
            s.waiver_reason,
            s.last_reviewed_on,
            s.created_at.isoformat(),
        )
        for s in ScenarioStep.objects.select_related("trajectory", "responsible")
    )
    rows += sorted(
        (m.agenda_item.trajectory.external_id, m.agenda_item.meeting.date, m.text, m.visibility, m.author.username)
        for m in Minutes.objects.select_related("agenda_item__trajectory", "agenda_item__meeting", "author")
    )
    rows += sorted(
        (e.trajectory.external_id, e.requested_on, e.question, e.case_summary, e.advice, e.advice_on, e.follow_up)
        for e in Escalation.objects.select_related("trajectory")
    )
    rows += sorted(Trajectory.objects.values_list("external_id", "stay_until", "stuck_cause"))
    rows += [
        (m.__name__, m.objects.count())
        for m in (
            User,
            Organisation,
            Placement,
            Perspective,
            InstrumentUse,
            Note,
            Consent,
            IdentityCheck,
            AdmissionDecision,
            CapacityPeriod,
        )
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_same_seed_gives_the_same_data(reference_data):
    with pytest.raises(_Rollback), transaction.atomic():
        demo.generate(size=SIZE)
        first = fingerprint()
        first_names = list(Person.objects.order_by("person_key").values_list("given_names", flat=True))
        raise _Rollback
    assert not Person.objects.exists() and not User.objects.exists()

    demo.generate(size=SIZE)
    assert list(Person.objects.order_by("person_key").values_list("given_names", flat=True)) == first_names
    assert fingerprint() == first


@pytest.mark.django_db
def test_generated_data_is_consistent(reference_data):
    summary = demo.generate(size=SIZE)
    assert summary.created
    assert Trajectory.objects.count() == SIZE

    # Every role has a demo user, every user a name and an organisation.
    users = list(User.objects.select_related("organisation"))
    assert {u.role for u in users} == set(Role.values) - {Role.GEEN}
    assert all(u.first_name and u.last_name and u.organisation_id for u in users)
    assert {u.username for u in users} >= {
        "gemeente.rotterdam",
        "voorzitter.utrecht",
        "beheer.groningen",
        "ngo.eindhoven",
        "ind",
        "dtv",
        "avim",
        "programmabureau",
    }
    admins = User.objects.filter(is_functional_admin=True, organisation__type=OrganisationType.GEMEENTE)
    assert admins.count() == 5
    for municipality in Municipality.objects.all():
        assert Organisation.objects.filter(type=OrganisationType.NGO, municipality=municipality).exists()
        assert Trajectory.objects.filter(municipality=municipality).exists()

    # Nothing in the future: every date and timestamp of every lvv model, except the fields that
    # are deadlines by nature (the end of the permitted stay, a sub-deadline).
    deadlines = {
        ("Trajectory", "stay_until"),
        ("ScenarioStep", "due_date"),
        ("Decision", "extended_until"),
        ("Decision", "due_date"),
    }
    today, now = clock.today(), timezone.now()
    for model in apps.get_models():
        if not model.__module__.startswith("lvv."):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (model.__name__, f.name) not in deadlines:
                latest = model.objects.aggregate(m=Max(f.name))["m"]
                if latest is not None:
                    limit = now if isinstance(f, models.DateTimeField) else today
                    assert latest <= limit, f"{model.__name__}.{f.name} = {latest}"
    assert Trajectory.objects.aggregate(m=Max("application_date"))["m"] <= demo.END
    assert Trajectory.objects.filter(application_date__lt=demo.START).count() == 0

    # Never two open trajectories for one person; re-entries only after the previous one closed.
    open_per_person = (
        Trajectory.objects.exclude(stage__in=CLOSED_STAGES).values("person").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not open_per_person.exists()
    reentered = Person.objects.annotate(n=Count("trajectories")).filter(n__gt=1)
    assert reentered.exists()
    for person in reentered:
        first, second = person.trajectories.order_by("application_date")[:2]
        assert first.stage in CLOSED_STAGES
        assert second.application_date >= (first.outflow_date or first.application_date)

    # The same person registered in a second LVV (same V-nummer), and the well-known demo person.
    shared = (
        Person.objects.exclude(v_number="")
        .values("v_number")
        .annotate(n=Count("municipality", distinct=True))
        .filter(n__gt=1)
    )
    assert shared.exists()
    demo_person = Person.objects.get(v_number="1234567890")
    assert (demo_person.full_name, demo_person.birth_date, demo_person.country_of_origin) == (
        "Demo Dubbel",
        dt.date(1990, 5, 17),
        "ER",
    )
    assert demo_person.trajectories.get().is_admitted
    rotterdam = Municipality.objects.get(name="Rotterdam")
    report = duplicate_check(
        municipality_id=rotterdam.pk,
        given_names="Demo",
        family_name="Dubbel",
        birth_date=dt.date(1990, 5, 17),
        country="ER",
    )
    assert [r.municipality for r in report.other_lvv] == ["Amsterdam"]

    # The mix of decisions and outcomes went through the real rules.
    outcomes = set(AdmissionDecision.objects.values_list("outcome", flat=True))
    assert outcomes == set(AdmissionOutcome.values)
    for decision in AdmissionDecision.objects.filter(outcome=AdmissionOutcome.TOEGELATEN):
        assert all(r["status"] != "niet_voldaan" for r in decision.criteria_snapshot)
    for decision in AdmissionDecision.objects.filter(outcome=AdmissionOutcome.UITZONDERING):
        assert decision.exception_motivation and decision.lso_meeting_date
    assert Trajectory.objects.filter(stage__in=[Stage.AANGEMELD, Stage.IN_TOETSING]).exists()
    outflowed = Trajectory.objects.filter(outcome__isnull=False)
    categories = set(outflowed.values_list("outcome__category", flat=True))
    assert {"bestendig", "semi_bestendig", "geen_oplossing", "uitgesloten"} <= categories
    assert Trajectory.objects.exclude(ind_decision="").exists()
    assert Perspective.objects.filter(status="definitief").exists()
    assert not Perspective.objects.filter(status="definitief", trajectory__person__v_number="").exists()
    assert Placement.objects.filter(trajectory__municipality__name="Rotterdam", shelter_form="nachtopvang").exists()
    assert set(Note.objects.values_list("visibility", flat=True)) == {"organisatie", "keten", "lso"}
    assert set(Document.objects.values_list("visibility", flat=True)) == {"organisatie", "keten", "lso"}
    assert Consent.objects.filter(dtv_withdrawn_on__isnull=False).exists()
    admitted = Trajectory.objects.filter(admission_date__isnull=False)
    assert not admitted.filter(assigned_organisations__isnull=True).exists()

    # Case progress: meetings in every municipality, none after the end date but today's LSO, chaired as
    # in the pilot. Today's LSO is the only open meeting, its agenda filled with what is due today.
    end = min(demo.END, today)
    assert not Meeting.objects.filter(date__gt=end).exclude(date=today, kind=MeetingKind.LSO).exists()
    for municipality in Municipality.objects.all():
        kinds = Counter(Meeting.objects.filter(municipality=municipality).values_list("kind", flat=True))
        assert kinds[MeetingKind.LSO] >= 12, municipality
        assert kinds[MeetingKind.CLUSTER] and kinds[MeetingKind.THEMATISCH] == kinds[MeetingKind.STUURGROEP] == 1
        current = Meeting.objects.get(municipality=municipality, closed=False)
        assert (current.kind, current.date) == (MeetingKind.LSO, today)
        if municipality.name in ("Amsterdam", "Rotterdam"):  # a term of stay: the acceptance walk's agenda
            reasons = set(current.items.values_list("reason", flat=True))
            assert AgendaReason.STEP_DUE in reasons, (municipality, reasons)
            assert reasons & {AgendaReason.TERM_EXPIRING, AgendaReason.TERM_EXPIRED}, (municipality, reasons)
    assert set(
        Meeting.objects.filter(municipality__name="Amsterdam", kind=MeetingKind.LSO).values_list(
            "chair__name", flat=True
        )
    ) == {"Regiegroep Vangnet Amsterdam"}
    assert not Meeting.objects.filter(kind=MeetingKind.THEMATISCH, theme="").exists()
    lso_tables = [
        {o.type for o in m.present.all()}
        for m in Meeting.objects.filter(kind=MeetingKind.LSO).prefetch_related("present")
    ]
    assert all({OrganisationType.GEMEENTE, OrganisationType.NGO, "ind", "dtv"} <= table for table in lso_tables)
    assert any("avim" in table for table in lso_tables) and not all("avim" in table for table in lso_tables)
    # Decisions and agenda items only for trajectories of the meeting's municipality; decisions recorded
    # on the day of the meeting by somebody who may decide there.
    assert not AgendaItem.objects.exclude(trajectory__municipality=F("meeting__municipality")).exists()
    assert not Decision.objects.exclude(trajectory__municipality=F("meeting__municipality")).exists()
    decisions = list(Decision.objects.select_related("meeting", "decided_by__organisation"))
    assert decisions and all(can_decide(d.decided_by, d.meeting) for d in decisions)
    assert all(timezone.localdate(d.created_at) == d.meeting.date for d in decisions)
    kinds = {d.kind for d in decisions}
    assert {"scenario", "deeltermijn_evaluatie", "verlenging", "escalatie"} <= kinds
    # The guidance scenario: steps done, open and overdue, reviewed with the cause of the delay; some
    # cases stuck with a recorded cause; escalations to the MRT with their advice.
    steps = ScenarioStep.objects.all()
    assert steps.filter(status=StepStatus.DONE).exists() and steps.filter(status=StepStatus.OPEN).exists()
    assert not steps.filter(done_on__lt=F("trajectory__admission_date")).exists()
    assert steps.exclude(last_reviewed_on=None).exists()
    assert Decision.objects.exclude(stuck_cause="").exists()
    assert Trajectory.objects.exclude(stuck_cause="").exists()
    assert Escalation.objects.exists() and not Escalation.objects.filter(advice="").exists()
    # Minutes of both visibilities: shared ones by the municipality, internal ones by an NGO.
    minutes = Minutes.objects.select_related("organisation")
    assert {m.organisation.type for m in minutes.filter(visibility="lso")} == {OrganisationType.GEMEENTE}
    assert {m.organisation.type for m in minutes.filter(visibility="organisatie")} == {OrganisationType.NGO}

    # Each trajectory's timeline starts with its application.
    for trajectory in Trajectory.objects.all():
        assert trajectory.events.order_by("at", "id").first().kind == "aanmelding"

    # Capacity as published, with Rotterdam scaled down from 2022.
    periods = CapacityPeriod.objects.filter(location__name="Rotterdam").order_by("valid_from")
    assert [(c.places, c.valid_from) for c in periods] == [(117, demo.START), (60, dt.date(2022, 1, 1))]
    current = CapacityPeriod.objects.filter(valid_to__isnull=True)
    assert sum(c.places for c in current) == 360 + 300 + 235 + 130 + 60


@pytest.mark.django_db
def test_signals_at_the_end_date(reference_data):
    """Amsterdam and Rotterdam (the municipalities with a term of stay): a new LSO at the end date, and
    one a month later, gets a passed sub-deadline and a (passing) term of stay on its agenda."""
    demo.generate(size=SIZE)
    end = min(demo.END, clock.today())
    for name in ("Amsterdam", "Rotterdam"):
        municipality = Municipality.objects.get(name=name)
        # An open, unreviewed step past its sub-deadline, and a term ending in the warning period.
        assert overdue_steps(municipality.pk, end).exists(), name
        assert terms_expiring(municipality.pk, end).filter(stay_until__gte=end + dt.timedelta(days=21)).exists()
        chair = Organisation.objects.get(type=OrganisationType.GEMEENTE, municipality=municipality)
        clerk = User.objects.get(username=f"gemeente.{name.lower()}")
        for day in (end, end + dt.timedelta(days=30)):
            with clock.frozen(day):
                meeting = meetings.meeting_create(
                    actor=clerk, municipality=municipality, kind=MeetingKind.LSO, date=clock.today(), chair=chair
                )
            reasons = set(meeting.items.values_list("reason", flat=True))
            assert AgendaReason.STEP_DUE in reasons, (name, day, reasons)
            assert reasons & {AgendaReason.TERM_EXPIRING, AgendaReason.TERM_EXPIRED}, (name, day, reasons)
    # Stuck cases with the cause the LSO recorded.
    with clock.frozen(end):
        stuck = stuck_cases(municipality_id=None)
    assert any(t.stuck_cause for t in stuck)


@pytest.mark.django_db
def test_command_twice_changes_nothing(reference_data, monkeypatch):
    monkeypatch.setenv(demo.PASSWORD_ENV, "test-wachtwoord-123")
    first = io.StringIO()
    call_command("lvv_demo_data", size=SIZE, stdout=first)
    counted = (User, Organisation, Person, Trajectory, TimelineEvent, CapacityPeriod, Note, Consent)
    counts = {m.__name__: m.objects.count() for m in counted}

    second = io.StringIO()
    call_command("lvv_demo_data", size=SIZE, stdout=second)
    assert {m.__name__: m.objects.count() for m in counted} == counts
    assert "al aanwezig" in second.getvalue()
    for output in (first.getvalue(), second.getvalue()):
        assert "voorzitter.amsterdam" in output and "Voorzitter LSO" in output
        assert output.count("test-wachtwoord-123") == 1
    assert User.objects.get(username="ngo.utrecht").check_password("test-wachtwoord-123")


@pytest.mark.django_db
def test_refuses_a_database_with_real_persons(reference_data):
    from lvv.people.services import person_create

    person_create(actor=None, municipality=Municipality.objects.get(name="Utrecht"), family_name="Bestaand")
    with pytest.raises(CommandError, match="lege database"):
        call_command("lvv_demo_data", size=SIZE, stdout=io.StringIO())
    assert not User.objects.exists()
