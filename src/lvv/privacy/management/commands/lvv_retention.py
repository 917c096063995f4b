"""`lvv manage lvv_retention [--dry-run] [--jaren N]` (or `lvv retention`): anonymise persons whose
trajectories all ended longer ago than the retention period (`LVV_RETENTION_YEARS`, default 7).

With --dry-run it only shows what it would do. It names persons by record id and municipality,
never by name."""

from django.core.management.base import BaseCommand, CommandError

from lvv.privacy import retention


class Command(BaseCommand):
    help = "Anonimiseer personen van wie alle trajecten langer dan de bewaartermijn geleden zijn beëindigd."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="laat alleen zien wat er zou gebeuren")
        parser.add_argument(
            "--jaren", type=int, default=None, help="bewaartermijn in jaren (standaard LVV_RETENTION_YEARS)"
        )

    def handle(self, *args, dry_run: bool, jaren: int | None, **options):
        if jaren is not None and jaren < 1:
            raise CommandError("De bewaartermijn moet minstens 1 jaar zijn.")
        plan = retention.plan(years=jaren)
        self.stdout.write(f"Bewaartermijn: trajecten beëindigd op of vóór {plan.cutoff:%Y-%m-%d}.")
        for c in plan.due:
            verb = "zou worden geanonimiseerd" if dry_run else "geanonimiseerd"
            self.stdout.write(
                f"- persoon id {c.person_id} ({c.municipality}), "
                f"laatste traject beëindigd {c.ended_on:%Y-%m-%d}: {verb}"
            )
        for c in plan.held:
            self.stdout.write(f"- persoon id {c.person_id} ({c.municipality}) wacht: {c.held_because}")
        if dry_run:
            self.stdout.write(
                f"Proefdraai: {len(plan.due)} persoon/personen zou(den) worden geanonimiseerd, "
                f"{len(plan.held)} wacht(en). Er is niets gewijzigd."
            )
            return
        done = retention.anonymise(plan.due)
        self.stdout.write(f"{done} persoon/personen geanonimiseerd, {len(plan.held)} wacht(en).")
