"""Load test of the web application (issue 7 §5). Not a test of the suite: it measures.

    .venv/bin/pip install -e '.[bench]'        # locust
    .venv/bin/python benchmarks/load_test.py [--users 200] [--run-time 10m] [--out /tmp/lvv-load]

On a PostgreSQL database of its own (`--database`, default
postgresql://postgres@127.0.0.1:5432/lvv_load — DROPPED and created again; never point it at a
database in use, the script refuses `test`, `lvv` and `postgres`):

1. `lvv demo --no-serve`: migrate and the demo data (users of every role, NGOs, LSO meetings, about
   1,200 trajectories registered through the services, with consents, so NGOs and chain partners
   have something to see).
2. A national-size registry on top: the synthetic delivery of benchmarks/monitor_bench.py (`--n`
   trajectories, default 100,000, over the 5 pilot and 15 more municipalities, which are added to
   this database), imported with `lvv import`, plus a capacity file for the 15 added municipalities.
3. One account per simulated user (`load.<demo user>.<n>`, same organisation and password as the demo
   user it copies; the roles with a second factor get their own TOTP key), written to users.json.
4. `lvv serve` (gunicorn, gthread, 4 threads per worker) on 127.0.0.1 with `--workers` (default 3
   for 2 cores), then locust headless (benchmarks/load/locustfile.py) with `--users`, `--spawn-rate`
   and `--run-time`, think time `--think-min`–`--think-max` seconds between pages (default 3–10 s).
   The mix of users: 70 municipal case workers, 25 LSO chairs, 50 NGO workers, 40 chain-partner
   workers (IND, DT&V, AVIM) and 15 programmabureau users (the `fixed_count` in the locustfile).
5. Afterwards the writes are counted in the database: every guidance note whose saving the server
   acknowledged must be there exactly once, on its trajectory, by its author; no note of the run may
   exist that was not attempted; the number of "notitie" timeline events must equal the notes found.
   A note found but not acknowledged is one still in flight when locust stopped its users.
6. The report: per page type the number of requests, failures and p50/p95/p99 (exact, from every
   response time, not locust's rounded buckets), overall with and without the login steps; the load
   average during the run; the writes check. Then the server is stopped and the database dropped
   (`--keep` keeps it; `--reuse` skips steps 1–3 on a database kept earlier, with the same `--out`:
   the keys of that database are in <out>/var; `--analyse` only counts and reports again).

Variants: `--without-monitor` (the programmabureau's users become case workers, no monitor pages),
`--without-signals` (no signals dashboard), `--users`, `--run-time`, `--workers`, `--think-min/max`.
Two-factor roles log in with a real TOTP code; LVV_TWO_FACTOR_REQUIRED is not switched off.

Files in `--out`: users.json, server.log (gunicorn's access log), locust_stats.csv and friends,
results.json (every request and every write), report.md. The figures are recorded in
docs/performance.md ("Belastingtest").
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LVV = str(BIN / "lvv")
LOCUST = str(BIN / "locust")
LOCUSTFILE = ROOT / "benchmarks" / "load" / "locustfile.py"
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/lvv_load"

#: Accounts per group: {group: [(demo user to copy, number of accounts)]}. Keep the totals at or
#: above the `fixed_count` of the user classes in the locustfile (accounts are handed out in turn).
ACCOUNTS = {
    "gemeente": [
        ("gemeente.amsterdam", 30),
        ("gemeente.rotterdam", 15),
        ("gemeente.utrecht", 15),
        ("gemeente.groningen", 15),
        ("gemeente.eindhoven", 10),
    ],
    "voorzitter": [
        ("voorzitter.amsterdam", 5),
        ("voorzitter.rotterdam", 5),
        ("voorzitter.utrecht", 5),
        ("voorzitter.groningen", 5),
        ("voorzitter.eindhoven", 5),
    ],
    "ngo": [
        ("ngo.amsterdam", 10),
        ("ngo2.amsterdam", 5),
        ("ngo.rotterdam", 8),
        ("ngo.utrecht", 8),
        ("ngo.groningen", 7),
        ("ngo2.groningen", 4),
        ("ngo.eindhoven", 8),
    ],
    "keten": [("ind", 14), ("dtv", 13), ("avim", 13)],
    "programmabureau": [("programmabureau", 15)],
}
LOGIN_STEPS = {"inloggen (formulier)", "inloggen (versturen)", "tweede stap (formulier)", "tweede stap (versturen)"}


# --- steps that run inside Django (a child process: `--step NAME`) -------------------------------


def step_prepare(workdir: Path, n: int, seed: int) -> dict:
    """The 15 extra municipalities, the delivery and the capacity file (monitor_bench's generator)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import monitor_bench

    monitor_bench.add_municipalities()
    counts = monitor_bench.generate_delivery(workdir / "aanlevering.csv", n=n, seed=seed)
    monitor_bench.generate_capacity(workdir / "capaciteit_alle.csv", seed=seed)
    # The pilot municipalities keep the capacity of the demo data; the file adds the other 15.
    lines = (workdir / "capaciteit_alle.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    pilots = tuple(f"{m}," for m in monitor_bench.PILOTS)
    (workdir / "capaciteit.csv").write_text(
        "".join(line for line in lines if not line.startswith(pilots)), encoding="utf-8"
    )
    return counts


def step_users(workdir: Path, password: str) -> dict:
    """One account per simulated user, a copy of a demo user (organisation, chair, password)."""
    from django.db import connection, transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lvv.accounts.models import User
    from lvv.accounts.security import has_two_factor_role

    result: dict[str, list[dict]] = {}
    with transaction.atomic():
        for group, bases in ACCOUNTS.items():
            result[group] = []
            for base_name, count in bases:
                base = User.objects.select_related("organisation").get(username=base_name)
                for i in range(1, count + 1):
                    user = User.objects.create(
                        username=f"load.{base_name}.{i}",
                        password=base.password,
                        first_name=base.first_name,
                        last_name=f"{base.last_name} {i}",
                        email=f"load.{base_name}.{i}@demo.invalid",
                        organisation=base.organisation,
                        is_lso_chair=base.is_lso_chair,
                        is_functional_admin=False,
                    )
                    account = {"username": user.username, "password": password, "totp_key": ""}
                    if has_two_factor_role(user):
                        account["totp_key"] = secrets.token_hex(20)
                        TOTPDevice.objects.create(
                            user=user, name="Belastingtest", key=account["totp_key"], confirmed=True
                        )
                    result[group].append(account)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    (workdir / "users.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return {group: len(accounts) for group, accounts in result.items()}


def step_check(results_path: Path) -> dict:
    """Count the notes of this run in the database against what the clients recorded."""
    from collections import Counter

    from lvv.trajectories.models import Note, TimelineEvent

    results = json.loads(results_path.read_text(encoding="utf-8"))
    run_id = results["run_id"]
    # A write is (marker, trajectory); the marker names the simulated user, the account and a number.
    acknowledged = Counter((w["marker"], w["trajectory"]) for w in results["acknowledged"])
    attempted = Counter((w["marker"], w["trajectory"]) for w in results.get("attempted", results["acknowledged"]))
    prefix = f"Belastingtest LT-{run_id}-"
    # Note.text is encrypted in the database: select the load accounts' notes, compare in Python.
    notes = [
        n
        for n in Note.objects.filter(author__username__startswith="load.").values(
            "id", "text", "trajectory_id", "author__username", "created_at"
        )
        if n["text"].startswith(prefix)
    ]
    found = Counter((n["text"][len("Belastingtest ") :].split(":", 1)[0], n["trajectory_id"]) for n in notes)
    wrong_author = [n["id"] for n in notes if f"-{n['author__username']}-" not in n["text"]]
    events = 0
    if notes:  # the notes' timeline events: one per note, by the load accounts, since the run's first note
        since = min(n["created_at"] for n in notes)
        events = TimelineEvent.objects.filter(
            kind="notitie", actor__username__startswith="load.", at__gte=since
        ).count()
    return {
        "attempted": sum(attempted.values()),
        "acknowledged": sum(acknowledged.values()),
        "notes_found": len(notes),
        "missing": sorted(f"{m} @{t}" for (m, t), c in acknowledged.items() if found[(m, t)] < c),
        "duplicated": sorted(f"{m} @{t}" for (m, t), c in found.items() if c > attempted[(m, t)]),
        "wrong_author": wrong_author,
        "unexpected": sorted(f"{m} @{t}" for (m, t) in found if (m, t) not in attempted),
        "found_although_not_acknowledged": sorted(
            f"{m} @{t}" for (m, t), c in found.items() if c > acknowledged[(m, t)] and (m, t) in attempted
        ),
        "note_timeline_events_of_load_users": events,
    }


# --- the driver ----------------------------------------------------------------------------------


def _env(database: str, var_dir: Path) -> dict:
    return dict(
        os.environ,
        LVV_DATABASE_URL=database,
        LVV_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="lvv.conf.settings",
    )


def _run(args: list[str], env: dict, label: str) -> str:
    start = time.perf_counter()
    process = subprocess.run(args, env=env, capture_output=True, text=True)
    if process.returncode:
        raise SystemExit(f"{label} failed ({process.returncode}):\n{process.stdout[-3000:]}\n{process.stderr[-3000:]}")
    print(f"  {label}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return process.stdout


def _child(step: str, env: dict, *extra: str) -> dict:
    out = _run([sys.executable, __file__, "--step", step, *extra], env, f"step {step}")
    return json.loads(out.strip().splitlines()[-1])


def _recreate_database(url: str, *, drop_only: bool = False) -> None:
    import dj_database_url

    config = dj_database_url.parse(url)
    common = ["-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432), "-U", config["USER"]]
    subprocess.run(["dropdb", *common, "--if-exists", config["NAME"]], check=True)
    if not drop_only:
        subprocess.run(["createdb", *common, config["NAME"]], check=True)


def _wait_for_server(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"lvv serve stopped ({server.returncode}); see server.log")
        try:
            with urllib.request.urlopen(f"{base}/inloggen/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("lvv serve did not answer within 2 minutes")


class LoadSampler(threading.Thread):
    """The 1-minute load average and the CPU time of the server's processes, every 10 seconds."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(10):
            self.samples.append((time.time(), os.getloadavg()[0]))

    def server_cpu_seconds(self) -> float:
        import psutil

        try:
            root = psutil.Process(self.server_pid)
            processes = [root, *root.children(recursive=True)]
            return sum(p.cpu_times().user + p.cpu_times().system for p in processes)
        except psutil.Error:
            return float("nan")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (as locust reports it, but exact)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarise(results: dict) -> list[dict]:
    by_name: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    for name, ms, ok in results["requests"]:
        by_name[name].append(ms)
        failures[name] += 0 if ok else 1
    rows = []
    for name in sorted(by_name, key=lambda n: (n in LOGIN_STEPS, -len(by_name[n]))):
        rows.append(_row(name, by_name[name], failures[name]))
    pages = [ms for name, ms, _ in results["requests"] if name not in LOGIN_STEPS]
    page_failures = sum(1 for name, _, ok in results["requests"] if name not in LOGIN_STEPS and not ok)
    rows.append(_row("alle pagina's (zonder inloggen)", pages, page_failures))
    everything = [ms for _, ms, _ in results["requests"]]
    rows.append(_row("alles (met inloggen)", everything, sum(1 for *_, ok in results["requests"] if not ok)))
    rest = [
        (ms, ok) for name, ms, ok in results["requests"] if name not in LOGIN_STEPS and not name.startswith("monitor")
    ]
    rows.append(_row("pagina's zonder monitor en inloggen", [ms for ms, _ in rest], sum(1 for _, ok in rest if not ok)))
    return rows


def _row(name: str, values: list[float], failures: int) -> dict:
    return {
        "name": name,
        "requests": len(values),
        "failures": failures,
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else float("nan"),
    }


def report(rows: list[dict], meta: dict, check: dict) -> str:
    lines = [
        f"Belastingtest {meta['started']} – {meta['users']} gebruikers, {meta['run_time']}, denktijd "
        f"{meta['think']} s, {meta['workers']} workers × 4 threads, registry {meta['trajectories']} trajecten"
        + ("" if meta["monitor"] else ", zonder monitor")
        + ("" if meta.get("signals", True) else ", zonder signalenpagina"),
        "",
        "| paginatype | verzoeken | fouten | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['requests']} | {r['failures']} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['p99']:.0f} | {r['max']:.0f} |"
        )
    lines += [
        "",
        f"load average (1 min) during the run: min {meta['load_min']:.1f}, mean {meta['load_mean']:.1f}, "
        f"max {meta['load_max']:.1f}; server CPU time {meta['server_cpu_seconds']:.0f} s over "
        f"{meta['seconds']:.0f} s",
        f"writes: {json.dumps(check)}",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="scratch PostgreSQL database (dropped!)")
    parser.add_argument("--n", type=int, default=100_000, help="trajectories in the national registry (100000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started per second (2)")
    parser.add_argument("--run-time", default="10m")
    parser.add_argument("--think-min", type=float, default=3)
    parser.add_argument("--think-max", type=float, default=10)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3: for 2 cores)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", default="/tmp/lvv-load", help="folder for users.json, logs and results")
    parser.add_argument(
        "--without-monitor",
        action="store_true",
        help="no monitor pages (the programmabureau's users become case workers)",
    )
    parser.add_argument("--without-signals", action="store_true", help="no signals dashboard (/signalen/)")
    parser.add_argument("--reuse", action="store_true", help="skip the setup: use the database kept by --keep")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--analyse", action="store_true", help="only count the writes and report (on --out)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--arg", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = Path(args.out)

    if args.step:  # a child process inside Django
        import django

        django.setup()
        if args.step == "prepare":
            result = step_prepare(out, args.n, args.seed)
        elif args.step == "users":
            from lvv.demo.data import demo_password

            result = step_users(out, demo_password())
        else:
            result = step_check(Path(args.arg[0]))
        print(json.dumps(result))
        return 0

    name = args.database.rstrip("/").rsplit("/", 1)[-1]
    if name in ("test", "lvv", "postgres"):
        raise SystemExit("refusing to drop that database: give a scratch database such as lvv_load")
    out.mkdir(parents=True, exist_ok=True)
    env = _env(args.database, out / "var")
    if args.analyse:
        return analyse(out, env, keep=args.keep, database=args.database)
    meta: dict = {"trajectories": "?"}
    if not args.reuse:
        print("setup …", file=sys.stderr)
        _recreate_database(args.database)
        _run([LVV, "demo", "--no-serve"], env, "lvv demo --no-serve")
        counts = _child("prepare", env, "--out", str(out), "--n", str(args.n), "--seed", str(args.seed))
        _run([LVV, "import", str(out / "capaciteit.csv")], env, "lvv import capaciteit.csv")
        print(
            "  " + _run([LVV, "import", str(out / "aanlevering.csv")], env, "lvv import aanlevering.csv").strip(),
            file=sys.stderr,
        )
        print(f"  accounts: {_child('users', env, '--out', str(out))}", file=sys.stderr)
        (out / "registry.json").write_text(json.dumps(counts))
    meta["trajectories"] = json.loads((out / "registry.json").read_text()).get("rows", "?")
    if args.reuse:  # the code may have gained migrations since the database was kept
        _run([LVV, "migrate"], env, "lvv migrate")

    base = f"http://127.0.0.1:{args.port}"
    run_id = uuid.uuid4().hex[:8]
    results_path = out / "results.json"
    results_path.unlink(missing_ok=True)
    with open(out / "server.log", "w") as log:
        server = subprocess.Popen(
            [LVV, "serve", "--host", "127.0.0.1", "--port", str(args.port), "--workers", str(args.workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    sampler = None
    try:
        _wait_for_server(base, server)
        sampler = LoadSampler(server.pid)
        cpu_before = sampler.server_cpu_seconds()
        sampler.start()
        started = time.time()
        meta["started"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
        print(f"locust: {args.users} users, {args.run_time} (run {run_id}) …", file=sys.stderr, flush=True)
        locust_env = dict(
            env,
            LVV_LOAD_USERS=str(out / "users.json"),
            LVV_LOAD_RESULTS=str(results_path),
            LVV_LOAD_RUN_ID=run_id,
            LVV_LOAD_TOTAL=str(args.users),
            LVV_LOAD_MONITOR="0" if args.without_monitor else "1",
            LVV_LOAD_SIGNALS="0" if args.without_signals else "1",
            LVV_LOAD_THINK_MIN=str(args.think_min),
            LVV_LOAD_THINK_MAX=str(args.think_max),
        )
        locust = subprocess.run(
            [
                LOCUST,
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                base,
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                args.run_time,
                "--stop-timeout",
                "30",
                "--csv",
                str(out / "locust"),
                "--only-summary",
            ],
            env=locust_env,
            capture_output=True,
            text=True,
        )
        (out / "locust.log").write_text(locust.stdout + locust.stderr)
        meta["seconds"] = time.time() - started
        sampler.stop.set()
        meta["server_cpu_seconds"] = sampler.server_cpu_seconds() - cpu_before
    finally:
        server.send_signal(signal.SIGTERM)  # gunicorn's master: a graceful stop of its workers
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if not results_path.exists():
        print((out / "locust.log").read_text()[-5000:], file=sys.stderr)
        raise SystemExit("locust wrote no results")

    loads = [load for _, load in sampler.samples] or [float("nan")]
    meta.update(
        users=args.users,
        monitor=not args.without_monitor,
        signals=not args.without_signals,
        run_time=args.run_time,
        think=f"{args.think_min:g}–{args.think_max:g}",
        workers=args.workers,
        load_min=min(loads),
        load_mean=sum(loads) / len(loads),
        load_max=max(loads),
    )
    (out / "meta.json").write_text(json.dumps(meta))
    return analyse(out, env, keep=args.keep, database=args.database)


def analyse(out: Path, env: dict, *, keep: bool, database: str) -> int:
    """Count the writes and write the report (also on its own: --analyse, on a kept database)."""
    results_path = out / "results.json"
    results = json.loads(results_path.read_text())
    meta = json.loads((out / "meta.json").read_text())
    check = _child("check", env, "--arg", str(results_path))
    (out / "check.json").write_text(json.dumps(check, indent=1))
    text = report(summarise(results), meta, check)
    (out / "report.md").write_text(text + "\n")
    print(text)
    if not keep:
        _recreate_database(database, drop_only=True)
    ok = not (check["missing"] or check["duplicated"] or check["unexpected"] or check["wrong_author"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
