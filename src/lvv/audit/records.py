"""Building and inserting access-log rows: the pseudonym, the canonical content, the row's MAC.

`insert` is the one way rows enter the table. It is a plain INSERT of rows whose MAC was computed
beforehand: no lock is taken and nothing is read, so a reader's append never waits for another
request's append (docs/adr/0004-access-log-sealing.md). Numbering and chaining happen later, in
`audit.sealing`."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from .models import AccessLogEntry

SUBJECT_ID_TYPE = "lvv-persoon-hmac-sha256"

#: The row's fields covered by its MAC and by its Merkle leaf, in this order. Never reorder: old
#: rows would no longer verify. `seq` is not among them: the sealer sets it later, and the leaf's
#: place in the tree is its number.
HASHED_FIELDS = (
    "at",
    "end_at",
    "user_id",
    "username",
    "organisation",
    "role",
    "action",
    "subject_pseudonym",
    "subject_id_type",
    "person_id",
    "path",
    "view_name",
    "purpose",
    "processing_activity",
    "fields",
    "trace_id",
    "span_id",
    "status",
)


def subject_pseudonym(person_id: int) -> str:
    """Keyed hash of the person id: stable per deployment, meaningless without the key."""
    key = settings.LVV_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(entry) -> bytes:
    """The row's content as one deterministic text (JSON, fixed key order, UTC times), UTF-8."""
    return json.dumps(
        [[f, _plain(getattr(entry, f))] for f in HASHED_FIELDS], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def entry_mac(entry) -> str:
    return hmac.new(settings.LVV_AUDIT_KEY.encode(), canonical(entry), hashlib.sha256).hexdigest()


def mac_matches(entry) -> bool:
    return hmac.compare_digest(entry.entry_hash, entry_mac(entry))


def insert(entries: Sequence[AccessLogEntry]) -> list[AccessLogEntry]:
    """Insert unsaved rows (in the caller's transaction, or in one of their own): MACs first, then
    one INSERT."""
    if not entries:
        return []
    for entry in entries:
        entry.seq = None
        entry.entry_hash = entry_mac(entry)
    with transaction.atomic():
        return AccessLogEntry.objects.all()._append(list(entries))
