from django.core.management import call_command
from django.core.management.base import BaseCommand

from lvv.demo.reference_data import load_reference_data


class Command(BaseCommand):
    help = "Maak of werk het databaseschema bij en laad de referentiegegevens."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        load_reference_data()
        self.stdout.write("Database bijgewerkt; referentiegegevens geladen.")
