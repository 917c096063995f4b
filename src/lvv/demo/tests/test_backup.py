"""`lvv backup` / `lvv restore` (lvv.core.backup): a restore yields the same monitor and the same
access log; a damaged archive or an occupied database is refused and nothing changes.

The realistic case is a restore into an empty, freshly migrated database: the tests empty the
database they backed up (every table, as `lvv migrate` on a new server leaves it: schema plus
reference data) and restore into it."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory

from lvv.audit import sealing
from lvv.audit.models import AccessLogEntry, AccessLogSeal
from lvv.audit.services import record_read, record_reads
from lvv.core import backup as backup_module
from lvv.core import clock
from lvv.demo import data as demo
from lvv.demo.reference_data import load_reference_data
from lvv.people.models import Person

SIZE = 30


def _monitor(basis: str, peildatum: str) -> dict:
    out = io.StringIO()
    call_command("lvv_monitor", "--peildatum", peildatum, "--basis", basis, stdout=out)
    return json.loads(out.getvalue())


def _log_rows() -> list[dict]:
    return list(AccessLogEntry.objects.order_by("id").values())


def _head() -> tuple:
    return tuple(AccessLogSeal.objects.order_by("tree_size").values_list())


def _verify() -> str:
    out = io.StringIO()
    call_command("lvv_audit_verify", stdout=out)
    return out.getvalue()


def _state(peildatum: str) -> dict:
    return {
        "trajecten": _monitor("trajecten", peildatum),
        "personen": _monitor("personen", peildatum),
        "log": _log_rows(),
        "head": _head(),
        "counts": backup_module.row_counts(),
    }


def _empty_database() -> None:
    """What a new server has after `lvv migrate`: the schema and the reference data, nothing else."""
    with connection.cursor() as cursor:
        for table in reversed(backup_module.tables()):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table.name)}")
    call_command("migrate", verbosity=0)  # content types and permissions come back (post_migrate)
    load_reference_data()


@pytest.fixture
def registry(db):
    """A small demo registry plus access-log entries made through the application's own path."""
    load_reference_data()
    demo.generate(size=SIZE)
    user = demo.User.objects.get(username="gemeente.amsterdam")
    request = RequestFactory().get("/werklijst/")
    request.user = user
    people = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:5])
    record_reads(request, people, activity="lvv-casusoverleg")
    record_read(request, people[0], fields=["family_name"])
    # Some rows sealed, some not yet: a backup keeps both exactly.
    sealing.seal()
    record_read(request, people[1], fields=["family_name"])
    return clock.today().isoformat()


def _backup(tmp_path) -> str:
    path = tmp_path / "lvv.zip"
    out = io.StringIO()
    call_command("lvv_backup", "--output", str(path), stdout=out)
    assert "Reservekopie geschreven" in out.getvalue()
    return str(path)


def test_restore_into_an_empty_database_yields_the_same_monitor_and_access_log(registry, tmp_path):
    peildatum = registry
    before = _state(peildatum)
    assert len(before["log"]) >= 6 and before["trajecten"] != {}
    path = _backup(tmp_path)

    _empty_database()
    assert AccessLogEntry.objects.count() == 0 and Person.objects.count() == 0
    assert backup_module.holds_data() == []
    assert _state(peildatum)["trajecten"] != before["trajecten"]

    out = io.StringIO()
    call_command("lvv_restore", path, stdout=out)
    assert "teruggezet" in out.getvalue()
    after = _state(peildatum)
    assert after["trajecten"] == before["trajecten"]
    assert after["personen"] == before["personen"]
    assert after["log"] == before["log"]  # ids, seq, hashes, every field
    assert after["head"] == before["head"]
    assert after["counts"] == before["counts"]
    assert "Toegangslog in orde" in _verify()

    # The restored log goes on: new rows are sealed after the restored seals.
    request = RequestFactory().get("/werklijst/")
    request.user = demo.User.objects.get(username="gemeente.amsterdam")
    record_read(request, Person.objects.order_by("pk").first().pk)
    last_size = AccessLogSeal.objects.order_by("-tree_size").first().tree_size
    assert [s.first_seq for s in sealing.seal()] == [last_size + 1]
    assert list(sealing.verify()) == []
    assert AccessLogEntry.objects.order_by("-id").first().seq == len(before["log"]) + 1


def test_restore_into_an_occupied_database_needs_ja(registry, tmp_path):
    peildatum = registry
    before = _state(peildatum)
    path = _backup(tmp_path)
    # Something happens after the backup: one more log entry.
    request = RequestFactory().get("/werklijst/")
    request.user = demo.User.objects.get(username="gemeente.amsterdam")
    record_read(request, Person.objects.order_by("pk").first().pk)
    changed = _state(peildatum)

    with pytest.raises(CommandError, match="bevat al gegevens.*--ja"):
        call_command("lvv_restore", path, stdout=io.StringIO())
    assert _state(peildatum) == changed

    call_command("lvv_restore", path, "--ja", stdout=io.StringIO())
    assert _state(peildatum) == before
    assert "Toegangslog in orde" in _verify()


def _rewrite(src: str, dst, change) -> str:
    """Copy the archive with one member changed by `change(name, data) -> data`."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            b.writestr(info.filename, change(info.filename, a.read(info.filename)))
    return str(dst)


def _log_table_file(name: str) -> bool:
    return name.endswith(f"/{AccessLogEntry._meta.db_table}.jsonl")


def test_damaged_archives_are_refused_and_change_nothing(registry, tmp_path):
    peildatum = registry
    path = _backup(tmp_path)
    _empty_database()
    empty = _state(peildatum)

    # One byte of an access-log row changed (a hash in the dump): the table's checksum fails.
    def flip(name, data):
        if _log_table_file(name):
            i = data.index(b'"', data.index(b"\n") + 1) + 1
            return data[:i] + (b"X" if data[i : i + 1] != b"X" else b"Y") + data[i + 1 :]
        return data

    damaged = _rewrite(path, tmp_path / "flip.zip", flip)
    with pytest.raises(CommandError, match="controlesom van tabel audit_accesslogentry klopt niet"):
        call_command("lvv_restore", damaged, "--ja", stdout=io.StringIO())
    assert _state(peildatum) == empty

    # A wrong checksum in the manifest.
    def wrong_sum(name, data):
        if name == backup_module.MANIFEST:
            manifest = json.loads(data)
            manifest["tabellen"]["people_person"]["sha256"] = "0" * 64
            return json.dumps(manifest).encode()
        return data

    damaged = _rewrite(path, tmp_path / "sum.zip", wrong_sum)
    with pytest.raises(CommandError, match="controlesom van tabel people_person klopt niet"):
        call_command("lvv_restore", damaged, stdout=io.StringIO())
    assert _state(peildatum) == empty

    # A byte changed in the file itself: the zip's own check or the checksum refuses it.
    raw = bytearray(open(path, "rb").read())  # noqa: PTH123, SIM115
    raw[len(raw) // 2] ^= 0xFF
    (tmp_path / "byte.zip").write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="beschadigd"):
        call_command("lvv_restore", str(tmp_path / "byte.zip"), "--ja", stdout=io.StringIO())
    assert _state(peildatum) == empty

    # Another migration state is refused before anything is touched.
    def other_migrations(name, data):
        if name == backup_module.MANIFEST:
            manifest = json.loads(data)
            manifest["migraties"]["audit"].append("9999_toekomst")
            return json.dumps(manifest).encode()
        return data

    damaged = _rewrite(path, tmp_path / "mig.zip", other_migrations)
    with pytest.raises(CommandError, match="migratiestand.*audit"):
        call_command("lvv_restore", damaged, stdout=io.StringIO())
    assert _state(peildatum) == empty

    # The intact archive still restores.
    call_command("lvv_restore", path, stdout=io.StringIO())
    assert "Toegangslog in orde" in _verify()


def test_an_inconsistent_archive_is_rolled_back_entirely(registry, tmp_path):
    """Rows whose checksums are right but whose foreign keys point nowhere (an archive put
    together by hand): the check at the end fails and not one row stays."""
    peildatum = registry
    path = _backup(tmp_path)

    def drop_users(name, data):
        if name.endswith("/accounts_user.jsonl"):
            return data.split(b"\n", 1)[0] + b"\n"
        if name == backup_module.MANIFEST:
            manifest = json.loads(data)
            entry = manifest["tabellen"]["accounts_user"]
            entry["rijen"] = 0
            header = zipfile.ZipFile(path).read(entry["bestand"]).split(b"\n", 1)[0] + b"\n"
            entry["sha256"] = hashlib.sha256(header).hexdigest()
            return json.dumps(manifest).encode()
        return data

    broken = _rewrite(path, tmp_path / "fk.zip", drop_users)
    before = _state(peildatum)
    with pytest.raises(CommandError, match="niet consistent"):
        call_command("lvv_restore", broken, "--ja", stdout=io.StringIO())
    assert _state(peildatum) == before


def test_backup_leaves_out_the_keys_and_sessions(registry, tmp_path, settings):
    path = _backup(tmp_path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(backup_module.MANIFEST))
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert manifest["database"] == connection.vendor
    assert manifest["migraties"]["audit"][-1].startswith("0006")
    assert "django_session" not in manifest["tabellen"]
    for key in (
        settings.SECRET_KEY,
        settings.LVV_AUDIT_KEY,
        settings.LVV_PSEUDONYM_KEY,
        settings.LVV_DUPLICATE_KEY,
        *settings.LVV_FIELD_KEYS,
    ):
        assert key.encode() not in everything
    assert set(manifest["sleutelcontrole"]) == {
        "LVV_SECRET_KEY",
        "LVV_AUDIT_KEY",
        "LVV_PSEUDONYM_KEY",
        "LVV_DUPLICATE_KEY",
        "LVV_FIELD_KEYS",
    }
    # Restoring under another audit key warns (the log can no longer be verified).
    settings.LVV_AUDIT_KEY = "een-andere-sleutel"
    err = io.StringIO()
    call_command("lvv_restore", path, "--ja", stdout=io.StringIO(), stderr=err)
    assert "LVV_AUDIT_KEY verschilt" in err.getvalue()


def test_cli_passes_backup_and_restore_through():
    from lvv.cli import PASSTHROUGH

    assert PASSTHROUGH["backup"] == "lvv_backup" and PASSTHROUGH["restore"] == "lvv_restore"


def test_encrypted_fields_stay_ciphertext_in_the_archive_and_the_field_key_is_checked(registry, tmp_path, settings):
    """Notes are copied as the ciphertext in the database; a restore under a rotated key list that
    still holds the backup's key does not warn, under a wholly other key it does."""
    from lvv.core.crypto import generate_key
    from lvv.trajectories.models import Note, Trajectory
    from lvv.trajectories.services import note_add

    author = demo.User.objects.get(username="gemeente.amsterdam")
    trajectory = Trajectory.objects.filter(municipality=author.organisation.municipality).first()
    note_add(actor=author, trajectory=trajectory, text="GEHEIMEMEDISCHENOTITIEQX", visibility="organisatie")
    path = _backup(tmp_path)
    with zipfile.ZipFile(path) as archive:
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert b"GEHEIMEMEDISCHENOTITIEQX" not in everything
    assert b"fernet:" in everything

    settings.LVV_FIELD_KEYS = [generate_key(), *settings.LVV_FIELD_KEYS]  # rotated: new key in front
    err = io.StringIO()
    call_command("lvv_restore", path, "--ja", stdout=io.StringIO(), stderr=err)
    assert "LVV_FIELD_KEYS" not in err.getvalue()
    assert "GEHEIMEMEDISCHENOTITIEQX" in [n.text for n in Note.objects.all()]

    settings.LVV_FIELD_KEYS = [generate_key()]
    err = io.StringIO()
    call_command("lvv_restore", path, "--ja", stdout=io.StringIO(), stderr=err)
    assert "LVV_FIELD_KEYS verschilt" in err.getvalue()
