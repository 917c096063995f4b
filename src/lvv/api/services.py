"""API tokens: make, revoke and recognise them.

A token reads `lvv_<key_id>.<secret>`: `key_id` (8 hex digits) is stored in clear so a token can be
recognised in lists; `secret` is 256 random bits. Only the SHA-256 of the whole token is stored (a
slow password hash adds nothing for a random secret of this length, and would slow every request).
Each token acts as its own account (`api.<key_id>`, no usable password) so that the access log can
name the token, its organisation and its role."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction

from lvv.accounts.models import Organisation, User
from lvv.core import clock
from lvv.core.exceptions import ApplicationError

from .models import ApiToken

TOKEN_PREFIX = "lvv_"
MSG_NAME_REQUIRED = "Geef de token een naam (welk systeem gebruikt haar)."
MSG_NAME_TAKEN = "{organisation} heeft al een token met de naam '{name}'."
MSG_ALREADY_REVOKED = "Deze token is al ingetrokken."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, organisation: Organisation, name: str) -> tuple[ApiToken, str]:
    """A new token for `organisation`: the record, and the token in clear (shown once, never stored)."""
    name = name.strip()
    if not name:
        raise ApplicationError(MSG_NAME_REQUIRED, field="naam")
    if ApiToken.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ApplicationError(MSG_NAME_TAKEN.format(organisation=organisation, name=name), field="naam")
    key_id = secrets.token_hex(4)
    while ApiToken.objects.filter(key_id=key_id).exists():  # 1 in 4 billion, but never twice
        key_id = secrets.token_hex(4)
    clear = f"{TOKEN_PREFIX}{key_id}.{secrets.token_urlsafe(32)}"
    user = User(
        username=f"api.{key_id}",
        first_name="API-koppeling",
        last_name=name[:150],
        organisation=organisation,
    )
    user.set_unusable_password()
    user.save()
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        key_id=key_id,
        token_hash=token_hash(clear),
        user=user,
        created_at=clock.now(),
    )
    return token, clear


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke for good: the token stops working at once and its account is deactivated."""
    if token.revoked_at is not None:
        raise ApplicationError(MSG_ALREADY_REVOKED)
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    User.objects.filter(pk=token.user_id).update(is_active=False)
    return token


def api_token_authenticate(clear: str) -> ApiToken | None:
    """The active token `clear` is, or None (unknown, malformed, revoked, or its account deactivated)."""
    if not clear.startswith(TOKEN_PREFIX) or len(clear) > 200:
        return None
    digest = token_hash(clear)
    token = (
        ApiToken.objects.select_related("organisation__municipality", "user__organisation")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    # The lookup is by hash already; the constant-time comparison keeps it so if that ever changes.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token
