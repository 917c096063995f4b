"""Writes on accounts: a user's second factor, the municipality's own settings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

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


#: The name of the one authenticator device a user enrols.
DEVICE_NAME = "Authenticator-app"


@transaction.atomic
def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's authenticator device that awaits its first code (made when there is none): its
    secret is shown once, as a QR code, until the user confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> TOTPDevice:
    """The first valid code confirms the device; any other device still awaiting one is removed."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).exclude(pk=device.pk).delete()
    return device
