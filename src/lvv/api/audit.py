"""The access log of API deliveries. A trajectory delivery writes person data: one `wijzigen`
entry per delivered person, as the token's account, in the delivery's transaction, through
`lvv.audit.services.log_writes` (processing activity: delivery and the national monitor).

The monitor and the reference endpoints show no person data and log nothing."""

from __future__ import annotations

from collections.abc import Iterable

from lvv.audit.services import log_writes
from lvv.exchange.delivery import TRAJECTORY_COLUMNS

PURPOSE_DELIVERY = "Aanlevering in het aanleverformaat v1 via de API"
ACTIVITY_DELIVERY = "lvv-gegevensuitwisseling"


def log_delivery_writes(request, person_ids: Iterable[int]) -> None:
    # One entry per distinct person, appended to the chain in one go.
    unique = list(dict.fromkeys(person_ids))
    if unique:
        log_writes(request, unique, purpose=PURPOSE_DELIVERY, activity=ACTIVITY_DELIVERY, fields=TRAJECTORY_COLUMNS)
