"""What is due: the signals for the coordinating municipality and the proposals for the next LSO
agenda. Every "is it due" question asks `core.clock` (pass `today` to look at another day)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from lvv.core import clock
from lvv.trajectories.models import ADMITTED_STAGES, Perspective, Stage, Trajectory

from .models import AgendaItem, AgendaReason, Decision, DecisionKind, ScenarioStep, StepStatus
from .terms import policy_for

#: Timeline kinds that are not progress on the case (a note or an address change moves nothing, and
#: neither does an LSO review that records a delay or a meeting without agreement).
NOT_PROGRESS = ("notitie", "persoonsgegevens", "toewijzing", "lso_geen_voortgang")


@dataclass(frozen=True)
class Signal:
    trajectory: Trajectory
    reason: str  # an AgendaReason value
    detail: str
    due: dt.date | None = None


def _d(value: dt.date) -> str:
    return value.strftime("%Y-%m-%d")


def _running(municipality_id: int) -> QuerySet[Trajectory]:
    return Trajectory.objects.filter(municipality_id=municipality_id, stage__in=ADMITTED_STAGES).select_related(
        "person"
    )


def past_deadline(step: ScenarioStep, today: dt.date) -> bool:
    """An open step whose sub-deadline has passed: shown as late wherever the step is shown (the
    trajectory page, the agenda item, the step form), whether or not the LSO reviewed it since. The
    signal `overdue_steps` asks more: past the deadline and not reviewed since, so still waiting for
    the LSO."""
    return step.status == StepStatus.OPEN and step.due_date < today


def overdue_steps(municipality_id: int, today: dt.date | None = None) -> QuerySet[ScenarioStep]:
    """Open steps whose sub-deadline has passed (`past_deadline`) and that were not reviewed since."""
    today = today or clock.today()
    return (
        ScenarioStep.objects.filter(
            trajectory__municipality_id=municipality_id,
            trajectory__stage__in=ADMITTED_STAGES,
            status=StepStatus.OPEN,
            due_date__lt=today,
        )
        # A review on or after the deadline handles it (the LSO may also have set a new deadline).
        .filter(Q(last_reviewed_on__isnull=True) | Q(last_reviewed_on__lt=F("due_date")))
        .select_related("trajectory__person", "responsible")
        .order_by("due_date", "id")
    )


def terms_expiring(municipality_id: int, today: dt.date | None = None) -> QuerySet[Trajectory]:
    """Running trajectories whose term ends within the warning period (not yet expired)."""
    today = today or clock.today()
    policy = policy_for(municipality_id)
    horizon = today + dt.timedelta(weeks=policy.warning_weeks)
    return _running(municipality_id).filter(stay_until__gte=today, stay_until__lte=horizon).order_by("stay_until")


def terms_expired(municipality_id: int, today: dt.date | None = None) -> QuerySet[Trajectory]:
    """Running trajectories whose term has passed without an extension or termination."""
    today = today or clock.today()
    return _running(municipality_id).filter(stay_until__lt=today).order_by("stay_until")


def without_perspective(municipality_id: int, today: dt.date | None = None) -> QuerySet[Trajectory]:
    today = today or clock.today()
    weeks = policy_for(municipality_id).no_perspective_weeks
    return (
        _running(municipality_id)
        .filter(admission_date__lte=today - dt.timedelta(weeks=weeks))
        .exclude(Exists(Perspective.objects.filter(trajectory=OuterRef("pk"), decided_on__lte=today)))
        .order_by("admission_date")
    )


def not_discussed(municipality_id: int, today: dt.date | None = None) -> QuerySet[Trajectory]:
    """Running trajectories not on any meeting agenda for N weeks (counted from admission)."""
    today = today or clock.today()
    cutoff = today - dt.timedelta(weeks=policy_for(municipality_id).not_discussed_weeks)
    return (
        _running(municipality_id)
        .annotate(last_discussed=Max("agenda_items__meeting__date", filter=Q(agenda_items__meeting__date__lte=today)))
        .filter(admission_date__lte=cutoff)
        .filter(Q(last_discussed__isnull=True) | Q(last_discussed__lte=cutoff))
        .order_by("admission_date")
    )


def waiting_list(municipality_id: int) -> QuerySet[Trajectory]:
    return (
        Trajectory.objects.filter(municipality_id=municipality_id, stage__in=[Stage.AANGEMELD, Stage.IN_TOETSING])
        .select_related("person")
        .order_by("application_date")
    )


def open_steps_per_party(municipality_id: int) -> list[tuple[str, int]]:
    steps = ScenarioStep.objects.filter(
        trajectory__municipality_id=municipality_id, trajectory__stage__in=ADMITTED_STAGES, status=StepStatus.OPEN
    ).values_list("responsible__name", flat=True)
    return sorted(Counter(steps).items())


def agenda_proposals(municipality_id: int, on_date: dt.date) -> list[Signal]:
    """What the next meeting on `on_date` should discuss: one signal per trajectory, the most
    pressing reason first (an expired term, a passed sub-deadline, an expiring term, …)."""
    found: dict[int, Signal] = {}

    def add(signal: Signal) -> None:
        found.setdefault(signal.trajectory.pk, signal)

    for t in terms_expired(municipality_id, on_date):
        add(Signal(t, AgendaReason.TERM_EXPIRED, f"Termijn verlopen op {_d(t.stay_until)}", t.stay_until))
    for step in overdue_steps(municipality_id, on_date):
        add(
            Signal(
                step.trajectory,
                AgendaReason.STEP_DUE,
                f"Evaluatie: “{step.description}” ({step.responsible}) was uiterlijk {_d(step.due_date)}",
                step.due_date,
            )
        )
    for t in terms_expiring(municipality_id, on_date):
        add(Signal(t, AgendaReason.TERM_EXPIRING, f"Termijn loopt af op {_d(t.stay_until)}", t.stay_until))
    for t in without_perspective(municipality_id, on_date):
        add(Signal(t, AgendaReason.NO_PERSPECTIVE, f"Toegelaten op {_d(t.admission_date)}, nog geen perspectief"))
    for t in not_discussed(municipality_id, on_date):
        add(Signal(t, AgendaReason.NOT_DISCUSSED, "Lang niet besproken in het LSO"))
    return list(found.values())


def stuck_cases(*, municipality_id: int | None, weeks: int | None = None, today: dt.date | None = None):
    """Running trajectories without progress for N weeks, grouped by the cause the LSO recorded.

    Progress = any timeline event other than notes and person-data edits."""
    today = today or clock.today()
    qs = Trajectory.objects.filter(stage__in=ADMITTED_STAGES).select_related("person", "municipality")
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
        weeks = weeks or policy_for(municipality_id).stuck_weeks
    weeks = weeks or 16
    cutoff = today - dt.timedelta(weeks=weeks)
    qs = qs.annotate(last_progress=Max("events__at", filter=~Q(events__kind__in=NOT_PROGRESS)))
    stuck = [t for t in qs if t.last_progress is None or timezone.localdate(t.last_progress) <= cutoff]
    return sorted(stuck, key=lambda t: (t.stuck_cause or "~", t.last_progress or clock.now()))


def decisions_of(trajectory: Trajectory) -> QuerySet[Decision]:
    return trajectory.lso_decisions.select_related("meeting", "step").order_by("meeting__date", "id")


def last_agenda_reason(trajectory: Trajectory) -> AgendaItem | None:
    return trajectory.agenda_items.select_related("meeting").order_by("-meeting__date").first()


__all__ = [
    "DecisionKind",
    "Signal",
    "agenda_proposals",
    "not_discussed",
    "open_steps_per_party",
    "overdue_steps",
    "stuck_cases",
    "terms_expired",
    "terms_expiring",
    "waiting_list",
    "without_perspective",
]
