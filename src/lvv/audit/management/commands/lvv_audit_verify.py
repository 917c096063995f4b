"""`lvv audit-verify` (or `lvv manage lvv_audit_verify`): check the access log.

Every row's MAC, every seal's signature and tree head; names every changed or removed row by its
id, and reports the rows not sealed yet and how old the oldest is (docs/logboek.md §3). Exit code
0 when the log is intact, 1 when not."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from lvv.audit.sealing import Summary, public_key_hex, verify
from lvv.core import clock


def _age(oldest) -> str:
    seconds = max(0, int((clock.now() - oldest).total_seconds()))
    if seconds < 120:
        return f"{seconds} seconden"
    if seconds < 7200:
        return f"{seconds // 60} minuten"
    if seconds < 172800:
        return f"{seconds // 3600} uur"
    return f"{seconds // 86400} dagen"


class Command(BaseCommand):
    help = "Controleer het toegangslog: elke regel, elke zegel; noemt elke gewijzigde of verwijderde regel."

    def add_arguments(self, parser):
        parser.add_argument(
            "--publieke-sleutel",
            action="store_true",
            help="toon alleen de publieke sleutel waarmee zegels te controleren zijn",
        )

    def handle(self, *args, **options):
        if options["publieke_sleutel"]:
            self.stdout.write(public_key_hex())
            return
        summary = Summary()
        findings = list(verify(summary))
        for finding in findings:
            self.stdout.write(f"- {finding.message}")
        self.stdout.write(
            f"{summary.rows} regels gecontroleerd: {summary.sealed} verzegeld onder {summary.seals} "
            f"zegel{'s' if summary.seals != 1 else ''}, {summary.unsealed} nog niet verzegeld."
        )
        if summary.unsealed:
            oldest = timezone.localtime(summary.oldest_unsealed)
            self.stdout.write(
                f"Oudste niet-verzegelde regel: {oldest:%Y-%m-%d %H:%M:%S} ({_age(summary.oldest_unsealed)} oud)."
            )
            if not summary.unsealed_gaps_checked:
                self.stdout.write(
                    f"Let op: op {connection.vendor} is het verwijderen van een nog niet verzegelde regel niet aan te "
                    "tonen (ook teruggedraaide transacties laten nummers open); verzegel vaak (lvv audit-seal)."
                )
        if not findings:
            self.stdout.write("Toegangslog in orde.")
            return
        error = CommandError(
            f"Toegangslog is aangetast: {len(findings)} bevinding{'en' if len(findings) != 1 else ''} "
            f"({summary.rows} regels gecontroleerd)."
        )
        error.returncode = 1
        raise error
