"""`lvv rotate-keys [--dry-run]`: re-encrypt every encrypted field with the first key of LVV_FIELD_KEYS.

Key rotation (docs/security.md, "Versleuteling in rust"): put the new key in front of LVV_FIELD_KEYS
(`nieuw,oud`), restart, run this command, check that `--dry-run` reports no row under an old key,
then remove the old key. Rows written before the field was encrypted are encrypted as well."""

from collections import Counter

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from lvv.core.crypto import FieldKeyError, encrypted_fields, reencrypt_model, stored_state

STATES = ("huidige sleutel", "oude sleutel", "onversleuteld", "leeg")


def _models():
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = encrypted_fields(model)
        if fields:
            yield model, fields


def _states(model, field, using: str) -> Counter:
    """How the raw column values are kept (read with SELECT, so nothing is decrypted by the field)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    counts = Counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(field.column)} FROM {quote(model._meta.db_table)}")  # nosec B608
        while rows := cursor.fetchmany(1000):
            counts.update(stored_state(value) for (value,) in rows)
    return counts


class Command(BaseCommand):
    help = (
        "Versleutel alle versleutelde velden opnieuw met de eerste sleutel van LVV_FIELD_KEYS "
        "(sleutelrotatie; zie docs/security.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="alleen tellen, niets wijzigen")
        parser.add_argument("--batch-size", type=int, default=500, help="rijen per bulk-update (standaard 500)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def _report(self, using: str) -> int:
        """Prints the counts per field; returns the number of values not under the first key."""
        pending = 0
        for model, fields in _models():
            for field in fields:
                counts = _states(model, field, using)
                pending += counts["oude sleutel"] + counts["onversleuteld"]
                detail = ", ".join(f"{state}: {counts[state]}" for state in STATES)
                self.stdout.write(f"{model._meta.label}.{field.name}: {detail}")
        return pending

    def handle(self, *args, dry_run, batch_size, database, **options):
        try:
            if dry_run:
                pending = self._report(database)
                self.stdout.write(f"Proefdraai: {pending} waarde(n) zouden opnieuw versleuteld worden.")
                return
            written = 0
            with transaction.atomic(using=database):
                for model, _fields in _models():
                    rows = reencrypt_model(model, batch_size=batch_size, using=database)
                    self.stdout.write(f"{model._meta.label}: {rows} rij(en) opnieuw versleuteld.")
                    written += rows
            pending = self._report(database)
        except FieldKeyError as exc:
            raise CommandError(str(exc)) from exc
        if pending:
            raise CommandError(f"Na het herversleutelen staan nog {pending} waarde(n) niet onder de eerste sleutel.")
        self.stdout.write(
            f"Klaar: {written} rij(en) opnieuw versleuteld met de eerste sleutel van LVV_FIELD_KEYS. "
            "Oudere sleutels zijn nu niet meer nodig en kunnen uit LVV_FIELD_KEYS worden gehaald."
        )
