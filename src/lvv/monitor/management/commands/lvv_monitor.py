"""`lvv monitor --peildatum YYYY-MM-DD [--basis trajecten|personen] [--gemeente NAAM]
--format json|csv|xlsx [--output PATH]`: the national monitor on a peildatum."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lvv.core.exceptions import ApplicationError
from lvv.monitor.indicators import BASES, BASIS_TRAJECTEN
from lvv.monitor.reports import FORMATS, report_bytes
from lvv.monitor.selectors import monitor_report


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ongeldige peildatum '{value}': gebruik JJJJ-MM-DD.") from exc


class Command(BaseCommand):
    help = "De landelijke monitor op een peildatum (indicatoren: docs/indicatoren.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--peildatum", required=True, help="JJJJ-MM-DD: gebeurtenissen tot en met deze datum tellen"
        )
        parser.add_argument(
            "--basis",
            choices=BASES,
            default=BASIS_TRAJECTEN,
            help="trajecten (de monitor, standaard) of personen (de evaluatie: per persoon het laatste traject)",
        )
        parser.add_argument("--gemeente", help="alleen deze gemeente onder per_gemeente")
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="schrijf naar dit bestand in plaats van naar standaarduitvoer")

    def handle(self, *args, peildatum, basis, gemeente, file_format, output, **options):
        if file_format == "xlsx" and not output:
            raise CommandError("Geef bij --format xlsx een bestand op met --output.")
        try:
            report = monitor_report(peildatum=_date(peildatum), basis=basis, municipality=gemeente)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        content = report_bytes(report, file_format)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Monitor op {peildatum} ({basis}) geschreven naar {output}.")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
