"""Encryption at rest of sensitive fields (docs/security.md §5.6, "Versleuteling in rust").

`EncryptedTextField` and `EncryptedBinaryField` store Fernet tokens (AES-128-CBC + HMAC-SHA256, from
the `cryptography` package) instead of the value. The keys are in settings.LVV_FIELD_KEYS, taken from
the environment and never from the database: the first key encrypts, every key decrypts, so a key
is rotated by putting a new key in front, running `lvv rotate-keys` (re-encrypts every row with the
new key) and only then removing the old key.

Stored form: ``fernet:<token>`` (text) or ``b"fernet:" + token`` (binary). A value without the
prefix is a row written before the field was encrypted; it is read as it is and encrypted on its
next save (or at once by `lvv rotate-keys`). Empty values ("" and b"") and NULL stay as they are: a
Fernet token shows the value's length anyway, so encrypting an empty value would hide nothing.

A token that no key opens raises `FieldKeyError` with a Dutch message; a wrong or missing key never
gives garbage. Queries on the contents are refused (only `isnull` is allowed): the same text gives
a different token every time, so an equality or `contains` test on the column can never match.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models

PREFIX = "fernet:"
PREFIX_BYTES = PREFIX.encode("ascii")

#: The only lookup that means something on ciphertext.
ALLOWED_LOOKUPS = frozenset({"isnull"})


class FieldKeyError(ImproperlyConfigured):
    """A stored token that none of the keys in LVV_FIELD_KEYS opens (key missing, or data damaged)."""


def generate_key() -> str:
    """A new Fernet key (32 random bytes, url-safe base64), as text for LVV_FIELD_KEYS."""
    return Fernet.generate_key().decode("ascii")


def _configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "LVV_FIELD_KEYS", None)
    if isinstance(keys, str):
        keys = keys.split(",")
    keys = tuple(str(key).strip() for key in (keys or ()) if str(key).strip())
    if not keys:
        raise ImproperlyConfigured(
            "LVV_FIELD_KEYS is leeg: zonder sleutel kunnen versleutelde velden niet gelezen of opgeslagen worden."
        )
    return keys


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = []
    for number, key in enumerate(keys, 1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):  # binascii.Error is a ValueError
            raise ImproperlyConfigured(
                f"Sleutel {number} in LVV_FIELD_KEYS is geen geldige Fernet-sleutel (32 bytes, url-safe base64)."
            ) from None
    return MultiFernet(fernets), fernets[0]


def _multi() -> MultiFernet:
    return _fernets(_configured_keys())[0]


def _current() -> Fernet:
    return _fernets(_configured_keys())[1]


def _key_error(where: str) -> FieldKeyError:
    return FieldKeyError(
        f"Versleutelde gegevens{where} kunnen niet worden ontsleuteld: de sleutel ontbreekt in LVV_FIELD_KEYS "
        "(of de gegevens zijn beschadigd). Zet de oude sleutel terug, achter de nieuwe, en draai "
        "`lvv rotate-keys` voordat u een sleutel weghaalt."
    )


def encrypt_bytes(data: bytes) -> bytes:
    """The stored form of `data`: the prefix and a Fernet token made with the first key."""
    return PREFIX_BYTES + _multi().encrypt(bytes(data))


def decrypt_bytes(stored: bytes, where: str = "") -> bytes:
    """The value of a stored form; bytes without the prefix are unencrypted (old) rows and come back as they are."""
    stored = bytes(stored)
    if not stored.startswith(PREFIX_BYTES):
        return stored
    try:
        return _multi().decrypt(stored[len(PREFIX_BYTES) :])
    except InvalidToken:
        raise _key_error(where) from None


def encrypt_text(text: str) -> str:
    return PREFIX + encrypt_bytes(text.encode("utf-8"))[len(PREFIX_BYTES) :].decode("ascii")


def decrypt_text(stored: str, where: str = "") -> str:
    if not stored.startswith(PREFIX):
        return stored
    return decrypt_bytes(stored.encode("ascii", errors="replace"), where).decode("utf-8")


def stored_state(stored: str | bytes | memoryview | None) -> str:
    """How a raw column value is kept: "leeg", "onversleuteld", "huidige sleutel" or "oude sleutel".

    Raises FieldKeyError when no key opens it."""
    if stored is None:
        return "leeg"
    raw = stored.encode("ascii", errors="replace") if isinstance(stored, str) else bytes(stored)
    if not raw:
        return "leeg"
    if not raw.startswith(PREFIX_BYTES):
        return "onversleuteld"
    token = raw[len(PREFIX_BYTES) :]
    try:
        _current().decrypt(token)
        return "huidige sleutel"
    except InvalidToken:
        pass
    decrypt_bytes(raw)  # raises FieldKeyError when no key opens it
    return "oude sleutel"


class _EncryptedMixin:
    """Refuses every lookup but `isnull`: matching on ciphertext is meaningless."""

    def get_lookup(self, lookup_name):
        if lookup_name not in ALLOWED_LOOKUPS:
            return None  # Django then raises FieldError "Unsupported lookup ..."
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def _where(self) -> str:
        model = getattr(self, "model", None)
        if model is None:
            return ""
        return f" in {model._meta.label}.{self.name}"


class EncryptedTextField(_EncryptedMixin, models.TextField):
    """A TextField whose contents are stored encrypted (``fernet:<token>``)."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value, self._where())

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)


class EncryptedBinaryField(_EncryptedMixin, models.BinaryField):
    """A BinaryField whose contents are stored encrypted (``b"fernet:" + token``)."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        value = bytes(value)  # PostgreSQL gives a memoryview
        if not value:
            return value
        return decrypt_bytes(value, self._where())

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        value = bytes(value)
        if not value:
            return value
        return encrypt_bytes(value)


def encrypted_fields(model) -> list[models.Field]:
    """The encrypted concrete fields of a model."""
    return [
        field for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField | EncryptedBinaryField)
    ]


def reencrypt_model(model, *, batch_size: int = 500, using: str = "default") -> int:
    """Re-encrypts every row of `model` with the first key (old-key and unencrypted rows included).

    Usable in a migration's RunPython with the historical model. Call it inside a transaction.
    Returns the number of rows written."""
    fields = encrypted_fields(model)
    if not fields:
        return 0
    names = [field.name for field in fields]
    manager = model._default_manager.db_manager(using)
    lock = connections[using].features.has_select_for_update
    written, last = 0, None
    while True:
        # Keyset pages by primary key: no cursor stays open on the table while it is written.
        page = manager.only(model._meta.pk.name, *names).order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        if lock:
            page = page.select_for_update()
        rows = list(page[:batch_size])
        if not rows:
            return written
        manager.bulk_update(rows, names)
        written += len(rows)
        last = rows[-1].pk
