"""Case progress pages: the LSO chair's signals dashboard, the stuck-cases report, the guidance
scenario (steps and their sub-deadlines) and escalation advice on the trajectory page, and the
municipality's progress policy. Views validate, call one service and redirect; the rules live in
`meetings.services`, the "is it due" questions in `meetings.signals` (one clock: `core.clock`)."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from lvv.accounts import access
from lvv.accounts.models import Municipality, OrganisationType
from lvv.audit.services import record_reads
from lvv.core import clock
from lvv.core.decorators import dutch
from lvv.core.exceptions import ApplicationError
from lvv.core.forms import apply_error, submit
from lvv.trajectories.resolvers import visible_trajectory

from . import services, signals
from .forms_progress import (
    EscalationAdviceForm,
    ProgressPolicyForm,
    StepDoneForm,
    StepForm,
    StepsFromTemplateForm,
    WeeksForm,
)
from .models import ProgressPolicy, StepTemplate, StuckCause
from .terms import policy_for

PURPOSE_SIGNALS = "Uitvoering LVV: signalen voor het LSO"
PURPOSE_STUCK = "Uitvoering LVV: vastgelopen trajecten"
#: Rows shown per list of the signals dashboard.
SIGNALS_SHOWN = 100
MSG_NO_PERSPECTIVE = (
    "Dit traject heeft nog geen perspectief. Leg eerst het perspectief vast; de sjablonen horen bij een perspectief."
)
MSG_NO_TEMPLATES = "Er zijn geen sjabloonstappen voor het perspectief {perspective}."
#: The report's default N when no municipality's policy applies (the national version).
DEFAULT_STUCK_WEEKS = ProgressPolicy._meta.get_field("stuck_weeks").default
NO_CAUSE = ""
NO_CAUSE_LABEL = "Geen reden vastgelegd"


# --- access helpers -------------------------------------------------------------------------------


def _municipality_of(user) -> Municipality | None:
    return user.municipality if user.is_authenticated and user.organisation_id else None


def _require_signals(user) -> Municipality:
    """The dashboard and the municipal stuck report: the municipality's own users."""
    municipality = _municipality_of(user)
    if municipality is None or not access.sees_progress_signals(user, municipality.pk):
        raise PermissionDenied
    return municipality


def _detail_url(trajectory, anchor: str = "voortgang") -> str:
    return reverse("trajectories:detail", kwargs={"pk": trajectory.pk}) + f"#{anchor}"


# --- the trajectory page partial ------------------------------------------------------------------


# --- dashboard ------------------------------------------------------------------------------------


@dutch
@require_GET
def dashboard(request):
    municipality = _require_signals(request.user)
    today = clock.today()
    policy = policy_for(municipality.pk)
    overdue = list(signals.overdue_steps(municipality.pk, today))
    expiring = list(signals.terms_expiring(municipality.pk, today))
    expired = list(signals.terms_expired(municipality.pk, today))
    no_perspective = list(signals.without_perspective(municipality.pk, today))
    not_discussed = list(signals.not_discussed(municipality.pk, today))
    waiting = list(signals.waiting_list(municipality.pk))
    late_per_party = Counter(step.responsible.name for step in overdue)
    per_party = [
        (name, count, late_per_party.get(name, 0)) for name, count in signals.open_steps_per_party(municipality.pk)
    ]

    for t in expiring + expired:
        t.days_left = (t.stay_until - today).days
        t.days_over = -t.days_left
    for t in no_perspective:
        t.weeks_admitted = (today - t.admission_date).days // 7
    for t in waiting:
        t.days_waiting = (today - t.application_date).days
    for step in overdue:
        step.days_late = (today - step.due_date).days

    # (anchor, heading, count, urgent): overdue steps and expired terms are already late.
    sections = [
        ("deeltermijnen", "Deeltermijnen verlopen", len(overdue), True),
        ("termijn-verlopen", "Verblijfstermijn verlopen zonder besluit", len(expired), True),
        ("termijn-loopt-af", f"Verblijfstermijn loopt af binnen {policy.warning_weeks} weken", len(expiring), False),
        (
            "geen-perspectief",
            f"Geen perspectief {policy.no_perspective_weeks} weken na toelating",
            len(no_perspective),
            False,
        ),
        ("niet-besproken", f"Niet besproken in {policy.not_discussed_weeks} weken", len(not_discussed), False),
        ("wachtlijst", "Wachtlijst voor toelating", len(waiting), False),
    ]
    # Each list shows its first SIGNALS_SHOWN rows (the headings give the full counts): a page of
    # thousands of names helps nobody, and every name shown is a read in the access log.
    n = SIGNALS_SHOWN
    shown = [s.trajectory.person_id for s in overdue[:n]] + [
        t.person_id for group in (expired, expiring, no_perspective, not_discussed, waiting) for t in group[:n]
    ]
    record_reads(request, shown, purpose=PURPOSE_SIGNALS)
    return render(
        request,
        "meetings/dashboard.html",
        {
            "municipality": municipality,
            "today": today,
            "policy": policy,
            "sections": sections,
            "overdue": overdue,
            "expired": expired,
            "expiring": expiring,
            "no_perspective": no_perspective,
            "not_discussed": not_discussed,
            "waiting": waiting,
            "per_party": per_party,
            "may_edit_policy": access.can_edit_criteria(request.user, municipality.pk),
            "shown_limit": SIGNALS_SHOWN,
            "shown_slice": f":{SIGNALS_SHOWN}",
        },
    )


# --- stuck cases ----------------------------------------------------------------------------------


def _cause_label(cause: str) -> str:
    return StuckCause(cause).label if cause in StuckCause.values else NO_CAUSE_LABEL


#: Report order: the causes as the LSO records them, then the cases without a recorded cause.
CAUSE_ORDER = [*StuckCause.values, NO_CAUSE]


@dutch
@require_GET
def stuck(request):
    user = request.user
    national = access.sees_national_stuck_report(user)
    municipality = None if national else _require_signals(user)
    default = DEFAULT_STUCK_WEEKS if national else policy_for(municipality.pk).stuck_weeks
    form = WeeksForm(request.GET or None, initial={"weken": default})
    weeks = (form.cleaned_data["weken"] if form.is_valid() else None) or default
    today = clock.today()
    context = {"form": form, "national": national, "municipality": municipality, "today": today}

    if national:
        # Aggregates only: the programmabureau never sees person-level data, so no names, no
        # trajectory numbers and no links leave this view.
        counts = Counter(
            (t.municipality_id, t.stuck_cause if t.stuck_cause in StuckCause.values else NO_CAUSE)
            for t in signals.stuck_cases(municipality_id=None, weeks=weeks, today=today)
        )
        rows = []
        for m in Municipality.objects.filter(has_lvv=True).order_by("name"):
            cells = [counts.get((m.pk, cause), 0) for cause in CAUSE_ORDER]
            rows.append({"municipality": m.name, "cells": cells, "total": sum(cells)})
        totals = [sum(r["cells"][i] for r in rows) for i in range(len(CAUSE_ORDER))]
        context.update(
            weeks=weeks,
            causes=[_cause_label(c) for c in CAUSE_ORDER],
            rows=rows,
            totals=totals,
            total=sum(totals),
        )
        return render(request, "meetings/stuck.html", context)

    cases = signals.stuck_cases(municipality_id=municipality.pk, weeks=weeks, today=today)
    groups = {cause: [] for cause in CAUSE_ORDER}
    for t in cases:
        t.last_progress_date = timezone.localdate(t.last_progress) if t.last_progress else None
        t.weeks_still = (today - t.last_progress_date).days // 7 if t.last_progress_date else None
        groups[t.stuck_cause if t.stuck_cause in StuckCause.values else NO_CAUSE].append(t)
    record_reads(request, [t.person_id for t in cases], purpose=PURPOSE_STUCK)
    context.update(
        weeks=weeks,
        groups=[(cause or "geen-reden", _cause_label(cause), items) for cause, items in groups.items()],
        total=len(cases),
    )
    return render(request, "meetings/stuck.html", context)


# --- scenario steps -------------------------------------------------------------------------------


@dutch
@require_http_methods(["GET", "POST"])
def step_new(request, pk: int):
    trajectory = visible_trajectory(request, pk, allowed=lambda t: access.can_edit_steps(request.user, t))
    form = StepForm(request.POST or None, trajectory=trajectory)
    done = submit(
        request,
        form,
        lambda: services.step_add(actor=request.user, trajectory=trajectory, **form.cleaned_data),
        success="De stap is toegevoegd aan het begeleidingsscenario.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request,
        "meetings/steps_form.html",
        {
            "trajectory": trajectory,
            "form": form,
            "title": "Stap toevoegen",
            "intro": "Een stap van het begeleidingsscenario: wat er moet gebeuren, wie dat doet en wanneer het "
            "uiterlijk gereed is. Verloopt de deeltermijn, dan komt het traject op de agenda van het "
            "volgende LSO ter evaluatie.",
        },
    )


@dutch
@require_http_methods(["GET", "POST"])
def steps_from_template(request, pk: int):
    trajectory = visible_trajectory(request, pk, allowed=lambda t: access.can_edit_steps(request.user, t))
    perspective = trajectory.current_perspective()
    templates = StepTemplate.objects.filter(perspective=perspective.perspective) if perspective else []
    form = StepsFromTemplateForm(request.POST or None)
    # Not `submit`: one success message only when steps were added, and a warning for those skipped.
    if request.method == "POST" and form.is_valid():
        if perspective is None:
            form.add_error(None, MSG_NO_PERSPECTIVE)
        elif not templates:
            form.add_error(None, MSG_NO_TEMPLATES.format(perspective=perspective.get_perspective_display().lower()))
        else:
            try:
                created = services.steps_from_templates(
                    actor=request.user,
                    trajectory=trajectory,
                    perspective=perspective.perspective,
                    start=form.cleaned_data["start"],
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                skipped = len(templates) - len(created)
                if created:
                    messages.success(
                        request, f"{len(created)} stap{'pen' if len(created) != 1 else ''} uit het sjabloon toegevoegd."
                    )
                if skipped:
                    messages.warning(
                        request,
                        f"{skipped} sjabloonstap{'pen' if skipped != 1 else ''} niet toegevoegd: er is geen "
                        "verantwoordelijke organisatie van het juiste soort (wijs eerst een ngo toe).",
                    )
                return redirect(_detail_url(trajectory))
    existing = set(trajectory.steps.values_list("description", flat=True))
    rows = [
        {
            "description": t.description,
            "party": _party_label(t.responsible_type),
            "days": t.due_after_days,
            "present": t.description in existing,
        }
        for t in templates
    ]
    return render(
        request,
        "meetings/steps_from_template.html",
        {
            "trajectory": trajectory,
            "form": form,
            "perspective": perspective,
            "rows": rows,
            "no_perspective_message": MSG_NO_PERSPECTIVE,
        },
    )


def _party_label(org_type: str) -> str:
    if org_type == OrganisationType.NGO:
        return "De toegewezen ngo"
    if org_type == OrganisationType.GEMEENTE:
        return "De gemeente"
    return OrganisationType(org_type).label if org_type in OrganisationType.values else org_type


@dutch
@require_http_methods(["GET", "POST"])
def step_done(request, pk: int, step_pk: int):
    step_holder = {}

    def allowed(trajectory) -> bool:
        step_holder["step"] = get_object_or_404(trajectory.steps.select_related("responsible"), pk=step_pk)
        return access.can_complete_step(request.user, step_holder["step"])

    trajectory = visible_trajectory(request, pk, allowed=allowed)
    step = step_holder["step"]
    form = StepDoneForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: services.step_complete(actor=request.user, step=step, done_on=form.cleaned_data["done_on"]),
        success=f"De stap “{step.description}” is gereed gemeld.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request,
        "meetings/steps_done.html",
        {"trajectory": trajectory, "step": step, "form": form, "is_late": signals.past_deadline(step, clock.today())},
    )


# --- escalation -----------------------------------------------------------------------------------


@dutch
@require_http_methods(["GET", "POST"])
def escalation_advice(request, pk: int, esc_pk: int):
    trajectory = visible_trajectory(
        request, pk, allowed=lambda t: access.can_manage_meetings(request.user, t.municipality_id)
    )
    escalation = get_object_or_404(trajectory.escalations.select_related("decision__meeting"), pk=esc_pk)
    initial = {"advice_on": clock.today()}
    if escalation.advice:
        initial = {"advice": escalation.advice, "advice_on": escalation.advice_on, "follow_up": escalation.follow_up}
    form = EscalationAdviceForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.escalation_record_advice(actor=request.user, escalation=escalation, **form.cleaned_data),
        success="Het advies is vastgelegd.",
        then=_detail_url(trajectory, "escalaties"),
    )
    if done is not None:
        return done
    return render(
        request,
        "meetings/escalation_advice.html",
        {"trajectory": trajectory, "escalation": escalation, "form": form},
    )


# --- policy ---------------------------------------------------------------------------------------


@dutch
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    """The municipality's terms of stay and signal thresholds: its functional administrators (the
    same people who edit its admission criteria)."""
    municipality = _municipality_of(request.user)
    if municipality is None or not access.can_edit_criteria(request.user, municipality.pk):
        raise PermissionDenied
    policy = ProgressPolicy.objects.filter(municipality=municipality).first() or ProgressPolicy(
        municipality=municipality
    )
    form = ProgressPolicyForm(request.POST or None, instance=policy, initial={"lso_parties": municipality.lso_parties})
    done = submit(
        request,
        form,
        lambda: services.progress_policy_save(
            actor=request.user, policy=form.save(commit=False), lso_parties=form.cleaned_data["lso_parties"]
        ),
        success="De voortgangsinstellingen zijn opgeslagen.",
        then="progress:policy",
    )
    if done is not None:
        return done
    return render(request, "meetings/progress_policy.html", {"form": form, "municipality": municipality})
