"""Fault test, reduced: benchmarks/fault_test.py on SQLite with a small registry — one
cycle of kill -9 of `lvv serve` during web writes and one `lvv import` killed mid-way. ≈ 30 s.

It runs the script in a child process (a server of its own on a temporary SQLite file); the full run
on SQLite and PostgreSQL is `python benchmarks/fault_test.py --backend both` (docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "fault_test.py"


def test_kill_9_during_writes_and_import_loses_nothing(tmp_path):
    out = tmp_path / "summary.json"
    args = [sys.executable, str(SCRIPT), "--backend", "sqlite", "--data", "minimal", "--cycles", "1"]
    args += ["--writers", "3", "--import-rows", "5000", "--min-run", "2", "--max-run", "4", "--json", str(out)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    [summary] = json.loads(out.read_text())
    notes, instruments = summary["verify"]["notes"], summary["verify"]["instruments"]
    assert notes["acknowledged"] > 0 and notes["acknowledged_found_once"] == notes["acknowledged"]
    assert notes["duplicates"] == 0
    assert notes["audit_rows_matched"] == notes["in_database"]
    assert instruments["audit_rows_matched"] == instruments["committed_steps"]
    assert summary["import"]["write_transaction_open_at_kill"] is True
    assert summary["import"]["rows_present_after_kill"] == 0
    assert summary["import"]["rows_present_after_full"] == summary["import"]["rows"]
    assert summary["audit_verify"]["exit"] == 0
    assert summary["integrity"] == {"integrity_check": ["ok"], "foreign_key_check": [], "ok": True}
    assert summary["failures"] == []
