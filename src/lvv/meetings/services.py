"""Writes of the LSO: meetings and their agenda, typed decisions that feed the trajectory (one
source of truth: a perspective decision records the perspective through the trajectory service, an
extension moves the term, a termination registers the outflow …), minutes, scenario steps and
escalations. Each write checks its rules, runs in one transaction and appends the timeline event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.db.models import Q

from lvv.accounts import access
from lvv.accounts.models import Municipality, Organisation, User
from lvv.accounts.services import municipality_lso_parties_set
from lvv.admissions.services import admission_decide
from lvv.audit.services import log_change
from lvv.core import clock
from lvv.core.concurrency import save_checked
from lvv.core.dates import dutch_date as _d  # dates in stored texts: Dutch words
from lvv.core.dates import require_past_date
from lvv.core.exceptions import ApplicationError
from lvv.people.countries import country_name
from lvv.trajectories.models import ADMITTED_STAGES, CLOSED_STAGES, Trajectory
from lvv.trajectories.services import outflow_register, perspective_record
from lvv.trajectories.timeline import event_append

from .models import (
    AgendaItem,
    AgendaReason,
    DecisionKind,
    DelayCause,
    Escalation,
    EscalationLevel,
    Meeting,
    MeetingKind,
    Minutes,
    MinutesVisibility,
    ProgressPolicy,
    ScenarioStep,
    StepStatus,
    StepTemplate,
    StuckCause,
    TerminationReason,
)
from .models import Decision as DecisionModel
from .signals import agenda_proposals
from .terms import policy_for

MSG_OTHER_MUNICIPALITY = "Dit traject hoort niet bij de gemeente van dit overleg."
MSG_MEETING_CLOSED = "Dit overleg is afgesloten; leg geen besluiten meer vast."
MSG_MEETING_FUTURE = "Dit overleg heeft nog niet plaatsgevonden; besluiten worden vastgelegd op of na de datum."
MSG_STEP_BEFORE_START = "De deeltermijn ligt vóór het begin van het traject ({start})."
MSG_STEP_DESCRIPTION = "Beschrijf de stap."
MSG_STEP_RESPONSIBLE = "Kies de verantwoordelijke organisatie."
MSG_STEP_CLOSED = "Deze stap is al afgerond of vervallen."
MSG_WAIVER_REASON = "Geef de reden waarom de stap vervalt."
MSG_EXTENSION_CLOSED = "Verlenging kan alleen bij een lopend, toegelaten traject."
MSG_EXTENSION_DATE = "Geef de nieuwe einddatum van het verblijf."
MSG_EXTENSION_NOT_LATER = "De nieuwe einddatum moet na de huidige einddatum ({until}) liggen."
MSG_EXTENSION_BEFORE_MEETING = "De nieuwe einddatum moet na de datum van het overleg liggen."
MSG_TERMINATION_REASON = "Geef de reden van de beëindiging."
MSG_POSITIONS = "Leg de standpunten van de partijen vast."
MSG_QUESTION = "Formuleer de vraag aan het escalatieteam."
MSG_DELAY_CAUSE = "Geef aan waardoor de deeltermijn niet is gehaald (of dat er geen vertraging is)."
MSG_DECIDING_DISABLED = "Het beslissende escalatieniveau is voor deze gemeente niet ingeschakeld."
MSG_BINDING_SUMMARY = "Beschrijf het bindende besluit."
MSG_UNKNOWN_KIND = "Onbekend soort besluit."
MSG_STEP_OTHER_TRAJECTORY = "Deze stap hoort bij een ander traject."
MSG_ALREADY_ON_AGENDA = "Dit traject staat al op de agenda."
MSG_MINUTES_EMPTY = "Het verslag is leeg."
MSG_ADVICE_EMPTY = "Vul het advies of de uitkomst in."
MSG_PRESENT_OUTSIDE = (
    "{name} kan niet aan tafel: aanwezig zijn de organisaties van deze gemeente en de ketenpartners (IND, DT&V, AVIM)."
)
#: The national chain partners that may sit at every municipality's table.
CHAIN_PARTNERS = ("ind", "dtv", "avim")
MSG_ADVICE_BEFORE_REQUEST = "De datum van het advies ligt vóór de aanvraag ({date})."


# --- meetings and agenda ------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    municipality: Municipality,
    kind: str,
    date: dt.date,
    chair: Organisation,
    present: Iterable[Organisation] = (),
    theme: str = "",
    fill_agenda: bool = True,
) -> Meeting:
    if kind not in MeetingKind.values:
        raise ApplicationError("Kies het soort overleg.", field="kind")
    for organisation in present:
        local = organisation.municipality_id == municipality.pk and organisation.type in ("gemeente", "ngo")
        if not (local or organisation.type in CHAIN_PARTNERS):
            raise ApplicationError(MSG_PRESENT_OUTSIDE.format(name=organisation), field="present")
    if date is None:
        raise ApplicationError("De datum is verplicht.", field="date")
    if kind == MeetingKind.THEMATISCH and not theme.strip():
        raise ApplicationError("Een thematisch overleg heeft een thema.", field="theme")
    if chair.type not in ("gemeente", "ngo") or chair.municipality_id != municipality.pk:
        raise ApplicationError("De voorzitter is de gemeente of een ngo (regiegroep) van deze gemeente.", field="chair")
    meeting = Meeting.objects.create(
        municipality=municipality, kind=kind, date=date, chair=chair, theme=theme.strip(), created_by=actor
    )
    meeting.present.set([chair, *present])
    if fill_agenda and kind in (MeetingKind.LSO, MeetingKind.CLUSTER):
        agenda_fill(actor=actor, meeting=meeting)
    return meeting


@transaction.atomic
def agenda_fill(*, actor: User, meeting: Meeting) -> list[AgendaItem]:
    """Put what is due on the meeting date on the agenda (items already there stay as they are)."""
    if meeting.closed:
        raise ApplicationError(MSG_MEETING_CLOSED)
    present = set(meeting.items.values_list("trajectory_id", flat=True))
    order = meeting.items.count()
    created: list[AgendaItem] = []
    for signal in agenda_proposals(meeting.municipality_id, meeting.date):
        if signal.trajectory.pk in present:
            continue
        order += 1
        created.append(
            AgendaItem.objects.create(
                meeting=meeting,
                trajectory=signal.trajectory,
                reason=signal.reason,
                detail=signal.detail[:300],
                order=order,
            )
        )
    # Every person put in front of the parties at the table: one row each, in one append.
    log_change(actor=actor, person_ids=[item.trajectory.person_id for item in created])
    return created


@transaction.atomic
def agenda_add(*, actor: User, meeting: Meeting, trajectory: Trajectory, detail: str = "") -> AgendaItem:
    if trajectory.municipality_id != meeting.municipality_id:
        raise ApplicationError(MSG_OTHER_MUNICIPALITY, field="trajectory")
    if meeting.closed:
        raise ApplicationError(MSG_MEETING_CLOSED)
    try:
        with transaction.atomic():
            item = AgendaItem.objects.create(
                meeting=meeting,
                trajectory=trajectory,
                reason=AgendaReason.MANUAL,
                detail=detail[:300],
                order=meeting.items.count() + 1,
            )
    except IntegrityError as exc:
        raise ApplicationError(MSG_ALREADY_ON_AGENDA, field="trajectory") from exc
    log_change(actor=actor, person_ids=[trajectory.person_id])
    return item


@transaction.atomic
def agenda_remove(*, actor: User, item: AgendaItem) -> None:
    if item.meeting.closed:
        raise ApplicationError(MSG_MEETING_CLOSED)
    if item.decisions.exists():
        raise ApplicationError("Over dit agendapunt is al besloten; het kan niet meer van de agenda.")
    person_id = item.trajectory.person_id
    item.delete()
    log_change(actor=actor, person_ids=[person_id])


@transaction.atomic
def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    meeting.closed = True
    meeting.save(update_fields=["closed"])
    return meeting


@transaction.atomic
def minutes_add(*, actor: User, item: AgendaItem, text: str, visibility: str) -> Minutes:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(MSG_MINUTES_EMPTY, field="text")
    if visibility not in MinutesVisibility.values:
        raise ApplicationError("Kies wie het verslag mag lezen.", field="visibility")
    organisation = actor.organisation
    assert organisation is not None, "a user without an organisation may write nothing (accounts.access)"
    minutes = Minutes.objects.create(
        agenda_item=item,
        text=text,
        visibility=visibility,
        author=actor,
        organisation=organisation,
        created_at=clock.now(),
    )
    log_change(actor=actor, person_ids=[item.trajectory.person_id])
    return minutes


# --- scenario steps -----------------------------------------------------------------------------


def _trajectory_start(trajectory: Trajectory) -> dt.date:
    return trajectory.admission_date or trajectory.application_date


def _check_step(
    trajectory: Trajectory, description: str, responsible: Organisation | None, due_date: dt.date | None
) -> None:
    if not (description or "").strip():
        raise ApplicationError(MSG_STEP_DESCRIPTION, field="description")
    if responsible is None:
        raise ApplicationError(MSG_STEP_RESPONSIBLE, field="responsible")
    if due_date is None:
        raise ApplicationError("De deeltermijn is verplicht.", field="due_date")
    if due_date < _trajectory_start(trajectory):
        raise ApplicationError(MSG_STEP_BEFORE_START.format(start=_d(_trajectory_start(trajectory))), field="due_date")
    if trajectory.stage in CLOSED_STAGES:
        raise ApplicationError("Dit traject is afgesloten.")


@transaction.atomic
def step_add(
    *, actor: User, trajectory: Trajectory, description: str, responsible: Organisation, due_date: dt.date
) -> ScenarioStep:
    trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
    _check_step(trajectory, description, responsible, due_date)
    step = ScenarioStep.objects.create(
        trajectory=trajectory,
        description=description.strip(),
        responsible=responsible,
        due_date=due_date,
        created_by=actor,
        created_at=clock.now(),
    )
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="scenario",
        actor=actor,
        description=f"Stap “{step.description}” ({responsible}), deeltermijn {_d(due_date)}",
    )
    return step


@transaction.atomic
def steps_from_templates(
    *, actor: User, trajectory: Trajectory, perspective: str, start: dt.date
) -> list[ScenarioStep]:
    """Add the template steps of a perspective; the responsible party is the trajectory's organisation
    of the template's type (the municipality, an assigned NGO, or the national IND/DT&V/AVIM)."""
    steps: list[ScenarioStep] = []
    for template in StepTemplate.objects.filter(perspective=perspective):
        responsible = _organisation_of_type(trajectory, template.responsible_type)
        if responsible is None:
            continue
        steps.append(
            step_add(
                actor=actor,
                trajectory=trajectory,
                description=template.description,
                responsible=responsible,
                due_date=start + dt.timedelta(days=template.due_after_days),
            )
        )
    return steps


def _organisation_of_type(trajectory: Trajectory, org_type: str) -> Organisation | None:
    if org_type == "gemeente":
        return Organisation.objects.filter(type="gemeente", municipality_id=trajectory.municipality_id).first()
    if org_type == "ngo":
        return guidance_ngo(trajectory)
    return Organisation.objects.filter(type=org_type).first()


def guidance_ngo(trajectory: Trajectory) -> Organisation | None:
    """The NGO that guides the participant: the first assigned NGO that does not coordinate the LSO.
    In Amsterdam the regiegroep of NGOs is assigned to (nearly) every case and chairs the LSO; the
    steps of the scenario belong to the NGO that does the guidance. Only when the coordinating NGO is
    the only one assigned, it is the one."""
    links = (
        Trajectory.assigned_organisations.through.objects.filter(trajectory=trajectory, organisation__type="ngo")
        .select_related("organisation")
        .order_by("pk")
    )
    ngos = [link.organisation for link in links]
    coordinating = set(
        Organisation.objects.filter(pk__in=[o.pk for o in ngos])
        .filter(Q(users__is_lso_chair=True) | Q(chaired_meetings__municipality_id=trajectory.municipality_id))
        .values_list("pk", flat=True)
    )
    return next((o for o in ngos if o.pk not in coordinating), ngos[0] if ngos else None)


@transaction.atomic
def step_complete(*, actor: User, step: ScenarioStep, done_on: dt.date) -> ScenarioStep:
    step = ScenarioStep.objects.select_for_update().get(pk=step.pk)
    if step.status != StepStatus.OPEN:
        raise ApplicationError(MSG_STEP_CLOSED)
    require_past_date(done_on, label="De datum gereed", field="done_on")
    if done_on < step.created_at.date() and done_on < _trajectory_start(step.trajectory):
        raise ApplicationError("De datum gereed ligt vóór het begin van het traject.", field="done_on")
    step.status, step.done_on = StepStatus.DONE, done_on
    step.save(update_fields=["status", "done_on"])
    log_change(actor=actor, person_ids=[step.trajectory.person_id])
    event_append(
        trajectory=step.trajectory,
        kind="scenario",
        actor=actor,
        description=f"Stap “{step.description}” gereed op {_d(done_on)}",
    )
    return step


# --- decisions ----------------------------------------------------------------------------------


class _DecisionFields(TypedDict, total=False):
    """The fields of a `Decision` that depend on its kind."""

    summary: str
    perspective: str
    perspective_status: str
    extended_until: dt.date
    termination_reason: str
    due_date: dt.date
    positions: str
    delay_cause: str
    stuck_cause: str


def case_summary(trajectory: Trajectory) -> str:
    """The case summary for the escalation team, assembled from the registry (no collecting by hand)."""

    person = trajectory.person
    lines = [
        f"Traject {trajectory.external_id}, {trajectory.municipality}; fase: {trajectory.get_stage_display()}.",
        f"Geboortejaar {person.known_birth_year or 'onbekend'}, geslacht {person.get_sex_display().lower()}, "
        f"land van herkomst {country_name(person.country_of_origin)}; "
        f"V-nummer {'bekend' if person.v_number else 'onbekend'}.",
        f"Aangemeld {_d(trajectory.application_date)}"
        + (f", toegelaten {_d(trajectory.admission_date)}" if trajectory.admission_date else "")
        + (" (LSO-uitzondering)" if trajectory.is_exception else "")
        + ".",
    ]
    if trajectory.stay_until:
        lines.append(f"Verblijfstermijn tot en met {_d(trajectory.stay_until)}.")
    perspective = trajectory.current_perspective()
    if perspective:
        lines.append(
            f"Perspectief: {perspective.get_perspective_display().lower()} "
            f"({perspective.get_status_display().lower()}, {_d(perspective.decided_on)})."
        )
    instruments = [
        u.instrument.label.lower() for u in trajectory.instruments.select_related("instrument") if u.value == "ja"
    ]
    if instruments:
        lines.append("Ingezette begeleiding: " + ", ".join(instruments) + ".")
    steps = trajectory.steps.select_related("responsible")
    if steps:
        lines.append("Begeleidingsscenario:")
        lines += [
            f"- {s.description} ({s.responsible}), deeltermijn {_d(s.due_date)}: {s.get_status_display().lower()}"
            for s in steps
        ]
    decisions = trajectory.lso_decisions.select_related("meeting").order_by("meeting__date", "id")
    if decisions:
        lines.append("Eerdere LSO-besluiten:")
        lines += [
            f"- {_d(d.meeting.date)}: {d.get_kind_display()}" + (f" — {d.summary}" if d.summary else "")
            for d in decisions
        ]
    if trajectory.stuck_cause:
        lines.append(f"Reden vastgelopen volgens het LSO: {StuckCause(trajectory.stuck_cause).label.lower()}.")
    return "\n".join(lines)


@transaction.atomic
def decision_record(
    *,
    actor: User,
    item: AgendaItem,
    kind: str,
    summary: str = "",
    perspective: str = "",
    perspective_status: str = "",
    extended_until: dt.date | None = None,
    termination_reason: str = "",
    positions: str = "",
    delay_cause: str = "",
    stuck_cause: str = "",
    step: ScenarioStep | None = None,
    step_description: str = "",
    step_responsible: Organisation | None = None,
    step_due_date: dt.date | None = None,
    new_due_date: dt.date | None = None,
    question: str = "",
) -> DecisionModel:
    """Record one LSO decision on an agenda item and apply its effect to the trajectory."""
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    trajectory = Trajectory.objects.select_for_update().select_related("person").get(pk=item.trajectory_id)
    if trajectory.municipality_id != meeting.municipality_id:
        raise ApplicationError(MSG_OTHER_MUNICIPALITY)
    if meeting.closed:
        raise ApplicationError(MSG_MEETING_CLOSED)
    if meeting.date > clock.today():
        raise ApplicationError(MSG_MEETING_FUTURE)
    if kind not in DecisionKind.values:
        raise ApplicationError(MSG_UNKNOWN_KIND, field="kind")
    summary, positions, question = summary.strip(), positions.strip(), question.strip()
    day = meeting.date
    fields: _DecisionFields = {"summary": summary}
    if step is not None and step.trajectory_id != trajectory.pk:
        raise ApplicationError(MSG_STEP_OTHER_TRAJECTORY, field="step")
    timeline = ""

    if kind == DecisionKind.ADMISSION_EXCEPTION:
        admission_decide(
            actor=actor,
            trajectory=trajectory,
            outcome="uitzondering",
            decided_on=day,
            exception_motivation=summary,
            lso_meeting_date=day,
            # The LSO's exception also covers parties at its table the consent leaves out (recorded).
            consent_exception_motivation=summary,
        )
        timeline = "toegelaten als uitzondering"
    elif kind == DecisionKind.PERSPECTIVE:
        perspective_record(
            actor=actor,
            trajectory=trajectory,
            perspective=perspective,
            status=perspective_status,
            decided_on=day,
            lso_meeting_date=day,
        )
        fields.update({"perspective": perspective, "perspective_status": perspective_status})
        timeline = f"perspectief {perspective_status} {perspective}"
    elif kind == DecisionKind.SCENARIO:
        if not summary:
            raise ApplicationError("Beschrijf het (gewijzigde) scenario.", field="summary")
        timeline = "begeleidingsscenario vastgesteld"
    elif kind == DecisionKind.EXTENSION:
        if trajectory.stage not in ADMITTED_STAGES:
            raise ApplicationError(MSG_EXTENSION_CLOSED)
        if extended_until is None:
            raise ApplicationError(MSG_EXTENSION_DATE, field="extended_until")
        if extended_until <= day:
            raise ApplicationError(MSG_EXTENSION_BEFORE_MEETING, field="extended_until")
        if trajectory.stay_until and extended_until <= trajectory.stay_until:
            raise ApplicationError(
                MSG_EXTENSION_NOT_LATER.format(until=_d(trajectory.stay_until)), field="extended_until"
            )
        trajectory.stay_until = extended_until
        save_checked(trajectory, None, ["stay_until", "updated_at"])
        fields["extended_until"] = extended_until
        timeline = f"verblijf verlengd tot en met {_d(extended_until)}"
    elif kind == DecisionKind.TERMINATION:
        if termination_reason not in TerminationReason.values:
            raise ApplicationError(MSG_TERMINATION_REASON, field="termination_reason")
        outflow_register(actor=actor, trajectory=trajectory, outflow_date=day, outcome_code="beeindigd_gemeente")
        fields["termination_reason"] = termination_reason
        timeline = f"opvang beëindigd ({TerminationReason(termination_reason).label.lower()})"
    elif kind == DecisionKind.ESCALATION:
        if not question:
            raise ApplicationError(MSG_QUESTION, field="question")
        if trajectory.stage in CLOSED_STAGES:
            raise ApplicationError("Dit traject is afgesloten.")
        timeline = "geëscaleerd naar het MRT"
    elif kind == DecisionKind.BINDING:
        if not policy_for(trajectory.municipality_id).deciding_escalation:
            raise ApplicationError(MSG_DECIDING_DISABLED)
        if not summary:
            raise ApplicationError(MSG_BINDING_SUMMARY, field="summary")
        timeline = "bindend besluit beslisniveau"
    elif kind == DecisionKind.STEP_SET:
        _check_step(trajectory, step_description, step_responsible, step_due_date)
        assert step_responsible is not None and step_due_date is not None, "_check_step refuses them empty"
        step = ScenarioStep.objects.create(
            trajectory=trajectory,
            description=step_description.strip(),
            responsible=step_responsible,
            due_date=step_due_date,
            created_by=actor,
            created_at=clock.now(),
        )
        fields["due_date"] = step_due_date
        timeline = f"stap “{step.description}” ({step_responsible}), deeltermijn {_d(step_due_date)}"
    elif kind == DecisionKind.STEP_REVIEW:
        if step is None:
            raise ApplicationError("Kies de stap die wordt geëvalueerd.", field="step")
        if delay_cause not in DelayCause.values:
            raise ApplicationError(MSG_DELAY_CAUSE, field="delay_cause")
        if stuck_cause and stuck_cause not in StuckCause.values:
            raise ApplicationError("Onbekende reden.", field="stuck_cause")
        if new_due_date is not None:
            if new_due_date <= day:
                raise ApplicationError("De nieuwe deeltermijn moet na het overleg liggen.", field="new_due_date")
            step.due_date = new_due_date
            fields["due_date"] = new_due_date
        step.last_reviewed_on = day
        step.save(update_fields=["due_date", "last_reviewed_on"])
        fields.update({"delay_cause": delay_cause, "stuck_cause": stuck_cause})
        if stuck_cause:
            trajectory.stuck_cause = stuck_cause
            save_checked(trajectory, None, ["stuck_cause", "updated_at"])
        timeline = f"deeltermijn “{step.description}” geëvalueerd: {DelayCause(delay_cause).label.lower()}"
        if new_due_date:
            timeline += f"; nieuwe deeltermijn {_d(new_due_date)}"
    elif kind == DecisionKind.STEP_WAIVED:
        if step is None:
            raise ApplicationError("Kies de stap die vervalt.", field="step")
        if step.status != StepStatus.OPEN:
            raise ApplicationError(MSG_STEP_CLOSED, field="step")
        if not summary:
            raise ApplicationError(MSG_WAIVER_REASON, field="summary")
        step.status, step.waiver_reason = StepStatus.WAIVED, summary
        step.save(update_fields=["status", "waiver_reason"])
        timeline = f"stap “{step.description}” vervallen"
    elif kind == DecisionKind.NO_AGREEMENT:
        if not positions:
            raise ApplicationError(MSG_POSITIONS, field="positions")
        fields["positions"] = positions
        timeline = "geen overeenstemming"

    decision = DecisionModel.objects.create(
        meeting=meeting,
        agenda_item=item,
        trajectory=trajectory,
        kind=kind,
        step=step,
        decided_by=actor,
        created_at=clock.now(),
        **fields,
    )
    if kind == DecisionKind.ESCALATION:
        Escalation.objects.create(
            trajectory=trajectory,
            level=EscalationLevel.MRT,
            question=question,
            case_summary=case_summary(trajectory),
            requested_on=day,
            decision=decision,
        )
    # A review that records a delay, or no agreement, is no progress on the case (stuck-cases report).
    no_progress = (kind == DecisionKind.STEP_REVIEW and delay_cause != DelayCause.ON_TRACK) or (
        kind == DecisionKind.NO_AGREEMENT
    )
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="lso_geen_voortgang" if no_progress else "lso_besluit",
        actor=actor,
        description=f"LSO {_d(day)}: {timeline}"
        + (
            f" — {summary}"
            if summary and kind not in (DecisionKind.STEP_WAIVED, DecisionKind.ADMISSION_EXCEPTION)
            else ""
        ),
    )
    return decision


@transaction.atomic
def escalation_record_advice(
    *, actor: User, escalation: Escalation, advice: str, advice_on: dt.date, follow_up: str = ""
) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not (advice or "").strip():
        raise ApplicationError(MSG_ADVICE_EMPTY, field="advice")
    require_past_date(advice_on, label="De datum van het advies", field="advice_on")
    if advice_on < escalation.requested_on:
        raise ApplicationError(MSG_ADVICE_BEFORE_REQUEST.format(date=_d(escalation.requested_on)), field="advice_on")
    escalation.advice, escalation.advice_on, escalation.follow_up = advice.strip(), advice_on, follow_up.strip()
    escalation.save(update_fields=["advice", "advice_on", "follow_up"])
    log_change(actor=actor, person_ids=[escalation.trajectory.person_id])
    event_append(
        trajectory=escalation.trajectory,
        kind="escalatie",
        actor=actor,
        description=f"Advies {escalation.get_level_display()} ontvangen ({_d(advice_on)})",
    )
    return escalation


MSG_POLICY_NOT_ALLOWED = "U mag de voortgangsinstellingen van deze gemeente niet wijzigen."


@transaction.atomic
def progress_policy_save(*, actor: User, policy: ProgressPolicy, lso_parties: list[str]) -> ProgressPolicy:
    """Save a municipality's terms of stay and signal thresholds together with who sits at its LSO
    table: its functional administrators (those who edit its admission criteria)."""
    if not access.can_edit_criteria(actor, policy.municipality_id):
        raise ApplicationError(MSG_POLICY_NOT_ALLOWED)
    policy.full_clean()
    policy.save()
    municipality_lso_parties_set(actor=actor, municipality=policy.municipality, parties=lso_parties)
    return policy
