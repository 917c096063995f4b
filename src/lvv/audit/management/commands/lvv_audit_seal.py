"""`lvv audit-seal` (or `lvv manage lvv_audit_seal`): seal the access-log rows not sealed yet.

`lvv serve` runs it every LVV_AUDIT_SEAL_INTERVAL seconds; `--elke N` keeps it running with that
interval (for a timer or a separate process)."""

import os
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from lvv.audit.sealing import seal


class Command(BaseCommand):
    help = "Verzegel de regels van het toegangslog die nog niet verzegeld zijn."

    def add_arguments(self, parser):
        parser.add_argument("--elke", type=float, metavar="SECONDEN", help="blijf draaien en verzegel elke N seconden")
        parser.add_argument(
            "--ouder", type=int, metavar="PID", help="stop zodra dit proces (de server) niet meer draait"
        )

    def handle(self, *args, **options):
        interval = options.get("elke")
        while True:
            seals = seal()
            if seals or interval is None:
                rows = sum(s.tree_size - s.first_seq + 1 for s in seals)
                last = f" (t/m volgnummer {seals[-1].tree_size})" if seals else ""
                self.stdout.write(f"{rows} regels verzegeld onder {len(seals)} nieuwe zegel(s){last}.")
            if interval is None or (options.get("ouder") and os.getppid() != options["ouder"]):
                return
            close_old_connections()
            time.sleep(interval)
