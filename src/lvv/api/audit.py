"""The access log of API deliveries. A trajectory delivery writes person data: one `wijzigen`
entry per delivered person, as the token's account, in the delivery's transaction, through
`lvv.audit.services.log_change` (processing activity: delivery and the national monitor).

The monitor and the reference endpoints show no person data and log nothing."""

from __future__ import annotations

from collections.abc import Iterable

from lvv.audit.services import log_change
from lvv.exchange.delivery import TRAJECTORY_COLUMNS

PURPOSE_DELIVERY = "Aanlevering in het aanleverformaat v1 via de API"
ACTIVITY_DELIVERY = "lvv-gegevensuitwisseling"


def log_delivery_writes(request, person_ids: Iterable[int]) -> None:
    # One entry per distinct person, in one INSERT, inside the delivery's transaction.
    log_change(
        actor=request.user,
        person_ids=person_ids,
        purpose=PURPOSE_DELIVERY,
        activity=ACTIVITY_DELIVERY,
        fields=TRAJECTORY_COLUMNS,
    )
