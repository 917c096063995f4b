"""`lvv export [--soort trajecten|capaciteit] [--gemeente NAAM] [--format csv|xlsx] [--output PATH]`:
the registry in the delivery format v1, ready to be imported again."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lvv.accounts.models import Municipality
from lvv.exchange.delivery import KIND_CAPACITY, KIND_TRAJECTORIES
from lvv.exchange.exports import export_bytes


class Command(BaseCommand):
    help = "Schrijf het register in het aanleverformaat v1 (trajecten of capaciteit)."

    def add_arguments(self, parser):
        parser.add_argument("--soort", choices=(KIND_TRAJECTORIES, KIND_CAPACITY), default=KIND_TRAJECTORIES)
        parser.add_argument("--gemeente", help="alleen deze gemeente")
        parser.add_argument("--format", dest="file_format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--output", help="schrijf naar dit bestand in plaats van naar standaarduitvoer")

    def handle(self, *args, soort, gemeente, file_format, output, **options):
        if file_format == "xlsx" and not output:
            raise CommandError("Geef bij --format xlsx een bestand op met --output.")
        municipality_ids = None
        if gemeente:
            municipality_ids = list(
                Municipality.objects.filter(name__iexact=gemeente.strip()).values_list("id", flat=True)
            )
            if not municipality_ids:
                raise CommandError(f"Onbekende gemeente: {gemeente}.")
        content = export_bytes(soort, file_format=file_format, municipality_ids=municipality_ids)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Export ({soort}) geschreven naar {output}.")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
