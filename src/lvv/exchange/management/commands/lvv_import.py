"""`lvv import FILE`: import a delivery file (trajectories or capacity, CSV or XLSX), all or nothing.
With any fault it prints every one as `regel N: kolom: melding`, imports nothing and exits 1."""

from django.core.management.base import BaseCommand, CommandError

from lvv.exchange.imports import delivery_import


class Command(BaseCommand):
    help = "Lees een aanleverbestand in (trajecten of capaciteit; CSV of XLSX). Alles of niets."

    def add_arguments(self, parser):
        parser.add_argument("bestand", help="het aanleverbestand (formaat: docs/aanleverformat.md)")
        parser.add_argument("--controleer", action="store_true", help="alleen controleren; niets inlezen")

    def handle(self, *args, bestand, controleer, **options):
        result = delivery_import(path=bestand, dry_run=controleer)
        if result.faults:
            for fault in result.faults:
                self.stderr.write(str(fault))
            raise CommandError(f"{len(result.faults)} fout(en) in {bestand}; er is niets ingelezen.", returncode=1)
        if controleer:
            self.stdout.write(f"Geen fouten gevonden (niets ingelezen). Bij inlezen: {result.summary()}")
        else:
            self.stdout.write(result.summary())
