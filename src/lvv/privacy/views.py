"""Pages for the data subject's rights (AVG art. 15): the access report and the copy of the data.

Open to the functional administrators of the person's municipality (`access.can_answer_subject_request`);
a person outside the user's scope answers 404, a visible person without the right 403 (either way a
refusal row in the log). The report and the copy hold everything lvv has about the person, whatever
the administrator may see on his own pages; so they are produced only for a stated request: a reason
from a closed list and the request's reference (kenmerk), which the access-log row of every opening
carries (activity `lvv-rechten-betrokkene`). The row is written after the report was read, so a
report does not list its own opening."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from lvv.accounts import access
from lvv.audit import sealing
from lvv.audit.activities import SUBJECT_RIGHTS
from lvv.audit.services import concerns, record_read
from lvv.core.pdf import render_pdf
from lvv.core.tables import csv_text
from lvv.people.models import Person
from lvv.people.selectors import person_scope

from . import subject
from .forms import SubjectRequestForm

MSG_REQUEST_FIRST = "Geef eerst de reden en het kenmerk van het inzageverzoek."


def _subject(request, pk: int):
    concerns(request, lambda: Person.objects.filter(pk=pk).values_list("pk", flat=True))
    person = get_object_or_404(person_scope(request.user).select_related("municipality"), pk=pk)
    if not access.can_answer_subject_request(request.user, person):
        raise PermissionDenied
    return person


def _request_form(request) -> SubjectRequestForm:
    return SubjectRequestForm(request.GET if {"reden", "kenmerk"} & set(request.GET) else None)


def _log(request, person, form: SubjectRequestForm, what: str, fields) -> None:
    record_read(request, person.pk, purpose=form.purpose(what), activity=SUBJECT_RIGHTS.id, fields=fields)


def _filename(person, kind: str, ext: str) -> str:
    return f"{kind}-{person.municipality.name.lower()}-{person.person_key}-{timezone.localdate():%Y-%m-%d}.{ext}"


def _ask_first(request, person):
    messages.info(request, MSG_REQUEST_FIRST)
    return redirect("privacy:access_report", pk=person.pk)


@require_GET
def access_report(request, pk: int):
    """First the request (reason and kenmerk), then the report with the links to the copy."""
    person = _subject(request, pk)
    form = _request_form(request)
    if not form.is_valid():
        record_read(request, person.pk, purpose="Inzageverzoek: reden en kenmerk opgeven", activity=SUBJECT_RIGHTS.id)
        return render(request, "privacy/subject_request.html", {"person": person, "form": form})
    rows = subject.access_report(person.pk)
    _log(request, person, form, "overzicht wie de gegevens inzag", ["toegangslog"])
    return render(
        request, "privacy/access_report.html", {"person": person, "rows": rows, "form": form, "query": form.query()}
    )


@require_GET
def access_report_csv(request, pk: int):
    person = _subject(request, pk)
    form = _request_form(request)
    if not form.is_valid():
        return _ask_first(request, person)
    rows = subject.access_report(person.pk)
    _log(request, person, form, "overzicht wie de gegevens inzag (csv)", ["toegangslog"])
    content = csv_text(subject.AccessRow.CSV_HEADER, (r.csv_cells() for r in rows))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "inzage-toegangslog", "csv")}"'
    return response


@require_GET
def access_proof_json(request, pk: int):
    """The proof that the person's rows are in the sealed access log (RFC 9162 inclusion proofs)."""
    person = _subject(request, pk)
    form = _request_form(request)
    if not form.is_valid():
        return _ask_first(request, person)
    proof = sealing.inclusion_proof(person.pk)
    _log(request, person, form, "bewijs van opname in het toegangslog (json)", ["toegangslog"])
    response = HttpResponse(subject.json_bytes(proof), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "inzage-bewijs", "json")}"'
    return response


@require_GET
def data_copy(request, pk: int):
    person = _subject(request, pk)
    form = _request_form(request)
    if not form.is_valid():
        return _ask_first(request, person)
    data = subject.person_data(person, kenmerk=form.cleaned_data["kenmerk"])
    _log(request, person, form, "afschrift van alle gegevens", ["alle"])
    context = {
        "person": person,
        "data": data,
        "query": form.query(),
        "report_url": reverse("privacy:access_report", args=[person.pk]),
    }
    return render(request, "privacy/data_copy.html", context)


@require_GET
def data_copy_json(request, pk: int):
    person = _subject(request, pk)
    form = _request_form(request)
    if not form.is_valid():
        return _ask_first(request, person)
    data = subject.person_data(person, kenmerk=form.cleaned_data["kenmerk"], with_files=True)
    _log(request, person, form, "afschrift van alle gegevens (json)", ["alle"])
    response = HttpResponse(subject.json_bytes(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "afschrift", "json")}"'
    return response


@require_GET
def data_copy_pdf(request, pk: int):
    person = _subject(request, pk)
    form = _request_form(request)
    if not form.is_valid():
        return _ask_first(request, person)
    data = subject.person_data(person, kenmerk=form.cleaned_data["kenmerk"])
    _log(request, person, form, "afschrift van alle gegevens (pdf)", ["alle"])
    html = render_to_string("privacy/data_copy_pdf.html", {"person": person, "data": data})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "afschrift", "pdf")}"'
    return response
