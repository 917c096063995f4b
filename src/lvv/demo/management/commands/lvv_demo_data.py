"""`lvv manage lvv_demo_data`: load the deterministic demo data (see lvv.demo.data) and print the
demo logins. Run again, it changes nothing and only prints the logins."""

import time

from django.core.management.base import BaseCommand, CommandError

from lvv.core.exceptions import ApplicationError
from lvv.demo import data as demo


class Command(BaseCommand):
    help = "Laad demogegevens (fictieve deelnemers, ngo's en demogebruikers) en toon de demologins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            type=int,
            default=demo.DEFAULT_SIZE,
            help=f"aantal trajecten (standaard {demo.DEFAULT_SIZE})",
        )

    def handle(self, *args, **options):
        if options["size"] < demo.MIN_SIZE:
            raise CommandError(f"Kies minstens {demo.MIN_SIZE} trajecten.")
        if demo.demo_data_present():
            self.stdout.write("Demogegevens zijn al aanwezig; er is niets gewijzigd.")
        else:
            self.stdout.write(f"Demogegevens aanmaken ({options['size']} trajecten, vaste seed {demo.SEED}) ...")
            started = time.monotonic()
            try:
                summary = demo.generate(size=options["size"])
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(
                f"Klaar in {time.monotonic() - started:.1f} s: {summary.persons} personen, "
                f"{summary.trajectories} trajecten."
            )
            self.stdout.write(
                "Trajecten per gemeente: " + ", ".join(f"{name} {n}" for name, n in summary.per_municipality.items())
            )
            self.stdout.write(
                "Uitstroom per categorie: " + ", ".join(f"{label.lower()} {n}" for label, n in summary.outflow.items())
            )
        self._print_logins()

    def _print_logins(self) -> None:
        logins = demo.demo_logins()
        if not logins:
            return
        widths = [
            max(len(h), *(len(getattr(x, f)) for x in logins))
            for h, f in (("Gebruikersnaam", "username"), ("Rol", "role_label"))
        ]
        self.stdout.write("")
        self.stdout.write(f"{'Gebruikersnaam':<{widths[0]}}  {'Rol':<{widths[1]}}  Organisatie")
        self.stdout.write(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 11}")
        for x in logins:
            self.stdout.write(f"{x.username:<{widths[0]}}  {x.role_label:<{widths[1]}}  {x.organisation}")
        self.stdout.write("")
        self.stdout.write(
            f"Wachtwoord voor alle demogebruikers: {demo.demo_password()}"
            f"  (instelbaar met {demo.PASSWORD_ENV} vóór het aanmaken)"
        )
        if any("[2FA]" in x.role_label for x in logins):
            self.stdout.write(
                f"Gebruikers met [2FA] vullen daarna een code in uit een authenticator-app met de demosleutel "
                f"{demo.DEMO_TOTP_SECRET}  (TOTP, 6 cijfers, 30 seconden; openbaar, alleen voor de demo)"
            )
