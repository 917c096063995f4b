"""Writes on the municipality's own settings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from lvv.core.exceptions import ApplicationError

from .models import CONSENT_PARTY_TYPES, Municipality, User


@transaction.atomic
def municipality_lso_parties_set(*, actor: User, municipality: Municipality, parties: Iterable[str]) -> Municipality:
    """Who sits at the municipality's LSO table: admission needs the participant's consent for each
    of them, or an LSO decision to admit without it (docs/access.md)."""
    parties = list(dict.fromkeys(parties))
    unknown = [p for p in parties if p not in CONSENT_PARTY_TYPES]
    if unknown:
        raise ApplicationError("Onbekende partij aan tafel.", field="lso_parties")
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    municipality.lso_parties = [str(p) for p in CONSENT_PARTY_TYPES if p in parties]
    municipality.save(update_fields=["lso_parties"])
    return municipality
