"""The analysis page (/analyse/) and its downloads. Aggregates for the roles of
`access.can_view_analytics`, narrowed to the user's own municipality unless they are programmabureau;
the pseudonymised person-level dataset only for `access.can_export_analysis_dataset` (a
municipality's own users, own municipality), and every person in it is written to the access log
with the research purpose. The report pages themselves show no person, so they log nothing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from lvv.accounts import access
from lvv.accounts.models import Municipality
from lvv.audit.services import record_reads
from lvv.core import clock
from lvv.core.exceptions import ApplicationError

PURPOSE_RESEARCH = "Evaluatieonderzoek LVV: gepseudonimiseerde analysedataset"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
#: ApplicationError.field of the model checks → the form field that shows the message.
ERROR_FIELDS = {
    "uitkomst": "uitkomst",
    "predictoren": "predictoren",
    "referenties": "referentie_gemeente",
    "landen": "landen",
    "gemeente": "gemeente",
}


def _own_municipality(request) -> str | None:
    """None: the whole country (programmabureau); else the user's own municipality. Refuses everyone else."""
    user = request.user
    if not access.can_view_analytics(user):
        raise PermissionDenied
    municipality_id = access.analytics_municipality_id(user)
    return None if municipality_id is None else Municipality.objects.get(pk=municipality_id).name


def _municipalities() -> list[str]:
    return list(Municipality.objects.filter(has_lvv=True).order_by("name").values_list("name", flat=True))


def _with_defaults(query: QueryDict) -> QueryDict:
    """A download link may leave out the peildatum: today then."""
    data = query.copy()
    if not data.get("peildatum"):
        data["peildatum"] = clock.today().isoformat()
    return data


def _form(request, data):
    from .forms import AnalysisForm  # its choices come from the statistics modules (pandas, statsmodels)

    own = _own_municipality(request)
    everyone = _municipalities()
    return AnalysisForm(data, municipalities=None if own else everyone, all_municipalities=everyone), own


def _report(form, own):
    """The report for a valid form, or None with the model's error on the form."""
    # pandas, statsmodels and lifelines load on first use, not when the URLs are loaded (every command).
    from .dataset import analysis_data
    from .report import build_report

    c = form.cleaned_data
    try:
        data = analysis_data(peildatum=c["peildatum"], municipality=own or c.get("gemeente") or None)
        return build_report(peildatum=c["peildatum"], custom=form.custom_spec(), data=data)
    except ApplicationError as exc:
        form.add_error(ERROR_FIELDS.get(exc.field) if ERROR_FIELDS.get(exc.field) in form.fields else None, exc.message)
        return None


def _filename(report: dict, suffix: str) -> str:
    where = f"-{report['gemeente'].lower()}" if report["gemeente"] else ""
    return f"lvv-analyse-{report['peildatum']}{where}.{suffix}"


@require_GET
def analysis_page(request):
    from .charts import report_charts
    from .survival import INCIDENCE_MONTHS

    submitted = "peildatum" in request.GET
    form, own = _form(request, request.GET if submitted else None)
    context = {"form": form, "own": own, "report": None, "can_export": access.can_export_analysis_dataset(request.user)}
    status = 200
    if submitted:
        report = _report(form, own) if form.is_valid() else None
        if report is None:
            status = 400
        else:
            query = request.GET.urlencode()
            context.update(
                report=report,
                charts=report_charts(report),
                incidence_months=INCIDENCE_MONTHS,
                query=query,
                downloads=[
                    ("PDF-rapport", f"{reverse('analytics:report_pdf')}?{query}"),
                    ("Excel (XLSX), één werkblad per tabel en model", f"{reverse('analytics:report_xlsx')}?{query}"),
                ],
                peildatum=form.cleaned_data["peildatum"],
            )
    return render(request, "analytics/analyse.html", context, status=status)


def _report_download(request, file_format: str):
    from .report import report_pdf as render_pdf
    from .report import report_xlsx as render_xlsx

    form, own = _form(request, _with_defaults(request.GET))
    report = _report(form, own) if form.is_valid() else None
    if report is None:
        context = {
            "form": form,
            "own": own,
            "report": None,
            "can_export": access.can_export_analysis_dataset(request.user),
        }
        return render(request, "analytics/analyse.html", context, status=400)
    content = render_pdf(report) if file_format == "pdf" else render_xlsx(report)
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, file_format)}"'
    return response


@require_GET
def report_pdf(request):
    return _report_download(request, "pdf")


@require_GET
def report_xlsx(request):
    return _report_download(request, "xlsx")


def _dataset_download(request, file_format: str):
    from .dataset import analysis_data
    from .exports import dataset_bytes
    from .forms import DatasetForm

    if not access.can_export_analysis_dataset(request.user):
        raise PermissionDenied
    own = _own_municipality(request)
    form = DatasetForm(_with_defaults(request.GET))
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    c = form.cleaned_data
    data = analysis_data(peildatum=c["peildatum"], municipality=own)
    record_reads(request, [int(pk) for pk in data.outflowed["_person_id"]], purpose=PURPOSE_RESEARCH)
    content = dataset_bytes(data, file_format=file_format, suppress=c.get("onderdrukken"))
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    name = f"lvv-analysedataset-{c['peildatum'].isoformat()}-{own.lower()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def dataset_csv(request):
    return _dataset_download(request, "csv")


@require_GET
def dataset_xlsx(request):
    return _dataset_download(request, "xlsx")
