"""The agenda and the decision list of a meeting as PDF (WeasyPrint).

Two steps, kept apart: `meeting_data` reads what the requesting user may see (items through
`access.agenda_scope`, minutes through `access.minutes_scope`) into plain data, and `agenda_pdf` /
`decisions_pdf` turn that data into bytes. The HTTP response is the view's business.

The PDF fetches nothing: the stylesheet is in the template, and the URL fetcher (`lvv.core.pdf`)
refuses every URL that is not one of the static files or a data: URL (so neither a crafted value nor
a later template change can make the server call out). WeasyPrint is imported inside the functions, so the application
starts without it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import override

from lvv.accounts import access
from lvv.core import clock
from lvv.core.dates import dutch_date
from lvv.core.pdf import RefusedURL, render_pdf, static_file
from lvv.trajectories.models import PerspectiveKind, PerspectiveStatus

from .models import Decision, DecisionKind, Meeting

AGENDA_TEMPLATE = "meetings/meeting_pdf_agenda.html"
DECISIONS_TEMPLATE = "meetings/meeting_pdf_decisions.html"


# --- plain data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesData:
    text: str
    visibility: str  # label
    organisation: str
    author: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DecisionData:
    kind: str  # label
    details: list[str]
    summary: str


@dataclass(frozen=True)
class ItemData:
    number: int
    person_id: int
    name: str
    external_id: str
    stage: str
    reason: str
    detail: str
    decisions: list[DecisionData] = field(default_factory=list)
    minutes: list[MinutesData] = field(default_factory=list)


@dataclass(frozen=True)
class MeetingData:
    kind: str
    date: dt.date
    municipality: str
    chair: str
    present: list[str]
    theme: str
    closed: bool
    items: list[ItemData]
    prepared_for: str  # the requesting user's organisation: the PDF holds only what it may see
    prepared_at: dt.datetime

    @property
    def person_ids(self) -> list[int]:
        return [item.person_id for item in self.items]

    @property
    def items_with_decisions(self) -> list[ItemData]:
        """For the decision list: the items with a decision or minutes."""
        return [item for item in self.items if item.decisions or item.minutes]

    @property
    def items_without_decisions(self) -> list[ItemData]:
        return [item for item in self.items if not (item.decisions or item.minutes)]


def _label(choices, value: str) -> str:
    return choices(value).label if value in choices.values else value


def describe_decision(decision: Decision) -> list[str]:
    """What the decision says besides its kind and summary, one line each (for the pages and the PDF)."""
    kind, lines = decision.kind, []
    if kind == DecisionKind.ADMISSION_EXCEPTION:
        lines.append("Toegelaten als uitzondering op de toelatingscriteria.")
    if decision.perspective:
        perspective = _label(PerspectiveKind, decision.perspective)
        status = _label(PerspectiveStatus, decision.perspective_status).lower()
        lines.append(f"Perspectief: {perspective.lower()} ({status}).")
    if decision.extended_until:
        lines.append(f"Verblijf verlengd tot en met {dutch_date(decision.extended_until)}.")
    if decision.termination_reason:
        lines.append(f"Opvang beëindigd; reden: {decision.get_termination_reason_display().lower()}.")
    if kind == DecisionKind.ESCALATION:
        escalation = getattr(decision, "escalation", None)
        if escalation is not None:
            lines.append(f"Vraag aan het MRT: {escalation.question}")
    if decision.step is not None:
        step = decision.step
        if kind == DecisionKind.STEP_SET:
            due = decision.due_date or step.due_date
            lines.append(f"Stap: {step.description} ({step.responsible}), deeltermijn {dutch_date(due)}.")
        else:
            lines.append(f"Stap: {step.description} ({step.responsible}).")
            if decision.due_date:
                lines.append(f"Nieuwe deeltermijn: {dutch_date(decision.due_date)}.")
    if decision.delay_cause:
        lines.append(f"Oorzaak vertraging: {decision.get_delay_cause_display().lower()}.")
    if decision.stuck_cause:
        lines.append(f"Reden vastgelopen: {decision.get_stuck_cause_display().lower()}.")
    if decision.positions:
        lines.append(f"Standpunten: {decision.positions}")
    return lines


def decision_data(decision: Decision) -> DecisionData:
    return DecisionData(decision.get_kind_display(), describe_decision(decision), decision.summary)


def agenda_numbers(meeting: Meeting) -> dict[int, int]:
    """Item id → its number on the whole agenda, so every party talks about the same "punt 7" even
    when it sees only some of the items (the numbers reveal nothing about the hidden ones)."""
    return {pk: n for n, pk in enumerate(meeting.items.order_by("order", "id").values_list("pk", flat=True), 1)}


def meeting_data(user, meeting: Meeting, *, with_decisions: bool) -> MeetingData:
    """What `user` may see of the meeting: the visible agenda items, and with `with_decisions` their
    decisions and the minutes the user may read. The caller has checked `meetings.selectors.meeting_scope`."""
    items = []
    numbers = agenda_numbers(meeting)
    for item in access.agenda_scope(user, meeting):
        person = item.trajectory.person
        decisions, minutes = [], []
        if with_decisions:
            decisions = [
                decision_data(d)
                for d in item.decisions.select_related("step__responsible", "escalation").order_by("id")
            ]
            minutes = [
                MinutesData(
                    text=m.text,
                    visibility=m.get_visibility_display(),
                    organisation=m.organisation.name,
                    author=m.author.get_full_name() or m.author.get_username(),
                    created_at=m.created_at,
                )
                for m in access.minutes_scope(user, item)
            ]
        items.append(
            ItemData(
                number=numbers[item.pk],
                person_id=person.pk,
                name=person.full_name,
                external_id=item.trajectory.external_id,
                stage=item.trajectory.get_stage_display(),
                reason=item.get_reason_display(),
                detail=item.detail,
                decisions=decisions,
                minutes=minutes,
            )
        )
    return MeetingData(
        kind=meeting.get_kind_display(),
        date=meeting.date,
        municipality=meeting.municipality.name,
        chair=meeting.chair.name,
        present=[o.name for o in meeting.present.order_by("name")],
        theme=meeting.theme,
        closed=meeting.closed,
        items=items,
        prepared_for=user.organisation.name if user.organisation_id else user.get_username(),
        prepared_at=clock.now(),
    )


# --- HTML and PDF -------------------------------------------------------------------------------------


def agenda_html(data: MeetingData) -> str:
    with override("nl"):  # the PDF is Dutch, whatever language the browser asked for
        return render_to_string(AGENDA_TEMPLATE, {"m": data, "title": "Agenda"})


def decisions_html(data: MeetingData) -> str:
    with override("nl"):
        return render_to_string(DECISIONS_TEMPLATE, {"m": data, "title": "Besluitenlijst"})


def agenda_pdf(data: MeetingData) -> bytes:
    return render_pdf(agenda_html(data))


def decisions_pdf(data: MeetingData) -> bytes:
    return render_pdf(decisions_html(data))


def _static_root() -> Path:
    return Path(settings.STATIC_ROOT).resolve()


# The one URL fetcher of every PDF (static files and data: URLs only) lives in lvv.core.pdf.
static_path = static_file
__all__ = ["RefusedURL", "render_pdf", "static_path"]
