"""The trajectory pages: the work list, the trajectory page (which brings together what several apps
know of a case: consent, criteria, duplicates, case progress) and the forms that follow admission.
Views validate, call one service, and redirect; the rules live in the services."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from lvv.accounts import access
from lvv.accounts.access import Action
from lvv.admissions.consent import consent_in_force_elsewhere
from lvv.admissions.criteria import criteria_check
from lvv.audit.services import record_read, record_reads
from lvv.core.concurrency import add_version_field, posted_version, service_kwargs
from lvv.core.forms import submit
from lvv.core.limits import body_limit
from lvv.meetings.selectors import trajectory_progress
from lvv.people.countries import country_name
from lvv.people.duplicates import duplicate_check, duplicate_check_log
from lvv.shelter.models import Location
from lvv.trajectories import services
from lvv.trajectories.documents import MAX_DOCUMENT_BYTES, document_add
from lvv.trajectories.forms import (
    AssignForm,
    DocumentForm,
    IndDecisionForm,
    InstrumentsForm,
    NoteForm,
    OutflowForm,
    PerspectiveForm,
    PlacementForm,
    VisibilityChangeForm,
    WorklistFilterForm,
)
from lvv.trajectories.models import Instrument
from lvv.trajectories.resolvers import refuse_item, visible_trajectory
from lvv.trajectories.selectors import timeline_for, trajectory_list, trajectory_scope

from .utils import require_person_data_role

PAGE_SIZE = 50


@require_GET
def worklist(request):
    require_person_data_role(request)
    if request.user.municipality is not None:
        locations = Location.objects.filter(municipality=request.user.municipality)
    else:  # national chain partners: the locations of the trajectories they may see
        locations = Location.objects.filter(trajectories__in=trajectory_scope(request.user)).distinct()
    form = WorklistFilterForm(request.GET or None, locations=locations)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = trajectory_list(actor=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("pagina"))
    # Every person shown is a read of person data.
    record_reads(request, [t.person_id for t in page.object_list], purpose="Uitvoering LVV: werklijst")
    return render(
        request,
        "trajectories/worklist.html",
        {
            "form": form,
            "page_obj": page,
            "total": page.paginator.count,
            "may_register": access.can_register(request.user),
        },
    )


@require_GET
def trajectory_detail(request, pk: int):
    trajectory = visible_trajectory(request, pk)
    user = request.user
    person = trajectory.person
    notes = list(access.note_scope(user, trajectory).select_related("author", "organisation"))
    documents = list(access.document_scope(user, trajectory).defer("content").select_related("author", "organisation"))
    actions = access.allowed_actions(user, trajectory)
    context = {
        "trajectory": trajectory,
        "person": person,
        "show_contact": access.sees_contact_details(user),
        "country": country_name(person.country_of_origin),
        "events": timeline_for(actor=user, trajectory=trajectory),
        "notes": notes,
        "documents": documents,
        "placements": trajectory.placements.select_related("location"),
        "perspectives": trajectory.perspectives.all(),
        "instruments": trajectory.instruments.select_related("instrument"),
        "consents": trajectory.consents.all(),
        "consent_elsewhere": consent_in_force_elsewhere(trajectory),
        "identity_checks": trajectory.identity_checks.all(),
        "decision": getattr(trajectory, "admission_decision", None),
        "application": getattr(trajectory, "application", None),
        "assigned": trajectory.assigned_organisations.all(),
        "can": actions,
        "changeable_notes": access.changeable_items(user, notes, actions),
        "changeable_documents": access.changeable_items(user, documents, actions),
        "progress": trajectory_progress(user, trajectory),
    }
    if trajectory.stage in ("aangemeld", "in_toetsing"):
        context["criteria"] = criteria_check(trajectory)
    if access.sees_duplicate_check(user):
        report = duplicate_check(
            municipality_id=trajectory.municipality_id,
            v_number=person.v_number,
            given_names=person.given_names,
            family_name=person.family_name,
            birth_date=person.birth_date,
            birth_year=person.birth_year,
            country=person.country_of_origin,
            aliases=[alias.name for alias in person.aliases.all()],
            exclude_person_id=person.pk,
        )
        duplicate_check_log(request, report, where="op de trajectpagina")
        context["duplicates"] = report
    return render(request, "trajectories/detail.html", context)


def _detail_url(trajectory) -> str:
    return reverse("trajectories:detail", kwargs={"pk": trajectory.pk})


def _form_view(
    request,
    pk,
    *,
    action,
    form_class,
    title,
    template="trajectories/form.html",
    form_kwargs=None,
    perform,
    success,
    intro="",
    versioned=False,
):
    """`versioned`: the form carries the trajectory's version (optimistic locking); `perform` then
    passes `service_kwargs(form)`, which turns it into `expected_version`."""
    trajectory = visible_trajectory(request, pk, action)
    kwargs = form_kwargs(trajectory) if form_kwargs else {}
    form = form_class(request.POST or None, **kwargs)
    if versioned:
        add_version_field(form, trajectory)
    done = submit(request, form, lambda: perform(trajectory, form), success=success, then=_detail_url(trajectory))
    if done is not None:
        return done
    return render(request, template, {"trajectory": trajectory, "form": form, "title": title, "intro": intro})


@require_http_methods(["GET", "POST"])
def placement_new(request, pk: int):
    return _form_view(
        request,
        pk,
        action=Action.PLACE,
        form_class=PlacementForm,
        title="Plaatsing vastleggen",
        form_kwargs=lambda t: {"municipality": t.municipality},
        perform=lambda t, f: services.placement_record(actor=request.user, trajectory=t, **service_kwargs(f)),
        versioned=True,
        success="De plaatsing is vastgelegd.",
        intro="Een nieuwe plaatsing sluit de huidige af op de startdatum.",
    )


@require_http_methods(["GET", "POST"])
def perspective_new(request, pk: int):
    return _form_view(
        request,
        pk,
        action=Action.PERSPECTIVE,
        form_class=PerspectiveForm,
        title="Perspectief vastleggen",
        perform=lambda t, f: services.perspective_record(actor=request.user, trajectory=t, **service_kwargs(f)),
        versioned=True,
        success="Het perspectief is vastgelegd.",
        intro="Een definitief perspectief kan pas als het V-nummer bekend is.",
    )


@require_http_methods(["GET", "POST"])
def outflow_new(request, pk: int):
    return _form_view(
        request,
        pk,
        action=Action.OUTFLOW,
        form_class=OutflowForm,
        title="Uitstroom registreren",
        perform=lambda t, f: services.outflow_register(
            actor=request.user,
            trajectory=t,
            outflow_date=f.cleaned_data["outflow_date"],
            outcome_code=f.cleaned_data["outcome"].code,
            expected_version=posted_version(f),
        ),
        versioned=True,
        success="De uitstroom is geregistreerd.",
    )


@require_http_methods(["GET", "POST"])
def ind_decision_new(request, pk: int):
    return _form_view(
        request,
        pk,
        action=Action.OUTFLOW,
        form_class=IndDecisionForm,
        title="Besluit IND na uitstroom",
        perform=lambda t, f: services.ind_decision_record(actor=request.user, trajectory=t, **f.cleaned_data),
        success="Het besluit van de IND is vastgelegd.",
    )


@require_http_methods(["GET", "POST"])
def note_new(request, pk: int):
    return _form_view(
        request,
        pk,
        action=Action.NOTE,
        form_class=NoteForm,
        title="Notitie toevoegen",
        perform=lambda t, f: services.note_add(actor=request.user, trajectory=t, **f.cleaned_data),
        success="De notitie is toegevoegd.",
    )


@body_limit(MAX_DOCUMENT_BYTES)
@require_http_methods(["GET", "POST"])
def document_new(request, pk: int):
    trajectory = visible_trajectory(request, pk, Action.NOTE)
    form = DocumentForm(request.POST or None, request.FILES or None)

    def perform():
        upload = form.cleaned_data["file"]
        return document_add(
            actor=request.user,
            trajectory=trajectory,
            title=form.cleaned_data["title"],
            filename=upload.name,
            content=upload.read(),
            visibility=form.cleaned_data["visibility"],
        )

    done = submit(request, form, perform, success="Het document is toegevoegd.", then=_detail_url(trajectory))
    if done is not None:
        return done
    return render(
        request,
        "trajectories/form.html",
        {"trajectory": trajectory, "form": form, "title": "Document toevoegen"},
    )


@require_GET
def document_download(request, pk: int, doc_pk: int):
    """The file, if the user may read it by its class; else 404 (its existence is not revealed)."""
    trajectory = visible_trajectory(request, pk, log=False)
    document = access.document_scope(request.user, trajectory).filter(pk=doc_pk).first()
    if document is None:
        refuse_item(request, trajectory)
    record_read(request, trajectory.person_id, fields=["document"])
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    # RFC 6266/5987: a name with letters outside ASCII keeps them (filename*), plain ASCII as before.
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _visibility_change(request, pk: int, item_pk: int, *, kind: str):
    trajectory = visible_trajectory(request, pk, log=False)
    scope = access.note_scope if kind == "note" else access.document_scope
    item = scope(request.user, trajectory).filter(pk=item_pk).first()
    if item is None:
        refuse_item(request, trajectory)
    if not access.can_change_visibility(request.user, item):
        refuse_item(request, trajectory, status=403)
    if request.method != "POST":
        record_read(request, trajectory.person_id)
    form = VisibilityChangeForm(request.POST or None, initial={"visibility": item.visibility})
    done = submit(
        request,
        form,
        lambda: services.item_visibility_change(actor=request.user, item=item, **form.cleaned_data),
        success="De zichtbaarheid is gewijzigd.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    what = "notitie" if kind == "note" else f"document ‘{item.title}’"
    return render(
        request,
        "trajectories/form.html",
        {
            "trajectory": trajectory,
            "form": form,
            "title": f"Zichtbaarheid van {what} wijzigen",
            "intro": f"Nu: {item.get_visibility_display().lower()}. Verruimen (meer partijen mogen lezen) is een "
            "bewuste handeling: geef de reden en bevestig. De wijziging wordt vastgelegd.",
        },
    )


@require_http_methods(["GET", "POST"])
def note_visibility(request, pk: int, note_pk: int):
    return _visibility_change(request, pk, note_pk, kind="note")


@require_http_methods(["GET", "POST"])
def document_visibility(request, pk: int, doc_pk: int):
    return _visibility_change(request, pk, doc_pk, kind="document")


@require_http_methods(["GET", "POST"])
def assign_edit(request, pk: int):
    trajectory = visible_trajectory(request, pk, Action.ASSIGN)
    form = AssignForm(
        request.POST or None,
        municipality=trajectory.municipality,
        initial={"organisations": trajectory.assigned_organisations.all()},
    )
    add_version_field(form, trajectory)
    done = submit(
        request,
        form,
        lambda: services.trajectory_assign_organisations(
            actor=request.user,
            trajectory=trajectory,
            organisations=form.cleaned_data["organisations"],
            expected_version=posted_version(form),
        ),
        success="De betrokken ngo's zijn bijgewerkt.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request, "trajectories/form.html", {"trajectory": trajectory, "form": form, "title": "Betrokken ngo's"}
    )


@require_http_methods(["GET", "POST"])
def instruments_edit(request, pk: int):
    trajectory = visible_trajectory(request, pk, Action.INSTRUMENTS)
    current = {u.instrument_id: u for u in trajectory.instruments.all()}
    form = InstrumentsForm(request.POST or None, instruments=Instrument.objects.all(), current=current)
    add_version_field(form, trajectory)
    done = submit(
        request,
        form,
        lambda: services.instruments_update(
            actor=request.user, trajectory=trajectory, values=form.values(), expected_version=posted_version(form)
        ),
        success="De begeleidingsinstrumenten zijn bijgewerkt.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(request, "trajectories/instruments.html", {"trajectory": trajectory, "form": form})
