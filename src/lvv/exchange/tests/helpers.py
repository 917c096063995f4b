"""Helpers for the exchange tests: delivery files, the import command, and a fingerprint of the
whole registry to show that a refused import wrote nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from lvv.accounts.models import User
from lvv.demo.tests.assertions import WRITTEN_MODELS
from lvv.exchange.delivery import CAPACITY_COLUMNS, TRAJECTORY_COLUMNS
from lvv.shelter.models import CapacityPeriod, Location

EXAMPLES = Path(__file__).resolve().parents[4] / "docs" / "voorbeelden"
SAMPLE = EXAMPLES / "aanlevering.csv"
SAMPLE_CAPACITY = EXAMPLES / "capaciteit.csv"
MODELS = (*WRITTEN_MODELS, CapacityPeriod, Location, User)


def sample_rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_delivery(path: Path, rows: list[dict], columns=TRAJECTORY_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows([{c: row.get(c, "") for c in columns} for row in rows])
    return path


def write_capacity(path: Path, rows: list[dict]) -> Path:
    return write_delivery(path, rows, CAPACITY_COLUMNS)


def run_import(path, *args) -> tuple[int, str, str]:
    """(exit status, standard output, standard error) of `lvv import`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("lvv_import", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in MODELS}


def checksum() -> str:
    """A hash over every row of every table an import could touch."""
    state = {m._meta.label: list(m.objects.order_by("pk").values()) for m in MODELS}
    return hashlib.sha256(json.dumps(state, default=str, sort_keys=True).encode()).hexdigest()
