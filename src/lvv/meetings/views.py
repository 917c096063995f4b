"""LSO meetings: the list, a new meeting, the meeting page with its agenda, the page of one agenda
item with the decision and minutes forms, and the agenda and the decision list as PDF.

Views validate, call one service and redirect; the rules live in `meetings.services`. What a user
may open comes from `accounts.access` (a meeting outside `meeting_scope` or an item outside
`agenda_scope` is a 404; a write the user may not do is a 403). Every person shown is logged."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import override
from django.views.decorators.http import require_GET, require_http_methods

from lvv.accounts import access
from lvv.audit.services import concerns, record_read, record_reads
from lvv.core import clock
from lvv.core.decorators import dutch
from lvv.core.exceptions import ApplicationError
from lvv.core.forms import apply_error, submit
from lvv.trajectories.models import Trajectory

from . import pdf, services, signals
from .forms import DECISION_FIELD_HELP, AgendaAddForm, DecisionForm, MeetingForm, MinutesForm
from .models import AgendaItem, Decision, Meeting
from .selectors import meeting_scope, minutes_by_item
from .terms import policy_for

PAGE_SIZE = 50
PURPOSE_MEETING = "Uitvoering LVV: casusoverleg (LSO)"
PURPOSE_EXPORT = "Uitvoering LVV: agenda of besluitenlijst LSO (pdf)"

#: Field names of the services that the decision form calls differently.
_DECISION_ERROR_FIELDS = {
    "status": "perspective_status",
    "description": "step_description",
    "responsible": "step_responsible",
    "due_date": "step_due_date",
    "exception_motivation": "summary",
}


# --- helpers --------------------------------------------------------------------------------------


def _meeting(request, pk: int, *, about_agenda: bool = True) -> Meeting:
    """The meeting if the user may open it, else 404 (its existence is not revealed). A page of the
    whole meeting is about every person on its agenda: a refusal is logged for each of them."""
    if about_agenda:
        concerns(
            request, lambda: AgendaItem.objects.filter(meeting_id=pk).values_list("trajectory__person_id", flat=True)
        )
    return get_object_or_404(meeting_scope(request.user).select_related("municipality", "chair").distinct(), pk=pk)


def _meeting_item(request, pk: int, item_pk: int):
    """The meeting and an agenda item of it that the user may see, else 404. The page is about the
    item's person only (a refusal is logged for that person)."""
    concerns(
        request,
        lambda: AgendaItem.objects.filter(meeting_id=pk, pk=item_pk).values_list("trajectory__person_id", flat=True),
    )
    meeting = _meeting(request, pk, about_agenda=False)
    return meeting, get_object_or_404(access.agenda_scope(request.user, meeting), pk=item_pk)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def meeting_title(meeting: Meeting) -> str:
    with override("nl"):
        title = f"{meeting.get_kind_display()}, {date_format(meeting.date, 'j F Y')}"
    return f"{title}: {meeting.theme}" if meeting.theme else title


def _detail_url(meeting: Meeting, item=None) -> str:
    url = reverse("meetings:detail", kwargs={"pk": meeting.pk})
    return f"{url}#punt-{item.pk}" if item is not None else url


def _item_url(item, anchor: str = "") -> str:
    url = reverse("meetings:item", kwargs={"pk": item.meeting_id, "item_pk": item.pk})
    return f"{url}#{anchor}" if anchor else url


def _crumbs(meeting: Meeting, *more: dict) -> list[dict]:
    return [
        {"label": "Overleggen", "url": reverse("meetings:list")},
        {"label": meeting_title(meeting), "url": _detail_url(meeting)},
        *more,
    ]


def _may_close(user, meeting: Meeting) -> bool:
    return access.can_manage_meetings(user, meeting.municipality_id) or access.can_decide(user, meeting)


def _decisions_prefetch() -> Prefetch:
    return Prefetch(
        "decisions", queryset=Decision.objects.select_related("step__responsible", "escalation").order_by("id")
    )


# --- list and new ---------------------------------------------------------------------------------


@dutch
@require_GET
def meeting_list(request):
    user = request.user
    if not access.can_see_person_data(user):
        raise Http404  # like the work list: roles without person data have no meetings either
    qs = meeting_scope(user).select_related("municipality", "chair").distinct().order_by("-date", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("pagina"))
    municipality = user.municipality if user.organisation_id else None
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page_obj": page,
            "total": page.paginator.count,
            "today": clock.today(),
            "may_create": municipality is not None and access.can_manage_meetings(user, municipality.pk),
            "show_municipality": municipality is None,
        },
    )


@dutch
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    user = request.user
    municipality = user.municipality if user.organisation_id else None
    _require(municipality is not None and access.can_manage_meetings(user, municipality.pk))
    form = MeetingForm(request.POST or None, municipality=municipality, own_organisation=user.organisation)

    def perform() -> Meeting:
        data = form.cleaned_data
        return services.meeting_create(
            actor=user,
            municipality=municipality,
            kind=data["kind"],
            date=data["date"],
            chair=data["chair"],
            present=data["present"],
            theme=data["theme"],
        )

    def created(meeting: Meeting) -> str:
        count = meeting.items.count()
        return f"Het overleg is aangemaakt met {count} agendapunt{'en' if count != 1 else ''}."

    done = submit(request, form, perform, success=created, then=_detail_url)
    if done is not None:
        return done
    return render(request, "meetings/meeting_form.html", {"form": form, "municipality": municipality})


# --- the meeting page -----------------------------------------------------------------------------


@dutch
@require_GET
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    user = request.user
    items = list(access.agenda_scope(user, meeting).prefetch_related(_decisions_prefetch()))
    numbers = pdf.agenda_numbers(meeting)
    minutes = minutes_by_item(user, items)
    for item in items:
        item.number = numbers[item.pk]
        item.decision_rows = [pdf.decision_data(d) for d in item.decisions.all()]
        item.visible_minutes = minutes[item.pk]
    record_reads(request, [item.trajectory.person_id for item in items], purpose=PURPOSE_MEETING)
    may_manage = access.can_manage_meetings(user, meeting.municipality_id)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "title": meeting_title(meeting),
            "present": meeting.present.order_by("name"),
            "items": items,
            "may_manage": may_manage and not meeting.closed,
            "may_decide": access.can_decide(user, meeting) and not meeting.closed,
            "may_write_minutes": access.can_write_minutes(user, meeting),
            "may_close": _may_close(user, meeting) and not meeting.closed,
            "in_future": meeting.date > clock.today(),
            "breadcrumbs": _crumbs(meeting)[:1] + [{"label": meeting_title(meeting), "url": ""}],
        },
    )


def _confirmed(request) -> bool:
    """A state-changing button posts `bevestig=1`; a POST without it (an empty body, say) writes
    nothing and shows the confirmation page again."""
    return request.method == "POST" and request.POST.get("bevestig") == "1"


def _confirm_page(
    request, meeting: Meeting, *, heading: str, question: str, button: str, explanation: str = "", cancel_url: str = ""
):
    return render(
        request,
        "meetings/meeting_confirm.html",
        {
            "meeting": meeting,
            "heading": heading,
            "question": question,
            "explanation": explanation,
            "button": button,
            "cancel_url": cancel_url or _detail_url(meeting),
            "breadcrumbs": _crumbs(meeting, {"label": heading, "url": ""}),
        },
    )


@dutch
@require_http_methods(["GET", "POST"])
def agenda_fill(request, pk: int):
    meeting = _meeting(request, pk)
    _require(access.can_manage_meetings(request.user, meeting.municipality_id))
    if not _confirmed(request):
        return _confirm_page(
            request,
            meeting,
            heading="Agenda aanvullen",
            question=f"De agenda van {meeting_title(meeting)} aanvullen met wat op de datum van het overleg speelt?",
            explanation="Verlopen deeltermijnen, aflopende en verlopen termijnen, trajecten zonder perspectief en "
            "trajecten die lang niet zijn besproken komen erbij. Punten die al op de agenda staan, blijven staan.",
            button="Agenda aanvullen",
        )
    try:
        created = services.agenda_fill(actor=request.user, meeting=meeting)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if created:
            n = len(created)
            messages.success(request, f"{n} agendapunt{'en' if n != 1 else ''} toegevoegd.")
        else:
            messages.info(request, "De agenda was al compleet: er is niets toegevoegd.")
    return redirect(_detail_url(meeting))


@dutch
@require_http_methods(["GET", "POST"])
def agenda_add(request, pk: int):
    posted = request.POST.get("trajectory", "") if request.method == "POST" else ""
    if posted.isdigit():  # the person whose trajectory was to be put on the agenda
        concerns(request, lambda: Trajectory.objects.filter(pk=int(posted)).values_list("person_id", flat=True))
    meeting = _meeting(request, pk)
    _require(access.can_manage_meetings(request.user, meeting.municipality_id))
    form = AgendaAddForm(request.POST or None, meeting=meeting)
    done = submit(
        request,
        form,
        lambda: services.agenda_add(
            actor=request.user,
            meeting=meeting,
            trajectory=form.cleaned_data["trajectory"],
            detail=form.cleaned_data["detail"],
        ),
        success=lambda _: f"{form.cleaned_data['trajectory'].person.full_name} staat op de agenda.",
        then=lambda item: _detail_url(meeting, item),
    )
    if done is not None:
        return done
    if request.method != "POST":
        # The choice list names every running trajectory of the municipality: each is a read. (A POST
        # that adds nothing shows the same list again and leaves no row: docs/logboek.md.)
        record_reads(
            request, form.fields["trajectory"].queryset.values_list("person_id", flat=True), purpose=PURPOSE_MEETING
        )
    return render(
        request,
        "meetings/meeting_agenda_add.html",
        {
            "meeting": meeting,
            "form": form,
            "breadcrumbs": _crumbs(meeting, {"label": "Traject toevoegen", "url": ""}),
        },
    )


@dutch
@require_http_methods(["GET", "POST"])
def agenda_remove(request, pk: int, item_pk: int):
    meeting, item = _meeting_item(request, pk, item_pk)
    _require(access.can_manage_meetings(request.user, meeting.municipality_id))
    if request.method != "POST":
        record_read(request, item.trajectory.person_id)
    name = item.trajectory.person.full_name
    if not _confirmed(request):
        return _confirm_page(
            request,
            meeting,
            heading="Van de agenda halen",
            question=f"{name} (traject {item.trajectory.external_id}) van de agenda van "
            f"{meeting_title(meeting)} halen?",
            button="Van de agenda halen",
            cancel_url=_detail_url(meeting, item),
        )
    try:
        services.agenda_remove(actor=request.user, item=item)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(meeting, item))
    messages.success(request, f"{name} is van de agenda gehaald.")
    return redirect(_detail_url(meeting))


@dutch
@require_http_methods(["GET", "POST"])
def meeting_close(request, pk: int):
    meeting = _meeting(request, pk)
    _require(_may_close(request.user, meeting))
    if meeting.closed:
        messages.info(request, "Dit overleg was al afgesloten.")
        return redirect(_detail_url(meeting))
    if not _confirmed(request):
        return _confirm_page(
            request,
            meeting,
            heading="Overleg afsluiten",
            question=f"{meeting_title(meeting)} afsluiten?",
            explanation="Daarna kunnen er geen besluiten meer worden vastgelegd en is de agenda niet meer te wijzigen.",
            button="Overleg afsluiten",
        )
    services.meeting_close(actor=request.user, meeting=meeting)
    messages.success(request, "Het overleg is afgesloten. Er kunnen geen besluiten meer bij.")
    return redirect(_detail_url(meeting))


# --- one agenda item: decisions and minutes -------------------------------------------------------


def _decision_form(meeting: Meeting, item, data=None) -> DecisionForm:
    return DecisionForm(
        data,
        trajectory=item.trajectory,
        binding_enabled=policy_for(meeting.municipality_id).deciding_escalation,
    )


def _apply_decision_error(form: DecisionForm, exc: ApplicationError) -> None:
    apply_error(form, ApplicationError(exc.message, field=_DECISION_ERROR_FIELDS.get(exc.field, exc.field)))


def _render_item(request, meeting: Meeting, item, *, decision_form: DecisionForm, minutes_form: MinutesForm):
    user = request.user
    visible = list(access.agenda_scope(user, meeting).values_list("pk", flat=True))
    position = visible.index(item.pk)
    number = pdf.agenda_numbers(meeting)[item.pk]
    trajectory = item.trajectory
    decisions = item.decisions.select_related("step__responsible", "escalation").order_by("id")
    steps = list(trajectory.steps.select_related("responsible"))
    today = clock.today()
    for step in steps:
        step.is_late = signals.past_deadline(step, today)
    return render(
        request,
        "meetings/meeting_item.html",
        {
            "meeting": meeting,
            "item": item,
            "number": number,
            "trajectory": trajectory,
            "person": trajectory.person,
            "perspective": trajectory.current_perspective(),
            "steps": steps,
            "decision_rows": [pdf.decision_data(d) for d in decisions],
            "minutes": access.minutes_scope(user, item),
            "decision_form": decision_form,
            "minutes_form": minutes_form,
            "field_help": [(kind.label, text) for kind, text in DECISION_FIELD_HELP],
            # A refused POST shows its form with the reason, also when the meeting closed meanwhile.
            "may_decide": access.can_decide(user, meeting) and (not meeting.closed or decision_form.is_bound),
            "may_write_minutes": access.can_write_minutes(user, meeting),
            "in_future": meeting.date > today,
            "previous_pk": visible[position - 1] if position > 0 else None,
            "next_pk": visible[position + 1] if position + 1 < len(visible) else None,
            "breadcrumbs": _crumbs(meeting, {"label": f"Agendapunt {number}", "url": ""}),
        },
    )


@dutch
@require_http_methods(["GET", "POST"])
def agenda_item(request, pk: int, item_pk: int):
    meeting, item = _meeting_item(request, pk, item_pk)
    if request.method != "POST":
        record_read(request, item.trajectory.person_id)
        return _render_item(
            request, meeting, item, decision_form=_decision_form(meeting, item), minutes_form=MinutesForm()
        )
    _require(access.can_decide(request.user, meeting))
    form = _decision_form(meeting, item, request.POST)
    # Not `submit`: a refusal names the service's fields, which `_apply_decision_error` maps onto the form.
    if form.is_valid():
        try:
            decision = services.decision_record(actor=request.user, item=item, **form.service_kwargs())
        except ApplicationError as exc:
            _apply_decision_error(form, exc)
        else:
            messages.success(
                request, f"Besluit vastgelegd: {decision.get_kind_display()} ({item.trajectory.person.full_name})."
            )
            return redirect(_item_url(item, "besluiten"))
    return _render_item(request, meeting, item, decision_form=form, minutes_form=MinutesForm())


@dutch
@require_http_methods(["GET", "POST"])
def minutes_add(request, pk: int, item_pk: int):
    """The minutes form of an agenda item (GET shows the item page with it)."""
    meeting, item = _meeting_item(request, pk, item_pk)
    _require(access.can_write_minutes(request.user, meeting))
    if request.method != "POST":
        record_read(request, item.trajectory.person_id)
        return _render_item(
            request, meeting, item, decision_form=_decision_form(meeting, item), minutes_form=MinutesForm()
        )
    form = MinutesForm(request.POST)
    done = submit(
        request,
        form,
        lambda: services.minutes_add(actor=request.user, item=item, **form.cleaned_data),
        success="Het verslag is toegevoegd.",
        then=_item_url(item, "verslag"),
    )
    if done is not None:
        return done
    return _render_item(request, meeting, item, decision_form=_decision_form(meeting, item), minutes_form=form)


# --- PDF ------------------------------------------------------------------------------------------


def _pdf_response(request, meeting: Meeting, *, decisions: bool) -> HttpResponse:
    data = pdf.meeting_data(request.user, meeting, with_decisions=decisions)
    record_reads(request, data.person_ids, purpose=PURPOSE_EXPORT)
    content = pdf.decisions_pdf(data) if decisions else pdf.agenda_pdf(data)
    name = "besluitenlijst" if decisions else "agenda"
    filename = f"{name}-{slugify(meeting.get_kind_display())[:20]}-{slugify(meeting.municipality.name)}"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}-{meeting.date:%Y-%m-%d}.pdf"'
    return response


@dutch
@require_GET
def agenda_pdf(request, pk: int):
    return _pdf_response(request, _meeting(request, pk), decisions=False)


@dutch
@require_GET
def decisions_pdf(request, pk: int):
    return _pdf_response(request, _meeting(request, pk), decisions=True)
