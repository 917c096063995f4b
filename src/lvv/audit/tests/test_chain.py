"""The access log is append-only and tamper-evident (issue 7, acceptance 6)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from lvv.audit import chain
from lvv.audit.models import AccessLogChain, AccessLogEntry, AppendOnlyError
from lvv.audit.services import access_log_append, log_reads, log_write, log_writes, subject_pseudonym


def _append(user, n: int, person_id: int = 7) -> list[AccessLogEntry]:
    return [
        access_log_append(user=user, person_id=person_id, action="lezen", path=f"/p/{i}/", view_name="people:detail")
        for i in range(n)
    ]


def _verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("lvv_audit_verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _raw(sql: str, params=()) -> None:
    """Tamper as someone with direct database access would: bypassing the application and, for an
    UPDATE, first dropping the trigger that refuses it (inside the test's transaction, so it comes back)."""
    with connection.cursor() as cursor:
        if sql.lstrip().lower().startswith("update"):
            drop = "DROP TRIGGER IF EXISTS audit_accesslogentry_no_update"
            if connection.vendor == "postgresql":
                drop += " ON audit_accesslogentry"
            cursor.execute(drop)
        cursor.execute(sql, params)


def test_entries_are_numbered_and_linked(gemeente_user):
    entries = _append(gemeente_user, 3)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == ""
    assert entries[1].prev_hash == entries[0].entry_hash and entries[2].prev_hash == entries[1].entry_hash
    head = AccessLogChain.objects.get()
    assert (head.last_seq, head.last_id, head.last_hash) == (3, entries[2].pk, entries[2].entry_hash)
    assert list(chain.verify()) == []
    assert _verify() == (0, "Toegangslog in orde: 3 regels, keten ongebroken (laatste volgnummer 3).\n")


def test_entry_carries_the_logboek_attributes(gemeente_user):
    request = RequestFactory().post(
        "/personen/5/bewerken/",
        {"family_name": "X", "csrfmiddlewaretoken": "t"},
        HTTP_TRACEPARENT="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
    request.user = gemeente_user
    log_write(request, 5)
    entry = AccessLogEntry.objects.get()
    assert entry.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert len(entry.span_id) == 16
    assert entry.subject_pseudonym == subject_pseudonym(5) and "5" != entry.subject_pseudonym
    assert entry.subject_id_type == "lvv-persoon-hmac-sha256"
    assert entry.fields == "family_name"  # the submitted fields, not the CSRF token
    assert (entry.username, entry.organisation, entry.role) == (
        gemeente_user.username,
        gemeente_user.organisation.name,
        "gemeente",
    )
    assert entry.status == "ok" and entry.end_at >= entry.at


def test_one_request_shares_one_trace(gemeente_user):
    request = RequestFactory().get("/werklijst/")
    request.user = gemeente_user
    log_reads(request, [1, 2, 2, 3], activity="lvv-casusoverleg")
    entries = list(AccessLogEntry.objects.order_by("seq"))
    assert [e.person_id for e in entries] == [1, 2, 3]
    assert len({e.trace_id for e in entries}) == 1 and len(entries[0].trace_id) == 32
    assert {e.processing_activity for e in entries} == {"lvv-casusoverleg"}


def test_bulk_writes_are_one_append(gemeente_user):
    request = RequestFactory().post("/api/v1/trajecten/", {"x": "1"})
    request.user = gemeente_user
    log_writes(request, [4, 5, 4], activity="lvv-gegevensuitwisseling", fields=["traject_id", "gemeente"])
    entries = list(AccessLogEntry.objects.order_by("seq"))
    assert [(e.seq, e.person_id, e.action, e.fields) for e in entries] == [
        (1, 4, "wijzigen", "traject_id,gemeente"),
        (2, 5, "wijzigen", "traject_id,gemeente"),
    ]
    assert list(chain.verify()) == []


def test_pseudonym_depends_on_the_key(settings):
    first = subject_pseudonym(42)
    settings.LVV_PSEUDONYM_KEY = "een-andere-sleutel"
    assert subject_pseudonym(42) != first
    assert re.fullmatch(r"[0-9a-f]{64}", first), "a keyed digest, not the id in clear"


def test_the_application_cannot_change_or_remove_entries(gemeente_user):
    entry = _append(gemeente_user, 1)[0]
    entry.username = "iemand anders"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(username="x")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.bulk_update([entry], ["username"])
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.bulk_create([AccessLogEntry(username="x")])
    with pytest.raises(AppendOnlyError):  # an entry outside the chain
        AccessLogEntry.objects.create(seq=99, username="x", action="lezen", view_name="", path="", purpose="")
    assert AccessLogEntry.objects.get().username == gemeente_user.username


def test_the_database_refuses_an_update(gemeente_user):
    entry = _append(gemeente_user, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accesslogentry SET username = 'x' WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.get().username == gemeente_user.username


def test_a_changed_row_is_named(gemeente_user):
    entries = _append(gemeente_user, 5)
    _raw("UPDATE audit_accesslogentry SET role = 'ind' WHERE id = %s", [entries[2].pk])
    code, output = _verify()
    assert code == 1
    assert f"Regel id {entries[2].pk} (volgnummer 3) is gewijzigd." in output
    assert "bevinding " in output  # exactly one finding: the rows after it are intact and linked
    assert str(entries[3].pk) not in output.replace(f"id {entries[2].pk} ", "")


@pytest.mark.parametrize("field", ["at", "person_id", "subject_pseudonym", "purpose", "processing_activity"])
def test_every_hashed_field_is_covered(gemeente_user, field):
    entry = _append(gemeente_user, 2)[0]
    value = {
        "at": "2020-01-01 00:00:00",
        "person_id": 8,
        "subject_pseudonym": "0" * 64,
        "purpose": "iets anders",
        "processing_activity": "lvv-monitor",
    }[field]
    _raw(f"UPDATE audit_accesslogentry SET {field} = %s WHERE id = %s", [value, entry.pk])
    assert [f.ids for f in chain.verify()] == [(entry.pk,)]


def test_a_deleted_row_is_named(gemeente_user):
    entries = _append(gemeente_user, 5)
    _raw("DELETE FROM audit_accesslogentry WHERE id = %s", [entries[1].pk])
    code, output = _verify()
    assert code == 1
    assert f"Regel id {entries[1].pk} (volgnummer 2) ontbreekt: verwijderd." in output


def test_a_row_deleted_at_the_end_is_named(gemeente_user):
    entries = _append(gemeente_user, 4)
    _raw("DELETE FROM audit_accesslogentry WHERE id = %s", [entries[-1].pk])
    code, output = _verify()
    assert code == 1
    assert f"Regel id {entries[-1].pk} (volgnummer 4) ontbreekt: verwijderd." in output


def test_several_findings_are_all_named(gemeente_user):
    entries = _append(gemeente_user, 8)
    _raw("DELETE FROM audit_accesslogentry WHERE id IN (%s, %s)", [entries[2].pk, entries[3].pk])
    _raw("UPDATE audit_accesslogentry SET path = '/anders/' WHERE id = %s", [entries[6].pk])
    findings = list(chain.verify())
    assert [f.ids for f in findings] == [(entries[2].pk, entries[3].pk), (entries[6].pk,)]


def test_a_forged_row_without_the_key_is_found(gemeente_user, settings):
    """Someone who recomputes the hash with a guessed key still leaves a broken row."""
    entry = _append(gemeente_user, 2)[0]
    settings.LVV_AUDIT_KEY, real_key = "geraden", settings.LVV_AUDIT_KEY
    entry.username = "vervalst"
    forged = chain.entry_hash(entry.prev_hash, entry)
    settings.LVV_AUDIT_KEY = real_key
    _raw("UPDATE audit_accesslogentry SET username = 'vervalst', entry_hash = %s WHERE id = %s", [forged, entry.pk])
    assert [f.ids for f in chain.verify()][0] == (entry.pk,)


def test_a_removed_head_is_reported_not_hidden(gemeente_user):
    _append(gemeente_user, 2)
    _raw("DELETE FROM audit_accesslogchain")
    assert [f.kind for f in chain.verify()] == ["kop"]
    _append(gemeente_user, 1)  # logging goes on, the head is made again and says so
    assert [f.kind for f in chain.verify()] == ["kop"]
    assert AccessLogChain.objects.get().rebuilt_at is not None


WRITER = """
from lvv.audit.services import access_log_append
for i in range(25):
    access_log_append(user=None, person_id=i, action="lezen", path="/p/", view_name="people:detail")
"""


def test_concurrent_writers_keep_one_chain(tmp_path):
    """Four processes append at once to one SQLite file (as `lvv serve` workers do): the numbers stay
    contiguous and the chain verifies. (The in-memory test database cannot show this.)"""
    env = {**os.environ, "LVV_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lvv.conf.settings"}
    env.pop("LVV_DATABASE_URL", None)
    lvv = [sys.executable, "-m", "lvv.cli"]
    subprocess.run([*lvv, "manage", "migrate", "audit"], env=env, check=True, capture_output=True)
    writers = [
        subprocess.Popen([*lvv, "manage", "shell", "-c", WRITER], env=env, stderr=subprocess.PIPE) for _ in range(4)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0], [w.stderr.read() for w in writers]
    done = subprocess.run([*lvv, "manage", "lvv_audit_verify"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "100 regels, keten ongebroken (laatste volgnummer 100)" in done.stdout


OLD_ROWS = """
from django.db import connection
from django.utils import timezone
with connection.cursor() as c:
    for i in range(1, 6):
        c.execute(
            "INSERT INTO audit_accesslogentry (at, username, organisation, role, action, subject_pseudonym,"
            " person_id, path, view_name, purpose) VALUES (%s, 'oud', 'Gemeente', 'gemeente', 'lezen', 'oud',"
            " %s, '/personen/1/', %s, 'Uitvoering LVV')",
            [timezone.now(), i, "meetings:detail" if i == 2 else "people:detail"],
        )
"""
CHECK_MIGRATED = """
from lvv.audit.models import AccessLogEntry
from lvv.audit.services import subject_pseudonym
rows = list(AccessLogEntry.objects.order_by("id"))
assert [r.seq for r in rows] == [1, 2, 3, 4, 5], [r.seq for r in rows]
assert all(r.subject_pseudonym == subject_pseudonym(r.person_id) for r in rows)
assert rows[1].processing_activity == "lvv-casusoverleg" and rows[0].processing_activity == "lvv-begeleiding"
print("gemigreerd")
"""


def test_entries_from_before_the_chain_are_migrated_into_it(tmp_path):
    """Rows in the old shape (issue 3) get numbers, the pseudonym with the deployment key, an activity
    and their place in the chain; the log then verifies."""
    env = {**os.environ, "LVV_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lvv.conf.settings"}
    env.pop("LVV_DATABASE_URL", None)
    lvv = [sys.executable, "-m", "lvv.cli", "manage"]

    def run(*args):
        done = subprocess.run([*lvv, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("migrate", "audit", "0001")
    run("shell", "-c", OLD_ROWS)
    run("migrate", "audit")
    assert "gemigreerd" in run("shell", "-c", CHECK_MIGRATED)
    assert "5 regels, keten ongebroken (laatste volgnummer 5)" in run("lvv_audit_verify")
