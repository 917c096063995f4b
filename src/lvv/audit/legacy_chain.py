"""The hash chain the access log used before it was sealed (docs/adr/0004-access-log-sealing.md),
frozen for the migrations that built it (`audit.0003`) and that converted it into sealed rows
(`audit.0006`).

Each row stored `prev_hash` and `entry_hash` = HMAC-SHA256(LVV_AUDIT_KEY, prev_hash + "\\n" +
canonical content including `seq`). Nothing else uses this module."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings

HASHED_FIELDS = (
    "seq",
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


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(entry) -> str:
    return json.dumps(
        [[f, _plain(getattr(entry, f))] for f in HASHED_FIELDS], ensure_ascii=False, separators=(",", ":")
    )


def entry_hash(prev_hash: str, entry) -> str:
    key = settings.LVV_AUDIT_KEY.encode()
    return hmac.new(key, f"{prev_hash}\n{canonical(entry)}".encode(), hashlib.sha256).hexdigest()
