"""`lvv backup --output PATH`: write every table to one archive (docs/beheer.md)."""

from django.core.management.base import BaseCommand, CommandError

from lvv.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Maak een reservekopie van de hele database (zonder de sleutels; zie docs/beheer.md)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="het archief dat wordt geschreven (.zip)")

    def handle(self, *args, output, **options):
        try:
            summary = backup(output)
        except (BackupError, OSError) as exc:
            raise CommandError(getattr(exc, "message", None) or f"Reservekopie mislukt: {exc}") from exc
        self.stdout.write(
            f"Reservekopie geschreven naar {summary.path}: {summary.tables} tabellen, {summary.rows} rijen. "
            "Bewaar de sleutels (LVV_SECRET_KEY, LVV_AUDIT_KEY, LVV_PSEUDONYM_KEY, LVV_DUPLICATE_KEY, "
            "LVV_FIELD_KEYS) apart."
        )
