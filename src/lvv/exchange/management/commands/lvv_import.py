"""`lvv import FILE`: import a delivery file (trajectories or capacity, CSV or XLSX), all or nothing.
With any fault it prints every one as `regel N: kolom: melding`, imports nothing and exits 1."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lvv.audit.services import log_system_writes
from lvv.exchange.imports import delivery_import

#: Access-log purpose of a command-line import (the system writes; the person is pseudonymised).
PURPOSE_IMPORT = "Aanlevering ingelezen met lvv import"


class Command(BaseCommand):
    help = "Lees een aanleverbestand in (trajecten of capaciteit; CSV of XLSX). Alles of niets."

    def add_arguments(self, parser):
        parser.add_argument("bestand", help="het aanleverbestand (formaat: docs/aanleverformat.md)")
        parser.add_argument("--controleer", action="store_true", help="alleen controleren; niets inlezen")

    def handle(self, *args, bestand, controleer, **options):
        # The writes and their access-log entries (one per person written, by the system) commit
        # together or not at all: no write of person data goes unlogged.
        with transaction.atomic():
            result = delivery_import(path=bestand, dry_run=controleer)
            if result.written and result.person_ids:
                _log_import(bestand, result.person_ids)
        if result.faults:
            for fault in result.faults:
                self.stderr.write(str(fault))
            raise CommandError(f"{len(result.faults)} fout(en) in {bestand}; er is niets ingelezen.", returncode=1)
        if controleer:
            self.stdout.write(f"Geen fouten gevonden (niets ingelezen). Bij inlezen: {result.summary()}")
        else:
            self.stdout.write(result.summary())


def _log_import(path: str, person_ids: list[int]) -> None:

    log_system_writes(
        person_ids,
        path=f"lvv import {Path(path).name}"[:500],
        view_name="lvv import",
        purpose=PURPOSE_IMPORT,
        activity="lvv-gegevensuitwisseling",
        fields=("aanleverformat v1",),
    )
