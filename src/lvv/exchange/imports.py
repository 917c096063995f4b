"""Importing a delivery file (`lvv import`): a trajectory file or a capacity file, all or nothing.

1. Read the table and recognise the file by its header.
2. Check every row (`delivery.py`), then what needs the registry (`importing.plan`): who each person
   is, and whether a person's trajectories follow each other (at most one open, none overlapping).
   Every fault is collected; with any fault nothing is written.
3. Write everything in one transaction, with bulk operations (`importing.trajectory_writes`,
   `importing.capacity`): rows are matched on municipality + `traject_id`, a row that matches the
   registry exactly changes nothing (so importing the same file twice changes nothing), a corrected
   row updates. Every new or changed trajectory gets a timeline event. The writes are done by the
   inactive system user `systeem.aanlevering`.

How a row is stored (Person, Trajectory, AdmissionDecision, Placement, Perspective, InstrumentUse)
is described in docs/aanleverformat.md."""

from __future__ import annotations

from pathlib import Path

from lvv.accounts.models import Municipality
from lvv.core import clock
from lvv.core.tables import TableError, read_table
from lvv.trajectories.models import OutcomeCode

from .delivery import (
    KIND_TRAJECTORIES,
    MSG_UNKNOWN_FILE,
    Fault,
    Reference,
    file_kind,
    parse_capacity,
    parse_trajectories,
)
from .importing.capacity import capacity_write
from .importing.plan import TrajectoryPlan
from .importing.result import ImportResult
from .importing.trajectory_writes import SYSTEM_USERNAME, delivery_user, trajectories_write

__all__ = ["SYSTEM_USERNAME", "ImportResult", "delivery_import", "delivery_user", "reference_load"]

MSG_UNREADABLE = "het bestand kan niet worden gelezen ({reason})"


def reference_load() -> Reference:
    return Reference(
        municipalities={name.lower(): name for name in Municipality.objects.values_list("name", flat=True)},
        outcomes=dict(OutcomeCode.objects.values_list("code", "has_ind_decision")),
        today=clock.today(),
    )


def delivery_import(*, path: str | Path, dry_run: bool = False) -> ImportResult:
    """Check a delivery file and, when it has no fault at all (and not `dry_run`), import it."""
    try:
        table = read_table(path)
    except TableError as exc:
        return ImportResult(faults=[Fault(1, "bestand", str(exc))])
    except OSError as exc:
        return ImportResult(faults=[Fault(1, "bestand", MSG_UNREADABLE.format(reason=exc.strerror or exc))])
    kind = file_kind(table.header)
    if kind is None:
        return ImportResult(rows=len(table.rows), faults=[Fault(1, "kopregel", MSG_UNKNOWN_FILE)])
    reference = reference_load()
    name = Path(path).name
    if kind == KIND_TRAJECTORIES:
        records, faults = parse_trajectories(table, reference)
        result = ImportResult(kind=kind, rows=len(table.rows), faults=faults)
        if not faults:
            plan = TrajectoryPlan(records, file_name=name)
            result.faults = plan.faults
            plan.count(result)
            if not plan.faults and not dry_run:
                trajectories_write(plan, result)
    else:
        capacity, faults = parse_capacity(table, reference)
        result = ImportResult(kind=kind, rows=len(table.rows), faults=faults)
        if not faults and not dry_run:
            capacity_write(capacity, result)
    result.faults.sort(key=lambda f: f.line)  # stable: within a line, in the order of the columns
    return result
