"""Fault test (issue 7 §5): kill -9 the server during writes and `lvv import` mid-way, then check that
nothing acknowledged was lost, nothing was half written and the databases are intact. Not a unit test.

    .venv/bin/python benchmarks/fault_test.py [--backend sqlite|postgres|both] [--cycles 4] [--writers 4]
        [--import-rows 40000] [--postgres postgresql://postgres@127.0.0.1:5432/lvv_fault] [--seed 7]
        [--data demo|minimal] [--keep]

Each backend gets a scratch database of its own: SQLite a file in a temporary LVV_VAR_DIR; PostgreSQL
the database `lvv_fault` (or the one in --postgres), which is DROPPED and created again and dropped
at the end — never point it at a database in use (and never at `test`).

1. `lvv demo --no-serve` (migrate + demo data; `--data minimal`: `lvv migrate`, a small delivery import
   and one municipal user per pilot municipality — quick, for the pytest), then `lvv serve` (gunicorn,
   2 workers × 4 threads) on a free port, in a process group of its own.
2. Write cycles (`--cycles`): writer threads (`--writers`), each logged in as its own user (municipal
   staff and an NGO), write through the real web forms: a guidance note (`/trajecten/<pk>/notitie/`,
   visibility `lso`, a unique marker text) and a guidance-instruments edit (`/trajecten/<pk>/instrumenten/`,
   optimistic locking, a unique start date; every writer has trajectories of its own for this). Every
   form is read with GET first and posted with all its fields as the page gives them. Every POST sends a
   W3C `traceparent` with a unique trace id, which the access log stores. Before sending, the attempt is
   appended to a journal file outside the database; a write counts as acknowledged only when the
   response is the success redirect, and that acknowledgement is appended and fsynced before the
   writer continues. After 3–8 s (random), `kill -9` hits the whole process group (gunicorn master and
   workers) while writes are in flight; then the server is started again.
3. Import kill: a delivery file of `--import-rows` new trajectories (generator of monitor_bench.py,
   pilot municipalities only, ids `FT-…`) is checked with `lvv import --controleer`, then `lvv import`
   runs and is killed with -9 0.3–2 s after its write transaction is seen open (SQLite: the write lock
   is held; PostgreSQL: a session of the database has a transaction id). Then: none of its rows may be
   there and all counts are as before. The import is run again to the end; all rows must be there once.
4. After a final restart: every acknowledged write is there, exactly once; no marker note twice; every
   committed change (note, instruments version step) has exactly one `wijzigen` row in the access log
   with its trace id, view and person; the chain verifies (`lvv audit-verify`); SQLite `PRAGMA
   integrity_check` = ok and `PRAGMA foreign_key_check` empty; PostgreSQL amcheck `bt_index_check(…,
   heapallindexed)` on every btree index of the public schema.

Prints a summary per backend; exits 1 when any check fails. Figures: docs/performance.md, "Fouttest".
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import http.client
import http.cookiejar
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LVV = str(Path(sys.executable).with_name("lvv"))
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/lvv_fault"
PASSWORD = "demo-lvv-2026"
PILOTS = ("Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht")
#: Writer accounts, in order (municipal staff of four cities and one NGO).
WRITER_USERS = ("gemeente.amsterdam", "gemeente.rotterdam", "ngo.amsterdam", "gemeente.utrecht", "gemeente.groningen")
MINIMAL_USERS = ("gemeente.amsterdam", "gemeente.rotterdam", "gemeente.utrecht", "gemeente.groningen")
MARK = "fouttest "
NOTE_VIEW = "trajectories:note_new"
INSTRUMENTS_VIEW = "trajectories:instruments_edit"
BASE_DATE = dt.date(2001, 1, 1)


# --- the HTTP side ---------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormParser(HTMLParser):
    """The fields of the page's POST forms (not the logout form), as the browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                self._form.setdefault("choices", {}).setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form["fields"].append([a["name"], a.get("value", "on")])
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"].append([a["name"], a.get("value") or ""])
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            s = self._select
            self._form["fields"].append([s["name"], s["selected"] if s["selected"] is not None else s["first"] or ""])
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            self._form["fields"].append([name, text[1:] if text.startswith("\n") else text])
            self._textarea = None


def post_form(html: str) -> dict:
    parser = FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if f["method"] == "post" and "uitloggen" not in f["action"]]
    if not forms:
        raise RuntimeError("geen formulier op de pagina")
    return forms[-1]


def with_values(fields: list, values: dict) -> list:
    """The form's fields with some replaced (a field absent from the form is added)."""
    out, seen = [], set()
    for name, value in fields:
        if name in values:
            if name in seen:
                continue
            seen.add(name)
            value = values[name]
        out.append((name, value))
    out += [(k, v) for k, v in values.items() if k not in seen and k not in {n for n, _ in fields}]
    return out


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: list | None = None, headers: dict | None = None, timeout: float = 60):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return resp.status, resp.headers.get("Location", ""), resp.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers.get("Location", ""), exc.read().decode(errors="replace")

    def login(self, username: str) -> None:
        status, _, html = self.request("/inloggen/")
        form = post_form(html)
        status, location, _ = self.request(
            "/inloggen/", with_values(form["fields"], {"username": username, "password": PASSWORD})
        )
        if status != 302 or "inloggen" in location:
            raise RuntimeError(f"inloggen als {username} mislukt ({status})")


# --- the journal (outside the database) ------------------------------------------------------------


class Journal:
    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.file = path.open("a", encoding="utf-8")

    def add(self, **record) -> None:
        with self.lock:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()
            os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


def read_journal(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- writers -------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = 0
        self.counts: dict[str, int] = {}

    def bump(self, key: str, by: int = 1) -> None:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + by


class Writer(threading.Thread):
    """Writes until `stop`; any connection fault (the server was killed) ends its cycle quietly."""

    def __init__(self, *, base, username, notes_on, instruments_on, journal, stats, stop, seed, date_counter):
        super().__init__(daemon=True)
        self.client = Client(base)
        self.username = username
        self.notes_on = notes_on
        self.instruments_on = instruments_on
        self.journal, self.stats, self.stop = journal, stats, stop
        self.rng = random.Random(seed)
        self.date_counter = date_counter
        self.logged_in = False
        self.error: str | None = None

    def set_base(self, base: str) -> None:
        self.client.base = base

    def run(self) -> None:
        try:
            if not self.logged_in:
                self.client.login(self.username)
                self.logged_in = True
            while not self.stop.is_set():
                if self.instruments_on and self.rng.random() < 0.35:
                    self.instruments_write(self.rng.choice(self.instruments_on))
                else:
                    self.note_write(self.rng.choice(self.notes_on))
        except (OSError, ConnectionError, urllib.error.URLError, http.client.HTTPException):
            self.stats.bump("connection_faults")
        except Exception as exc:  # an unexpected page: a finding, reported by the caller
            self.error = f"{self.username}: {exc!r}"

    def _post(self, path, fields, *, kind, trace, pk, **extra):
        self.journal.add(event="attempt", kind=kind, trace=trace, trajectory=pk, user=self.username, **extra)
        self.stats.bump(f"{kind}_attempted")
        headers = {"traceparent": f"00-{trace}-{secrets.token_hex(8)}-01"}
        with self.stats.lock:
            self.stats.in_flight += 1
        try:
            status, location, _ = self.client.request(path, fields, headers)
        finally:
            with self.stats.lock:
                self.stats.in_flight -= 1
        if status == 302 and location.rstrip("/").endswith(f"/trajecten/{pk}"):
            self.journal.add(event="ack", kind=kind, trace=trace, trajectory=pk, user=self.username, **extra)
            self.stats.bump(f"{kind}_acknowledged")
        else:
            self.stats.bump(f"{kind}_refused_{status}")

    def note_write(self, pk: int) -> None:
        path = f"/trajecten/{pk}/notitie/"
        status, _, html = self.client.request(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        trace = secrets.token_hex(16)
        marker = f"{MARK}{trace}"
        fields = with_values(post_form(html)["fields"], {"text": marker, "visibility": "lso"})
        self._post(path, fields, kind="note", trace=trace, pk=pk, marker=marker)

    def instruments_write(self, pk: int) -> None:
        path = f"/trajecten/{pk}/instrumenten/"
        status, _, html = self.client.request(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        form = post_form(html)
        names = [n for n, _ in form["fields"]]
        code = next(n for n in names if n not in ("csrfmiddlewaretoken", "version") and "__" not in n)
        version = int(dict(form["fields"])["version"])
        start = (BASE_DATE + dt.timedelta(days=next(self.date_counter))).isoformat()
        fields = with_values(form["fields"], {code: "ja", f"{code}__start": start, f"{code}__end": ""})
        trace = secrets.token_hex(16)
        self._post(path, fields, kind="instruments", trace=trace, pk=pk, code=code, start=start, version=version)


# --- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_alive(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def kill_group(process: subprocess.Popen) -> None:
    """kill -9 the process group (gunicorn master and workers, or the import) and wait until it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while group_alive(process.pid):
        if time.monotonic() > deadline:
            raise SystemExit(f"process group {process.pid} did not end: {group_alive(process.pid)}")
        time.sleep(0.05)


def run(args: list[str], env: dict, *, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if check and done.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def inspect(env: dict, mode: str, **params) -> dict:
    """Run this script's Django part (`--_inspect`) against the scratch database; returns its JSON."""
    done = run([sys.executable, __file__, "--_inspect", mode, "--_params", json.dumps(params)], env)
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    def __init__(self, env: dict, port: int, log: Path, workers: int):
        self.env, self.port, self.log, self.workers = env, port, log, workers
        self.base = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        started = time.monotonic()
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [LVV, "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 reaches master and workers
            )
        client = Client(self.base)
        while time.monotonic() - started < 90:
            if self.process.poll() is not None:
                raise SystemExit(f"lvv serve ended ({self.process.returncode}); see {self.log}")
            with contextlib.suppress(OSError, urllib.error.URLError, http.client.HTTPException):
                if client.request("/inloggen/", timeout=5)[0] == 200:
                    return time.monotonic() - started
            time.sleep(0.2)
        raise SystemExit(f"lvv serve did not answer within 90 s; see {self.log}")

    def kill9(self) -> None:
        kill_group(self.process)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                pass
            kill_group(self.process)


# --- the delivery file ---------------------------------------------------------------------------------


def make_delivery(path: Path, rows: int, seed: int, *, v_offset: int, taken: set[str], prefix: str = "FT") -> int:
    """`rows` new trajectories in the pilot municipalities (generator of monitor_bench.py), ids FT-…;
    the V-nummers moved by `v_offset` and past every one in `taken` (already in the registry)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import monitor_bench

    raw = path.with_suffix(".raw.csv")
    monitor_bench.generate_delivery(raw, n=int(rows * 1.8) + 100, seed=seed)
    with raw.open(newline="", encoding="utf-8") as f, path.open("w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        count, moved = 0, {}
        for row in reader:
            if row["gemeente"] not in PILOTS:
                continue
            row["traject_id"] = f"{prefix}-{row['traject_id']}"
            if row["persoon_id"]:
                row["persoon_id"] = prefix + row["persoon_id"]
            if row["v_nummer"]:
                if row["v_nummer"] not in moved:
                    value = int(row["v_nummer"]) + v_offset
                    while str(value) in taken:
                        value += 1_000_000
                    moved[row["v_nummer"]] = str(value)
                row["v_nummer"] = moved[row["v_nummer"]]
            writer.writerow(row)
            count += 1
            if count == rows:
                break
    raw.unlink()
    return count


# --- database-level probes -----------------------------------------------------------------------------


def write_transaction_open(backend: str, target: str) -> bool:
    if backend == "sqlite":
        con = sqlite3.connect(target, timeout=0, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
            raise
        finally:
            con.close()
    import psycopg

    with psycopg.connect(target, autocommit=True) as con:
        row = con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        ).fetchone()
    return row[0] > 0


def other_sessions(target: str) -> int:
    import psycopg

    with psycopg.connect(target, autocommit=True) as con:
        return con.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def integrity(backend: str, target: str) -> dict:
    if backend == "sqlite":
        con = sqlite3.connect(target)
        try:
            check = [r[0] for r in con.execute("PRAGMA integrity_check")]
            fks = con.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            con.close()
        fks = [list(r) for r in fks]
        return {"integrity_check": check, "foreign_key_check": fks, "ok": check == ["ok"] and not fks}
    import psycopg

    with psycopg.connect(target, autocommit=True) as con:
        con.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        indexes = con.execute(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE am.amname = 'btree' AND n.nspname = 'public' ORDER BY c.relname"
        ).fetchall()
        faults = []
        for oid, name in indexes:
            try:
                con.execute("SELECT bt_index_check(%s::regclass, true)", (oid,))
            except psycopg.Error as exc:
                faults.append(f"{name}: {exc}")
        fks = _pg_fk_orphans(con)
    return {"amcheck_indexes": len(indexes), "amcheck_faults": faults, "fk_orphans": fks, "ok": not faults and not fks}


def _pg_fk_orphans(con) -> list[str]:
    """Rows whose foreign key points nowhere (PostgreSQL enforces this itself; checked anyway)."""
    found = []
    rows = con.execute(
        "SELECT c.conrelid::regclass, a.attname, c.confrelid::regclass, af.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] "
        "JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE c.contype = 'f' AND n.nspname = 'public' AND array_length(c.conkey, 1) = 1"
    ).fetchall()
    for table, column, ref, ref_column in rows:
        count = con.execute(
            f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM {ref} r WHERE r."{ref_column}" = t."{column}")'
        ).fetchone()[0]
        if count:
            found.append(f"{table}.{column}: {count}")
    return found


# --- one backend -----------------------------------------------------------------------------------------


def run_backend(backend: str, opts, workdir: Path) -> tuple[dict, list[str]]:
    var = workdir / "var"
    var.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LVV_")}
    env.update(DJANGO_SETTINGS_MODULE="lvv.conf.settings", LVV_VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    if backend == "sqlite":
        target = str(var / "lvv.sqlite3")
        env["LVV_DATABASE_URL"] = f"sqlite:///{target}"
    else:
        target = opts.postgres
        env["LVV_DATABASE_URL"] = target
        recreate_pg(target)
    rng = random.Random(opts.seed)
    failures: list[str] = []
    summary: dict = {"backend": backend}
    t0 = time.monotonic()

    # 1. data and server
    if opts.data == "demo":
        run([LVV, "demo", "--no-serve"], env)
    else:
        run([LVV, "migrate"], env)
        base_file = workdir / "basis.csv"
        make_delivery(base_file, 400, opts.seed + 100, v_offset=2_000_000_000, taken=set(), prefix="FB")
        run([LVV, "import", str(base_file)], env)
        inspect(env, "seed", users=list(MINIMAL_USERS))
    summary["setup_seconds"] = round(time.monotonic() - t0, 1)
    users = list(WRITER_USERS if opts.data == "demo" else MINIMAL_USERS)[: opts.writers]
    plan = inspect(env, "plan", users=users)
    journal_path = workdir / "journal.jsonl"
    journal = Journal(journal_path)
    stats = Stats()
    server = Server(env, free_port(), workdir / "serve.log", opts.workers)
    date_counter = iter(range(10**6))
    counter_lock = threading.Lock()

    def next_day():
        while True:
            with counter_lock:
                value = next(date_counter)
            yield value

    shared_days = next_day()
    writers_spec = [
        dict(username=u, notes_on=plan[u]["notes"], instruments_on=plan[u]["instruments"], seed=opts.seed * 100 + i)
        for i, u in enumerate(users)
    ]
    logged_in: dict[str, Client] = {}

    # 2. write cycles with kill -9
    cycles = []
    try:
        for cycle in range(1, opts.cycles + 1):
            startup = server.start()
            stop = threading.Event()
            writers = []
            for spec in writers_spec:
                w = Writer(base=server.base, journal=journal, stats=stats, stop=stop, date_counter=shared_days, **spec)
                if spec["username"] in logged_in:  # keep the session (and its cookies) over restarts
                    w.client, w.logged_in = logged_in[spec["username"]], True
                    w.client.base = server.base
                writers.append(w)
            before = dict(stats.counts)
            for w in writers:
                w.start()
            run_for = rng.uniform(opts.min_run, opts.max_run)
            time.sleep(run_for)
            # kill while writes are in flight (wait up to 2 s for a moment with one in flight)
            deadline = time.monotonic() + 2
            while stats.in_flight == 0 and time.monotonic() < deadline:
                time.sleep(0.001)
            in_flight = stats.in_flight
            server.kill9()
            stop.set()
            for w in writers:
                w.join(60)
                if w.error:
                    failures.append(f"cycle {cycle}: writer fault {w.error}")
                if w.logged_in:
                    logged_in[w.username] = w.client
            delta = {k: v - before.get(k, 0) for k, v in stats.counts.items() if v - before.get(k, 0)}
            cycles.append(
                {
                    "cycle": cycle,
                    "startup_s": round(startup, 1),
                    "killed_after_s": round(run_for, 2),
                    "in_flight_at_kill": in_flight,
                    **delta,
                }
            )
            print(f"[{backend}] cycle {cycle}: {cycles[-1]}", flush=True)
    finally:
        journal.close()
        if server.process and server.process.poll() is None:
            server.kill9()
    summary["cycles"] = cycles

    # 3. kill -9 during an import
    delivery = workdir / "aanlevering.csv"
    taken = set(inspect(env, "v_numbers")["v_numbers"])
    rows = make_delivery(delivery, opts.import_rows, opts.seed, v_offset=4_000_000_000, taken=taken)
    dry = run([LVV, "import", "--controleer", str(delivery)], env, check=False)
    if dry.returncode:
        failures.append(f"import file has faults: {dry.stderr[-500:]}")
    counts_before = inspect(env, "counts")
    started = time.monotonic()
    importer = subprocess.Popen(
        [LVV, "import", str(delivery)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    write_seen = None
    while importer.poll() is None:
        if write_transaction_open(backend, target):
            if write_seen is None:
                write_seen = time.monotonic()
        else:
            write_seen = None  # must be one transaction held open, not short ones
        if write_seen is not None and time.monotonic() - write_seen > 0.25:
            break
        time.sleep(0.05)
    import_summary: dict = {"rows": rows}
    if importer.poll() is not None:
        failures.append("the import ended before it could be killed (use more --import-rows)")
    else:
        delay = rng.uniform(0.3, 2.0)
        time.sleep(max(0.0, delay - 0.25))
        still_open = write_transaction_open(backend, target)
        if importer.poll() is not None:
            failures.append("the import ended before it could be killed (use more --import-rows)")
        kill_group(importer)
        import_summary.update(
            killed_after_s=round(time.monotonic() - started, 2),
            write_transaction_open_s=round(time.monotonic() - write_seen, 2),
            write_transaction_open_at_kill=still_open,
        )
    if backend == "postgres":  # the server rolls the orphaned transaction back; wait for that session to end
        deadline = time.monotonic() + 120
        while other_sessions(target) and time.monotonic() < deadline:
            time.sleep(0.2)
    counts_after_kill = inspect(env, "counts")
    import_summary["rows_present_after_kill"] = counts_after_kill["ft_trajectories"]
    if counts_after_kill != counts_before:
        diff = {k: (v, counts_after_kill[k]) for k, v in counts_before.items() if v != counts_after_kill[k]}
        failures.append(f"half import: counts changed after the killed import: {diff}")
    full_start = time.monotonic()
    done = run([LVV, "import", str(delivery)], env)
    import_summary["full_import_s"] = round(time.monotonic() - full_start, 1)
    import_summary["full_import_output"] = done.stdout.strip()
    counts_full = inspect(env, "counts")
    import_summary["rows_present_after_full"] = counts_full["ft_trajectories"]
    import_summary["distinct_ids_after_full"] = counts_full["ft_distinct"]
    if counts_full["ft_trajectories"] != rows or counts_full["ft_distinct"] != rows:
        found, distinct = counts_full["ft_trajectories"], counts_full["ft_distinct"]
        failures.append(f"full import: {found} rows ({distinct} distinct), not {rows}")
    if counts_full["trajectories"] != counts_before["trajectories"] + rows:
        failures.append("full import: trajectory total is not before + rows")
    summary["import"] = import_summary
    print(f"[{backend}] import: {import_summary}", flush=True)

    # 4. final restart and the checks
    server.start()
    client = Client(server.base)
    client.login(users[0])
    status = client.request(f"/trajecten/{plan[users[0]]['notes'][0]}/")[0]
    server.stop()
    if status != 200:
        failures.append(f"after the final restart the trajectory page answers {status}")
    verdict = inspect(env, "verify", journal=str(journal_path))
    failures += verdict.pop("failures")
    summary["verify"] = verdict
    audit = run([LVV, "audit-verify"], env, check=False)
    summary["audit_verify"] = {"exit": audit.returncode, "output": (audit.stdout + audit.stderr).strip()[-600:]}
    if audit.returncode:
        failures.append("lvv audit-verify is not clean")
    summary["integrity"] = integrity(backend, target)
    if not summary["integrity"]["ok"]:
        failures.append(f"integrity check not clean: {summary['integrity']}")
    summary["total_seconds"] = round(time.monotonic() - t0, 1)
    summary["failures"] = failures
    return summary, failures


def recreate_pg(url: str) -> None:
    import psycopg

    name = urllib.parse.urlparse(url).path.lstrip("/")
    if name in ("test", "postgres", "template0", "template1", ""):
        raise SystemExit(f"refusing to drop database {name!r}")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')


def drop_pg(url: str) -> None:
    import psycopg

    name = urllib.parse.urlparse(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the Django side (run in a subprocess against the scratch database) ----------------------------------


def _django_inspect(mode: str, params: dict) -> dict:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from lvv.accounts import access
    from lvv.accounts.models import Organisation, OrganisationType, User
    from lvv.audit.models import AccessLogEntry
    from lvv.people.models import Person
    from lvv.trajectories.models import InstrumentUse, Note, TimelineEvent, Trajectory
    from lvv.trajectories.selectors import trajectory_scope

    if mode == "seed":
        password = make_password(PASSWORD)
        for username in params["users"]:
            city = username.split(".", 1)[1].capitalize()
            org = Organisation.objects.get(type=OrganisationType.GEMEENTE, municipality__name=city)
            User.objects.create(username=username, organisation=org, password=password)
        return {"users": len(params["users"])}

    if mode == "plan":
        plan, taken = {}, set()
        for username in params["users"]:
            user = User.objects.get(username=username)
            open_ones = trajectory_scope(user).filter(admission_date__isnull=False, outflow_date__isnull=True)
            ids = [
                t.pk
                for t in open_ones.select_related("municipality").order_by("pk")[:200]
                if access.can(user, access.Action.NOTE, t) and access.can(user, access.Action.INSTRUMENTS, t)
            ]
            own = [pk for pk in ids if pk not in taken][:2]
            taken.update(own)
            plan[username] = {"notes": ids[:12], "instruments": own}
            if not ids:
                raise SystemExit(f"no trajectory for {username} to write to")
        return plan

    if mode == "v_numbers":
        return {"v_numbers": list(Person.objects.exclude(v_number="").values_list("v_number", flat=True))}

    if mode == "counts":
        ft = Trajectory.objects.filter(external_id__startswith="FT-")
        return {
            "trajectories": Trajectory.objects.count(),
            "persons": Person.objects.count(),
            "events": TimelineEvent.objects.count(),
            "instrument_uses": InstrumentUse.objects.count(),
            "access_log": AccessLogEntry.objects.count(),
            "ft_trajectories": ft.count(),
            "ft_distinct": ft.values("municipality_id", "external_id").distinct().count(),
        }

    assert mode == "verify"
    journal = read_journal(Path(params["journal"]))
    failures: list[str] = []
    attempts = [r for r in journal if r["event"] == "attempt"]
    acks = {r["trace"] for r in journal if r["event"] == "ack"}
    by_trace = {r["trace"]: r for r in attempts}
    traces = list(by_trace)
    involved = Trajectory.objects.filter(pk__in={r["trajectory"] for r in attempts})
    person_of = dict(involved.values_list("pk", "person_id"))

    # the access log rows of our POSTs, by trace id (one request = one trace id)
    audit: dict[str, list] = {}
    for start in range(0, len(traces), 500):
        for row in AccessLogEntry.objects.filter(trace_id__in=traces[start : start + 500]).values(
            "trace_id", "action", "view_name", "person_id", "path"
        ):
            audit.setdefault(row["trace_id"], []).append(row)

    def audit_ok(trace: str) -> bool:
        rows = audit.get(trace, [])
        r = by_trace[trace]
        view = NOTE_VIEW if r["kind"] == "note" else INSTRUMENTS_VIEW
        return (
            len(rows) == 1
            and rows[0]["action"] == "wijzigen"
            and rows[0]["view_name"] == view
            and rows[0]["person_id"] == person_of[r["trajectory"]]
        )

    # notes: every marker note in the database, by its marker
    notes: dict[str, list] = {}
    # every note, filtered here: the note text may be encrypted in the database (no lookups on it)
    for text, trajectory_id in Note.objects.values_list("text", "trajectory_id").iterator():
        if text.startswith(MARK):
            notes.setdefault(text, []).append((1, trajectory_id))
    note_attempts = [r for r in attempts if r["kind"] == "note"]
    result = {"notes": {}, "instruments": {}}
    n = result["notes"]
    n["attempted"] = len(note_attempts)
    n["acknowledged"] = len([r for r in note_attempts if r["trace"] in acks])
    n["in_database"] = sum(c for rows in notes.values() for c, _ in rows)
    n["acknowledged_found_once"] = 0
    n["unacknowledged_committed"] = 0
    n["duplicates"] = 0
    n["audit_rows_matched"] = 0
    n["logged_attempts_without_note"] = 0
    for text, rows in notes.items():
        trace = text[len(MARK) :]
        total = sum(c for c, _ in rows)
        if total > 1:
            n["duplicates"] += total - 1
            failures.append(f"note {trace} is there {total} times")
        if trace not in by_trace:
            failures.append(f"note {trace} was never attempted")
            continue
        if rows[0][1] != by_trace[trace]["trajectory"]:
            failures.append(f"note {trace} is on trajectory {rows[0][1]}, not {by_trace[trace]['trajectory']}")
        if trace in acks:
            n["acknowledged_found_once"] += total == 1
        else:
            n["unacknowledged_committed"] += 1
        if audit_ok(trace):
            n["audit_rows_matched"] += 1
        else:
            failures.append(f"note {trace}: access log rows {audit.get(trace)}")
    for r in note_attempts:
        if r["marker"] not in notes:
            if r["trace"] in acks:
                failures.append(f"acknowledged note {r['trace']} is missing")
            elif audit.get(r["trace"]):
                n["logged_attempts_without_note"] += 1  # logged, then killed before the note committed
            if len(audit.get(r["trace"], [])) > 1:
                failures.append(f"attempt {r['trace']}: {len(audit[r['trace']])} access log rows")

    # instruments: per trajectory the version steps made by our writes
    ins = result["instruments"]
    inst_attempts = [r for r in attempts if r["kind"] == "instruments"]
    ins["attempted"] = len(inst_attempts)
    ins["acknowledged"] = len([r for r in inst_attempts if r["trace"] in acks])
    ins["committed_steps"] = ins["audit_rows_matched"] = ins["unacknowledged_committed"] = 0
    ins["logged_attempts_without_change"] = 0
    per_trajectory: dict[int, list] = {}
    for r in inst_attempts:
        per_trajectory.setdefault(r["trajectory"], []).append(r)
    for pk, rows in per_trajectory.items():
        t = Trajectory.objects.get(pk=pk)
        use = InstrumentUse.objects.filter(trajectory_id=pk, instrument_id=rows[0]["code"]).first()
        first = min(r["version"] for r in rows)
        acked = [r for r in rows if r["trace"] in acks]
        if acked and t.version < max(r["version"] for r in acked) + 1:
            failures.append(f"trajectory {pk}: version {t.version} lost an acknowledged write")
        # the write that made version v+1 is the last attempt that posted v (one writer per trajectory)
        makers = {}
        for r in rows:
            makers[r["version"]] = r
        committed = {makers[v]["trace"] for v in range(first, t.version) if v in makers}
        if t.version > first and any(v not in makers for v in range(first, t.version)):
            failures.append(f"trajectory {pk}: version steps {first}..{t.version} not all made by this test")
        if t.version > first:
            last = makers.get(t.version - 1)
            if last is None or use is None or use.start_date.isoformat() != last["start"] or use.value != "ja":
                state = use and (use.value, use.start_date)
                failures.append(f"trajectory {pk}: state {state} is not that of version {t.version}")
        for r in rows:
            if r["trace"] in committed:
                ins["committed_steps"] += 1
                ins["unacknowledged_committed"] += r["trace"] not in acks
                if audit_ok(r["trace"]):
                    ins["audit_rows_matched"] += 1
                else:
                    failures.append(f"instruments {r['trace']}: access log rows {audit.get(r['trace'])}")
            else:
                if r["trace"] in acks:
                    failures.append(f"acknowledged instruments write {r['trace']} is not in the version history")
                if audit.get(r["trace"]):
                    ins["logged_attempts_without_change"] += 1
                if len(audit.get(r["trace"], [])) > 1:
                    failures.append(f"attempt {r['trace']}: {len(audit[r['trace']])} access log rows")
    result["failures"] = failures
    return result


# --- main ----------------------------------------------------------------------------------------------


def print_summary(s: dict) -> None:
    v = s["verify"]
    print(f"\n=== {s['backend']} ({s['total_seconds']} s; setup {s['setup_seconds']} s) ===")
    for c in s["cycles"]:
        print(
            f"  cycle {c['cycle']}: killed after {c['killed_after_s']} s, in flight {c['in_flight_at_kill']}, "
            f"notes {c.get('note_acknowledged', 0)}/{c.get('note_attempted', 0)} ack, "
            f"instruments {c.get('instruments_acknowledged', 0)}/{c.get('instruments_attempted', 0)} ack"
        )
    for kind in ("notes", "instruments"):
        print(f"  {kind}: {json.dumps(v[kind])}")
    i = s["import"]
    print(
        f"  import: {i['rows']} rows, killed after {i.get('killed_after_s')} s "
        f"(write transaction open {i.get('write_transaction_open_s')} s), rows present after kill "
        f"{i['rows_present_after_kill']}; full re-run {i['full_import_s']} s: {i['rows_present_after_full']} rows "
        f"({i['distinct_ids_after_full']} distinct)"
    )
    print(f"  audit-verify: exit {s['audit_verify']['exit']}: {s['audit_verify']['output'].splitlines()[-1:]}")
    print(f"  integrity: {json.dumps(s['integrity'])}")
    print(f"  failures: {s['failures'] or 'none'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--cycles", type=int, default=4)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-run", type=float, default=3.0)
    parser.add_argument("--max-run", type=float, default=8.0)
    parser.add_argument("--import-rows", type=int, default=40000)
    parser.add_argument("--data", choices=("demo", "minimal"), default="demo")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="write the summaries to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (and PostgreSQL database)")
    parser.add_argument("--_inspect", help=argparse.SUPPRESS)
    parser.add_argument("--_params", default="{}", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts._inspect:
        print(json.dumps(_django_inspect(opts._inspect, json.loads(opts._params))))
        return 0
    if urllib.parse.urlparse(opts.postgres).path.lstrip("/") == "test":
        raise SystemExit("never the database `test`")

    backends = ["sqlite", "postgres"] if opts.backend == "both" else [opts.backend]
    summaries, failed = [], False
    for backend in backends:
        workdir = Path(tempfile.mkdtemp(prefix=f"lvv-fault-{backend}-"))
        try:
            summary, failures = run_backend(backend, opts, workdir)
            summaries.append(summary)
            failed |= bool(failures)
            print_summary(summary)
        finally:
            if opts.keep:
                print(f"kept: {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
                if backend == "postgres":
                    drop_pg(opts.postgres)
    if opts.json:
        Path(opts.json).write_text(json.dumps(summaries, indent=2), encoding="utf-8")
    print("\nFAILED" if failed else "\nALL CHECKS PASSED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
