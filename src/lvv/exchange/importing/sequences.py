"""A person's trajectories follow each other: at most one open, none overlapping, in the file and
together with the registry's. The same pass gives each delivered trajectory its stage, through the
trajectory's own stage machine (`lvv.trajectories.stages`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from lvv.trajectories.models import CLOSED_STAGES, Stage
from lvv.trajectories.stages import UNDECIDED_STAGES, StageEvent, stage_after

from ..delivery import Fault
from ..exports import RegisteredTrajectory
from .rows import FilePerson, FileTrajectory

MSG_OVERLAP = (
    "valt binnen traject {other} van dezelfde persoon ({where}); een nieuw traject kan pas beginnen "
    "als het vorige is afgesloten"
)


@dataclass(eq=False)
class _Timeline:
    """A trajectory (in the registry, or in the file) in one person's sequence of trajectories."""

    application: dt.date
    admission: dt.date | None
    outflow: dt.date | None
    traject_id: str
    row: FileTrajectory | None = None  # None: a registry trajectory the file does not mention
    open_in_registry: bool = False


def sequences_check(
    rows: list[FileTrajectory],
    persons: list[FilePerson],
    registered: list[RegisteredTrajectory],
    *,
    refused: Collection[int],
) -> list[Fault]:
    """The overlaps of each person's trajectories that this file causes; sets every row's stage.
    `refused`: the registry trajectories whose application was refused."""
    faults: list[Fault] = []
    in_file = {(r.record.gemeente, r.record.traject_id) for r in rows}
    others: dict[int, list[RegisteredTrajectory]] = defaultdict(list)  # not in the file, per person
    for on_record in registered:
        if (on_record.columns["gemeente"], on_record.columns["traject_id"]) not in in_file:
            others[on_record.person_id].append(on_record)
    rows_of: dict[int, list[FileTrajectory]] = defaultdict(list)
    for row in rows:
        rows_of[id(row.person)].append(row)
    for person in persons:
        own = rows_of[id(person)]
        if len(own) == 1 and not (person.pk and others.get(person.pk)):
            own[0].stage = trajectory_stage(own[0], refused=refused, is_last=True)  # nothing to overlap
            continue
        sequence = [
            _Timeline(
                r.record.datum_aanmelding,
                r.record.datum_toelating,
                r.record.datum_uitstroom,
                r.record.traject_id,
                row=r,
            )
            for r in rows_of[id(person)]
        ]
        for on_record in others.get(person.pk, []) if person.pk else []:
            columns = on_record.columns
            sequence.append(
                _Timeline(
                    dt.date.fromisoformat(columns["datum_aanmelding"]),
                    dt.date.fromisoformat(columns["datum_toelating"]) if columns["datum_toelating"] else None,
                    dt.date.fromisoformat(columns["datum_uitstroom"]) if columns["datum_uitstroom"] else None,
                    columns["traject_id"],
                    open_in_registry=on_record.stage not in CLOSED_STAGES,
                )
            )
        sequence.sort(key=lambda t: (t.application, t.admission or dt.date.min, t.traject_id))
        for earlier, later in zip(sequence, sequence[1:], strict=False):
            ends: dt.date | None
            if earlier.row is None:
                ends = None if earlier.open_in_registry else (earlier.outflow or earlier.application)
            elif earlier.admission is None:
                ends = earlier.application  # an application never admitted ends with the next one
            else:
                ends = earlier.outflow
            if ends is None or later.application < ends:
                blamed, other = (later, earlier) if later.row is not None else (earlier, later)
                if blamed.row is None:
                    continue  # both only in the registry: not this file's doing
                where = f"regel {other.row.record.line}" if other.row else "al in het register"
                faults.append(
                    Fault(
                        blamed.row.record.line,
                        "datum_aanmelding",
                        MSG_OVERLAP.format(other=other.traject_id, where=where),
                    )
                )
        for position, t in enumerate(sequence):
            if t.row is not None:
                t.row.stage = trajectory_stage(t.row, refused=refused, is_last=position == len(sequence) - 1)
    return faults


def trajectory_stage(row: FileTrajectory, *, refused: Collection[int], is_last: bool) -> str:
    """The stage the delivered facts put the trajectory in: the events the row records, in the order
    the services record them, through the stage machine. An application not admitted is closed
    (refused) when the registry refused it or when the person applied again later. The file does not
    say whether an application is under review, so an undecided stage on record is kept."""
    r, existing = row.record, row.existing
    start = existing.stage if existing and existing.stage in UNDECIDED_STAGES else Stage.AANGEMELD
    events: list[StageEvent] = []
    if r.datum_toelating:
        events.append(StageEvent.ADMITTED)
        if r.opvangvorm:
            events.append(StageEvent.PLACED)
        if r.perspectief:
            events.append(StageEvent.PERSPECTIVE_RECORDED)
    elif (existing and existing.pk in refused) or not is_last:
        events.append(StageEvent.REFUSED)
    if r.datum_uitstroom:
        events.append(StageEvent.LEFT)
    return stage_after(start, *events)
