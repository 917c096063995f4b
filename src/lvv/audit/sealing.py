"""Sealing and verifying the access log (docs/adr/0004-access-log-sealing.md, docs/logboek.md §3).

Rows enter the log as plain INSERTs with their own MAC (`audit.records`). The sealer, run by
`lvv audit-seal` and every `LVV_AUDIT_SEAL_INTERVAL` seconds by `lvv serve`, takes the rows it has
not sealed yet in id order, numbers them after the last seal (`seq`), adds them as leaves to the
Merkle tree of the whole log (RFC 9162 §2.1) and stores a signed tree head: an `AccessLogSeal`.
Only sealers take a lock (on the last seal); readers and writers never wait for it.

`verify` checks every row's MAC, every seal's signature, and every seal's tree head against the
rows it covers; it names every changed row, every removed sealed row (by id, from the seal's id
list), and on SQLite every removed row that was not sealed yet (ids there have no gaps). It
reports how many rows wait for a seal and how old the oldest is. `inclusion_proof` gives a data
subject the proof that his rows are in the sealed log, checkable with the public key alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from lvv.core import clock

from . import merkle
from .models import AccessLogEntry, AccessLogSeal
from .records import canonical, mac_matches, subject_pseudonym

logger = logging.getLogger("lvv.security")

SEAL_FORMAT = "lvv-toegangslog-zegel/1"
#: Rows per seal at most: a seal's transaction stays short (the rest waits for the next round).
SEAL_BATCH = 5000


# --- the signing key ------------------------------------------------------------------------------


def _signing_key() -> Ed25519PrivateKey:
    """An Ed25519 key derived from LVV_AUDIT_KEY (HKDF-SHA256): no second secret to keep, and the
    public key can be handed out so that others check seals without being able to make one."""
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lvv toegangslog zegelsleutel v1").derive(
        settings.LVV_AUDIT_KEY.encode()
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_bytes() -> bytes:
    return _signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_hex() -> str:
    return public_key_bytes().hex()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signed_content(seal: AccessLogSeal) -> bytes:
    """What a seal's signature covers: every field of the seal (long ones by their SHA-256)."""
    sealed_at = seal.sealed_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    lines = [
        SEAL_FORMAT,
        str(seal.tree_size),
        str(seal.first_seq),
        seal.root_hash,
        _digest(json.dumps(list(seal.frontier), separators=(",", ":"))),
        _digest(seal.entry_ids),
        sealed_at,
        _digest(seal.note),
    ]
    return "\n".join(lines).encode("utf-8")


def signature_valid(seal: AccessLogSeal, public_key: bytes | None = None) -> bool:
    key = Ed25519PublicKey.from_public_bytes(public_key or public_key_bytes())
    try:
        key.verify(bytes.fromhex(seal.signature), signed_content(seal))
    except (InvalidSignature, ValueError):
        return False
    return True


# --- the id list of a seal ------------------------------------------------------------------------


def encode_ids(ids: list[int]) -> str:
    """[101, 102, 103, 105] → "101-103,105" (ids in seq order; runs of consecutive ids as ranges)."""
    parts, start, prev = [], None, None
    for i in ids:
        if start is not None and i == prev + 1:
            prev = i
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = i
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}-{prev}")
    return ",".join(parts)


def decode_ids(text: str) -> list[int]:
    ids: list[int] = []
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        ids.extend(range(int(low), int(high or low) + 1))
    return ids


# --- sealing --------------------------------------------------------------------------------------


def _make_seal(*, last: AccessLogSeal | None, rows: list[AccessLogEntry], note: str = "") -> AccessLogSeal:
    size = last.tree_size if last else 0
    tree = merkle.Frontier.from_hex(size, last.frontier) if last else merkle.Frontier()
    for row in rows:
        tree.append(canonical(row))
    seal = AccessLogSeal(
        tree_size=tree.size,
        first_seq=size + 1,
        root_hash=tree.root().hex(),
        frontier=tree.hex(),
        entry_ids=encode_ids([row.pk for row in rows]),
        sealed_at=clock.now(),
        note=note,
    )
    seal.signature = _signing_key().sign(signed_content(seal)).hex()
    return seal


def _number(rows: list[AccessLogEntry], first_seq: int) -> None:
    """Give the rows their numbers: the one UPDATE the database trigger lets through (seq from empty)."""
    params = [(first_seq + i, row.pk) for i, row in enumerate(rows)]
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE audit_accesslogentry SET seq = %s WHERE id = %s AND seq IS NULL", params)
    for seq, row in zip(range(first_seq, first_seq + len(rows)), rows, strict=True):
        row.seq = seq


def seal_once(*, batch: int = SEAL_BATCH, note: str = "") -> AccessLogSeal | None:
    """Seal the rows not sealed yet (at most `batch`, oldest id first) under one new seal; None when
    there is nothing to seal. Only sealers wait for each other here."""
    with transaction.atomic():
        last = AccessLogSeal.objects.select_for_update().order_by("-tree_size").first()
        rows = list(AccessLogEntry.objects.unsealed().order_by("id")[:batch])
        if not rows:
            return None
        seal = _make_seal(last=last, rows=rows, note=note)
        _number(rows, seal.first_seq)
        seal.save()
    logger.info("toegangslog verzegeld: t/m volgnummer %s, wortel %s", seal.tree_size, seal.root_hash)
    return seal


def seal(*, batch: int = SEAL_BATCH) -> list[AccessLogSeal]:
    """Seal everything that is not sealed yet, in seals of at most `batch` rows."""
    made, collided = [], False
    while True:
        try:
            found = seal_once(batch=batch)
        except IntegrityError:
            if collided:  # not another sealer's race: something is wrong, say so
                raise
            collided = True  # another sealer made the same seal first: look again, once
            continue
        collided = False
        if found is None:
            return made
        made.append(found)


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # "gewijzigd", "verwijderd", "vervangen", "zegel"
    message: str
    ids: tuple[int, ...] = ()


@dataclass
class Summary:
    rows: int = 0
    sealed: int = 0
    seals: int = 0
    unsealed: int = 0
    oldest_unsealed: dt.datetime | None = None
    unsealed_gaps_checked: bool = False


def _missing(runs: list[tuple[int, int]]) -> list[Finding]:
    """Findings for removed sealed rows, one per run of consecutive numbers: (seq, id) pairs."""
    found, group = [], []
    for seq, row_id in runs:
        if group and seq != group[-1][0] + 1:
            found.append(_missing_group(group))
            group = []
        group.append((seq, row_id))
    if group:
        found.append(_missing_group(group))
    return found


def _missing_group(group: list[tuple[int, int]]) -> Finding:
    ids = tuple(row_id for _, row_id in group)
    first, last = group[0][0], group[-1][0]
    if len(group) == 1:
        return Finding("verwijderd", f"Regel id {ids[0]} (volgnummer {first}) ontbreekt: verwijderd.", ids)
    names = ", ".join(str(i) for i in ids)
    return Finding(
        "verwijderd", f"{len(group)} regels met id {names} (volgnummers {first} t/m {last}) ontbreken: verwijderd.", ids
    )


def verify(summary: Summary | None = None, *, chunk: int = 2000) -> Iterator[Finding]:
    """Walk the sealed log seal by seal, then the rows not sealed yet; yield every problem found."""
    summary = summary if summary is not None else Summary()
    public_key = public_key_bytes()
    seals = list(AccessLogSeal.objects.order_by("tree_size"))
    summary.seals = len(seals)
    sealed_ids: set[int] = set()
    rows = AccessLogEntry.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=chunk)
    pending = next(rows, None)
    previous: AccessLogSeal | None = None
    for seal in seals:
        expected_first = previous.tree_size + 1 if previous else 1
        if not signature_valid(seal, public_key):
            yield Finding(
                "zegel", f"Zegel t/m volgnummer {seal.tree_size} is gewijzigd of vervalst (handtekening klopt niet)."
            )
        if seal.first_seq != expected_first:
            yield Finding(
                "zegel",
                f"De zegels sluiten niet aan: na volgnummer {expected_first - 1} begint de volgende zegel bij "
                f"{seal.first_seq} (een zegel is verwijderd).",
            )
        ids = decode_ids(seal.entry_ids)
        sealed_ids.update(ids)
        if len(ids) != seal.tree_size - seal.first_seq + 1:
            yield Finding("zegel", f"Zegel t/m volgnummer {seal.tree_size} noemt niet evenveel regels als hij telt.")
        try:
            tree = merkle.Frontier.from_hex(previous.tree_size, previous.frontier) if previous else merkle.Frontier()
        except ValueError:
            tree = None
        missing, broken = [], tree is None
        for seq, expected_id in zip(range(seal.first_seq, seal.tree_size + 1), ids, strict=False):
            while pending is not None and pending.seq < seq:  # a number this seal does not cover
                yield Finding(
                    "zegel", f"Regel id {pending.pk} heeft volgnummer {pending.seq}, dat onder geen zegel valt."
                )
                pending = next(rows, None)
            if pending is None or pending.seq != seq:
                missing.append((seq, expected_id))
                broken = True
                continue
            row, pending = pending, next(rows, None)
            summary.rows += 1
            summary.sealed += 1
            if row.pk != expected_id:
                broken = True
                yield Finding(
                    "vervangen",
                    f"Regel id {row.pk} staat op volgnummer {seq}, waar regel id {expected_id} is verzegeld: "
                    "vervangen.",
                    (row.pk,),
                )
            elif not mac_matches(row):
                broken = True
                yield Finding("gewijzigd", f"Regel id {row.pk} (volgnummer {seq}) is gewijzigd.", (row.pk,))
            if tree is not None:
                tree.append(canonical(row))
        yield from _missing(missing)
        if not broken and (tree.root().hex() != seal.root_hash or tree.hex() != list(seal.frontier)):
            yield Finding(
                "zegel",
                f"De regels met volgnummers {seal.first_seq} t/m {seal.tree_size} passen niet bij hun zegel "
                "(de zegel of de volgorde is aangepast).",
            )
        previous = seal
    while pending is not None:
        yield Finding("zegel", f"Regel id {pending.pk} heeft volgnummer {pending.seq}, dat onder geen zegel valt.")
        summary.rows += 1
        pending = next(rows, None)
    yield from _verify_unsealed(summary, sealed_ids, chunk=chunk)


def _verify_unsealed(summary: Summary, sealed_ids: set[int], *, chunk: int) -> Iterator[Finding]:
    present: list[int] = []
    for row in AccessLogEntry.objects.unsealed().order_by("id").iterator(chunk_size=chunk):
        summary.rows += 1
        summary.unsealed += 1
        if summary.oldest_unsealed is None or row.at < summary.oldest_unsealed:
            summary.oldest_unsealed = row.at
        present.append(row.pk)
        if not mac_matches(row):
            yield Finding("gewijzigd", f"Regel id {row.pk} (nog niet verzegeld) is gewijzigd.", (row.pk,))
    if connection.vendor != "sqlite":
        return
    # SQLite numbers rows without gaps (AUTOINCREMENT; a rolled-back insert gives its number back),
    # so an id above the oldest sealed row that is neither sealed nor present was removed.
    summary.unsealed_gaps_checked = True
    known = sealed_ids | set(present)
    if not known:
        return
    low = min(sealed_ids) if sealed_ids else min(present)
    gone = [i for i in range(low, max(known) + 1) if i not in known]
    for start, end in _runs(gone):
        if start == end:
            yield Finding("verwijderd", f"Regel id {start} (nog niet verzegeld) ontbreekt: verwijderd.", (start,))
        else:
            yield Finding(
                "verwijderd",
                f"{end - start + 1} regels met id {start} t/m {end} (nog niet verzegeld) ontbreken: verwijderd.",
                tuple(range(start, end + 1)),
            )


def _runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    start = prev = None
    for n in numbers:
        if start is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            yield start, prev
        start = prev = n
    if start is not None:
        yield start, prev


# --- inclusion proofs for a data subject -----------------------------------------------------------


def _levels(leaves: bytearray, size: int) -> list[bytearray]:
    """Every level of the tree (RFC 9162: an unpaired last node moves up unchanged), 32 bytes a node."""
    levels, level, n = [leaves], leaves, size
    while n > 1:
        up = bytearray()
        for i in range(0, n - 1, 2):
            up += merkle.node_hash(bytes(level[32 * i : 32 * i + 32]), bytes(level[32 * i + 32 : 32 * i + 64]))
        if n % 2:
            up += level[32 * (n - 1) : 32 * n]
        levels.append(up)
        level, n = up, (n + 1) // 2
    return levels


def _path(levels: list[bytearray], index: int, size: int) -> list[bytes]:
    path, n = [], size
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < n:
            path.append(bytes(level[32 * sibling : 32 * sibling + 32]))
        index, n = index // 2, (n + 1) // 2
    return path


def inclusion_proof(person_id: int) -> dict:
    """For every sealed row about the person: its content, leaf number and audit path to the latest
    seal, with that seal and the public key — enough to check, without lvv, that the rows are in the
    sealed log (RFC 9162 §2.1.3.2). Reads the leaf hashes of the whole log (32 bytes a row, twice)."""
    seal = AccessLogSeal.objects.order_by("-tree_size").first()
    result = {
        "formaat": SEAL_FORMAT,
        "publieke_sleutel_ed25519": public_key_hex(),
        "zegel": None,
        "regels": [],
        "niet_verzegeld": AccessLogEntry.objects.unsealed()
        .filter(subject_pseudonym=subject_pseudonym(person_id))
        .count(),
    }
    if seal is None:
        return result
    size = seal.tree_size
    leaves, wanted = bytearray(), []
    pseudonym = subject_pseudonym(person_id)
    qs = AccessLogEntry.objects.filter(seq__isnull=False, seq__lte=size).order_by("seq")
    for row in qs.iterator(chunk_size=5000):
        data = canonical(row)
        leaves += merkle.leaf_hash(data)
        if row.subject_pseudonym == pseudonym:
            wanted.append((row.seq, data))
    if len(leaves) != 32 * size:
        raise ValueError("Het verzegelde log is onvolledig; draai lvv audit-verify.")
    levels = _levels(leaves, size)
    result["zegel"] = {
        "aantal_regels": size,
        "wortel": seal.root_hash,
        "eerste_volgnummer": seal.first_seq,
        "rand": list(seal.frontier),
        "regel_ids_sha256": _digest(seal.entry_ids),
        "verzegeld_op": seal.sealed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "toelichting_sha256": _digest(seal.note),
        "handtekening": seal.signature,
    }
    result["regels"] = [
        {
            "volgnummer": seq,
            "inhoud": data.decode("utf-8"),
            "pad": [h.hex() for h in _path(levels, seq - 1, size)],
        }
        for seq, data in wanted
    ]
    return result
