"""Encryption at rest of sensitive fields (lvv.core.crypto, docs/security.md "Versleuteling in rust").

Two groups: the field methods without a database, and a throw-away model (own app registry, table
made and dropped in the test) for the re-encryption and the rotation command. The real models and the
production settings: `lvv/demo/tests/test_encrypted_fields.py`."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.apps.registry import Apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test import override_settings

from lvv.core import crypto
from lvv.core.crypto import EncryptedBinaryField, EncryptedTextField, FieldKeyError
from lvv.core.management.commands import lvv_rotate_field_keys

OLD, NEW, OTHER = (Fernet.generate_key().decode() for _ in range(3))
SECRET = "Medisch: insuline, diabetes type 1. Strafblad: geen."


def _text_field() -> EncryptedTextField:
    return EncryptedTextField()


# --- the field methods, no database ---------------------------------------------------------------------


@override_settings(LVV_FIELD_KEYS=[NEW])
def test_text_roundtrip_stores_a_prefixed_token_not_the_text():
    field = _text_field()
    stored = field.get_prep_value(SECRET)
    assert stored.startswith("fernet:") and "insuline" not in stored and SECRET not in stored
    assert field.from_db_value(stored, None, connection) == SECRET
    assert field.get_prep_value(SECRET) != stored, "a fresh token every time (random IV)"


@override_settings(LVV_FIELD_KEYS=[NEW])
def test_text_keeps_unicode_and_long_values():
    field = _text_field()
    text = "Ĳsselmeer — café, 漢字, emoji 🙂\n" * 2000
    assert field.from_db_value(field.get_prep_value(text), None, connection) == text


@override_settings(LVV_FIELD_KEYS=[NEW])
def test_empty_and_null_stay_as_they_are():
    field = _text_field()
    assert field.get_prep_value("") == "" and field.get_prep_value(None) is None
    assert field.from_db_value("", None, connection) == "" and field.from_db_value(None, None, connection) is None
    binary = EncryptedBinaryField()
    assert binary.get_prep_value(b"") == b"" and binary.get_prep_value(None) is None


@override_settings(LVV_FIELD_KEYS=[NEW])
def test_a_row_written_before_encryption_is_read_as_it_is():
    assert _text_field().from_db_value("Oude notitie zonder versleuteling", None, connection) == (
        "Oude notitie zonder versleuteling"
    )
    assert EncryptedBinaryField().from_db_value(b"%PDF-1.7 oud", None, connection) == b"%PDF-1.7 oud"
    assert crypto.stored_state("Oude notitie") == "onversleuteld"


@override_settings(LVV_FIELD_KEYS=[NEW])
def test_to_python_returns_the_value_and_never_decrypts_input():
    field = _text_field()
    assert field.to_python(SECRET) == SECRET
    token = field.get_prep_value(SECRET)
    assert field.to_python(token) == token, "form input is never treated as ciphertext"


@override_settings(LVV_FIELD_KEYS=[NEW])
def test_binary_roundtrip_accepts_memoryview_from_postgresql():
    field = EncryptedBinaryField()
    data = bytes(range(256)) * 100
    stored = field.get_prep_value(data)
    assert stored.startswith(b"fernet:") and data not in stored
    assert field.from_db_value(memoryview(stored), None, connection) == data
    assert field.from_db_value(stored, None, connection) == data
    assert field.get_prep_value(bytearray(b"abc")) != b"abc"


def test_rotation_old_token_is_read_after_a_new_first_key_and_refused_once_the_old_key_is_gone():
    field = _text_field()
    with override_settings(LVV_FIELD_KEYS=[OLD]):
        stored = field.get_prep_value(SECRET)
        assert crypto.stored_state(stored) == "huidige sleutel"
    with override_settings(LVV_FIELD_KEYS=[NEW, OLD]):
        assert field.from_db_value(stored, None, connection) == SECRET
        assert crypto.stored_state(stored) == "oude sleutel"
        rewritten = field.get_prep_value(field.from_db_value(stored, None, connection))
        assert crypto.stored_state(rewritten) == "huidige sleutel"
    with override_settings(LVV_FIELD_KEYS=[NEW]):
        assert field.from_db_value(rewritten, None, connection) == SECRET
        with pytest.raises(FieldKeyError):
            field.from_db_value(stored, None, connection)


def test_a_token_no_key_opens_raises_a_dutch_error_never_garbage():
    field = _text_field()
    with override_settings(LVV_FIELD_KEYS=[OLD]):
        stored = field.get_prep_value(SECRET)
        binary = EncryptedBinaryField().get_prep_value(b"geheim document")
    with override_settings(LVV_FIELD_KEYS=[OTHER]):
        with pytest.raises(ImproperlyConfigured, match="sleutel ontbreekt in LVV_FIELD_KEYS") as info:
            field.from_db_value(stored, None, connection)
        assert SECRET not in str(info.value) and stored not in str(info.value)
        with pytest.raises(FieldKeyError, match="sleutel ontbreekt"):
            EncryptedBinaryField().from_db_value(binary, None, connection)
        with pytest.raises(FieldKeyError):
            crypto.stored_state(stored)


@override_settings(LVV_FIELD_KEYS=[NEW])
def test_a_damaged_token_is_refused():
    field = _text_field()
    stored = field.get_prep_value(SECRET)
    damaged = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with pytest.raises(FieldKeyError):
        field.from_db_value(damaged, None, connection)
    with pytest.raises(FieldKeyError):
        field.from_db_value("fernet:niet-base64-ü", None, connection)


def test_an_invalid_or_empty_key_setting_is_refused_in_dutch():
    field = _text_field()
    with override_settings(LVV_FIELD_KEYS=["te-kort"]), pytest.raises(ImproperlyConfigured, match="geen geldige"):
        field.get_prep_value(SECRET)
    with override_settings(LVV_FIELD_KEYS=[]), pytest.raises(ImproperlyConfigured, match="LVV_FIELD_KEYS is leeg"):
        field.get_prep_value(SECRET)


def test_only_isnull_lookups_are_allowed():
    for field in (_text_field(), EncryptedBinaryField()):
        assert field.get_lookup("isnull") is not None
        for name in ("exact", "iexact", "contains", "icontains", "startswith", "in", "gt"):
            assert field.get_lookup(name) is None


def test_the_settings_give_a_valid_fernet_key():
    from django.conf import settings

    assert settings.LVV_FIELD_KEYS and all(Fernet(key) for key in settings.LVV_FIELD_KEYS)


def test_the_field_deconstructs_to_its_own_path_for_migrations():
    name, path, args, kwargs = EncryptedTextField(verbose_name="notitie").deconstruct()
    assert path == "lvv.core.crypto.EncryptedTextField" and kwargs == {"verbose_name": "notitie"}
    assert EncryptedBinaryField().deconstruct()[1] == "lvv.core.crypto.EncryptedBinaryField"


# --- a throw-away model: raw storage, re-encryption, the rotation command ---------------------------------

ISOLATED = Apps([])


class Secret(models.Model):
    text = EncryptedTextField(blank=True, null=True)
    blob = EncryptedBinaryField(null=True)
    plain = models.CharField(max_length=20, default="")

    class Meta:
        app_label = "core"
        apps = ISOLATED
        db_table = "core_test_crypto_secret"

    def __str__(self) -> str:
        return f"geheim {self.pk}"


@pytest.fixture
def secret_table(transactional_db, monkeypatch):
    with connection.schema_editor() as editor:
        editor.create_model(Secret)
    monkeypatch.setattr(lvv_rotate_field_keys, "_models", lambda: iter([(Secret, crypto.encrypted_fields(Secret))]))
    yield Secret
    with connection.schema_editor() as editor:
        editor.delete_model(Secret)


def _raw(pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, blob FROM core_test_crypto_secret WHERE id = %s", [pk])
        text, blob = cursor.fetchone()
    return text, (bytes(blob) if blob is not None else None)


def test_the_database_holds_ciphertext_and_the_model_gives_plaintext(secret_table):
    with override_settings(LVV_FIELD_KEYS=[NEW]):
        row = Secret.objects.create(text=SECRET, blob=b"%PDF-1.7 geheim")
        text, blob = _raw(row.pk)
        assert text.startswith("fernet:") and "insuline" not in text
        assert blob.startswith(b"fernet:") and b"geheim" not in blob
        fresh = Secret.objects.get(pk=row.pk)
        assert fresh.text == SECRET and fresh.blob == b"%PDF-1.7 geheim"
        assert list(Secret.objects.values_list("text", flat=True)) == [SECRET]
        assert Secret.objects.filter(text__isnull=False).count() == 1
        with pytest.raises(FieldError):
            Secret.objects.filter(text=SECRET).count()
        with pytest.raises(FieldError):
            Secret.objects.filter(text__icontains="insuline").count()


def _insert_raw(text, blob=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_test_crypto_secret (text, blob, plain) VALUES (%s, %s, '')", [text, blob])
    return Secret.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_rotate_command_reencrypts_old_key_and_plaintext_rows_so_the_old_key_can_go(secret_table, capsys):
    with override_settings(LVV_FIELD_KEYS=[OLD]):
        rows = [Secret.objects.create(text=f"{SECRET} {n}", blob=b"doc %d" % n) for n in range(7)]
    legacy = _insert_raw("Notitie van voor de versleuteling", b"oude bytes")
    empty = Secret.objects.create(text="", blob=None).pk
    before = {row.pk: _raw(row.pk) for row in rows}

    with override_settings(LVV_FIELD_KEYS=[NEW, OLD]):
        call_command("lvv_rotate_field_keys", "--dry-run")
        out = capsys.readouterr().out
        assert "core.Secret.text: huidige sleutel: 0, oude sleutel: 7, onversleuteld: 1, leeg: 1" in out
        assert "Proefdraai: 16 waarde(n)" in out
        assert {row.pk: _raw(row.pk) for row in rows} == before, "a dry run changes nothing"

        call_command("lvv_rotate_field_keys", "--batch-size", "3")
        out = capsys.readouterr().out
        assert "core.Secret: 9 rij(en) opnieuw versleuteld." in out and "Klaar" in out
        assert "huidige sleutel: 8, oude sleutel: 0, onversleuteld: 0, leeg: 1" in out

    with override_settings(LVV_FIELD_KEYS=[NEW]):  # the old key is gone
        for n, row in enumerate(rows):
            fresh = Secret.objects.get(pk=row.pk)
            assert fresh.text == f"{SECRET} {n}" and fresh.blob == b"doc %d" % n
            assert _raw(row.pk) != before[row.pk]
        assert Secret.objects.get(pk=legacy).text == "Notitie van voor de versleuteling"
        assert _raw(legacy)[0].startswith("fernet:") and _raw(legacy)[1].startswith(b"fernet:")
        assert Secret.objects.get(pk=empty).text == ""


def test_rotate_command_stops_with_a_dutch_error_and_changes_nothing_when_a_key_is_missing(secret_table):
    with override_settings(LVV_FIELD_KEYS=[OLD]):
        first = Secret.objects.create(text="eerste")
    with override_settings(LVV_FIELD_KEYS=[OTHER]):
        second = Secret.objects.create(text="tweede")
        before = (_raw(first.pk), _raw(second.pk))
        with pytest.raises(CommandError, match="sleutel ontbreekt"):
            call_command("lvv_rotate_field_keys")
        with pytest.raises(CommandError, match="sleutel ontbreekt"):
            call_command("lvv_rotate_field_keys", "--dry-run")
        assert (_raw(first.pk), _raw(second.pk)) == before


def test_the_command_finds_no_throw_away_model_in_the_real_registry():
    # _models() walks django.apps; the test model lives in its own registry.
    labels = [model._meta.label for model, _fields in lvv_rotate_field_keys._models()]
    assert "core.Secret" not in labels
