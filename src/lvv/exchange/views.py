"""The reconciliation pages (docs/ketenreconciliatie.md).

- `reconcile`: the municipality's users see their own municipality's findings and duplicate
  registrations (person level: V-nummer, their own person key and trajectory number, never a name
  of another LVV's person); every person shown is logged. The programmabureau sees counts per
  municipality only — no V-nummer, person key or trajectory number leaves the view for it.
- `reconcile_download`: the same as CSV or XLSX.
- `extract_upload`: IND and DT&V users upload their extract; a faulty one is refused whole with every
  fault as `regel N: kolom: melding`. They see no report.
Views check access (`accounts.access`), call `reconcile` and render."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from lvv.accounts import access
from lvv.audit.services import record_reads
from lvv.core import clock
from lvv.core.forms import date_field
from lvv.core.limits import body_limit

from .models import ChainPartner
from .reconcile import (
    CATEGORIES,
    DTV,
    IND,
    OUTCOME_KINDS,
    duplicate_dict,
    extract_latest,
    extract_read,
    extract_store,
    report_build,
    report_bytes,
)

PURPOSE_RECONCILIATION = "Uitvoering LVV: ketenreconciliatie met IND en DT&V"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MSG_FUTURE = "De peildatum ligt in de toekomst."
MSG_TOO_BIG = "Het bestand is groter dan 50 MB."


def _report_for(request):
    """The report the user may see (and whether it is person level), or 403."""
    view = access.reconciliation_view(request.user)
    if view is None:
        raise PermissionDenied
    ind_meta, ind = extract_latest(IND)
    dtv_meta, dtv = extract_latest(DTV)
    municipal = view == access.RECONCILIATION_MUNICIPAL
    municipality = request.user.municipality.name if municipal else None
    report = report_build(ind=ind, dtv=dtv, municipality=municipality, findings_of_one=municipal)
    if municipal:
        record_reads(request, report.person_ids(), purpose=PURPOSE_RECONCILIATION)
    return report, municipal, {IND: ind_meta, DTV: dtv_meta}


@require_GET
def reconcile(request):
    report, municipal, extracts = _report_for(request)
    data = report.as_dict(persons=False)
    categories = [{"key": key, "label": label} for key, (label, _) in CATEGORIES.items()]
    context = {
        "municipal": municipal,
        "municipality": report.municipality,
        "extracts": [(ChainPartner(p).label, extracts[p]) for p in (IND, DTV)],
        "categories": categories,
        "kinds": [{"key": k, "label": label} for k, (_, label) in OUTCOME_KINDS.items()],
        "today": clock.today(),
    }
    if municipal:
        counts = data["per_gemeente"][report.municipality]["aantallen"]
        findings = report.shown_findings()
        context["sections"] = [
            {
                "key": c["key"],
                "label": c["label"],
                "count": counts[c["key"]],
                "findings": [f for f in findings if f.category == c["key"]],
            }
            for c in categories
        ]
        context["counts"] = counts
        context["duplicates"] = _duplicate_rows(report)
    else:
        # One row per kind of finding, one column per municipality: the labels are long, the numbers short.
        per = data["per_gemeente"]
        national = data["landelijk"] | {
            "ook_elders_ingeschreven": data["landelijk"]["dubbel_ingeschreven_personen"],
            "gelijktijdig": data["landelijk"]["waarvan_gelijktijdig"],
        }
        lines = [(c["key"], c["label"]) for c in categories] + [
            ("zonder_v_nummer", "Personen zonder V-nummer (niet te vergelijken)"),
            ("ook_elders_ingeschreven", "Personen ook bij een andere LVV ingeschreven"),
            ("gelijktijdig", "waarvan tegelijk bij twee LVV's"),
        ]
        context["municipalities"] = list(per)
        context["rows"] = [
            {"label": label, "cells": [per[m]["aantallen"][key] for m in per], "total": national[key]}
            for key, label in lines
        ]
        context["kind_counts"] = [
            (k["label"], data["landelijk"]["uitstroom_verschilt_per_soort"][k["key"]]) for k in context["kinds"]
        ]
    return render(request, "exchange/reconcile.html", context)


def _ground_label(group: dict) -> str:
    parts = []
    if "v_nummer" in group["grond"]:
        parts.append("zelfde V-nummer")
    if "naam_en_geboortedatum" in group["grond"]:
        parts.append(f"naam ({group['naamscore']:.0f}%) en geboortedatum")
    return "; ".join(parts)


def _duplicate_rows(report) -> list[dict]:
    """One table row per trajectory of every duplicate group of the municipality, seen from it: its
    own registrations with person key and a link, the other LVVs' with the municipality and dates."""
    rows = []
    for group in report.shown_duplicates():
        pks = {(p.municipality, t.traject_id): t.pk for p in group.persons for t in p.trajectories}
        data = duplicate_dict(group, viewpoint=report.municipality)
        first = True
        for entry in data["inschrijvingen"]:
            for t in entry["trajecten"]:
                rows.append(
                    {
                        "ground": _ground_label(data) if first else "",
                        "simultaneous": first and data["gelijktijdig"],
                        "municipality": entry["gemeente"],
                        "person_key": entry.get("persoon_id", ""),
                        "v_number": entry.get("v_nummer", ""),
                        "traject_id": t.get("traject_id", ""),
                        "trajectory_pk": pks.get((entry["gemeente"], t.get("traject_id")))
                        if "persoon_id" in entry
                        else None,
                        "application": t["datum_aanmelding"],
                        "admission": t["datum_toelating"],
                        "outflow": t["datum_uitstroom"],
                        "first": first,
                    }
                )
                first = False
    return rows


@require_GET
def reconcile_download(request):
    file_format = request.GET.get("formaat", "csv")
    if file_format not in DOWNLOAD_TYPES:
        file_format = "csv"
    report, municipal, _ = _report_for(request)
    content = report_bytes(report, file_format, persons=municipal)
    name = f"ketenreconciliatie-{(report.municipality or 'landelijk').lower()}-{clock.today():%Y-%m-%d}.{file_format}"
    response = HttpResponse(content, content_type=DOWNLOAD_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ExtractForm(forms.Form):
    peildatum = date_field(
        "Peildatum", help_text="De datum waarop het extract uit uw systeem is getrokken (JJJJ-MM-DD)."
    )
    bestand = forms.FileField(
        label="Extract",
        help_text="CSV (UTF-8) of XLSX met de kolommen uit docs/ketenreconciliatie.md.",
        error_messages={"required": "Kies een bestand.", "empty": "Het bestand is leeg."},
    )

    def clean_peildatum(self):
        value = self.cleaned_data["peildatum"]
        if value > clock.today():
            raise forms.ValidationError(MSG_FUTURE)
        return value

    def clean_bestand(self):
        upload = self.cleaned_data["bestand"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(MSG_TOO_BIG)
        return upload


@body_limit(MAX_UPLOAD_BYTES)
@require_http_methods(["GET", "POST"])
def extract_upload(request):
    partner = access.chain_extract_partner(request.user)
    if partner is None:
        raise PermissionDenied
    form = ExtractForm(request.POST or None, request.FILES or None)
    faults = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bestand"]
        suffix = Path(upload.name).suffix.lower()[:5]
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            reading = extract_read(tmp.name, partner=partner, peildatum=form.cleaned_data["peildatum"])
        if reading.ok:
            replaces = extract_latest(partner)[0] is not None
            extract_store(actor=request.user, reading=reading, file_name=upload.name)
            messages.success(
                request,
                f"Het extract is ingelezen: {len(reading.records)} regels, peildatum "
                f"{reading.peildatum:%Y-%m-%d}." + (" Het vervangt het vorige extract." if replaces else ""),
            )
            return redirect("exchange:extract_upload")
        faults = [str(f) for f in reading.faults]
    latest, _ = extract_latest(partner)
    return render(
        request,
        "exchange/extract_upload.html",
        {"form": form, "faults": faults, "partner": ChainPartner(partner).label, "latest": latest},
    )
