"""Keyed fingerprints of a person's identity for the national duplicate check (docs/security.md §4).

The check "already registered at another LVV" must work without any other LVV seeing who it is
(docs/duplicaatcontrole.md). Each person gets a few fingerprints — a keyed hash, HMAC-SHA256 with
the deployment key `LVV_DUPLICATE_KEY` (kept outside the database), of one normalised fact:

- `v_number`: the V-nummer (10 digits) — a strong signal;
- `name_birth_date`: each name (full name and every alias) with the full birth date — weak;
- `name_birth_year`: each name with the birth year — weaker.

At an application the same fingerprints are made of what the form says and compared, digest to
digest, with the fingerprints of persons in other municipalities (`fingerprint_matches`). Names are
compared exactly after normalisation: a typo is not found across municipalities (the own LVV keeps
the fuzzy match in `duplicates.py`).

The functions that make fingerprints are pure (`identity_fingerprints`); `fingerprints_rebuild` takes
the model classes so the data migration can use it with its historical models."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from .models import FingerprintKind

#: Domain separation: the purpose, a format version and the kind go into every hashed message.
DOMAIN = "lvv-duplicaatcontrole/v1"
CHUNK = 500

#: Letters NFKD does not decompose into a base letter plus marks.
_TRANSLITERATE = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
#: Apostrophes inside a name are dropped (O'Brien = OBrien); every other non-letter separates parts.
_APOSTROPHES = str.maketrans("", "", "'’ʼ`´‘")
_V_NUMBER_SEPARATORS = re.compile(r"[\s.\-]")
_V_NUMBER = re.compile(r"[0-9]{10}")

#: Names that are not a person's name: the placeholder `lvv import` writes for a delivered person
#: (exchange/imports.py, recognised the same way as exchange/reconcile.py) and the name retention
#: gives an anonymised person (privacy/retention.py). They must never match each other.
_PLACEHOLDER_NAME = re.compile(r"Persoon (met V-nummer )?\S+")
ANONYMOUS_NAME = "Geanonimiseerd"
#: person_key prefix of an anonymised person (privacy/retention.py): such a person has no fingerprints.
ANONYMOUS_KEY_PREFIX = "anon-"


def duplicate_key() -> str:
    return settings.LVV_DUPLICATE_KEY


def key_id(key: str | None = None) -> str:
    """A short, public identifier of the key: which key made a stored digest (rotation)."""
    key = duplicate_key() if key is None else key
    return hmac.new(key.encode(), f"{DOMAIN}/sleutel-id".encode(), hashlib.sha256).hexdigest()[:16]


def digest(kind: str, value: str, *, key: str | None = None) -> str:
    """HMAC-SHA256 of one normalised value of one kind, hex."""
    key = duplicate_key() if key is None else key
    return hmac.new(key.encode(), f"{DOMAIN}/{kind}/{value}".encode(), hashlib.sha256).hexdigest()


def normalise_v_number(value: str) -> str:
    """The 10 digits of a V-nummer ("1234 567 890", "1234-567-890" included), or "" for anything else."""
    plain = _V_NUMBER_SEPARATORS.sub("", value or "")
    return plain if _V_NUMBER.fullmatch(plain) else ""


def normalise_name(name: str) -> str:
    """A name as compared across municipalities: case folded, diacritics removed (NFKD), only
    letters, the parts sorted — so "José  da Silva", "DA SILVA, Jose" and "Silva José da" agree."""
    text = unicodedata.normalize("NFKD", (name or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_TRANSLITERATE)
    text = text.translate(_APOSTROPHES)
    return " ".join(sorted("".join(c if c.isalpha() else " " for c in text).split()))


def is_placeholder_name(given_names: str, family_name: str) -> bool:
    given, family = (given_names or "").strip(), (family_name or "").strip()
    return not given and (family == ANONYMOUS_NAME or _PLACEHOLDER_NAME.fullmatch(family) is not None)


@dataclass(frozen=True)
class Identity:
    """What the fingerprints are made of: a V-nummer, names as written, a birth date or year."""

    v_number: str = ""
    names: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    birth_year: int | None = None


def identity_fingerprints(identity: Identity, *, key: str | None = None) -> set[tuple[str, str]]:
    """The (kind, digest) pairs of an identity. A name without any birth date or year gives none:
    a name alone is too weak a signal to report."""
    key = duplicate_key() if key is None else key
    found: set[tuple[str, str]] = set()
    v_number = normalise_v_number(identity.v_number)
    if v_number:
        found.add((FingerprintKind.V_NUMBER.value, digest(FingerprintKind.V_NUMBER, v_number, key=key)))
    year = identity.birth_date.year if identity.birth_date else identity.birth_year
    for name in identity.names:
        name = normalise_name(name)
        if not name:
            continue
        if identity.birth_date:
            value = f"{name}|{identity.birth_date.isoformat()}"
            found.add((FingerprintKind.NAME_BIRTH_DATE.value, digest(FingerprintKind.NAME_BIRTH_DATE, value, key=key)))
        if year:
            value = f"{name}|{year:04d}"
            found.add((FingerprintKind.NAME_BIRTH_YEAR.value, digest(FingerprintKind.NAME_BIRTH_YEAR, value, key=key)))
    return found


def person_identity(
    *,
    person_key: str,
    given_names: str,
    family_name: str,
    birth_date: dt.date | None,
    birth_year: int | None,
    v_number: str,
    aliases: Iterable[str] = (),
) -> Identity | None:
    """The identity of a registered person; None for an anonymised one (it takes no part any more)."""
    if (person_key or "").startswith(ANONYMOUS_KEY_PREFIX):
        return None
    names = [] if is_placeholder_name(given_names, family_name) else [f"{given_names} {family_name}"]
    return Identity(
        v_number=v_number or "",
        names=tuple(names) + tuple(a for a in aliases if a),
        birth_date=birth_date,
        birth_year=birth_year,
    )


_PERSON_VALUES = (
    "pk",
    "municipality_id",
    "person_key",
    "given_names",
    "family_name",
    "birth_date",
    "birth_year",
    "v_number",
)


def _wanted_rows(person_model, alias_model, person_ids: list[int], key: str) -> list[dict]:
    aliases: dict[int, list[str]] = defaultdict(list)
    for person_id, name in alias_model.objects.filter(person_id__in=person_ids).values_list("person_id", "name"):
        aliases[person_id].append(name)
    kid = key_id(key)
    rows = []
    for pk, municipality_id, person_key, given, family, birth_date, birth_year, v_number in (
        person_model.objects.filter(pk__in=person_ids).order_by("pk").values_list(*_PERSON_VALUES)
    ):
        identity = person_identity(
            person_key=person_key,
            given_names=given,
            family_name=family,
            birth_date=birth_date,
            birth_year=birth_year,
            v_number=v_number,
            aliases=aliases[pk],
        )
        if identity is None:
            continue
        for kind, value in sorted(identity_fingerprints(identity, key=key)):
            rows.append(
                {"person_id": pk, "municipality_id": municipality_id, "kind": kind, "digest": value, "key_id": kid}
            )
    return rows


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def fingerprints_rebuild(
    *, person_model, alias_model, fingerprint_model, person_ids: Iterable[int] | None = None, key: str | None = None
) -> int:
    """Replace the fingerprints of the given persons (all persons: None) by ones made from their
    current data with `key`; returns how many were written. Call inside a transaction."""
    key = duplicate_key() if key is None else key
    if person_ids is None:
        fingerprint_model.objects.all().delete()
        ids = list(person_model.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(person_ids))
        for chunk in _chunks(ids):
            fingerprint_model.objects.filter(person_id__in=chunk).delete()
    written = 0
    for chunk in _chunks(ids):
        rows = _wanted_rows(person_model, alias_model, chunk, key)
        fingerprint_model.objects.bulk_create([fingerprint_model(**row) for row in rows], batch_size=CHUNK)
        written += len(rows)
    return written


def fingerprints_sync(person_ids: Iterable[int]) -> int:
    """Bring the fingerprints of these persons in line with their data (the one place that does it
    for a single write: `people.services` calls it after every create and update). Bulk writers that
    bypass the services (an import) call it with the persons they wrote."""
    from .models import Alias, Person, PersonFingerprint

    return fingerprints_rebuild(
        person_model=Person, alias_model=Alias, fingerprint_model=PersonFingerprint, person_ids=person_ids
    )


@dataclass
class Drift:
    """How far the stored fingerprints are from the ones the current key and data give."""

    persons: int
    stored: int
    wanted: int
    missing: int  # wanted, not stored
    extra: int  # stored, not wanted (old key, changed or anonymised person)
    other_key: int  # stored with another key

    @property
    def in_sync(self) -> bool:
        return not (self.missing or self.extra)


def fingerprints_drift(*, key: str | None = None) -> Drift:
    from .models import Alias, Person, PersonFingerprint

    key = duplicate_key() if key is None else key
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    wanted: set[tuple] = set()
    for chunk in _chunks(ids):
        wanted |= {
            (r["person_id"], r["kind"], r["digest"], r["key_id"]) for r in _wanted_rows(Person, Alias, chunk, key)
        }
    stored = set(PersonFingerprint.objects.values_list("person_id", "kind", "digest", "key_id"))
    return Drift(
        persons=len(ids),
        stored=len(stored),
        wanted=len(wanted),
        missing=len(wanted - stored),
        extra=len(stored - wanted),
        other_key=sum(1 for row in stored if row[3] != key_id(key)),
    )


@dataclass
class FingerprintMatch:
    municipality_id: int
    kinds: set[str]


def fingerprint_matches(
    identity: Identity, *, exclude_municipality_id: int, key: str | None = None
) -> dict[int, FingerprintMatch]:
    """Persons outside one municipality with a fingerprint equal to one of `identity`'s: person id →
    their municipality and the kinds that matched. Compares digests only; reads no person."""
    from .models import PersonFingerprint

    key = duplicate_key() if key is None else key
    wanted = identity_fingerprints(identity, key=key)
    if not wanted:
        return {}
    found: dict[int, FingerprintMatch] = {}
    rows = (
        PersonFingerprint.objects.filter(digest__in=sorted(d for _, d in wanted), key_id=key_id(key))
        .exclude(municipality_id=exclude_municipality_id)
        .values_list("person_id", "municipality_id", "kind", "digest")
    )
    for person_id, municipality_id, kind, value in rows:
        if (kind, value) in wanted:
            found.setdefault(person_id, FingerprintMatch(municipality_id, set())).kinds.add(kind)
    return found
