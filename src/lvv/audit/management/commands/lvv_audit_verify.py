"""`lvv manage lvv_audit_verify` (or `lvv audit-verify`): check the access log's hash chain.

Names every changed or deleted row by its id. Exit code 0 when the chain is intact, 1 when not."""

from django.core.management.base import BaseCommand, CommandError

from lvv.audit.chain import verify, verify_counts


class Command(BaseCommand):
    help = "Controleer de hashketen van het toegangslog en noem elke gewijzigde of verwijderde regel."

    def handle(self, *args, **options):
        findings = list(verify())
        count, last_seq = verify_counts()
        if not findings:
            self.stdout.write(f"Toegangslog in orde: {count} regels, keten ongebroken (laatste volgnummer {last_seq}).")
            return
        for finding in findings:
            self.stdout.write(f"- {finding.message}")
        error = CommandError(
            f"Toegangslog is aangetast: {len(findings)} bevinding{'en' if len(findings) != 1 else ''} "
            f"({count} regels gecontroleerd)."
        )
        error.returncode = 1
        raise error
