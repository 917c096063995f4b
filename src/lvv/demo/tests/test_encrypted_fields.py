"""Encryption at rest on the real models and in the production settings (lvv.core.crypto,
docs/security.md "Versleuteling in rust"): `trajectories.Note.text` and `meetings.Minutes.text` are
EncryptedTextFields, stored encrypted and rotated by `lvv rotate-keys`; production refuses invalid or
missing field keys."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from lvv.accounts.tests.test_deploy_check import _lvv
from lvv.cli import PASSTHROUGH
from lvv.core.crypto import EncryptedTextField
from lvv.meetings.models import Minutes
from lvv.trajectories.models import Note
from lvv.trajectories.services import note_add

OLD, NEW = (Fernet.generate_key().decode() for _ in range(2))
SECRET = "Medisch: insuline, diabetes type 1. Strafblad: geen."


def test_the_cli_has_rotate_keys():
    assert PASSTHROUGH["rotate-keys"] == "lvv_rotate_field_keys"


# --- the real models (the lead applies EncryptedTextField to Note.text and Minutes.text) ------------------


def test_note_text_is_an_encrypted_field():
    assert isinstance(Note._meta.get_field("text"), EncryptedTextField)


def test_minutes_text_is_an_encrypted_field():
    assert isinstance(Minutes._meta.get_field("text"), EncryptedTextField)


def test_a_note_is_stored_encrypted_and_read_back(gemeente_user, admitted_trajectory):
    note = note_add(actor=gemeente_user, trajectory=admitted_trajectory, text=SECRET, visibility="organisatie")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {Note._meta.db_table} WHERE id = %s", [note.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith("fernet:") and "insuline" not in raw and SECRET not in raw
    assert Note.objects.get(pk=note.pk).text == SECRET
    with pytest.raises(FieldError):
        Note.objects.filter(text=SECRET).exists()

    # Rotation on the real registry: the note moves to the new key, after which the old one can go.
    current = list(settings.LVV_FIELD_KEYS)
    with override_settings(LVV_FIELD_KEYS=[NEW, *current]):
        call_command("lvv_rotate_field_keys")
    with override_settings(LVV_FIELD_KEYS=[NEW]):
        assert Note.objects.get(pk=note.pk).text == SECRET


# --- production settings (child processes, like lvv/accounts/tests/test_deploy_check.py) -------------------


def test_production_refuses_an_invalid_field_key(tmp_path):
    result = _lvv(tmp_path, "check", LVV_FIELD_KEYS=f"{NEW},geen-fernet-sleutel")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "sleutel 2 in LVV_FIELD_KEYS is geen geldige Fernet-sleutel" in result.stderr
    assert not any(tmp_path.glob("*key*")), "no development key may be made in production"


def test_production_refuses_to_start_without_field_keys_and_says_how_to_make_one(tmp_path):
    result = _lvv(tmp_path, "check", LVV_FIELD_KEYS=" , ")
    assert result.returncode == 2 and "LVV_FIELD_KEYS" in result.stderr and "Fernet.generate_key" in result.stderr


def test_production_takes_the_field_keys_from_the_environment_in_order(tmp_path):
    code = "from django.conf import settings; print(','.join(settings.LVV_FIELD_KEYS))"
    result = _lvv(tmp_path, "shell", "-c", code, LVV_FIELD_KEYS=f" {NEW} , {OLD} ")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"{NEW},{OLD}"
