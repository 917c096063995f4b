"""The report as a file: JSON (the whole report), CSV (one row per finding) or XLSX (a sheet per
table)."""

from __future__ import annotations

import json
from typing import Any

from lvv.core.tables import csv_text, xlsx_bytes

from .matching import CATEGORIES
from .report import Report, duplicate_dict

FORMATS = ("json", "csv", "xlsx")
FINDING_COLUMNS = ("gemeente", "categorie", "soort", "partner", "v_nummer", "persoon_id", "traject_id", "melding")
SUMMARY_COLUMNS = ("gemeente", *CATEGORIES, "ook_elders_ingeschreven", "gelijktijdig")
DUPLICATE_COLUMNS = (
    "groep",
    "grond",
    "gemeente",
    "persoon_id",
    "v_nummer",
    "traject_id",
    "datum_aanmelding",
    "datum_toelating",
    "datum_uitstroom",
    "gelijktijdig",
)


def finding_rows(report: Report) -> list[list[Any]]:
    return [
        [f.municipality, f.category, f.kind, str(f.partner or ""), f.v_number, f.person_key, f.traject_id, f.message]
        for f in sorted(report.shown_findings(), key=lambda f: (f.municipality, list(CATEGORIES).index(f.category)))
    ]


def summary_rows(report: Report) -> list[list[Any]]:
    data = report.as_dict(persons=False)
    rows: list[list[Any]] = []
    for name, entry in data["per_gemeente"].items():
        counts = entry["aantallen"]
        rows.append([name, *(counts[c] for c in CATEGORIES), counts["ook_elders_ingeschreven"], counts["gelijktijdig"]])
    return rows


def duplicate_rows(report: Report) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for number, group in enumerate(report.shown_duplicates(), start=1):
        data = duplicate_dict(group, viewpoint=report.municipality)
        for entry in data["inschrijvingen"]:
            for t in entry["trajecten"]:
                rows.append(
                    [
                        number,
                        " + ".join(data["grond"]),
                        entry["gemeente"],
                        entry.get("persoon_id", ""),
                        entry.get("v_nummer", ""),
                        t.get("traject_id", ""),
                        t["datum_aanmelding"],
                        t["datum_toelating"] or "",
                        t["datum_uitstroom"] or "",
                        "ja" if data["gelijktijdig"] else "nee",
                    ]
                )
    return rows


def report_bytes(report: Report, file_format: str, *, persons: bool = True) -> bytes:
    """JSON (the whole report), CSV (one row per finding, duplicate registrations included, or with
    `persons=False` the counts per municipality) or XLSX (a sheet per table)."""
    if file_format == "json":
        return (json.dumps(report.as_dict(persons=persons), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if file_format == "csv":
        if not persons:
            return csv_text(SUMMARY_COLUMNS, summary_rows(report)).encode("utf-8")
        rows = finding_rows(report)
        for row in duplicate_rows(report):
            _, ground, municipality, key, v_number, traject_id, applied, admitted, left, _ = row
            dates = f"aanmelding {applied}, toelating {admitted or '-'}, uitstroom {left or '-'}"
            rows.append([municipality, "dubbele_inschrijving", ground, "", v_number, key, traject_id, dates])
        return csv_text(FINDING_COLUMNS, rows).encode("utf-8")
    if file_format == "xlsx":
        sheets = [("samenvatting", SUMMARY_COLUMNS, summary_rows(report))]
        if persons:
            sheets += [
                ("bevindingen", FINDING_COLUMNS, finding_rows(report)),
                ("dubbele_inschrijvingen", DUPLICATE_COLUMNS, duplicate_rows(report)),
            ]
        return xlsx_bytes(sheets)
    raise ValueError(f"unknown format {file_format!r}")
