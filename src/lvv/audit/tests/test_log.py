"""The access log: plain inserts with their own MAC, sealed later under signed Merkle tree heads, and
`lvv audit-verify` naming every changed or removed row (docs/logboek.md §3, docs/adr/0004)."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from lvv.audit import merkle, records, sealing
from lvv.audit.models import AccessLogEntry, AccessLogSeal, AppendOnlyError
from lvv.audit.services import (
    LogOutsideTransactionError,
    begin_request,
    end_request,
    log_change,
    log_system_writes,
    record_reads,
    subject_pseudonym,
)


def _append(user, n: int, person_id: int = 7) -> list[AccessLogEntry]:
    """n read rows, written as a view outside the middleware writes them (one INSERT each)."""
    request = RequestFactory().get("/personen/7/")
    request.user = user
    for i in range(n):
        record_reads(request, [person_id], purpose=f"lezen {i}")
    return list(AccessLogEntry.objects.order_by("id"))


def _verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("lvv_audit_verify", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _raw(sql: str, params=()) -> None:
    """Tamper as someone with direct database access would: bypassing the application and, for an
    UPDATE, first dropping the triggers that refuse it (inside the test's transaction, so they come back)."""
    with connection.cursor() as cursor:
        if sql.lstrip().lower().startswith("update"):
            for table in ("audit_accesslogentry", "audit_accesslogseal"):
                drop = f"DROP TRIGGER IF EXISTS {table}_no_update"
                if connection.vendor == "postgresql":
                    drop += f" ON {table}"
                cursor.execute(drop)
        cursor.execute(sql, params)


# --- writing ---------------------------------------------------------------------------------------


def test_rows_are_plain_inserts_with_their_own_mac(gemeente_user):
    entries = _append(gemeente_user, 3)
    assert [e.seq for e in entries] == [None, None, None]  # not sealed yet
    assert all(e.entry_hash == records.entry_mac(e) for e in entries)
    assert AccessLogSeal.objects.count() == 0
    assert list(sealing.verify()) == []
    code, output = _verify()
    assert code == 0 and "3 regels gecontroleerd: 0 verzegeld onder 0 zegels, 3 nog niet verzegeld." in output
    assert "Oudste niet-verzegelde regel" in output and "Toegangslog in orde." in output


def test_a_change_is_logged_with_the_request_it_belongs_to(gemeente_user):
    request = RequestFactory().post(
        "/personen/5/bewerken/?zoek=1234567890",
        {"family_name": "X", "csrfmiddlewaretoken": "t"},
        HTTP_TRACEPARENT="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    )
    request.user = gemeente_user
    token = begin_request(request)
    try:
        request._lvv_audit.view_name = "people:edit"
        with transaction.atomic():
            log_change(actor=gemeente_user, person_ids=[5, 5])
            log_change(actor=gemeente_user, person_ids=[5])  # a second service of the same request
    finally:
        end_request(token)
    entry = AccessLogEntry.objects.get()
    assert entry.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert len(entry.span_id) == 16
    assert entry.path == "/personen/5/bewerken/" and entry.view_name == "people:edit"  # no query string
    assert entry.subject_pseudonym == subject_pseudonym(5) and "5" != entry.subject_pseudonym
    assert entry.subject_id_type == "lvv-persoon-hmac-sha256"
    assert entry.fields == "family_name"  # the submitted fields, not the CSRF token
    assert (entry.username, entry.organisation, entry.role, entry.action) == (
        gemeente_user.username,
        gemeente_user.organisation.name,
        "gemeente",
        "wijzigen",
    )
    assert entry.status == "ok" and entry.end_at >= entry.at


@pytest.mark.django_db(transaction=True)
def test_a_change_cannot_be_logged_outside_its_transaction(reference_data):
    with pytest.raises(LogOutsideTransactionError):
        log_change(actor=None, person_ids=[1])
    with pytest.raises(LogOutsideTransactionError):
        log_system_writes([1], path="lvv import", view_name="lvv import", purpose="x", activity="lvv-begeleiding")
    assert AccessLogEntry.objects.count() == 0


def test_one_request_shares_one_trace(gemeente_user):
    request = RequestFactory().get("/werklijst/")
    request.user = gemeente_user
    record_reads(request, [1, 2, 2, 3], activity="lvv-casusoverleg")
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert [e.person_id for e in entries] == [1, 2, 3]
    assert len({e.trace_id for e in entries}) == 1 and len(entries[0].trace_id) == 32
    assert {e.processing_activity for e in entries} == {"lvv-casusoverleg"}


def test_pseudonym_depends_on_the_key(settings):
    first = subject_pseudonym(42)
    settings.LVV_PSEUDONYM_KEY = "een-andere-sleutel"
    assert subject_pseudonym(42) != first
    assert re.fullmatch(r"[0-9a-f]{64}", first), "a keyed digest, not the id in clear"


def test_the_application_cannot_change_or_remove_rows_or_seals(gemeente_user):
    entry = _append(gemeente_user, 1)[0]
    seal = sealing.seal()[0]
    entry.username = "iemand anders"
    for attempt in (
        entry.save,
        entry.delete,
        lambda: AccessLogEntry.objects.filter(pk=entry.pk).update(username="x"),
        lambda: AccessLogEntry.objects.all().delete(),
        lambda: AccessLogEntry.objects.bulk_update([entry], ["username"]),
        lambda: AccessLogEntry.objects.bulk_create([AccessLogEntry(username="x")]),
        lambda: AccessLogEntry.objects.create(username="x", action="lezen", view_name="", path="", purpose=""),
        seal.save,
        seal.delete,
    ):
        with pytest.raises(AppendOnlyError):
            attempt()
    assert AccessLogEntry.objects.get().username == gemeente_user.username


def test_the_database_lets_only_the_sealer_number_a_row(gemeente_user):
    entry, other = _append(gemeente_user, 2)
    table = "audit_accesslogentry"
    statements = [
        (f"UPDATE {table} SET username = 'x' WHERE id = %s", [entry.pk]),  # not sealed yet
        (f"UPDATE {table} SET seq = 5, username = 'x' WHERE id = %s", [entry.pk]),  # number and more
    ]
    for sql, params in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    sealing.seal()
    for sql, params in [
        (f"UPDATE {table} SET seq = 9 WHERE id = %s", [entry.pk]),  # a number once given stays
        (f"UPDATE {table} SET username = 'x' WHERE id = %s", [other.pk]),
        ("UPDATE audit_accesslogseal SET root_hash = 'x'", []),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert list(AccessLogEntry.objects.order_by("id").values_list("seq", "username")) == [
        (1, gemeente_user.username),
        (2, gemeente_user.username),
    ]


# --- sealing ---------------------------------------------------------------------------------------


def test_sealing_numbers_the_rows_and_signs_the_tree_head(gemeente_user, caplog):
    first = _append(gemeente_user, 5)
    with caplog.at_level(logging.INFO, logger="lvv.security"):
        seals = sealing.seal(batch=3)
    assert [(s.first_seq, s.tree_size) for s in seals] == [(1, 3), (4, 5)]
    rows = list(AccessLogEntry.objects.order_by("seq"))
    assert [r.pk for r in rows] == [e.pk for e in first] and [r.seq for r in rows] == [1, 2, 3, 4, 5]
    leaves = [merkle.leaf_hash(records.canonical(r)) for r in rows]
    assert seals[0].root_hash == merkle.root_of(leaves[:3]).hex()
    assert seals[1].root_hash == merkle.root_of(leaves).hex()
    assert all(sealing.signature_valid(s) for s in seals)
    assert sealing.decode_ids(seals[1].entry_ids) == [first[3].pk, first[4].pk]
    # Each seal is also written to the security log, outside the database: a witness of the tree head.
    assert f"t/m volgnummer 5, wortel {seals[1].root_hash}" in caplog.text
    # New rows go under the next seal, the old numbers stay.
    _append(gemeente_user, 2)
    assert [(s.first_seq, s.tree_size) for s in sealing.seal()] == [(6, 7)]
    assert sealing.seal() == []
    assert _verify()[0] == 0


def test_the_id_list_of_a_seal_round_trips():
    ids = [3, 4, 5, 9, 11, 12, 2]
    assert sealing.encode_ids(ids) == "3-5,9,11-12,2"
    assert sealing.decode_ids(sealing.encode_ids(ids)) == ids
    assert sealing.decode_ids("") == []


def test_a_row_committed_late_is_sealed_in_the_next_round(gemeente_user):
    """A row whose transaction commits after a later row was sealed (a long import, say) gets the
    next number: the sealer numbers in the order it finds rows, not by id."""
    rows = _append(gemeente_user, 3)
    # As if the middle row's transaction were still open when the sealer ran: the others go first.
    sealed = AccessLogEntry.objects.filter(pk__in=[rows[0].pk, rows[2].pk]).order_by("id")
    seal = sealing._make_seal(last=None, rows=list(sealed))
    sealing._number(list(sealed), 1)
    seal.save()
    late = sealing.seal()
    assert [(s.first_seq, s.tree_size) for s in late] == [(3, 3)]
    assert AccessLogEntry.objects.get(pk=rows[1].pk).seq == 3
    assert list(sealing.verify()) == []


# --- verification ----------------------------------------------------------------------------------


def test_a_changed_row_is_named_sealed_or_not(gemeente_user):
    entries = _append(gemeente_user, 5)
    sealing.seal()
    more = _append(gemeente_user, 2)[5:]
    _raw("UPDATE audit_accesslogentry SET role = 'ind' WHERE id = %s", [entries[2].pk])
    _raw("UPDATE audit_accesslogentry SET role = 'ind' WHERE id = %s", [more[0].pk])
    code, output = _verify()
    assert code == 1
    assert f"Regel id {entries[2].pk} (volgnummer 3) is gewijzigd." in output
    assert f"Regel id {more[0].pk} (nog niet verzegeld) is gewijzigd." in output
    assert "2 bevindingen" in output


@pytest.mark.parametrize("field", ["at", "person_id", "subject_pseudonym", "purpose", "processing_activity", "path"])
def test_every_hashed_field_is_covered(gemeente_user, field):
    entry = _append(gemeente_user, 2)[0]
    sealing.seal()
    value = {
        "at": "2020-01-01 00:00:00",
        "person_id": 8,
        "subject_pseudonym": "0" * 64,
        "purpose": "iets anders",
        "processing_activity": "lvv-monitor",
        "path": "/personen/8/",
    }[field]
    _raw(f"UPDATE audit_accesslogentry SET {field} = %s WHERE id = %s", [value, entry.pk])
    assert [f.ids for f in sealing.verify()] == [(entry.pk,)]


def test_a_deleted_sealed_row_is_named_by_id(gemeente_user):
    entries = _append(gemeente_user, 5)
    sealing.seal()
    _raw("DELETE FROM audit_accesslogentry WHERE id = %s", [entries[1].pk])
    code, output = _verify()
    assert code == 1
    assert f"Regel id {entries[1].pk} (volgnummer 2) ontbreekt: verwijderd." in output


def test_rows_deleted_at_the_end_are_named(gemeente_user):
    entries = _append(gemeente_user, 4)
    sealing.seal()
    _raw("DELETE FROM audit_accesslogentry WHERE id IN (%s, %s)", [entries[2].pk, entries[3].pk])
    assert [f.message for f in sealing.verify()] == [
        f"2 regels met id {entries[2].pk}, {entries[3].pk} (volgnummers 3 t/m 4) ontbreken: verwijderd."
    ]


def test_several_findings_are_all_named(gemeente_user):
    entries = _append(gemeente_user, 8)
    sealing.seal()
    _raw("DELETE FROM audit_accesslogentry WHERE id IN (%s, %s)", [entries[2].pk, entries[3].pk])
    _raw("UPDATE audit_accesslogentry SET path = '/anders/' WHERE id = %s", [entries[6].pk])
    findings = list(sealing.verify())
    assert sorted(f.ids for f in findings) == sorted([(entries[2].pk, entries[3].pk), (entries[6].pk,)])


def test_a_deleted_row_not_yet_sealed(gemeente_user):
    """SQLite numbers rows without gaps, so a removed row is named even before it is sealed; on
    PostgreSQL a rolled-back write leaves a gap too, so there it cannot be shown (docs/logboek.md)."""
    entries = _append(gemeente_user, 3)
    sealing.seal()
    more = _append(gemeente_user, 3)[3:]
    _raw("DELETE FROM audit_accesslogentry WHERE id = %s", [more[1].pk])
    code, output = _verify()
    if connection.vendor == "sqlite":
        assert code == 1 and f"Regel id {more[1].pk} (nog niet verzegeld) ontbreekt: verwijderd." in output
    else:
        assert code == 0 and "is het verwijderen van een nog niet verzegelde regel niet aan te tonen" in output
    assert str(entries[0].pk) not in output.split("\n", 1)[0]


def test_a_forged_row_without_the_key_is_found(gemeente_user, settings):
    """Someone who recomputes the MAC with a guessed key still leaves a broken row."""
    entry = _append(gemeente_user, 2)[0]
    sealing.seal()
    settings.LVV_AUDIT_KEY, real_key = "geraden", settings.LVV_AUDIT_KEY
    entry.username = "vervalst"
    forged = records.entry_mac(entry)
    settings.LVV_AUDIT_KEY = real_key
    _raw("UPDATE audit_accesslogentry SET username = 'vervalst', entry_hash = %s WHERE id = %s", [forged, entry.pk])
    assert [f.ids for f in sealing.verify()][0] == (entry.pk,)


def test_a_changed_or_removed_seal_is_found(gemeente_user):
    _append(gemeente_user, 2)
    sealing.seal()
    _append(gemeente_user, 2)
    sealing.seal()
    _append(gemeente_user, 2)
    sealing.seal()
    seals = list(AccessLogSeal.objects.order_by("tree_size"))
    _raw("UPDATE audit_accesslogseal SET root_hash = %s WHERE id = %s", ["0" * 64, seals[0].pk])
    kinds = [f.message for f in sealing.verify()]
    assert any("Zegel t/m volgnummer 2 is gewijzigd of vervalst" in m for m in kinds), kinds
    _raw("DELETE FROM audit_accesslogseal WHERE id = %s", [seals[1].pk])
    messages = [f.message for f in sealing.verify()]
    assert any("De zegels sluiten niet aan" in m for m in messages), messages
    assert any("onder geen zegel valt" in m for m in messages), messages


def test_the_public_key_checks_a_seal_without_the_secret(gemeente_user, settings):
    _append(gemeente_user, 3)
    seal = sealing.seal()[0]
    public = sealing.public_key_bytes()
    settings.LVV_AUDIT_KEY = "een-andere-sleutel"
    assert sealing.signature_valid(seal, public)
    assert not sealing.signature_valid(seal)  # another key's seals do not pass
    assert "zegel" in [f.kind for f in sealing.verify()]


def test_an_inclusion_proof_per_person_checks_with_the_public_key_alone(gemeente_user):
    _append(gemeente_user, 3, person_id=7)
    _append(gemeente_user, 4, person_id=8)
    _append(gemeente_user, 2, person_id=7)
    sealing.seal(batch=4)
    _append(gemeente_user, 1, person_id=7)  # not sealed yet: counted, not proven
    proof = sealing.inclusion_proof(7)
    head = proof["zegel"]
    assert head["aantal_regels"] == 9 and len(proof["regels"]) == 5 and proof["niet_verzegeld"] == 1
    root = bytes.fromhex(head["wortel"])
    for row in proof["regels"]:
        leaf = merkle.leaf_hash(row["inhoud"].encode("utf-8"))
        path = [bytes.fromhex(h) for h in row["pad"]]
        assert merkle.verify_inclusion(leaf, row["volgnummer"] - 1, head["aantal_regels"], path, root)
        assert f'"{subject_pseudonym(7)}"' in row["inhoud"]
    # The tree head is the signed one: rebuild what was signed from the proof and check it.
    seal = AccessLogSeal.objects.order_by("-tree_size").first()
    assert (seal.root_hash, seal.signature) == (head["wortel"], head["handtekening"])
    assert sealing.signature_valid(seal, bytes.fromhex(proof["publieke_sleutel_ed25519"]))


# --- concurrency and migration (separate processes on one SQLite file) ----------------------------

WRITER = """
from django.db import transaction
from lvv.audit.services import log_system_writes
for i in range(25):
    with transaction.atomic():
        log_system_writes([i], path="/p/", view_name="test", purpose="schrijver", activity="lvv-begeleiding")
"""
SEALER = """
import time
from lvv.audit.sealing import seal
for _ in range(40):
    seal(batch=7)
    time.sleep(0.05)
"""


def test_writers_and_a_sealer_at_once_keep_one_sealed_log(tmp_path):
    """Four processes append while a fifth seals, on one SQLite file (as `lvv serve` and its sealer
    do): in the end every row is sealed once, numbered 1 … 100 without gaps, and the log verifies."""
    env = {**os.environ, "LVV_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lvv.conf.settings"}
    env.pop("LVV_DATABASE_URL", None)
    lvv = [sys.executable, "-m", "lvv.cli"]
    subprocess.run([*lvv, "manage", "migrate", "audit"], env=env, check=True, capture_output=True)
    workers = [
        subprocess.Popen([*lvv, "manage", "shell", "-c", code], env=env, stderr=subprocess.PIPE)
        for code in [WRITER] * 4 + [SEALER]
    ]
    assert [w.wait(timeout=180) for w in workers] == [0] * 5, [w.stderr.read() for w in workers]
    subprocess.run([*lvv, "audit-seal"], env=env, check=True, capture_output=True)
    done = subprocess.run([*lvv, "audit-verify"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "100 regels gecontroleerd: 100 verzegeld" in done.stdout


OLD_ROWS = """
from django.db import connection
from django.utils import timezone
with connection.cursor() as c:
    for i in range(1, 6):
        c.execute(
            "INSERT INTO audit_accesslogentry (at, username, organisation, role, action, subject_pseudonym,"
            " person_id, path, view_name, purpose) VALUES (%s, 'oud', 'Gemeente', 'gemeente', 'lezen', 'oud',"
            " %s, %s, %s, 'Uitvoering LVV')",
            [timezone.now(), i, "/trajecten/?zoek=1234567890" if i in (2, 4) else "/personen/1/",
             "meetings:detail" if i == 2 else "people:detail"],
        )
"""
CHECK_MIGRATED = """
from lvv.audit.models import AccessLogEntry, AccessLogSeal
from lvv.audit.records import subject_pseudonym
rows = list(AccessLogEntry.objects.order_by("id"))
assert [r.seq for r in rows] == [1, 2, 3, 4, 5], [r.seq for r in rows]
assert all(r.subject_pseudonym == subject_pseudonym(r.person_id) for r in rows)
assert rows[1].processing_activity == "lvv-casusoverleg" and rows[0].processing_activity == "lvv-begeleiding"
assert not AccessLogEntry.objects.filter(path__contains="?").exists()
assert not AccessLogEntry.objects.filter(path__contains="1234567890").exists()
seal = AccessLogSeal.objects.get()
assert seal.tree_size == 5 and "Oude keten bij het overzetten: in orde" in seal.note, seal.note
assert "Uit 2 paden is de querystring verwijderd" in seal.note, seal.note
print("gemigreerd")
"""


def test_entries_from_the_hash_chain_are_converted_and_sealed(tmp_path):
    """Rows of the oldest shape go through the hash chain (audit 0003) into the sealed log (0006):
    numbered, pseudonymised with the deployment key, their query strings gone, sealed under one seal
    whose note says what was done; then the log verifies."""
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
    assert "5 regels gecontroleerd: 5 verzegeld onder 1 zegel, 0 nog niet verzegeld." in run("lvv_audit_verify")


# --- no lock on the read path ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time by design (docs/adr/0002)"
)
def test_a_read_is_logged_while_a_long_transaction_holds_its_own_log_rows(gemeente_user):
    """An import or a retention run keeps its transaction open with log rows in it: another request's
    read rows still go in at once (no shared lock). Before the log was sealed in rounds (ADR 0004) the
    second INSERT waited for the first transaction's end (the chain head was locked)."""
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def long_transaction():
        with transaction.atomic():
            log_system_writes(
                [1], path="lvv import", view_name="lvv import", purpose="lang", activity="lvv-begeleiding"
            )
            holding.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=long_transaction)
    holder.start()
    try:
        assert holding.wait(30)

        def reader():
            request = RequestFactory().get("/personen/2/")
            request.user = gemeente_user
            record_reads(request, [2])
            done.set()
            connection.close()

        threading.Thread(target=reader).start()
        # The reader finishes while the long transaction is still open (a liveness check, not a timing one).
        assert done.wait(20), "the read's log row waited for another transaction"
        assert not release.is_set()
    finally:
        release.set()
        holder.join(30)


# --- the middleware: a refusal survives the rollback of the request's own work ----------------------


def test_a_refusal_row_survives_the_rollback_of_what_the_request_tried(gemeente_user, admitted_trajectory):
    """A view that wrote something in its transaction and then refused (PermissionDenied inside the
    atomic block): its write is rolled back, the refusal row for the person it concerned stays."""
    from django.core.exceptions import PermissionDenied

    from lvv.audit.middleware import AccessLogMiddleware
    from lvv.audit.services import concerns
    from lvv.trajectories.models import Note

    person_id = admitted_trajectory.person_id

    def view(request):
        concerns(request, [person_id])
        with transaction.atomic():
            Note.objects.create(
                trajectory=admitted_trajectory,
                text="half af",
                visibility="organisatie",
                author=gemeente_user,
                organisation=gemeente_user.organisation,
            )
            record_reads(request, [person_id])  # would have been a read, had the page been shown
            raise PermissionDenied

    def handler(request):
        from django.core.handlers.exception import convert_exception_to_response

        return convert_exception_to_response(view)(request)

    request = RequestFactory().post(f"/trajecten/{admitted_trajectory.pk}/notitie/", {"text": "x"})
    request.user = gemeente_user
    before, notes = AccessLogEntry.objects.count(), Note.objects.count()
    response = AccessLogMiddleware(handler)(request)
    assert response.status_code == 403
    assert Note.objects.count() == notes  # the note (text encrypted, so counted) was rolled back
    new = list(AccessLogEntry.objects.order_by("id")[before:].values_list("person_id", "status", "action"))
    assert new == [(person_id, "error", "wijzigen")]
