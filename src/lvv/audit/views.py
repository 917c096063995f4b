"""Pages for the data subject's rights (AVG art. 15): the access report and the copy of the data.

Open to the functional administrators of the person's municipality (`access.can_answer_subject_request`);
a person outside the user's scope answers 404, a visible person without the right 403. Every page
is itself an access to the person's data and is logged (activity `lvv-rechten-betrokkene`) after the
report was read, so a report does not list its own opening."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from lvv.accounts import access
from lvv.exchange.tables import csv_text

from . import subject
from .activities import SUBJECT_RIGHTS
from .services import log_read


def _subject(request, pk: int):
    person = get_object_or_404(access.person_scope(request.user).select_related("municipality"), pk=pk)
    if not access.can_answer_subject_request(request.user, person):
        raise PermissionDenied
    return person


def _log(request, person, purpose: str, fields=None) -> None:
    log_read(request, person.pk, purpose=purpose, activity=SUBJECT_RIGHTS.id, fields=fields)


def _filename(person, kind: str, ext: str) -> str:
    return f"{kind}-{person.municipality.name.lower()}-{person.person_key}-{timezone.localdate():%Y-%m-%d}.{ext}"


@require_GET
def access_report(request, pk: int):
    person = _subject(request, pk)
    rows = subject.access_report(person.pk)
    _log(request, person, "Inzageverzoek: overzicht wie de gegevens inzag", ["toegangslog"])
    return render(request, "audit/access_report.html", {"person": person, "rows": rows})


@require_GET
def access_report_csv(request, pk: int):
    person = _subject(request, pk)
    rows = subject.access_report(person.pk)
    _log(request, person, "Inzageverzoek: overzicht wie de gegevens inzag (csv)", ["toegangslog"])
    content = csv_text(subject.AccessRow.CSV_HEADER, (r.csv_cells() for r in rows))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "inzage-toegangslog", "csv")}"'
    return response


@require_GET
def data_copy(request, pk: int):
    person = _subject(request, pk)
    data = subject.person_data(person, request.user)
    _log(request, person, "Inzageverzoek: afschrift van alle gegevens", ["alle"])
    return render(request, "audit/data_copy.html", {"person": person, "data": data})


@require_GET
def data_copy_json(request, pk: int):
    person = _subject(request, pk)
    data = subject.person_data(person, request.user)
    _log(request, person, "Inzageverzoek: afschrift van alle gegevens (json)", ["alle"])
    response = HttpResponse(subject.person_data_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "afschrift", "json")}"'
    return response


@require_GET
def data_copy_pdf(request, pk: int):
    from django.template.loader import render_to_string

    from lvv.core.pdf import render_pdf

    person = _subject(request, pk)
    data = subject.person_data(person, request.user)
    _log(request, person, "Inzageverzoek: afschrift van alle gegevens (pdf)", ["alle"])
    html = render_to_string("audit/data_copy_pdf.html", {"person": person, "data": data})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "afschrift", "pdf")}"'
    return response
