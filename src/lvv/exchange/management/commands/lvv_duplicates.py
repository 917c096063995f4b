"""`lvv duplicates [--gemeente NAAM] --format json|csv|xlsx [--output PATH]`: the national duplicate
report on its own (no extracts needed) — the same as the `dubbele_inschrijvingen` of `lvv reconcile`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lvv.accounts.models import Municipality
from lvv.core.tables import csv_text, xlsx_bytes
from lvv.exchange.reconcile import (
    DUPLICATE_COLUMNS,
    FORMATS,
    duplicate_counts,
    duplicate_dict,
    duplicate_rows,
    report_build,
)


class Command(BaseCommand):
    help = "Personen die bij meer dan één LVV zijn ingeschreven (zelfde V-nummer, of naam en geboortedatum)."

    def add_arguments(self, parser):
        parser.add_argument("--gemeente", help="alleen inschrijvingen waar deze gemeente bij betrokken is")
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="schrijf naar dit bestand in plaats van naar standaarduitvoer")

    def handle(self, *args, gemeente, file_format, output, **options):
        if file_format == "xlsx" and not output:
            raise CommandError("Geef bij --format xlsx een bestand op met --output.")
        municipality = None
        if gemeente:
            municipality = (
                Municipality.objects.filter(name__iexact=gemeente.strip()).values_list("name", flat=True).first()
            )
            if municipality is None:
                raise CommandError(f"Onbekende gemeente: {gemeente}.")
        report = report_build(municipality=municipality)
        groups = report.shown_duplicates()
        if file_format == "json":
            data = {
                "aantal_personen": len(groups),
                "per_gemeente": {
                    name: figures
                    for name, figures in duplicate_counts(groups, report.municipalities).items()
                    if municipality in (None, name)
                },
                "groepen": [duplicate_dict(g, viewpoint=municipality) for g in groups],
            }
            content = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        elif file_format == "csv":
            content = csv_text(DUPLICATE_COLUMNS, duplicate_rows(report)).encode("utf-8")
        else:
            content = xlsx_bytes([("dubbele_inschrijvingen", DUPLICATE_COLUMNS, duplicate_rows(report))])
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Dubbele inschrijvingen geschreven naar {output}.")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
