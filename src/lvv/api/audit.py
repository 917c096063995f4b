"""The access log of API deliveries. A trajectory delivery writes person data: one `wijzigen`
entry per delivered person, as the token's account, in the delivery's transaction, through
`lvv.audit.services.log_write` (processing activity: delivery and the national monitor).

The monitor and the reference endpoints show no person data and log nothing."""

from __future__ import annotations

from collections.abc import Iterable

from lvv.audit.services import log_write
from lvv.exchange.delivery import TRAJECTORY_COLUMNS

PURPOSE_DELIVERY = "Aanlevering in het aanleverformaat v1 via de API"
ACTIVITY_DELIVERY = "lvv-gegevensuitwisseling"


def log_delivery_writes(request, person_ids: Iterable[int]) -> None:
    # One call per person: `audit.services` has no bulk write (yet); a municipality's delivery is
    # hundreds to a few thousand persons.
    for person_id in dict.fromkeys(person_ids):
        log_write(request, person_id, purpose=PURPOSE_DELIVERY, activity=ACTIVITY_DELIVERY, fields=TRAJECTORY_COLUMNS)
