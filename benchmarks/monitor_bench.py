"""Benchmark of the national monitor and the delivery import (issue 5 §7). Not a test: it measures.

    .venv/bin/python benchmarks/monitor_bench.py [--n 100000] [--postgres postgresql://postgres@127.0.0.1:5432/lvv_bench]

What it does, on a scratch database of its own (a temporary SQLite file; with --postgres also that
PostgreSQL database, which is dropped and created again — never point it at a database in use):

1. `lvv migrate` (the reference data: 5 pilot municipalities), then 15 more municipalities added to
   this scratch database only, and a capacity file imported for all 20.
2. A synthetic national registry in the uniform delivery format v1: `--n` trajectories over 10
   years (2016-2025) and 20 municipalities, with re-entries, persons without a V-nummer, persons in
   two municipalities, deaths, perspectives, decisions and instruments. Deterministic (`--seed`).
3. Timed: `lvv import` of that file (and once more: the re-import that changes nothing), `lvv
   monitor` for one peildatum on both bases (the whole command, as a user runs it, and the
   `monitor_report` call inside an already started process), and a quarterly series of 40
   peildata (`monitor_series`, and 40 separate `monitor_report` calls for comparison).
4. The floor of each: a hand-written SQL aggregate doing the minimal work on the same database
   (for the import: reading the CSV and inserting its rows as they are into a bare table). Every
   figure is also given as a ratio to its floor.

Peak memory is the peak resident set size (resource.getrusage / os.wait4) of the `lvv` process of
that step; for the in-process steps the peak of the measuring process so far.
The figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LVV = str(Path(sys.executable).with_name("lvv"))

EXTRA_MUNICIPALITIES = (
    "Almere",
    "Amersfoort",
    "Apeldoorn",
    "Arnhem",
    "Breda",
    "Den Haag",
    "Deventer",
    "Enschede",
    "Haarlem",
    "Leeuwarden",
    "Leiden",
    "Maastricht",
    "Nijmegen",
    "Tilburg",
    "Zwolle",
)
PILOTS = ("Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht")
START, END = dt.date(2016, 1, 1), dt.date(2025, 12, 31)
PEILDATUM = dt.date(2025, 12, 31)

HEADER = (
    "traject_id,gemeente,persoon_id,v_nummer,geslacht,geboortejaar,land_van_herkomst,datum_aanmelding,"
    "datum_toelating,toelating_via_uitzondering,opvangvorm,perspectief,datum_perspectief,juridische_screening,"
    "juridische_begeleiding,activering,sociale_begeleiding,toekomstorientatie,terugkeerbegeleiding,"
    "datum_uitstroom,uitstroomreden,besluit_na_uitstroom,datum_besluit"
).split(",")
COUNTRIES = (
    "AF",
    "DZ",
    "ER",
    "ET",
    "GE",
    "GN",
    "IQ",
    "IR",
    "MA",
    "NG",
    "SD",
    "SO",
    "SY",
    "TR",
    "staatloos",
    "onbekend",
)
OUTCOMES = (  # (code, weight)
    ("inwilliging", 8),
    ("zelfstandig_vertrek", 10),
    ("doormigratie", 3),
    ("hasa", 10),
    ("artikel_64", 5),
    ("vertrekmoratorium", 1),
    ("inbewaringstelling", 2),
    ("beeindigd_gemeente", 8),
    ("beeindigd_deelnemer", 8),
    ("mob", 15),
    ("andere_opvang", 5),
    ("bbb", 5),
    ("strafdetentie", 2),
    ("anders", 3),
    ("overleden", 1),
)
FORMS = ("centraal", "decentraal", "eigen_netwerk", "nachtopvang", "terugkeerbed")
INSTRUMENT_VALUES = ("ja", "ja", "nee", "nvt", "")


# --- the synthetic registry --------------------------------------------------------------------


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def generate_delivery(path: Path, *, n: int, seed: int) -> dict:
    """Write `n` trajectory rows (format v1) and return a few counts about them."""
    rng = random.Random(seed)
    municipalities = PILOTS + EXTRA_MUNICIPALITIES
    weights = [40, 12, 12, 30, 20] + [6] * len(EXTRA_MUNICIPALITIES)
    codes, code_weights = zip(*OUTCOMES, strict=True)
    counter = dict.fromkeys(municipalities, 0)
    rows: list[list[str]] = []
    persons = second = 0
    v_counter = 1_000_000_000

    def trajectories(municipality: str, persoon_id: str, v_nummer: str, first: dt.date, count: int) -> None:
        sex = rng.choice(("man", "man", "vrouw", "anders", "onbekend", ""))
        year = str(rng.randint(1950, 2005)) if rng.random() < 0.9 else ""
        country = rng.choice(COUNTRIES)
        application = first
        for _ in range(count):
            if len(rows) >= n or application > END:
                return
            counter[municipality] += 1
            traject_id = f"{municipality[:3].upper()}-{counter[municipality]}"
            row = dict.fromkeys(HEADER, "")
            row.update(
                traject_id=traject_id,
                gemeente=municipality,
                persoon_id=persoon_id,
                v_nummer=v_nummer,
                geslacht=sex,
                geboortejaar=year,
                land_van_herkomst=country,
                datum_aanmelding=application.isoformat(),
            )
            next_application = None
            if rng.random() < 0.85:
                admission = min(application + dt.timedelta(days=rng.randint(0, 60)), END)
                row["datum_toelating"] = admission.isoformat()
                row["toelating_via_uitzondering"] = "ja" if rng.random() < 0.05 else rng.choice(("nee", ""))
                row["opvangvorm"] = rng.choice(FORMS) if rng.random() < 0.95 else ""
                for code in HEADER[13:19]:
                    row[code] = rng.choice(INSTRUMENT_VALUES)
                outflow = admission + dt.timedelta(days=int(rng.expovariate(1 / 330)))
                closed = outflow <= END
                if rng.random() < 0.6:
                    last = outflow if closed else min(admission + dt.timedelta(days=400), END)
                    row["perspectief"] = rng.choice(("terugkeer", "legalisering", "doormigratie"))
                    row["datum_perspectief"] = _date(rng, admission, last).isoformat()
                if closed:
                    reason = rng.choices(codes, code_weights)[0]
                    row["datum_uitstroom"] = outflow.isoformat()
                    row["uitstroomreden"] = reason
                    if reason in ("hasa", "artikel_64") and rng.random() < 0.7:
                        decided = outflow + dt.timedelta(days=rng.randint(0, 300))
                        if decided <= END:
                            row["besluit_na_uitstroom"] = rng.choice(("inwilliging", "afwijzing"))
                            row["datum_besluit"] = decided.isoformat()
                    if reason != "overleden":
                        next_application = outflow + dt.timedelta(days=rng.randint(1, 700))
            else:
                next_application = application + dt.timedelta(days=rng.randint(30, 700))
            rows.append([row[c] for c in HEADER])
            if next_application is None:
                return
            application = next_application

    while len(rows) < n:
        persons += 1
        municipality = rng.choices(municipalities, weights)[0]
        v_nummer = ""
        if rng.random() < 0.85:
            v_counter += 1
            v_nummer = str(v_counter)
        persoon_id = f"P{persons}" if (rng.random() < 0.9 or not v_nummer) else ""
        count = rng.choices((1, 2, 3), (80, 15, 5))[0]
        trajectories(municipality, persoon_id, v_nummer, _date(rng, START, END), count)
        if v_nummer and rng.random() < 0.03 and len(rows) < n:  # the same person in a second LVV
            second += 1
            other = rng.choice([m for m in municipalities if m != municipality])
            trajectories(other, f"X{persons}", v_nummer, _date(rng, START, END), 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return {"rows": len(rows), "persons": persons, "in_two_municipalities": second}


def generate_capacity(path: Path, *, seed: int) -> None:
    rng = random.Random(seed + 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["gemeente", "locatie", "plaatsen", "geldig_vanaf", "geldig_tot"])
        for municipality in PILOTS + EXTRA_MUNICIPALITIES:
            places = rng.randint(50, 400)
            writer.writerow([municipality, municipality, places, "2016-01-01", "2020-12-31"])
            writer.writerow([municipality, municipality, places + rng.randint(-40, 80), "2021-01-01", ""])
            if rng.random() < 0.5:
                writer.writerow([municipality, f"{municipality} nachtopvang", rng.randint(10, 60), "2019-01-01", ""])


def quarters(last: dt.date, count: int = 40) -> list[dt.date]:
    """The last day of `count` quarters, ending with the quarter of `last`."""
    result = []
    year, quarter = last.year, (last.month - 1) // 3 + 1
    for _ in range(count):
        month = quarter * 3
        first_of_next = dt.date(year + (month == 12), month % 12 + 1, 1)
        result.append(first_of_next - dt.timedelta(days=1))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return sorted(result)


# --- measuring -----------------------------------------------------------------------------------


def run(args: list[str], env: dict, *, check: bool = True) -> dict:
    """Run a command; its wall time, its own peak RSS (os.wait4) and its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if check and process.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({process.returncode}):\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
        "stderr": stderr,
    }


def own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU time of a block in this process (the CPU time includes SQLite, which runs in the
    process, but not the PostgreSQL server)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def step(self, **extra) -> dict:
        return {"seconds": self.wall, "cpu_seconds": self.cpu, **extra}


def best_of(repeat: int, fn) -> tuple[dict, object]:
    best, result = None, None
    for _ in range(repeat):
        with Clock() as clock:
            result = fn()
        if best is None or clock.wall < best["seconds"]:
            best = clock.step()
    return best, result


def add_municipalities() -> None:
    from lvv.accounts.models import Municipality, Region

    region, _ = Region.objects.get_or_create(name="Benchmark")
    for name in EXTRA_MUNICIPALITIES:
        Municipality.objects.get_or_create(name=name, defaults={"region": region, "has_lvv": True})


# Floors: hand-written SQL doing the minimal work for the monitor's figures on one peildatum —
# per municipality the units, instroom, in_lvv, uitstroom per reason (with deaths), the decisions
# after hasa/artikel_64, the distinct persons, the sum of the throughput times; the perspectives in
# force of the in_lvv units; the instruments over instroom; the capacity on P. (No median: plain SQL
# has none on SQLite.) Basis personen first picks per person the latest trajectory with a window.

PERSON_KEY = (
    "CASE WHEN p.v_number <> '' THEN 'V:' || p.v_number ELSE 'G:' || CAST(t.municipality_id AS TEXT) || ':' "
    "|| CAST(t.person_id AS TEXT) END"
)


def _units_sql(basis: str) -> str:
    if basis == "trajecten":
        return (
            "SELECT t.id, t.municipality_id, t.admission_date, t.outflow_date, t.outcome_id, t.ind_decision, "
            f"t.ind_decision_date, {PERSON_KEY} AS person FROM trajectories_trajectory t "
            "JOIN people_person p ON p.id = t.person_id WHERE t.application_date <= %(p)s"
        )
    return (
        "SELECT * FROM (SELECT t.id, t.municipality_id, t.admission_date, t.outflow_date, t.outcome_id, "
        f"t.ind_decision, t.ind_decision_date, {PERSON_KEY} AS person, ROW_NUMBER() OVER (PARTITION BY "
        f"{PERSON_KEY} ORDER BY t.application_date DESC, CASE WHEN t.admission_date <= %(p)s THEN "
        "t.admission_date END DESC NULLS LAST, t.external_id DESC) AS rn FROM trajectories_trajectory t "
        "JOIN people_person p ON p.id = t.person_id WHERE t.application_date <= %(p)s) x WHERE rn = 1"
    )


def floor_queries(vendor: str, basis: str) -> list[str]:
    units = _units_sql(basis)
    days = (
        "julianday(u.outflow_date) - julianday(u.admission_date)"
        if vendor == "sqlite"
        else "(u.outflow_date - u.admission_date)"
    )
    flowed = "u.outflow_date <= %(p)s"
    return [
        f"WITH u AS ({units}) SELECT u.municipality_id, "
        "CASE WHEN u.admission_date IS NULL OR u.admission_date > %(p)s THEN 'aangemeld' "
        f"WHEN {flowed} THEN u.outcome_id ELSE 'in_lvv' END AS status, "
        f"CASE WHEN {flowed} AND u.ind_decision_date <= %(p)s THEN u.ind_decision ELSE '' END AS decision, "
        f"COUNT(*), COUNT(DISTINCT u.person), SUM(CASE WHEN {flowed} THEN {days} END) "
        "FROM u GROUP BY 1, 2, 3",
        f"WITH u AS ({units}), latest AS (SELECT s.trajectory_id, s.perspective, ROW_NUMBER() OVER ("
        "PARTITION BY s.trajectory_id ORDER BY s.decided_on DESC, s.perspective DESC) AS rn "
        "FROM trajectories_perspective s WHERE s.decided_on <= %(p)s) "
        "SELECT u.municipality_id, latest.perspective, COUNT(*) FROM u JOIN latest ON latest.trajectory_id = u.id "
        "AND latest.rn = 1 WHERE u.admission_date <= %(p)s AND (u.outflow_date IS NULL OR u.outflow_date > %(p)s) "
        "GROUP BY 1, 2",
        f"WITH u AS ({units}) SELECT u.municipality_id, i.instrument_id, i.value, COUNT(*) FROM u "
        "JOIN trajectories_instrumentuse i ON i.trajectory_id = u.id WHERE u.admission_date <= %(p)s "
        "GROUP BY 1, 2, 3",
        "SELECT l.municipality_id, SUM(c.places) FROM shelter_capacityperiod c JOIN shelter_location l "
        "ON l.id = c.location_id WHERE c.valid_from <= %(p)s AND (c.valid_to IS NULL OR c.valid_to >= %(p)s) "
        "GROUP BY 1",
    ]


def run_floor(cursor, queries: list[str], peildatum: dt.date) -> int:
    rows = 0
    for sql in queries:
        cursor.execute(sql, {"p": peildatum.isoformat()})
        rows += len(cursor.fetchall())
    return rows


def import_floor(path: Path) -> dict:
    """Read the CSV and insert its rows as they are into a bare table, in one transaction."""
    from django.db import connection, transaction

    clock = Clock().__enter__()
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    columns = ", ".join(f"c{i} VARCHAR(60)" for i in range(len(header)))
    marks = ", ".join(["%s"] * len(header))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_floor ({columns})")
        for chunk in range(0, len(rows), 5000):
            cursor.executemany(f"INSERT INTO bench_floor VALUES ({marks})", rows[chunk : chunk + 5000])
    clock.__exit__()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor")
    return clock.step()


def measure(database_url: str, workdir: Path, repeat: int, singles: bool) -> dict:
    """Everything for one database (run in a process of its own: Django is set up once per process)."""
    env = dict(os.environ, LVV_DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="lvv.conf.settings")
    os.environ.update(LVV_DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="lvv.conf.settings")
    result: dict = {}
    run([LVV, "migrate"], env)
    import django

    django.setup()
    from django.db import connection

    from lvv.monitor import selectors
    from lvv.monitor.reports import report_bytes

    add_municipalities()
    run([LVV, "import", str(workdir / "capaciteit.csv")], env)

    step = run([LVV, "import", str(workdir / "aanlevering.csv")], env)
    result["import"] = {**step, "summary": step["stdout"].strip()}
    step = run([LVV, "import", str(workdir / "aanlevering.csv")], env)
    result["reimport"] = {**step, "summary": step["stdout"].strip()}
    result["import_floor"] = import_floor(workdir / "aanlevering.csv")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    peildatum = PEILDATUM.isoformat()
    series = quarters(PEILDATUM)
    for basis in ("trajecten", "personen"):
        command = [LVV, "monitor", "--peildatum", peildatum, "--basis", basis, "--format", "json"]
        runs = [run(command, env) for _ in range(repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        reference = json.loads(best["stdout"])
        result[f"monitor_{basis}"] = {k: best[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb")}
        # Django's system checks import the whole URLconf (the web views, matplotlib, pandas) before
        # the command runs; `--skip-checks` (a standard Django option) shows what that costs.
        best = min((run([*command, "--skip-checks"], env) for _ in range(repeat)), key=lambda r: r["seconds"])
        assert json.loads(best["stdout"]) == reference
        result[f"monitor_{basis}_skip_checks"] = {k: best[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb")}

        step, report = best_of(repeat, lambda b=basis: selectors.monitor_report(peildatum=PEILDATUM, basis=b))
        assert json.loads(report_bytes(report, "json")) == reference, "in-process report differs from the command"
        result[f"report_{basis}"] = {**step, "peak_rss_mb": own_peak_mb()}

        queries = floor_queries(connection.vendor, basis)
        with connection.cursor() as cursor:
            result[f"floor_{basis}"], _ = best_of(repeat, lambda q=queries, c=cursor: run_floor(c, q, PEILDATUM))
            with Clock() as clock:
                for p in series:
                    run_floor(cursor, queries, p)
            result[f"floor_series_{basis}"] = clock.step()

        if hasattr(selectors, "monitor_series"):
            with Clock() as clock:
                reports = selectors.monitor_series(series, basis)
            result[f"series_{basis}"] = clock.step(peak_rss_mb=own_peak_mb())
            assert reports[-1] == report, "the series' last report differs from monitor_report"
            for i in (0, 13, 27):  # a few more, checked against the one-peildatum report
                same = reports[i] == selectors.monitor_report(peildatum=series[i], basis=basis)
                assert same, f"monitor_series differs from monitor_report on {series[i]}"
        if singles:
            with Clock() as clock:
                each = [selectors.monitor_report(peildatum=p, basis=basis) for p in series]
            result[f"series_singles_{basis}"] = clock.step(peak_rss_mb=own_peak_mb())
            if hasattr(selectors, "monitor_series"):
                assert reports == each, "monitor_series differs from monitor_report per peildatum"

    # The cost of starting the command at all (Python, Django, settings), for reading the above.
    step = run([LVV, "monitor", "--help"], env)
    result["startup"] = {k: step[k] for k in ("seconds", "cpu_seconds", "peak_rss_mb")}
    for step in result.values():
        step.pop("stdout", None)
        step.pop("stderr", None)
    result["vendor"] = connection.vendor
    return result


# --- reporting -----------------------------------------------------------------------------------


def table(label: str, r: dict) -> str:
    def fmt(key: str, floor: str | None = None, target: str = "") -> str:
        step = r.get(key)
        if step is None:
            return f"| {key} | – | – | – | – | {target} |"
        ratio = f"{step['seconds'] / r[floor]['seconds']:.1f}×" if floor else "–"
        memory = f"{step['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in step else "–"
        cpu = f"{step['cpu_seconds']:.2f} s" if "cpu_seconds" in step else "–"
        return f"| {key} | {step['seconds']:.2f} s | {cpu} | {ratio} | {memory} | {target} |"

    lines = [
        f"### {label}",
        "",
        "| step | wall time | CPU time | wall ÷ floor | peak RSS | target |",
        "|---|---|---|---|---|---|",
        fmt("import", "import_floor", "≤ 60 s"),
        fmt("reimport", "import_floor", "(changes nothing)"),
        fmt("import_floor"),
        fmt("startup", None, "(`lvv monitor --help`)"),
    ]
    for basis in ("trajecten", "personen"):
        lines += [
            fmt(f"monitor_{basis}", f"floor_{basis}", "≤ 2 s, ≤ 3× floor"),
            fmt(f"monitor_{basis}_skip_checks", f"floor_{basis}", "(`--skip-checks`)"),
            fmt(f"report_{basis}", f"floor_{basis}", "(in process)"),
            fmt(f"floor_{basis}"),
            fmt(f"series_{basis}", f"floor_series_{basis}", "≤ 20 s (40 quarters)"),
            fmt(f"series_singles_{basis}", f"floor_series_{basis}", "(40 × monitor_report)"),
            fmt(f"floor_series_{basis}"),
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="trajectories in the delivery (100000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs for one monitor (3)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also on this PostgreSQL database (dropped and created again!), e.g. "
        "postgresql://postgres@127.0.0.1:5432/lvv_bench",
    )
    parser.add_argument(
        "--singles", action="store_true", help="also time the series as 40 separate monitor_report calls (slow)"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL (with --postgres)")
    parser.add_argument("--keep", metavar="DIR", help="keep the files and the SQLite database in DIR")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--measure", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:  # the child process for one database
        print(json.dumps(measure(args.measure, Path(args.workdir), args.repeat, args.singles)))
        return 0

    workdir = Path(args.keep or tempfile.mkdtemp(prefix="lvv-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        counts = generate_delivery(workdir / "aanlevering.csv", n=args.n, seed=args.seed)
        generate_capacity(workdir / "capaciteit.csv", seed=args.seed)
        print(f"generated {counts} in {time.perf_counter() - start:.1f} s ({workdir})", file=sys.stderr)
        targets = [] if args.no_sqlite else [("SQLite", f"sqlite:///{workdir / 'bench.sqlite3'}")]
        if args.postgres:
            if args.postgres.rstrip("/").rsplit("/", 1)[-1] in ("test", "lvv", "postgres"):
                raise SystemExit("refusing to drop that database: give a scratch database such as lvv_bench")
            targets.append(("PostgreSQL", args.postgres))
        results = {}
        for label, url in targets:
            if label == "PostgreSQL":
                _recreate_postgres(url)
            print(f"measuring on {label} …", file=sys.stderr)
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--measure",
                    url,
                    "--workdir",
                    str(workdir),
                    "--repeat",
                    str(args.repeat),
                    *(["--singles"] if args.singles else []),
                ],
                capture_output=True,
                text=True,
            )
            if child.returncode:
                print(child.stdout[-3000:], child.stderr[-5000:], file=sys.stderr)
                return 1
            results[label] = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"n = {counts['rows']} trajectories, {counts['persons']} persons; {os.cpu_count()} CPU cores\n")
        for label, r in results.items():
            print(table(label, r) + "\n")
            print(f"import: {r['import']['summary']}\nre-import: {r['reimport']['summary']}\n")
        if args.json:
            Path(args.json).write_text(json.dumps({"counts": counts, "results": results}, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _recreate_postgres(url: str) -> None:
    import dj_database_url

    config = dj_database_url.parse(url)
    common = ["-h", config["HOST"] or "127.0.0.1", "-p", str(config["PORT"] or 5432), "-U", config["USER"]]
    subprocess.run(["dropdb", *common, "--if-exists", config["NAME"]], check=True)
    subprocess.run(["createdb", *common, config["NAME"]], check=True)


if __name__ == "__main__":
    sys.exit(main())
