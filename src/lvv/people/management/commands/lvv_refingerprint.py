"""`lvv manage lvv_refingerprint [--check]`: rebuild the pseudonymous fingerprints of every person
for the national duplicate check (docs/duplicaatcontrole.md) with the current `LVV_DUPLICATE_KEY`.

Run it after changing the key (rotation) and after a bulk write that bypassed the person services.
With --check it only reports how far the stored fingerprints are from the current key and data;
exit code 1 when they are out of sync. It prints counts only, never a person."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lvv.people import fingerprints
from lvv.people.models import Alias, Person, PersonFingerprint


class Command(BaseCommand):
    help = "Maak de pseudonieme kenmerken voor de landelijke duplicaatcontrole opnieuw (na een sleutelwissel)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="alleen controleren of de kenmerken bij de sleutel passen"
        )

    def handle(self, *args, check: bool, **options):
        drift = fingerprints.fingerprints_drift()
        self.stdout.write(
            f"Sleutel-id {fingerprints.key_id()}: {drift.persons} personen, {drift.stored} kenmerken opgeslagen, "
            f"{drift.wanted} verwacht ({drift.missing} ontbreken, {drift.extra} overbodig, "
            f"{drift.other_key} met een andere sleutel)."
        )
        if check:
            if drift.in_sync:
                self.stdout.write("De kenmerken zijn bij.")
                return
            error = CommandError("De kenmerken zijn niet bij: voer `lvv manage lvv_refingerprint` uit.")
            error.returncode = 1
            raise error
        with transaction.atomic():
            written = fingerprints.fingerprints_rebuild(
                person_model=Person, alias_model=Alias, fingerprint_model=PersonFingerprint
            )
        self.stdout.write(f"{written} kenmerken opnieuw gemaakt voor {drift.persons} personen.")
