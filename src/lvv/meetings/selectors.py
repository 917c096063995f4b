"""Reads on meetings and case progress, narrowed to what the user may see (`accounts.access`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from lvv.accounts import access
from lvv.accounts.models import User
from lvv.core import clock
from lvv.trajectories.models import Trajectory

from . import signals
from .models import AgendaItem, Meeting, Minutes, StepStatus, StepTemplate
from .terms import policy_for


def meeting_scope(user: User) -> QuerySet[Meeting]:
    """Meetings the user may open (`access.meeting_q`)."""
    return Meeting.objects.filter(access.meeting_q(user))


def minutes_by_item(user: User, items: list[AgendaItem]) -> dict[int, list[Minutes]]:
    """`access.minutes_scope` for many agenda items in one query: {item id: [minutes, oldest first]}."""
    found: dict[int, list[Minutes]] = {item.pk: [] for item in items}
    rows = (
        Minutes.objects.filter(agenda_item__in=list(found))
        .filter(access.visibility_q(user))
        .select_related("author", "organisation")
        .order_by("created_at", "id")
    )
    for minutes in rows:
        found[minutes.agenda_item_id].append(minutes)
    return found


@dataclass(frozen=True)
class StayTerm:
    until: dt.date
    days_left: int  # negative once expired
    warning_weeks: int

    @property
    def days_over(self) -> int:
        return -self.days_left

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def warning(self) -> bool:
        return 0 <= self.days_left <= self.warning_weeks * 7


def trajectory_progress(user: User, trajectory: Trajectory) -> dict[str, Any]:
    """Context for `meetings/trajectory_progress.html` on the trajectory page: the guidance scenario,
    the term of stay, the LSO decisions and the escalations. Never minutes: those stay on the
    meeting pages under `access.minutes_scope`. Decisions are shown to everyone who may see the
    trajectory (the caller has checked that)."""
    today = clock.today()
    policy = policy_for(trajectory.municipality_id)
    municipal = access.can_manage_meetings(user, trajectory.municipality_id)
    steps = list(trajectory.steps.select_related("responsible"))
    for step in steps:
        step.is_late = signals.past_deadline(step, today)
        step.may_complete = step.status == StepStatus.OPEN and access.can_complete_step(user, step)
    term = None
    if trajectory.stay_until:
        term = StayTerm(trajectory.stay_until, (trajectory.stay_until - today).days, policy.warning_weeks)
    perspective = trajectory.current_perspective()
    return {
        "today": today,
        "steps": steps,
        "late_count": sum(1 for s in steps if s.is_late),
        "term": term,
        "term_applies": trajectory.is_admitted,
        "decisions": signals.decisions_of(trajectory),
        "escalations": trajectory.escalations.select_related("decision__meeting"),
        "perspective": perspective,
        "may_edit_steps": trajectory.is_open and access.can_edit_steps(user, trajectory),
        "has_templates": perspective is not None
        and StepTemplate.objects.filter(perspective=perspective.perspective).exists(),
        "may_record_advice": municipal,
    }
