"""Concurrent readers of trajectory pages and the access log. Not a test: it measures.

    .venv/bin/python benchmarks/readers_bench.py [--n 2000] [--duration 20] [--hold 3] \
        [--postgres postgresql://postgres@127.0.0.1:5432/lvv_readers] [--json /tmp/readers.json]
    .venv/bin/python benchmarks/readers_bench.py --quick    # smoke run: SQLite only (--postgres: both), ≈ 30 s

    # the code of another checkout (e.g. a frozen copy of the design before a change):
    git worktree add /tmp/lvv-before HEAD
    cd /tmp/lvv-before && PYTHONPATH=/tmp/lvv-before/src /work/main/.venv/bin/python \
        /work/main/benchmarks/readers_bench.py --postgres postgresql://postgres@127.0.0.1:5432/lvv_readers \
        --json /tmp/readers-before.json
    # (or `--src /tmp/lvv-before/src`; the `lvv` package actually imported is printed and recorded)

Every page that shows person data writes to the access log (`lvv.audit`). This measures what that
costs when several users read at the same time, on a scratch database of its own: a temporary SQLite
file, and with --postgres also that PostgreSQL database, which is DROPPED and created again, and
dropped at the end unless --keep (never point it at a database in use; the script refuses `test`,
`lvv` and `postgres`).

1. `lvv migrate` (in process: `call_command("lvv_migrate")`), then `--n` trajectories in Amsterdam
   built through the real services (person_create → application_register → identity_check_record →
   consent_record → admission_decide), with random names and birth dates (`--seed`), in
   transactions of 100; every consent covers all parties at the LSO table (NGOs, IND, DT&V,
   AVIM). Two users: a case worker of the municipality (role gemeente) and a DT&V worker (chain
   partner, with a confirmed TOTP device: sees the trajectories whose consent covers DT&V — here
   all of them, through the consent check of the chain partners' access rule).
2. Readers: each thread has its own `django.test.Client` (`force_login`; for the DT&V user the
   session is marked as verified by its TOTP device, so the real two-factor middleware lets it
   through) and its own database connection (kept for the thread's life, closed at its end with
   `connections.close_all()`), and does GET /trajecten/<pk>/ on random trajectories the user may see.
   Every response must be 200 (else counted as an error).
3. Case "readers": 1 thread, then `--threads` threads (8), each for `--duration` seconds, per user:
   requests per second, p50/p95/max latency, and the scaling (threads ÷ 1 thread throughput).
   Python threads share one GIL on 2 cores, so the scaling is limited anyway; therefore also the
   time each request spent inside the access-log append, measured by wrapping whichever of
   `lvv.audit.chain.append`, `lvv.audit.services.flush`, `lvv.audit.writer.flush` exist (and
   `--log-function MODULE:NAME`; also where a module imported it by name; nested calls count once):
   p50/p95 per request and the number of requests that spent ≥ 10 ms in it ("waited for the log").
   That time includes the work of the append itself (1–3 ms when nobody else holds the log) and,
   with several threads, waiting for the GIL after each database round trip. Two controls: the time
   in the session save (`SESSION_SAVE_EVERY_REQUEST`: every page writes its own session row, log or
   no log; a small write that contends with nobody on PostgreSQL) and, on PostgreSQL, a sampler
   that counts every 25 ms the backends waiting on a lock in pg_stat_activity (the server's view of
   the serialisation, free of the GIL): mean number of waiters and share of samples with ≥ 1.
4. Case "hold": the same readers keep reading while a background thread opens
   `transaction.atomic()`, appends one system entry with `lvv.audit.services.log_system_writes`
   (as an import or the retention run does inside its transaction) and then sleeps `--hold`
   seconds (3) before committing. Reported: how many requests completed during the hold, the
   readers' p95 and max latency of the requests that overlapped it (against their p95 before it),
   the longest stretch of the hold in which no request completed, the longest time one of those
   requests spent in the log append and in the session save, and the PostgreSQL lock waiters
   before and during the hold. (`--quick`: 1 s of reading before and after the hold, else 3 s.)

Settings: `lvv.conf.settings` (the default module of `lvv serve`: DEBUG off, file-based cache under
LVV_VAR_DIR, two-factor on; `--settings lvv.conf.test` for the test settings, whose cache is a
DummyCache and which switch two-factor off), LVV_VAR_DIR a temporary folder, LVV_ALLOWED_HOSTS
`testserver`. Differences with a production server: no gunicorn/WSGI server and no HTTP (the test
client calls the handler in process); database connections are kept per thread (CONN_MAX_AGE None)
where the deployment opens one per request (conn_max_age 0).
Load averages (`os.getloadavg`) are recorded at the start and end of every case: the machine may be
shared. The figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/lvv_readers"
MUNICIPALITY = "Amsterdam"
#: Functions of the access log whose time counts as "in the log append" (those that exist).
LOG_FUNCTIONS = ("lvv.audit.chain:append", "lvv.audit.services:flush", "lvv.audit.writer:flush")
SESSION_FUNCTION = "django.contrib.sessions.backends.db:SessionStore.save"
WAITED_MS = 10.0

GIVEN = (
    "Amir Ali Hassan Yusuf Omar Fatima Amina Maryam Samir Karim Nadia Layla Tesfay Abebe Selam Dawit "
    "Musa Ibrahim Khadija Zainab Reza Mehdi Sara Leila Goran Ardit Besa Nino Giorgi Tamar Chidi Ngozi"
).split()
FAMILY = (
    "Ahmadi Haidari Karimi Rahimi Yousef Hussein Abdi Warsame Tesfaye Haile Gebre Mohammed Osman "
    "Nouri Tahiri Benali Mansour Haddad Qasim Sadiq Beridze Kapanadze Okafor Adeyemi Diallo Bah Sow "
    "Camara Toure Keita Jalloh Conteh Kamara Sesay Mensah Owusu Boateng Asante Demir Yilmaz Kaya"
).split()
COUNTRIES = ("AF", "DZ", "ER", "ET", "GE", "GN", "IQ", "IR", "MA", "NG", "SD", "SO", "SY", "TR")
GOOD_FACTS = {
    "has_regiobinding": True,
    "regiobinding_months": 12,
    "long_bbb_elsewhere": False,
    "willing_to_cooperate": True,
    "safe_country": False,
}


# --- timing of the access log (and the session save) ---------------------------------------------

_local = threading.local()


def _current() -> dict | None:
    return getattr(_local, "request", None)


def _timed(category: str, fn):
    """Wrap `fn`: add its wall time to the current request's `category` (the outermost call of a
    category only, so a flush that calls chain.append is counted once)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        depth = getattr(_local, f"depth_{category}", 0)
        setattr(_local, f"depth_{category}", depth + 1)
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            setattr(_local, f"depth_{category}", depth)
            if depth == 0:
                record = _current()
                if record is not None:
                    record[category] += time.perf_counter() - start
                    record[f"{category}_calls"] += 1

    wrapper._bench_original = fn
    return wrapper


def patch(spec: str, category: str) -> str | None:
    """Wrap MODULE:ATTR or MODULE:CLASS.ATTR if it exists; its name, or None."""
    module_name, _, attr_path = spec.partition(":")
    try:
        owner = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:  # the module exists but fails to import: say so
            raise
        return None
    *parents, name = attr_path.split(".")
    for parent in parents:
        owner = getattr(owner, parent, None)
        if owner is None:
            return None
    fn = getattr(owner, name, None) if not isinstance(owner, type) else owner.__dict__.get(name)
    if fn is None or not callable(fn):
        return None
    wrapper = _timed(category, fn)
    setattr(owner, name, wrapper)
    # Modules that imported the function by name (`from .services import flush`) hold the original:
    # replace it there too (call `import_application()` first, so those modules are loaded).
    for module_name, module in list(sys.modules.items()):
        if module is not None and module_name.split(".")[0] == "lvv":
            for attr, value in list(vars(module).items()):
                if value is fn:
                    setattr(module, attr, wrapper)
    return spec


def import_application() -> None:
    """Import the middleware and every view module (what the first request would import)."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils.module_loading import import_string

    for path in settings.MIDDLEWARE:
        import_string(path)
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views


# --- the registry -------------------------------------------------------------------------------


def build_registry(n: int, seed: int) -> dict:
    """`n` admitted trajectories in Amsterdam through the services; the two users."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lvv.accounts.models import Municipality, Organisation, OrganisationType, User
    from lvv.admissions.services import admission_decide, application_register, consent_record
    from lvv.people.services import identity_check_record, person_create
    from lvv.trajectories.models import Trajectory

    municipality = Municipality.objects.get(name=MUNICIPALITY)
    gemeente_org = Organisation.objects.get(type=OrganisationType.GEMEENTE, municipality=municipality)
    dtv_org = Organisation.objects.get(type=OrganisationType.DTV)
    gemeente = User.objects.create(
        username="bench.gemeente", first_name="Bench", last_name="Gemeente", organisation=gemeente_org
    )
    dtv = User.objects.create(username="bench.dtv", first_name="Bench", last_name="DT&V", organisation=dtv_org)
    for user in (gemeente, dtv):
        user.set_unusable_password()
        user.save()
    TOTPDevice.objects.create(user=dtv, name="Benchmark", confirmed=True)

    rng = random.Random(seed)
    start = time.perf_counter()
    dtv_shared = 0
    for batch in range(0, n, 100):
        with transaction.atomic():
            for _ in range(batch, min(n, batch + 100)):
                application = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
                person = person_create(
                    actor=gemeente,
                    municipality=municipality,
                    given_names=rng.choice(GIVEN),
                    family_name=f"{rng.choice(FAMILY)}-{rng.choice(FAMILY)}",
                    birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 45 * 365)),
                    country_of_origin=rng.choice(COUNTRIES),
                )
                trajectory = application_register(
                    actor=gemeente, person=person, application_date=application, **GOOD_FACTS
                )
                identity_check_record(
                    actor=gemeente,
                    trajectory=trajectory,
                    performed_on=application + dt.timedelta(days=1),
                    outcome="vingerafdrukken",
                )
                # Consent for every party at the LSO table: the usual case, and what admission needs
                # wherever the rules ask for consent covering the parties at the table.
                consent_record(
                    actor=gemeente,
                    trajectory=trajectory,
                    signed_on=application + dt.timedelta(days=2),
                    share_ngo=True,
                    share_ind=True,
                    share_dtv=True,
                    share_avim=True,
                )
                dtv_shared += 1
                admission_decide(
                    actor=gemeente,
                    trajectory=Trajectory.objects.get(pk=trajectory.pk),
                    outcome="toegelaten",
                    decided_on=application + dt.timedelta(days=7),
                )
    return {
        "trajectories": n,
        "shared_with_dtv": dtv_shared,
        "build_seconds": time.perf_counter() - start,
        "users": {"gemeente": gemeente.pk, "dtv": dtv.pk},
    }


# --- the readers --------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (as in benchmarks/load_test.py)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def logged_in_client(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:  # as if the user had entered a code: OTPMiddleware finds the device
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class Readers:
    """`count` threads reading trajectory pages until `stop` is set; every request recorded as
    (start, end, seconds, log seconds, log calls, session seconds, ok)."""

    def __init__(self, user, pks: list[int], count: int, seed: int):
        self.user, self.pks, self.count, self.seed = user, pks, count, seed
        self.stop = threading.Event()
        self.ready = threading.Barrier(count + 1)
        self.records: list[tuple] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
        self.ready.wait()  # every thread logged in and warmed up

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _run(self, index: int) -> None:
        from django.db import connections

        rng = random.Random(self.seed * 1000 + index)
        records: list[tuple] = []
        try:
            try:
                client = logged_in_client(self.user)
                for _ in range(2):  # warm-up (not recorded)
                    client.get(f"/trajecten/{rng.choice(self.pks)}/")
            finally:
                self.ready.wait()
            while not self.stop.is_set():
                path = f"/trajecten/{rng.choice(self.pks)}/"
                record = _local.request = {"log": 0.0, "log_calls": 0, "session": 0.0, "session_calls": 0}
                start = time.perf_counter()
                ok = False
                try:
                    response = client.get(path)
                    ok = response.status_code == 200
                    if not ok:
                        self._error(f"{path}: status {response.status_code}")
                except Exception as exc:  # noqa: BLE001 - a benchmark counts failures
                    self._error(f"{path}: {type(exc).__name__}: {exc}")
                end = time.perf_counter()
                _local.request = None
                records.append((start, end, end - start, record["log"], record["log_calls"], record["session"], ok))
        except Exception as exc:  # noqa: BLE001
            self._error(f"thread {index}: {type(exc).__name__}: {exc}")
        finally:
            with self.lock:
                self.records.extend(records)
            connections.close_all()

    def _error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def _ms(value: float) -> float:
    return round(value * 1000, 2)


def summarise(records: list[tuple], seconds: float) -> dict:
    ok = [r for r in records if r[6]]
    latency = [r[2] for r in ok]
    log = [r[3] for r in ok]
    busy = sum(latency)
    return {
        "requests": len(ok),
        "errors": len(records) - len(ok),
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(ok) / seconds, 2) if seconds else float("nan"),
        "latency_ms": {
            "p50": _ms(percentile(latency, 50)),
            "p95": _ms(percentile(latency, 95)),
            "max": _ms(max(latency, default=float("nan"))),
        },
        "log_ms": {
            "p50": _ms(percentile(log, 50)),
            "p95": _ms(percentile(log, 95)),
            "max": _ms(max(log, default=float("nan"))),
        },
        "log_calls_per_request": round(sum(r[4] for r in ok) / len(ok), 2) if ok else float("nan"),
        "log_share_of_wall_time": round(sum(log) / busy, 3) if busy else float("nan"),
        "waited_for_log": sum(1 for value in log if value * 1000 >= WAITED_MS),
        "session_ms": {
            "p50": _ms(percentile([r[5] for r in ok], 50)),
            "p95": _ms(percentile([r[5] for r in ok], 95)),
        },
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class LockSampler(threading.Thread):
    """PostgreSQL only: every 25 ms the number of this database's backends waiting on a heavyweight
    lock (pg_stat_activity.wait_event_type = 'Lock', e.g. a row lock of SELECT … FOR UPDATE). A
    server-side view of the serialisation, free of the client's GIL."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[tuple[float, int]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        from django.db import connection, connections

        try:
            with connection.cursor() as cursor:
                while not self.halt.wait(0.025):
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                    )
                    self.samples.append((time.perf_counter(), cursor.fetchone()[0]))
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.halt.set()
        self.join()

    def summary(self, start: float = float("-inf"), end: float = float("inf")) -> dict:
        waiting = [n for at, n in self.samples if start <= at <= end]
        if not waiting:
            return {}
        return {
            "samples": len(waiting),
            "mean_lock_waiters": round(sum(waiting) / len(waiting), 2),
            "max_lock_waiters": max(waiting),
            "share_with_lock_waiter": round(sum(1 for n in waiting if n) / len(waiting), 3),
        }


def _sampler():
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    sampler = LockSampler()
    sampler.start()
    return sampler


def case_readers(user, pks: list[int], threads: int, duration: float, seed: int) -> dict:
    readers = Readers(user, pks, threads, seed)
    load_before = loadavg()
    readers.start()
    cpu, start = time.process_time(), time.perf_counter()
    sampler = _sampler()
    time.sleep(duration)
    readers.stop.set()
    seconds = time.perf_counter() - start  # requests in flight finish after this: counted, a little over
    readers.finish()
    if sampler is not None:
        sampler.stop()
    seconds_all = max((r[1] for r in readers.records), default=start) - start
    result = summarise(readers.records, max(seconds, seconds_all))
    result.update(
        threads=threads,
        process_cpu_per_wall=round((time.process_time() - cpu) / max(seconds, seconds_all), 2),
        load_before=load_before,
        load_after=loadavg(),
        first_errors=readers.errors[:5],
    )
    if sampler is not None:
        result["postgres_locks"] = sampler.summary()
    return result


def case_hold(user, pks: list[int], person_id: int, threads: int, hold: float, seed: int, quick: bool) -> dict:
    """Readers read; meanwhile one transaction appends a system entry and holds for `hold` s."""
    from django.db import connections, transaction

    from lvv.audit.services import log_system_writes

    before, after = (1.0, 1.0) if quick else (3.0, 3.0)
    readers = Readers(user, pks, threads, seed)
    load_before = loadavg()
    readers.start()
    start = time.perf_counter()
    sampler = _sampler()
    time.sleep(before)
    holder: dict = {}

    def hold_the_log() -> None:
        _local.request = {"log": 0.0, "log_calls": 0, "session": 0.0, "session_calls": 0}
        try:
            with transaction.atomic():
                holder["begin"] = time.perf_counter()
                log_system_writes(
                    [person_id], path="/bench", view_name="bench", purpose="benchmark", activity="lvv-begeleiding"
                )
                holder["appended"] = time.perf_counter()
                time.sleep(hold)
                holder["commit"] = time.perf_counter()
            holder["committed"] = time.perf_counter()
            holder["append_seconds"] = _local.request["log"]
        except Exception as exc:  # noqa: BLE001
            holder["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            _local.request = None
            connections.close_all()

    thread = threading.Thread(target=hold_the_log)
    thread.start()
    thread.join()
    time.sleep(after)
    readers.finish()
    end = time.perf_counter()
    if sampler is not None:
        sampler.stop()
    result: dict = {"threads": threads, "hold_seconds": hold, "load_before": load_before, "load_after": loadavg()}
    if "error" in holder or "appended" not in holder:
        result["holder_error"] = holder.get("error", "the hold did not start")
        return result
    h0, h1 = holder["appended"], holder["committed"]  # the log is held from the append to the commit
    ok = [r for r in readers.records if r[6]]
    pre = [r for r in ok if r[1] < h0]
    overlapping = [r for r in ok if r[0] < h1 and r[1] > h0]
    done_during = sorted(r[1] for r in ok if h0 <= r[1] <= h1)
    gaps = [b - a for a, b in zip([h0, *done_during], [*done_during, h1], strict=True)]
    result.update(
        holder_append_ms=_ms(holder["append_seconds"]),
        held_ms=_ms(h1 - h0),
        completed_during_hold=len(done_during),
        started_during_hold=sum(1 for r in ok if h0 <= r[0] <= h1),
        overlapping=len(overlapping),
        overlapping_latency_ms={
            "p95": _ms(percentile([r[2] for r in overlapping], 95)),
            "max": _ms(max((r[2] for r in overlapping), default=float("nan"))),
        },
        overlapping_log_ms_max=_ms(max((r[3] for r in overlapping), default=float("nan"))),
        overlapping_session_ms_max=_ms(max((r[5] for r in overlapping), default=float("nan"))),
        longest_gap_without_completion_ms=_ms(max(gaps)),
        before_hold={
            "requests": len(pre),
            "requests_per_second": round(len(pre) / (h0 - start), 2),
            "p95_ms": _ms(percentile([r[2] for r in pre], 95)),
        },
        whole_run=summarise(readers.records, end - start),
        errors=len(readers.errors),
        first_errors=readers.errors[:5],
    )
    if sampler is not None:
        result["postgres_locks"] = {"before_hold": sampler.summary(end=h0), "during_hold": sampler.summary(h0, h1)}
    return result


# --- one database (a child process) ---------------------------------------------------------------


def measure(database_url: str, workdir: Path, options: argparse.Namespace) -> dict:
    label = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    os.environ.update(
        DJANGO_SETTINGS_MODULE=options.settings,
        LVV_DATABASE_URL=database_url,
        LVV_VAR_DIR=str(workdir / f"var-{label}"),
        LVV_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LVV_SECURITY_LOG_LEVEL="WARNING",  # not a line per force_login
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    import lvv
    from lvv.accounts.models import User
    from lvv.trajectories.models import Trajectory

    result: dict = {"vendor": connection.vendor, "lvv": lvv.__file__, "settings": options.settings}
    # Connections live as long as their thread (the deployment: one per request, see the docstring).
    connections.settings["default"]["CONN_MAX_AGE"] = None
    start = time.perf_counter()
    call_command("lvv_migrate", verbosity=0)
    result["migrate_seconds"] = round(time.perf_counter() - start, 1)
    registry = build_registry(options.n, options.seed)
    result["registry"] = {**registry, "build_seconds": round(registry["build_seconds"], 1)}
    print(f"  {label}: migrate {result['migrate_seconds']} s, registry {result['registry']}", file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    import_application()
    patched = [spec for spec in (*LOG_FUNCTIONS, *options.log_function) if patch(spec, "log")]
    result["log_functions_timed"] = patched
    result["session_function_timed"] = patch(SESSION_FUNCTION, "session")
    if not patched:
        print("  warning: none of the access-log functions exists; log time will be 0", file=sys.stderr)

    users = {"gemeente": User.objects.get(username="bench.gemeente"), "dtv": User.objects.get(username="bench.dtv")}
    municipality_id = users["gemeente"].organisation.municipality_id
    visible = {
        "gemeente": list(Trajectory.objects.filter(municipality_id=municipality_id).values_list("pk", flat=True)),
        "dtv": list(
            Trajectory.objects.filter(consents__share_dtv=True, consents__withdrawn_on__isnull=True).values_list(
                "pk", flat=True
            )
        ),
    }
    person_id = Trajectory.objects.filter(municipality_id=municipality_id).values_list("person_id", flat=True).first()
    connections.close_all()

    result["readers"], result["hold"] = {}, {}
    for role in options.roles:
        for threads in (1, options.threads):
            print(f"  {label}: readers, {role}, {threads} thread(s), {options.duration:g} s …", file=sys.stderr)
            case = case_readers(users[role], visible[role], threads, options.duration, options.seed)
            result["readers"][f"{role}/{threads}"] = case
        one, many = result["readers"][f"{role}/1"], result["readers"][f"{role}/{options.threads}"]
        result["readers"][f"{role}/scaling"] = round(many["requests_per_second"] / one["requests_per_second"], 2)
    for role in options.roles:
        print(f"  {label}: hold, {role}, {options.threads} threads, {options.hold:g} s …", file=sys.stderr)
        result["hold"][role] = case_hold(
            users[role], visible[role], person_id, options.threads, options.hold, options.seed, options.quick
        )
    return result


# --- reporting ----------------------------------------------------------------------------------


def _f(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def _locks(summary: dict | None) -> str:
    """Mean number of backends waiting on a lock, and the share of samples with at least one."""
    if not summary:
        return "–"
    return f"{summary['mean_lock_waiters']:.1f} ({100 * summary['share_with_lock_waiter']:.0f}%)"


def tables(results: dict, threads: int) -> str:
    lines = [
        "#### Readers (GET /trajecten/<pk>/ for a fixed time)",
        "",
        "| database | user | threads | requests | errors | req/s | scaling | p50 ms | p95 ms | max ms "
        "| log p50 ms | log p95 ms | ≥ 10 ms in log | log share | session save p95 ms | PG lock waiters | CPU/wall "
        "| load before → after |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in results.items():
        for key, c in r["readers"].items():
            if key.endswith("/scaling"):
                continue
            role, n = key.split("/")
            scaling = r["readers"][f"{role}/scaling"] if int(n) == threads else None
            waited = 100 * c["waited_for_log"] / max(1, c["requests"])
            lines.append(
                f"| {label} | {role} | {n} | {c['requests']} | {c['errors']} | {_f(c['requests_per_second'])} | "
                f"{_f(scaling, 2) + '×' if scaling is not None else ''} | {_f(c['latency_ms']['p50'])} | "
                f"{_f(c['latency_ms']['p95'])} | {_f(c['latency_ms']['max'])} | {_f(c['log_ms']['p50'], 2)} | "
                f"{_f(c['log_ms']['p95'], 2)} | {c['waited_for_log']} ({_f(waited, 0)}%) | "
                f"{_f(100 * c['log_share_of_wall_time'], 0)}% | {_f(c['session_ms']['p95'], 2)} | "
                f"{_locks(c.get('postgres_locks'))} | {_f(c['process_cpu_per_wall'], 2)} | "
                f"{c['load_before'][0]:.2f} → {c['load_after'][0]:.2f} |"
            )
    lines += [
        "",
        "#### Hold (a transaction appends one system entry, then holds it; readers keep reading)",
        "",
        "| database | user | threads | held ms | completed during hold | started during hold | "
        "p95 before ms | p95 overlapping ms | max overlapping ms | longest gap ms | max log ms | max session save ms "
        "| PG lock waiters before → during | errors | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, r in results.items():
        for role, h in r["hold"].items():
            if "holder_error" in h:
                lines.append(f"| {label} | {role} | {h['threads']} | holder failed: {h['holder_error']} |")
                continue
            lines.append(
                f"| {label} | {role} | {h['threads']} | {_f(h['held_ms'], 0)} | {h['completed_during_hold']} | "
                f"{h['started_during_hold']} | {_f(h['before_hold']['p95_ms'])} | "
                f"{_f(h['overlapping_latency_ms']['p95'])} | {_f(h['overlapping_latency_ms']['max'])} | "
                f"{_f(h['longest_gap_without_completion_ms'], 0)} | {_f(h['overlapping_log_ms_max'])} | "
                f"{_f(h['overlapping_session_ms_max'])} | "
                f"{_locks(h.get('postgres_locks', {}).get('before_hold'))} → "
                f"{_locks(h.get('postgres_locks', {}).get('during_hold'))} | "
                f"{h['errors']} | {h['load_before'][0]:.2f} → {h['load_after'][0]:.2f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="trajectories in the registry (2000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--threads", type=int, default=8, help="reader threads of the concurrent cases (8)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per readers case (20)")
    parser.add_argument("--hold", type=float, default=3, help="seconds the long transaction holds the log (3)")
    parser.add_argument(
        "--roles", default="gemeente,dtv", help="users that read, comma-separated: gemeente, dtv (both)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        nargs="?",
        const=DEFAULT_POSTGRES,
        help=f"also on this PostgreSQL database (dropped and created again!), default {DEFAULT_POSTGRES}",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL (with --postgres)")
    parser.add_argument("--settings", default="lvv.conf.settings", help="Django settings module (lvv.conf.settings)")
    parser.add_argument("--src", metavar="DIR", help="import lvv from DIR (put first on sys.path / PYTHONPATH)")
    parser.add_argument(
        "--log-function",
        action="append",
        default=[],
        metavar="MODULE:NAME",
        help="also count the time in this function as log time (repeatable)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: --n 200, 3 s per case, 1 s hold")
    parser.add_argument("--keep", metavar="DIR", help="keep the SQLite database and the var folders in DIR")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--measure", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    if set(args.roles) - {"gemeente", "dtv"}:
        parser.error("--roles: gemeente and/or dtv")
    if args.quick:
        args.n, args.duration, args.hold = min(args.n, 200), min(args.duration, 3), min(args.hold, 1)
    if args.src:
        src = str(Path(args.src).resolve())
        sys.path.insert(0, src)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))

    if args.measure:  # the child process for one database
        print(json.dumps(measure(args.measure, Path(args.workdir), args)))
        return 0

    workdir = Path(args.keep or tempfile.mkdtemp(prefix="lvv-readers-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    meta = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
        "uptime_before": _uptime(),
        "cpu_count": os.cpu_count(),
        "options": {k: v for k, v in vars(args).items() if k not in ("measure", "workdir")},
        "source": _source(),
    }
    print(
        f"lvv from {meta['source']['lvv']} ({meta['source'].get('git', '?')}); {meta['uptime_before']}", file=sys.stderr
    )
    try:
        targets = [] if args.no_sqlite else [("SQLite", f"sqlite:///{workdir / 'readers.sqlite3'}")]
        if args.postgres:
            if args.postgres.rstrip("/").rsplit("/", 1)[-1] in ("test", "lvv", "postgres"):
                raise SystemExit("refusing to drop that database: give a scratch database such as lvv_readers")
            targets.append(("PostgreSQL", args.postgres))
        results = {}
        passthrough = [
            "--n", str(args.n), "--seed", str(args.seed), "--threads", str(args.threads),
            "--duration", str(args.duration), "--hold", str(args.hold), "--roles", ",".join(args.roles),
            "--settings", args.settings, *(["--quick"] if args.quick else []),
            *[x for spec in args.log_function for x in ("--log-function", spec)],
        ]  # fmt: skip
        for label, url in targets:
            if label == "PostgreSQL":
                _recreate_postgres(url)
            print(f"measuring on {label} …", file=sys.stderr, flush=True)
            child = subprocess.run(
                [sys.executable, __file__, "--measure", url, "--workdir", str(workdir), *passthrough],
                stdout=subprocess.PIPE,
                text=True,
            )
            if child.returncode:
                print(child.stdout[-3000:], file=sys.stderr)
                return 1
            results[label] = json.loads(child.stdout.strip().splitlines()[-1])
            if label == "PostgreSQL" and not args.keep:
                _recreate_postgres(url, drop_only=True)
        meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        meta["uptime_after"] = _uptime()
        first = next(iter(results.values()), {})
        shared = ", ".join(f"{k}: {v['registry']['shared_with_dtv']} shared with DT&V" for k, v in results.items())
        print(
            f"\nReaders benchmark {meta['started']} → {meta['finished'][11:]}; {os.cpu_count()} CPU cores; "
            f"lvv from {first.get('lvv', '?')} ({meta['source'].get('git', '?')}); settings {args.settings}; "
            f"{args.n} trajectories ({shared}); "
            f"{args.duration:g} s per readers case, hold {args.hold:g} s"
        )
        print(f"log functions timed: {', '.join(first.get('log_functions_timed', [])) or 'none'}")
        print(f"uptime before: {meta['uptime_before']}\nuptime after:  {meta['uptime_after']}\n")
        print(tables(results, args.threads))
        if args.json:
            Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _source() -> dict:
    """Which lvv the children will import (same sys.path / PYTHONPATH), and its git state."""
    probe = subprocess.run(
        [sys.executable, "-c", "import lvv, pathlib; print(pathlib.Path(lvv.__file__).resolve().parent)"],
        capture_output=True,
        text=True,
    )
    package = probe.stdout.strip() or "?"
    source = {"lvv": package}
    if package != "?":
        git = ["git", "-C", package]
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True, text=True)
        if head.returncode == 0:
            changed = len(dirty.stdout.splitlines())
            source["git"] = f"HEAD {head.stdout.strip()}, {changed} changed file(s) under src/lvv"
    return source


def _recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import dj_database_url

    config = dj_database_url.parse(url)
    common = ["-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432), "-U", config["USER"]]
    subprocess.run(["dropdb", *common, "--if-exists", config["NAME"]], check=True)
    if not drop_only:
        subprocess.run(["createdb", *common, config["NAME"]], check=True)


if __name__ == "__main__":
    sys.exit(main())
