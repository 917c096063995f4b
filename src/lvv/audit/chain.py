"""The hash chain over the access log.

Each entry stores `prev_hash` (the previous entry's hash) and `entry_hash` = HMAC-SHA256 over the
previous hash and the entry's canonical content, with a key from the environment
(`LVV_AUDIT_KEY`). Changing a row breaks its own hash; deleting one leaves a gap in the numbers and
breaks the next entry's link; deleting from the end no longer matches the chain head. Without the
key nobody can compute a matching hash for a forged row, not even with write access to the database.

Appending takes the chain head under a lock: `select_for_update` on PostgreSQL; on SQLite the
transaction itself holds the write lock (lvv opens SQLite transactions IMMEDIATE)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from lvv.core import clock

from .models import AccessLogChain, AccessLogEntry

#: The entry's fields covered by its hash, in this order. Never reorder: old hashes would not verify.
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
HEAD_PK = 1


def _key() -> bytes:
    return settings.LVV_AUDIT_KEY.encode()


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(entry) -> str:
    """The entry's content as one deterministic text (JSON, fixed key order, UTC times)."""
    return json.dumps(
        [[f, _plain(getattr(entry, f))] for f in HASHED_FIELDS], ensure_ascii=False, separators=(",", ":")
    )


def entry_hash(prev_hash: str, entry) -> str:
    return hmac.new(_key(), f"{prev_hash}\n{canonical(entry)}".encode(), hashlib.sha256).hexdigest()


def _locked_head() -> AccessLogChain:
    head = AccessLogChain.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    # First entry ever (or the head was removed): start from the log's end as it is.
    last = AccessLogEntry.objects.order_by("-seq").first()
    defaults = {"last_seq": 0, "last_hash": "", "last_id": None}
    if last is not None:
        defaults = {"last_seq": last.seq, "last_hash": last.entry_hash, "last_id": last.pk, "rebuilt_at": clock.now()}
    try:
        with transaction.atomic():
            AccessLogChain.objects.create(pk=HEAD_PK, **defaults)
    except IntegrityError:  # another writer made it first
        pass
    return AccessLogChain.objects.select_for_update().get(pk=HEAD_PK)


def append(entries: Sequence[AccessLogEntry]) -> list[AccessLogEntry]:
    """Number, link and insert unsaved entries at the end of the chain, atomically."""
    if not entries:
        return []
    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.last_seq, head.last_hash
        for entry in entries:
            seq += 1
            entry.seq, entry.prev_hash = seq, prev
            entry.entry_hash = prev = entry_hash(prev, entry)
        created = AccessLogEntry.objects.all()._chain_insert(list(entries))
        last_id = created[-1].pk
        if last_id is None:  # a backend that does not return ids
            last_id = AccessLogEntry.objects.get(seq=seq).pk
        head.last_seq, head.last_hash, head.last_id = seq, prev, last_id
        head.save(update_fields=["last_seq", "last_hash", "last_id"])
    return created


# --- verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # "gewijzigd", "verwijderd", "keten", "kop"
    message: str
    ids: tuple[int, ...] = ()


def _describe_missing(first_seq: int, last_seq: int, before, after, *, last_missing_id: int | None = None) -> Finding:
    """`last_seq - first_seq + 1` rows removed between two surviving ones (`before` / `after`, None at
    either end). Their ids are named when the surviving ids leave no doubt: the ids in between are
    exactly as many as the rows missing (at the end the chain head remembers the last id)."""
    count = last_seq - first_seq + 1
    numbers = f"volgnummer {first_seq}" if count == 1 else f"volgnummers {first_seq} t/m {last_seq}"
    low = before.pk if before else 0
    high = after.pk if after else (last_missing_id + 1 if last_missing_id else None)
    ids = tuple(range(low + 1, high)) if high is not None and high - low - 1 == count else ()
    if ids:
        which = ("id " if count == 1 else "met id ") + ", ".join(str(i) for i in ids)
    else:
        around = [
            f"na id {before.pk}" if before else "aan het begin",
            f"vóór id {after.pk}" if after else "aan het eind",
        ]
        which = " en ".join(around)
    noun = "Regel" if count == 1 else f"{count} regels"
    verb = "ontbreekt" if count == 1 else "ontbreken"
    return Finding("verwijderd", f"{noun} {which} ({numbers}) {verb}: verwijderd.", ids)


def verify(batch_size: int = 2000) -> Iterator[Finding]:
    """Walk the chain in order and yield every problem found (nothing when the log is intact)."""
    expected_seq, prev_hash, previous = 1, "", None
    for entry in AccessLogEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
        if entry.seq > expected_seq:
            yield _describe_missing(expected_seq, entry.seq - 1, previous, entry)
        elif entry.seq < expected_seq:
            yield Finding("keten", f"Regel id {entry.pk} heeft een volgnummer dat al eerder voorkwam.", (entry.pk,))
        changed = not hmac.compare_digest(entry.entry_hash, entry_hash(entry.prev_hash, entry))
        if changed:
            yield Finding("gewijzigd", f"Regel id {entry.pk} (volgnummer {entry.seq}) is gewijzigd.", (entry.pk,))
        elif entry.seq == expected_seq and entry.prev_hash != prev_hash:
            # Intact itself, but not linked to the entry before it: that one was changed or replaced.
            yield Finding(
                "keten",
                f"Regel id {entry.pk} (volgnummer {entry.seq}) sluit niet aan op de regel ervoor"
                f"{f' (id {previous.pk})' if previous else ''}.",
                (entry.pk,),
            )
        expected_seq, prev_hash, previous = entry.seq + 1, entry.entry_hash, entry
    head = AccessLogChain.objects.filter(pk=HEAD_PK).first()
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            yield Finding("kop", "De kop van de keten ontbreekt: regels aan het eind kunnen niet worden gecontroleerd.")
        return
    if head.last_seq > last_seq:
        yield _describe_missing(last_seq + 1, head.last_seq, previous, None, last_missing_id=head.last_id)
    elif head.last_seq < last_seq or (last_seq and head.last_hash != prev_hash):
        yield Finding(
            "kop", "De kop van de keten past niet bij de laatste regel (de kop of de laatste regel is aangepast)."
        )
    if head.rebuilt_at is not None:
        yield Finding(
            "kop",
            f"De kop van de keten is op {head.rebuilt_at:%Y-%m-%d %H:%M} opnieuw aangemaakt terwijl het log al "
            "regels had: regels die vóór dat moment aan het eind zijn verwijderd, zijn niet meer aan te wijzen.",
        )


def verify_counts() -> tuple[int, int]:
    """(number of entries, last number) for the summary line."""
    head = AccessLogChain.objects.filter(pk=HEAD_PK).first()
    return AccessLogEntry.objects.count(), (head.last_seq if head else 0)
