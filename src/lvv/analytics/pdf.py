"""The report as a PDF (WeasyPrint): page 1 the reference date, counts and definitions; then the
tables (landscape pages), the models with their odds-ratio charts, the tests and the survival
charts (SVG from `charts.py`, embedded as data: URLs). The PDF fetches nothing else: the stylesheet
is inline and the URL fetcher (`lvv.core.pdf`) refuses every URL that is not a data: URL or one of
the application's static files."""

from __future__ import annotations

import base64
import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from lvv.core.pdf import render_pdf

from .charts import chart_title, report_charts
from .survival import INCIDENCE_MONTHS

TEMPLATE = "analytics/report_pdf.html"


def report_html(report: dict) -> str:
    with override("nl"):
        day = dt.date.fromisoformat(report["peildatum"])
        return render_to_string(
            TEMPLATE,
            {
                "report": report,
                "charts": {
                    name: {"src": _data_uri(svg), "alt": chart_title(svg)}
                    for name, svg in report_charts(report).items()
                },
                "peildatum_nl": date_format(day, "j F Y"),
                "opgemaakt_nl": date_format(
                    timezone.localtime(dt.datetime.fromisoformat(report["opgemaakt_op"])), "j F Y, H:i"
                ),
                "incidence_months": INCIDENCE_MONTHS,
            },
        )


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_report_pdf(report: dict) -> bytes:
    return render_pdf(report_html(report))
