"""`lvv reconcile --ind FILE --dtv FILE [--peildatum YYYY-MM-DD] [--gemeente NAAM] --format json|csv|xlsx
[--output PATH]`: the registry reconciled with the IND and DT&V extracts, and the national duplicate
report (key `dubbele_inschrijvingen`). The extracts are read for this run only, never stored; either one
may be left out. A faulty extract is refused whole: every fault as `regel N: kolom: melding`, exit 1."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lvv.accounts.models import Municipality
from lvv.core import clock
from lvv.exchange.reconcile import DTV, FORMATS, IND, extract_read, report_build, report_bytes


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ongeldige peildatum '{value}': gebruik JJJJ-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Vergelijk het register met een IND- en een DT&V-extract; met het landelijke overzicht van "
        "dubbele inschrijvingen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ind", help="het IND-extract (CSV of XLSX; docs/ketenreconciliatie.md)")
        parser.add_argument("--dtv", help="het DT&V-extract (CSV of XLSX)")
        parser.add_argument(
            "--peildatum", help="JJJJ-MM-DD: de datum waarop de extracten zijn getrokken (standaard: vandaag)"
        )
        parser.add_argument("--gemeente", help="alleen deze gemeente onder per_gemeente")
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="schrijf naar dit bestand in plaats van naar standaarduitvoer")

    def handle(self, *args, ind, dtv, peildatum, gemeente, file_format, output, **options):
        if not ind and not dtv:
            raise CommandError("Geef ten minste een extract op: --ind BESTAND en/of --dtv BESTAND.")
        if file_format == "xlsx" and not output:
            raise CommandError("Geef bij --format xlsx een bestand op met --output.")
        municipality = None
        if gemeente:
            municipality = (
                Municipality.objects.filter(name__iexact=gemeente.strip()).values_list("name", flat=True).first()
            )
            if municipality is None:
                raise CommandError(f"Onbekende gemeente: {gemeente}.")
        day = _date(peildatum) if peildatum else clock.today()
        extracts, faults = {}, 0
        for partner, path in ((IND, ind), (DTV, dtv)):
            if not path:
                continue
            reading = extract_read(path, partner=partner, peildatum=day)
            for fault in reading.faults:
                self.stderr.write(f"{path}: {fault}")
            faults += len(reading.faults)
            extracts[partner] = reading.extract
        if faults:
            raise CommandError(f"{faults} fout(en) in de extracten; er is niets vergeleken.", returncode=1)
        report = report_build(ind=extracts.get(IND), dtv=extracts.get(DTV), municipality=municipality)
        content = report_bytes(report, file_format)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Ketenreconciliatie geschreven naar {output}.")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
