"""`lvv restore PATH [--ja]`: put a backup back, all or nothing (docs/beheer.md)."""

from django.core.management.base import BaseCommand, CommandError

from lvv.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Zet een reservekopie terug in een lege (gemigreerde) database, of vervang alles met --ja."

    def add_arguments(self, parser):
        parser.add_argument("path", help="het archief van lvv backup")
        parser.add_argument(
            "--ja", action="store_true", help="bevestig dat alle gegevens in de database worden vervangen"
        )

    def handle(self, *args, path, ja, **options):
        try:
            result = restore(path, replace=ja)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Reservekopie van {result.created_at} teruggezet: {result.tables} tabellen, {result.rows} rijen."
        )
        for name in result.key_warnings:
            self.stderr.write(
                f"Let op: {name} verschilt van de sleutel bij het maken van de reservekopie. "
                "Zet de oorspronkelijke sleutel terug (zie docs/beheer.md)."
            )
        if not result.key_warnings:
            self.stdout.write("Controleer het toegangslog met: lvv audit-verify")
