"""The writes of a checked trajectory file, in one transaction, with bulk operations: new and
changed persons, trajectories, admission decisions, placements, perspectives, instruments and a
timeline event per new or changed trajectory. The writes are done by the inactive system user
`systeem.aanlevering`. How a row is stored is described in docs/aanleverformat.md.

The import writes whole trajectories at once, so it does not call the services that record one
event on one trajectory; it applies their rules through the same pure functions (the stage machine
in `lvv.trajectories.stages`, the perspective status rule in `lvv.trajectories.perspectives`)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from lvv.accounts.models import User
from lvv.admissions.models import AdmissionDecision, AdmissionOutcome, Application
from lvv.core import clock
from lvv.monitor.indicators import MONITOR_INSTRUMENTS
from lvv.people.fingerprints import fingerprints_sync
from lvv.people.models import Person
from lvv.trajectories.models import (
    CLOSED_STAGES,
    InstrumentUse,
    InstrumentValue,
    Perspective,
    PerspectiveStatus,
    Placement,
    ShelterForm,
    ShelterHours,
    TimelineEvent,
    Trajectory,
)
from lvv.trajectories.perspectives import perspective_status_allowed

from ..exports import RegisteredTrajectory
from .bulk import CHUNK, bulk_insert, chunks, versions_bump
from .plan import TrajectoryPlan
from .result import ImportResult
from .rows import FilePerson, FileTrajectory

SYSTEM_USERNAME = "systeem.aanlevering"
#: Person field → its column in the format (for the timeline, which users read).
PERSON_FIELD_COLUMNS = {
    "person_key": "persoon_id",
    "v_number": "v_nummer",
    "sex": "geslacht",
    "birth_year": "geboortejaar",
    "country_of_origin": "land_van_herkomst",
}
TIMELINE_NEW = "Aangeleverd via bestand {file} (regel {line}): nieuw traject"
TIMELINE_UPDATED = "Aangeleverd via bestand {file} (regel {line}): bijgewerkt ({changes})"
TIMELINE_PERSON = "Persoonsgegevens bijgewerkt via bestand {file}: {changes}"


@dataclass(frozen=True)
class _Saved:
    """A trajectory this import inserted: only its id is needed afterwards."""

    pk: int


#: Per planned row (by `id(row)`): the trajectory written for it.
_Written = dict[int, Trajectory | _Saved]


def delivery_user() -> User:
    """The inactive system user that records delivered data (it cannot log in and has no role)."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Systeem", "last_name": "aanlevering", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def trajectories_write(plan: TrajectoryPlan, result: ImportResult) -> None:
    """Write what `plan` found new or changed; `result` gets the persons written and `written`."""
    actor = delivery_user()
    now = clock.now()
    changed_persons = _write_persons(plan.persons)
    new, changed = plan.new_rows, plan.changed_rows
    objects = _write_trajectories(plan, new, changed, now)
    touched = new + changed
    result.person_ids = list(
        dict.fromkeys([row.person.pk for row in touched if row.person.pk is not None] + _pks(changed_persons))
    )
    _write_decisions(touched, objects, actor, file_name=plan.file_name)
    _write_placements(plan, touched, objects, actor)
    _write_perspectives(touched, objects, actor)
    _write_instruments(touched, objects)
    events: list[dict[str, Any]] = [
        {
            "trajectory_id": objects[id(row)].pk,
            "at": now,
            "kind": "aanlevering",
            "description": (
                TIMELINE_NEW.format(file=plan.file_name, line=row.record.line)
                if row.existing is None
                else TIMELINE_UPDATED.format(file=plan.file_name, line=row.record.line, changes=", ".join(row.changes))
            )[:500],
            "actor_id": actor.pk,
            "shared": True,
        }
        for row in touched
    ]
    row_of = {id(row.record): row for row in plan.rows}
    for person in changed_persons:
        row = row_of[id(person.records[-1])]  # the person's latest trajectory in the file
        trajectory_id = objects[id(row)].pk if id(row) in objects else _existing(row).pk
        events.append(
            {
                "trajectory_id": trajectory_id,
                "at": now,
                "kind": "persoonsgegevens",
                "description": TIMELINE_PERSON.format(
                    file=plan.file_name, changes=", ".join(PERSON_FIELD_COLUMNS[f] for f in sorted(person.changes))
                ),
                "actor_id": actor.pk,
                "shared": True,
            }
        )
    bulk_insert(TimelineEvent, events)
    result.written = True


def _pks(persons: list[FilePerson]) -> list[int]:
    return [p.pk for p in persons if p.pk is not None]


def _existing(row: FileTrajectory) -> RegisteredTrajectory:
    """The registry trajectory of a row planned as changed (a new row has none)."""
    if row.existing is None:
        raise ValueError(f"line {row.record.line}: a new trajectory has no registry counterpart")
    return row.existing


def _write_persons(persons: list[FilePerson]) -> list[FilePerson]:
    """Insert the new persons and update the changed ones; returns the changed (registry) persons.
    Every person gets its registry id."""
    changed = [p for p in persons if p.pk is not None and p.changes]
    new = [p for p in persons if p.pk is None]
    keys = [p.key or f"P-{uuid.uuid4().hex[:10].upper()}" for p in new]
    # Every field a new person can get (the rest are the model's defaults), the same in every row.
    fields = ("sex", "birth_year", "country_of_origin", "v_number")
    person_fields = {f.name: f for f in Person._meta.concrete_fields}
    defaults = {name: person_fields[name].get_default() for name in fields}
    bulk_insert(
        Person,
        [
            {
                "municipality_id": p.municipality_id,
                "person_key": key,
                "family_name": f"Persoon {p.key}" if p.key else f"Persoon met V-nummer {p.v_number}",
                **defaults,
                **p.changes,
            }
            for p, key in zip(new, keys, strict=True)
        ],
    )
    # The new persons' keys are unique per municipality: that is how their ids are found.
    pks = _ids(Person, "person_key", {p.municipality_id for p in new})
    for person, key in zip(new, keys, strict=True):
        person.pk = pks[(person.municipality_id, key)]
    if changed:
        current: dict[int, Person] = {}
        for chunk in chunks(_pks(changed)):
            current.update(Person.objects.in_bulk(list(chunk)))
        for pk, p in zip(_pks(changed), changed, strict=True):
            for name, value in p.changes.items():
                setattr(current[pk], name, value)
        fields_changed = sorted({name for p in changed for name in p.changes})
        Person.objects.bulk_update([current[pk] for pk in _pks(changed)], fields_changed, batch_size=CHUNK)
        versions_bump(Person, _pks(changed))
    # The import bypasses the person services, so it keeps the duplicate-check fingerprints itself.
    fingerprints_sync(_pks(new) + _pks(changed))
    return changed


def _trajectory_values(row: FileTrajectory) -> dict[str, Any]:
    r = row.record
    return {
        "person_id": row.person.pk,
        "application_date": r.datum_aanmelding,
        "admission_date": r.datum_toelating,
        "is_exception": r.uitzondering,
        "outflow_date": r.datum_uitstroom,
        "outcome_id": r.uitstroomreden or None,
        "ind_decision": r.besluit_na_uitstroom,
        "ind_decision_date": r.datum_besluit,
        "stage": row.stage,
    }


#: The trajectory fields a delivered row sets on a trajectory on record.
_TRAJECTORY_FIELDS = [
    "person",
    "application_date",
    "admission_date",
    "is_exception",
    "outflow_date",
    "outcome",
    "ind_decision",
    "ind_decision_date",
    "stage",
    "location",
    "updated_at",
]


def _write_trajectories(
    plan: TrajectoryPlan, new: list[FileTrajectory], changed: list[FileTrajectory], now: dt.datetime
) -> _Written:
    objects: _Written = {}
    if changed:
        current: dict[int, Trajectory] = {}
        for chunk in chunks([_existing(row).pk for row in changed]):
            current.update(Trajectory.objects.in_bulk(list(chunk)))
        updated: dict[int, Trajectory] = {}
        for row in changed:
            obj = current[_existing(row).pk]
            for name, value in _trajectory_values(row).items():
                setattr(obj, name, value)
            if "opvangvorm" in row.changes:
                location = plan.locations.get(obj.municipality_id) if row.record.opvangvorm else None
                obj.location_id = location
            obj.updated_at = now
            objects[id(row)] = updated[id(row)] = obj
        # Close before opening, so that one person never has two open trajectories in between.
        closing = [updated[id(r)] for r in changed if r.stage in CLOSED_STAGES]
        opening = [updated[id(r)] for r in changed if r.stage not in CLOSED_STAGES]
        for group in (closing, opening):
            if group:
                Trajectory.objects.bulk_update(group, _TRAJECTORY_FIELDS, batch_size=CHUNK)
                versions_bump(Trajectory, [obj.pk for obj in group])
    bulk_insert(
        Trajectory,
        [
            {
                "municipality_id": row.person.municipality_id,
                "external_id": row.record.traject_id,
                "location_id": plan.locations.get(row.person.municipality_id) if row.record.opvangvorm else None,
                **_trajectory_values(row),
            }
            for row in new
        ],
    )
    if new:
        # traject_id is unique per municipality: that is how the new trajectories' ids are found.
        pks = _ids(Trajectory, "external_id", {row.person.municipality_id for row in new})
        for row in new:
            objects[id(row)] = _Saved(pks[(row.person.municipality_id, row.record.traject_id)])
    bulk_insert(Application, [{"trajectory_id": objects[id(row)].pk} for row in new])
    return objects


def _ids(model: type[models.Model], key: str, municipality_ids: set[int]) -> dict[tuple[int, str], int]:
    return {
        (municipality_id, value): pk
        for pk, municipality_id, value in model._default_manager.filter(municipality_id__in=municipality_ids)
        .order_by()
        .values_list("id", "municipality_id", key)
    }


def _touches(row: FileTrajectory, *columns: str) -> bool:
    return row.existing is None or any(c in row.changes for c in columns)


def _write_decisions(rows: list[FileTrajectory], objects: _Written, actor: User, *, file_name: str) -> None:
    """The admission decision follows datum_toelating and toelating_via_uitzondering. A delivered
    exception has no motivation or LSO date of its own: the text says so and the LSO date is
    the admission date (the constraint asks for both)."""
    rows = [r for r in rows if _touches(r, "datum_toelating", "toelating_via_uitzondering")]
    replaced = [objects[id(r)].pk for r in rows if r.existing is not None and r.record.datum_toelating]
    dropped = [objects[id(r)].pk for r in rows if r.existing is not None and not r.record.datum_toelating]
    for chunk in chunks(replaced):
        AdmissionDecision.objects.filter(trajectory_id__in=chunk).delete()
    for chunk in chunks(dropped):
        AdmissionDecision.objects.filter(trajectory_id__in=chunk).exclude(outcome=AdmissionOutcome.GEWEIGERD).delete()
    decisions = []
    for row in rows:
        r = row.record
        if not r.datum_toelating:
            continue
        exception = r.uitzondering
        decisions.append(
            {
                "trajectory_id": objects[id(row)].pk,
                "outcome": str(AdmissionOutcome.UITZONDERING if exception else AdmissionOutcome.TOEGELATEN),
                "decided_on": r.datum_toelating,
                "exception_motivation": (
                    f"Toegelaten als uitzondering volgens aanlevering {file_name}; motivering niet aangeleverd."
                    if exception
                    else ""
                ),
                "lso_meeting_date": r.datum_toelating if exception else None,
                "decided_by_id": actor.pk,
            }
        )
    bulk_insert(AdmissionDecision, decisions)


def _write_placements(plan: TrajectoryPlan, rows: list[FileTrajectory], objects: _Written, actor: User) -> None:
    """One placement from admission to outflow, at the municipality's location. A changed form
    replaces the placements; changed dates move the delivered placement with them."""
    rows = [r for r in rows if _touches(r, "opvangvorm", "datum_toelating", "datum_uitstroom")]
    replace = [r for r in rows if r.existing is None or "opvangvorm" in r.changes]
    replaced = {id(r) for r in replace}
    for chunk in chunks([objects[id(r)].pk for r in replace if r.existing is not None]):
        Placement.objects.filter(trajectory_id__in=chunk).delete()
    bulk_insert(
        Placement,
        [
            {
                "trajectory_id": objects[id(r)].pk,
                "location_id": plan.locations[r.person.municipality_id],
                "shelter_form": r.record.opvangvorm,
                "hours": str(
                    ShelterHours.NIGHT if r.record.opvangvorm == ShelterForm.NACHTOPVANG else ShelterHours.DAY_AND_NIGHT
                ),
                "start_date": r.record.datum_toelating,
                "end_date": r.record.datum_uitstroom,
                "recorded_by_id": actor.pk,
            }
            for r in replace
            if r.record.opvangvorm
        ],
    )
    for r in rows:
        admitted = r.record.datum_toelating  # a row with opvangvorm always has one (delivery checks)
        if id(r) in replaced or not r.record.opvangvorm or admitted is None:
            continue
        placements = list(Placement.objects.filter(trajectory_id=_existing(r).pk).order_by("start_date", "id"))
        if len(placements) == 1:
            placements[0].start_date = admitted
        if placements:
            placements[-1].end_date = r.record.datum_uitstroom
            Placement.objects.bulk_update(placements, ["start_date", "end_date"])


def _delivered_perspective_status(v_number: str) -> str:
    """The format has no status column: a delivered perspective is definitive wherever the status rule
    allows it, else provisional."""
    if perspective_status_allowed(PerspectiveStatus.DEFINITIEF, v_number=v_number):
        return str(PerspectiveStatus.DEFINITIEF)
    return str(PerspectiveStatus.VOORLOPIG)


def _write_perspectives(rows: list[FileTrajectory], objects: _Written, actor: User) -> None:
    """The delivered perspective replaces the recorded ones when it differs, with the status of
    `_delivered_perspective_status` for the V-nummer the person has once the file is written."""
    rows = [r for r in rows if _touches(r, "perspectief", "datum_perspectief")]
    for chunk in chunks([objects[id(r)].pk for r in rows if r.existing is not None]):
        Perspective.objects.filter(trajectory_id__in=chunk).delete()
    bulk_insert(
        Perspective,
        [
            {
                "trajectory_id": objects[id(r)].pk,
                "perspective": r.record.perspectief,
                "status": _delivered_perspective_status(r.person.stored_v_number),
                "decided_on": r.record.datum_perspectief,
                "recorded_by_id": actor.pk,
            }
            for r in rows
            if r.record.perspectief
        ],
    )


def _write_instruments(rows: list[FileTrajectory], objects: _Written) -> None:
    """An instrument left empty is `onbekend`: no row, or the existing row set to onbekend."""
    rows = [r for r in rows if _touches(r, *MONITOR_INSTRUMENTS)]
    current: dict[tuple[int, str], InstrumentUse] = {}
    existing_ids = [objects[id(r)].pk for r in rows if r.existing is not None]
    for chunk in chunks(existing_ids):
        for recorded in InstrumentUse.objects.filter(trajectory_id__in=chunk, instrument_id__in=MONITOR_INSTRUMENTS):
            current[(recorded.trajectory_id, recorded.instrument_id)] = recorded
    create: list[dict[str, Any]] = []
    update: list[InstrumentUse] = []
    for r in rows:
        pk = objects[id(r)].pk
        for code, value in r.record.instrumenten.items():
            use = current.get((pk, code))
            if use is not None:
                if use.value != value:
                    use.value = value
                    update.append(use)
            elif value != InstrumentValue.ONBEKEND:
                create.append({"trajectory_id": pk, "instrument_id": code, "value": str(value)})
    bulk_insert(InstrumentUse, create)
    InstrumentUse.objects.bulk_update(update, ["value"], batch_size=CHUNK)
