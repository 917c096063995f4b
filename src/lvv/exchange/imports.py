"""Importing a delivery file (`lvv import`): a trajectory file or a capacity file, all or nothing.

1. Read the table and recognise the file by its header.
2. Check every row (`delivery.py`), then what needs the registry: who each person is, and whether a
   person's trajectories follow each other (at most one open, none overlapping). Every fault is
   collected; with any fault nothing is written.
3. Write everything in one transaction, with bulk operations: rows are matched on municipality +
   `traject_id`, a row that matches the registry exactly changes nothing (so importing the same file
   twice changes nothing), a corrected row updates. Every new or changed trajectory gets a timeline
   event. The writes are done by the inactive system user `systeem.aanlevering`.

How a row is stored (Person, Trajectory, AdmissionDecision, Placement, Perspective, InstrumentUse)
is described in docs/aanleverformat.md."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone

from lvv.accounts.models import Municipality, User
from lvv.admissions.models import AdmissionDecision, AdmissionOutcome, Application
from lvv.core import clock
from lvv.core.tables import TableError, read_table
from lvv.monitor.indicators import MONITOR_INSTRUMENTS
from lvv.people.fingerprints import fingerprints_sync
from lvv.people.models import UNKNOWN_COUNTRY, Person, Sex
from lvv.people.services import MSG_BIRTH_YEAR_MISMATCH
from lvv.shelter.models import CapacityPeriod, Location
from lvv.trajectories.models import (
    CLOSED_STAGES,
    InstrumentUse,
    InstrumentValue,
    OutcomeCode,
    Perspective,
    PerspectiveStatus,
    Placement,
    ShelterForm,
    ShelterHours,
    Stage,
    TimelineEvent,
    Trajectory,
)

from .delivery import (
    KIND_CAPACITY,
    KIND_TRAJECTORIES,
    MSG_UNKNOWN_FILE,
    PERSON_COLUMNS,
    TRAJECTORY_COLUMNS,
    CapacityRecord,
    Fault,
    Reference,
    TrajectoryRecord,
    file_kind,
    parse_capacity,
    parse_trajectories,
    record_columns,
)
from .exports import RegisteredTrajectory, registered_trajectories

SYSTEM_USERNAME = "systeem.aanlevering"
CHUNK = 500

MSG_OTHER_V_NUMBER = "persoon_id '{person}' heeft in regel {line} een ander V-nummer ({v_number})"
MSG_V_NUMBER_OTHER_PERSON = "V-nummer {v_number} staat in regel {line} bij een andere persoon (persoon_id '{person}')"
MSG_V_NUMBER_REGISTERED = (
    "V-nummer {v_number} hoort in {municipality} al bij een andere persoon (persoon_id '{person}')"
)
MSG_SAME_PERSON = "dit is dezelfde geregistreerde persoon als in regel {line} (V-nummer of persoon_id)"
MSG_OVERLAP = (
    "valt binnen traject {other} van dezelfde persoon ({where}); een nieuw traject kan pas beginnen "
    "als het vorige is afgesloten"
)
MSG_UNREADABLE = "het bestand kan niet worden gelezen ({reason})"
MSG_NO_LOCATION = "gemeente {municipality} heeft geen opvanglocatie; lever eerst een capaciteitsbestand aan"
#: Person field → its column in the format (for the timeline, which users read).
PERSON_FIELD_COLUMNS = {
    "person_key": "persoon_id",
    "v_number": "v_nummer",
    "sex": "geslacht",
    "birth_year": "geboortejaar",
    "country_of_origin": "land_van_herkomst",
}
#: The columns that belong to the trajectory (the person's are compared per person).
_TRAJECTORY_ONLY_COLUMNS = tuple(c for c in TRAJECTORY_COLUMNS if c not in PERSON_COLUMNS)
TIMELINE_NEW = "Aangeleverd via bestand {file} (regel {line}): nieuw traject"
TIMELINE_UPDATED = "Aangeleverd via bestand {file} (regel {line}): bijgewerkt ({changes})"
TIMELINE_PERSON = "Persoonsgegevens bijgewerkt via bestand {file}: {changes}"


@dataclass
class ImportResult:
    kind: str = ""
    rows: int = 0
    faults: list[Fault] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    locations_created: int = 0
    written: bool = False
    #: The registry persons whose data the import wrote (new or changed), for the access log.
    person_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults

    def summary(self) -> str:
        if self.kind == KIND_CAPACITY:
            return (
                f"Capaciteitsbestand: {self.rows} regels; locaties: {self.created} nieuw of bijgewerkt "
                f"({self.locations_created} nieuwe locaties), {self.unchanged} ongewijzigd."
            )
        return (
            f"Trajectbestand: {self.rows} regels; trajecten: {self.created} nieuw, {self.updated} bijgewerkt, "
            f"{self.unchanged} ongewijzigd; personen: {self.persons_created} nieuw, {self.persons_updated} bijgewerkt."
        )


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
            plan = _TrajectoryPlan(records, file_name=name)
            result.faults = plan.faults
            plan.count(result)
            if not plan.faults and not dry_run:
                plan.write(result)
    else:
        records, faults = parse_capacity(table, reference)
        result = ImportResult(kind=kind, rows=len(table.rows), faults=faults)
        if not faults and not dry_run:
            _capacity_write(records, result)
    result.faults.sort(key=lambda f: f.line)  # stable: within a line, in the order of the columns
    return result


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


INSERT_BATCH = 5000


def _insert(model: type[models.Model], rows: list[dict]) -> None:
    """INSERT many rows of plain values (keyed by field attname, the same keys in every row) without
    building a model instance per row: at 100,000 rows bulk_create's per-object work is most of an
    import. What bulk_create does otherwise is kept: a field a row leaves out gets its default
    (auto_now / auto_now_add: now), values are prepared for the database per field, no save(), no
    signals. Constants are prepared once; dates cheaply per value."""
    if not rows:
        return
    given = list(rows[0])
    now = timezone.now()
    # The values given come first (in the order of the first row's keys), then the defaults.
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    columns = [connection.ops.quote_name(by_name[name].column) for name in given]
    converters = []  # (position, convert) for the given values that need preparing
    for position, name in enumerate(given):
        convert = _converter(by_name[name])
        if convert is not None:
            converters.append((position, convert))
    constants = []
    for f in model._meta.concrete_fields:
        if f.attname in given or f is model._meta.pk:
            continue  # given, or assigned by the database
        columns.append(connection.ops.quote_name(f.column))
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants.append(f.get_db_prep_save(now, connection))
        elif f.has_default() and callable(f.default) and f.unique:
            raise ValueError(f"{model.__name__}.{f.name}: a unique default per row; give it a value")
        else:
            constants.append(f.get_db_prep_save(f.get_default(), connection))
    # Table and column names come from the model's own _meta, quoted; every value is a %s parameter.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    values = operator.itemgetter(*given) if len(given) > 1 else (lambda row, name=given[0]: (row[name],))
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, INSERT_BATCH):
            params = [[*values(row), *constants] for row in chunk]
            for position, convert in converters:
                for row_params in params:
                    row_params[position] = convert(row_params[position])
            cursor.executemany(sql, params)


def _bump_versions(model: type[models.Model], pks: list[int]) -> None:
    """Raise the optimistic-locking version of the rows the import changed, so that an edit form
    opened before the import refuses instead of overwriting imported data (lvv.core.concurrency)."""
    for chunk in _chunks(pks):
        model.objects.filter(pk__in=list(chunk)).update(version=models.F("version") + 1)


def _converter(f: models.Field):
    """How a given value of field `f` is prepared for the database (None: as it is)."""
    if isinstance(f, models.DateTimeField | models.JSONField):
        return functools.partial(_prepared, f)
    if isinstance(f, models.DateField):
        cache = {}  # the same few thousand days over and over

        def date(value, adapt=connection.ops.adapt_datefield_value):
            try:
                return cache[value]
            except KeyError:
                cache[value] = adapted = adapt(value)
                return adapted

        return date
    if f.is_relation or isinstance(f, models.CharField | models.TextField | models.IntegerField):
        return None  # text, numbers and keys go to the driver as they are
    if isinstance(f, models.BooleanField):
        return _boolean
    return functools.partial(_prepared, f)


def _prepared(field: models.Field, value):
    return field.get_db_prep_save(value, connection)


def _boolean(value):
    return None if value is None else bool(value)


# --- trajectories ------------------------------------------------------------------------------


@dataclass(eq=False)
class _Person:
    """One person of the file within one municipality, and the registry person it is."""

    municipality_id: int
    key: str  # persoon_id, or "" when only the V-nummer identifies the person
    records: list[TrajectoryRecord] = field(default_factory=list)
    v_number: str = ""
    pk: int | None = None  # the registry person, when there is one
    changes: dict[str, object] = field(default_factory=dict)  # Person field → new value
    new_key: str = ""
    stored_v_number: str = ""  # the V-nummer in the registry after the import

    @property
    def first_line(self) -> int:
        return min(r.line for r in self.records)


@dataclass(frozen=True)
class _Saved:
    """A trajectory this import inserted: only its id is needed afterwards."""

    pk: int


@dataclass(eq=False)
class _Row:
    """One delivered trajectory and what importing it means."""

    record: TrajectoryRecord
    person: _Person
    existing: RegisteredTrajectory | None
    stage: str = ""
    changes: list[str] = field(default_factory=list)  # the columns that differ from the registry


@dataclass(eq=False)
class _Timeline:
    """A trajectory (in the registry, or in the file) in one person's sequence of trajectories."""

    application: dt.date
    admission: dt.date | None
    outflow: dt.date | None
    traject_id: str
    row: _Row | None = None  # None: a registry trajectory the file does not mention
    open_in_registry: bool = False


class _TrajectoryPlan:
    """The registry-dependent checks of a trajectory file, and the writes they lead to."""

    def __init__(self, records: list[TrajectoryRecord], *, file_name: str):
        self.file_name = file_name
        self.faults: list[Fault] = []
        names = {r.gemeente for r in records}
        self.municipality_ids = dict(Municipality.objects.filter(name__in=names).values_list("name", "id"))
        self.locations = self._default_locations()
        registered = registered_trajectories(municipality_ids=self.municipality_ids.values())
        name_of = {v: k for k, v in self.municipality_ids.items()}
        self.registered = {(name_of[t.municipality_id], t.columns["traject_id"]): t for t in registered}
        self.refused = set(
            AdmissionDecision.objects.filter(
                trajectory__municipality_id__in=self.municipality_ids.values(), outcome=AdmissionOutcome.GEWEIGERD
            ).values_list("trajectory_id", flat=True)
        )
        self.persons = self._persons(records)
        self.rows = [
            _Row(record=r, person=p, existing=self.registered.get((r.gemeente, r.traject_id)))
            for p in self.persons
            for r in p.records
        ]
        self.rows.sort(key=lambda row: row.record.line)
        self._check_sequences(registered)
        for row in self.rows:
            if row.record.opvangvorm and self.municipality_ids[row.record.gemeente] not in self.locations:
                self._fault(row.record.line, "opvangvorm", MSG_NO_LOCATION.format(municipality=row.record.gemeente))
            self._changes(row)

    def _fault(self, line: int, column: str, message: str) -> None:
        self.faults.append(Fault(line, column, message))

    def _default_locations(self) -> dict[int, int]:
        """Per municipality the location a delivered placement is recorded at: the one named after
        the municipality, else the first by name."""
        result: dict[int, int] = {}
        for pk, municipality_id, name, municipality in (
            Location.objects.filter(municipality_id__in=self.municipality_ids.values())
            .values_list("id", "municipality_id", "name", "municipality__name")
            .order_by("name")
        ):
            if municipality_id not in result or name == municipality:
                result[municipality_id] = pk
        return result

    # -- who is who --

    def _persons(self, records: list[TrajectoryRecord]) -> list[_Person]:
        by_municipality = defaultdict(list)
        for r in records:
            by_municipality[r.gemeente].append(r)
        existing = defaultdict(dict)  # municipality_id → {("k", key) / ("v", v_number): row}
        for pk, municipality_id, key, v_number, sex, birth_year, birth_date, country in Person.objects.filter(
            municipality_id__in=self.municipality_ids.values()
        ).values_list(
            "id", "municipality_id", "person_key", "v_number", "sex", "birth_year", "birth_date", "country_of_origin"
        ):
            row = {
                "pk": pk,
                "key": key,
                "v_number": v_number,
                "sex": sex,
                "birth_year": birth_year,
                "birth_date": birth_date,
                "country": country,
            }
            existing[municipality_id][("k", key)] = row
            if v_number:
                existing[municipality_id][("v", v_number)] = row
        persons = []
        for name, rows in by_municipality.items():
            persons.extend(
                self._persons_in(name, sorted(rows, key=lambda r: r.line), existing[self.municipality_ids[name]])
            )
        return persons

    def _persons_in(self, municipality: str, records: list[TrajectoryRecord], registry: dict) -> list[_Person]:
        """Group the rows of one municipality into persons (persoon_id first, then V-nummer), and match
        each to the registry: by persoon_id, else by V-nummer (the delivered persoon_id is then adopted)."""
        municipality_id = self.municipality_ids[municipality]
        groups: dict[tuple[str, str], _Person] = {}
        for r in records:
            if r.persoon_id:
                groups.setdefault(("k", r.persoon_id), _Person(municipality_id, r.persoon_id)).records.append(r)
        owner: dict[str, _Person] = {}
        for person in list(groups.values()):
            first: TrajectoryRecord | None = None
            for r in person.records:
                if not r.v_nummer:
                    continue
                if first is None:
                    first = r
                elif r.v_nummer != first.v_nummer:
                    self._fault(
                        r.line,
                        "v_nummer",
                        MSG_OTHER_V_NUMBER.format(person=person.key, line=first.line, v_number=first.v_nummer),
                    )
            if first is None:
                continue
            person.v_number = first.v_nummer
            if first.v_nummer in owner:
                other = owner[first.v_nummer]
                self._fault(
                    first.line,
                    "v_nummer",
                    MSG_V_NUMBER_OTHER_PERSON.format(v_number=first.v_nummer, line=other.first_line, person=other.key),
                )
            else:
                owner[first.v_nummer] = person
        for r in records:
            if not r.persoon_id:
                person = owner.get(r.v_nummer)
                if person is None:
                    person = owner[r.v_nummer] = groups[("v", r.v_nummer)] = _Person(
                        municipality_id, "", v_number=r.v_nummer
                    )
                person.records.append(r)

        matched: dict[int, _Person] = {}
        for person in groups.values():
            person.records.sort(key=lambda r: (r.datum_aanmelding, r.line))
            found = registry.get(("k", person.key)) if person.key else None
            by_v = registry.get(("v", person.v_number)) if person.v_number else None
            if found is None:
                found = by_v
                if found is not None and person.key:
                    person.new_key = person.key  # the municipality's own key, delivered now
            elif by_v is not None and by_v["pk"] != found["pk"]:
                self._fault(
                    person.first_line,
                    "v_nummer",
                    MSG_V_NUMBER_REGISTERED.format(
                        v_number=person.v_number, municipality=municipality, person=by_v["key"]
                    ),
                )
            if found is not None:
                if found["pk"] in matched:
                    self._fault(
                        person.first_line, "persoon_id", MSG_SAME_PERSON.format(line=matched[found["pk"]].first_line)
                    )
                matched[found["pk"]] = person
                person.pk = found["pk"]
            self._person_changes(person, found)
        return list(groups.values())

    def _person_changes(self, person: _Person, registered: dict | None) -> None:
        """The person's values: per field the latest row (by application date) that knows it. A value
        the file does not know (empty, onbekend) never erases one the registry knows."""
        latest = {}
        for r in person.records:
            if r.geslacht != Sex.ONBEKEND:
                latest["sex"] = r.geslacht
            if r.geboortejaar is not None:
                latest["birth_year"] = r.geboortejaar
            if r.land_van_herkomst != UNKNOWN_COUNTRY:
                latest["country_of_origin"] = r.land_van_herkomst
        if person.v_number:
            latest["v_number"] = person.v_number
        # The V-nummer the person has once this file is written (a delivered one wins).
        person.stored_v_number = person.v_number or (registered["v_number"] if registered else "")
        if registered is None:
            person.changes = latest
            return
        if registered["birth_date"] and latest.get("birth_year", registered["birth_date"].year) != (
            registered["birth_date"].year
        ):
            self._fault(person.first_line, "geboortejaar", MSG_BIRTH_YEAR_MISMATCH)
        current = {
            "sex": registered["sex"],
            "birth_year": registered["birth_year"],
            "country_of_origin": registered["country"],
            "v_number": registered["v_number"],
        }
        if registered["birth_date"]:
            latest.pop("birth_year", None)
        person.changes = {k: v for k, v in latest.items() if current[k] != v}
        if person.new_key:
            person.changes["person_key"] = person.new_key

    # -- one person's trajectories follow each other --

    def _check_sequences(self, registered: list[RegisteredTrajectory]) -> None:
        in_file = {(r.record.gemeente, r.record.traject_id) for r in self.rows}
        others = defaultdict(list)  # registry trajectories the file does not mention, per person
        for t in registered:
            if (t.columns["gemeente"], t.columns["traject_id"]) not in in_file:
                others[t.person_id].append(t)
        rows_of = defaultdict(list)
        for row in self.rows:
            rows_of[id(row.person)].append(row)
        for person in self.persons:
            own = rows_of[id(person)]
            if len(own) == 1 and not (person.pk and others.get(person.pk)):
                own[0].stage = self._stage(own[0], is_last=True)  # one trajectory: nothing to overlap
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
            for t in others.get(person.pk, []) if person.pk else []:
                sequence.append(
                    _Timeline(
                        dt.date.fromisoformat(t.columns["datum_aanmelding"]),
                        dt.date.fromisoformat(t.columns["datum_toelating"]) if t.columns["datum_toelating"] else None,
                        dt.date.fromisoformat(t.columns["datum_uitstroom"]) if t.columns["datum_uitstroom"] else None,
                        t.columns["traject_id"],
                        open_in_registry=t.stage not in CLOSED_STAGES,
                    )
                )
            sequence.sort(key=lambda t: (t.application, t.admission or dt.date.min, t.traject_id))
            for earlier, later in zip(sequence, sequence[1:], strict=False):
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
                    self._fault(
                        blamed.row.record.line,
                        "datum_aanmelding",
                        MSG_OVERLAP.format(other=other.traject_id, where=where),
                    )
            for position, t in enumerate(sequence):
                if t.row is not None:
                    t.row.stage = self._stage(t.row, is_last=position == len(sequence) - 1)

    def _stage(self, row: _Row, *, is_last: bool) -> str:
        r = row.record
        if r.datum_uitstroom:
            return Stage.UITGESTROOMD
        if r.datum_toelating:
            if r.perspectief:
                return Stage.PERSPECTIEF_BEPAALD
            return Stage.INTAKE if r.opvangvorm else Stage.TOEGELATEN
        if row.existing and row.existing.pk in self.refused:
            return Stage.GEWEIGERD
        if not is_last:
            return Stage.GEWEIGERD  # not admitted, and the person applied again later: closed
        if row.existing and row.existing.stage in (Stage.AANGEMELD, Stage.IN_TOETSING):
            return row.existing.stage
        return Stage.AANGEMELD

    def _changes(self, row: _Row) -> None:
        if row.existing is None:
            return
        delivered = record_columns(row.record)
        registered = row.existing.columns
        row.changes = [c for c in _TRAJECTORY_ONLY_COLUMNS if delivered[c] != registered[c]]
        if row.person.pk != row.existing.person_id:
            row.changes.insert(0, "persoon_id")
        if row.stage != row.existing.stage:
            row.changes.append("fase")

    # -- writing --

    def count(self, result: ImportResult) -> None:
        new = [row for row in self.rows if row.existing is None]
        changed = [row for row in self.rows if row.existing is not None and row.changes]
        result.created, result.updated = len(new), len(changed)
        result.unchanged = len(self.rows) - len(new) - len(changed)
        result.persons_created = len([p for p in self.persons if p.pk is None])
        result.persons_updated = len([p for p in self.persons if p.pk is not None and p.changes])

    @transaction.atomic
    def write(self, result: ImportResult) -> None:
        actor = delivery_user()
        now = clock.now()
        self._write_persons()
        new = [row for row in self.rows if row.existing is None]
        changed = [row for row in self.rows if row.existing is not None and row.changes]
        objects = self._write_trajectories(new, changed, now)
        touched = new + changed
        result.person_ids = list(
            dict.fromkeys([row.person.pk for row in touched] + [p.pk for p in self.changed_persons])
        )
        self._write_decisions(touched, objects, actor)
        self._write_placements(touched, objects, actor)
        self._write_perspectives(touched, objects, actor)
        self._write_instruments(touched, objects)
        events = [
            {
                "trajectory_id": objects[id(row)].pk,
                "at": now,
                "kind": "aanlevering",
                "description": (
                    TIMELINE_NEW.format(file=self.file_name, line=row.record.line)
                    if row.existing is None
                    else TIMELINE_UPDATED.format(
                        file=self.file_name, line=row.record.line, changes=", ".join(row.changes)
                    )
                )[:500],
                "actor_id": actor.pk,
                "shared": True,
            }
            for row in touched
        ]
        row_of = {id(row.record): row for row in self.rows}
        for person in self.changed_persons:
            row = row_of[id(person.records[-1])]  # the person's latest trajectory in the file
            trajectory_id = objects[id(row)].pk if id(row) in objects else row.existing.pk
            events.append(
                {
                    "trajectory_id": trajectory_id,
                    "at": now,
                    "kind": "persoonsgegevens",
                    "description": TIMELINE_PERSON.format(
                        file=self.file_name, changes=", ".join(PERSON_FIELD_COLUMNS[f] for f in sorted(person.changes))
                    ),
                    "actor_id": actor.pk,
                    "shared": True,
                }
            )
        _insert(TimelineEvent, events)
        result.written = True

    def _write_persons(self) -> None:
        self.changed_persons = [p for p in self.persons if p.pk is not None and p.changes]
        new = [p for p in self.persons if p.pk is None]
        keys = [p.key or f"P-{uuid.uuid4().hex[:10].upper()}" for p in new]
        # Every field a new person can get (the rest are the model's defaults), the same in every row.
        fields = ("sex", "birth_year", "country_of_origin", "v_number")
        defaults = {name: Person._meta.get_field(name).get_default() for name in fields}
        _insert(
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
        pks = self._ids(Person, "person_key", {p.municipality_id for p in new})
        for person, key in zip(new, keys, strict=True):
            person.pk = pks[(person.municipality_id, key)]
        changed = self.changed_persons
        if changed:
            current: dict[int, Person] = {}
            for chunk in _chunks([p.pk for p in changed]):
                current.update(Person.objects.in_bulk(list(chunk)))
            for p in changed:
                for name, value in p.changes.items():
                    setattr(current[p.pk], name, value)
            fields = sorted({name for p in changed for name in p.changes})
            Person.objects.bulk_update([current[p.pk] for p in changed], fields, batch_size=CHUNK)
            _bump_versions(Person, [p.pk for p in changed])
        # The import bypasses the person services, so it keeps the duplicate-check fingerprints itself.
        fingerprints_sync([p.pk for p in new] + [p.pk for p in changed])

    def _trajectory_values(self, row: _Row) -> dict:
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

    def _write_trajectories(self, new: list[_Row], changed: list[_Row], now) -> dict[int, Trajectory]:
        objects: dict[int, Trajectory] = {}
        if changed:
            current = {}
            for chunk in _chunks([row.existing.pk for row in changed]):
                current.update(Trajectory.objects.in_bulk(list(chunk)))
            fields = [
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
            for row in changed:
                obj = current[row.existing.pk]
                for name, value in self._trajectory_values(row).items():
                    setattr(obj, name, value)
                if "opvangvorm" in row.changes:
                    location = self.locations.get(obj.municipality_id) if row.record.opvangvorm else None
                    obj.location_id = location
                obj.updated_at = now
                objects[id(row)] = obj
            # Close before opening, so that one person never has two open trajectories in between.
            closing = [objects[id(r)] for r in changed if r.stage in CLOSED_STAGES]
            opening = [objects[id(r)] for r in changed if r.stage not in CLOSED_STAGES]
            for group in (closing, opening):
                if group:
                    Trajectory.objects.bulk_update(group, fields, batch_size=CHUNK)
                    _bump_versions(Trajectory, [obj.pk for obj in group])
        _insert(
            Trajectory,
            [
                {
                    "municipality_id": row.person.municipality_id,
                    "external_id": row.record.traject_id,
                    "location_id": self.locations.get(row.person.municipality_id) if row.record.opvangvorm else None,
                    **self._trajectory_values(row),
                }
                for row in new
            ],
        )
        if new:
            # traject_id is unique per municipality: that is how the new trajectories' ids are found.
            pks = self._ids(Trajectory, "external_id", {row.person.municipality_id for row in new})
            for row in new:
                objects[id(row)] = _Saved(pks[(row.person.municipality_id, row.record.traject_id)])
        _insert(Application, [{"trajectory_id": objects[id(row)].pk} for row in new])
        return objects

    @staticmethod
    def _ids(model: type[models.Model], key: str, municipality_ids: set[int]) -> dict[tuple[int, str], int]:
        return {
            (municipality_id, value): pk
            for pk, municipality_id, value in model.objects.filter(municipality_id__in=municipality_ids)
            .order_by()
            .values_list("id", "municipality_id", key)
        }

    @staticmethod
    def _touches(row: _Row, *columns: str) -> bool:
        return row.existing is None or any(c in row.changes for c in columns)

    def _write_decisions(self, rows: list[_Row], objects: dict, actor) -> None:
        """The admission decision follows datum_toelating and toelating_via_uitzondering. A delivered
        exception has no motivation or LSO date of its own: the text says so and the LSO date is
        the admission date (the constraint asks for both)."""
        rows = [r for r in rows if self._touches(r, "datum_toelating", "toelating_via_uitzondering")]
        replaced = [objects[id(r)].pk for r in rows if r.existing is not None and r.record.datum_toelating]
        dropped = [objects[id(r)].pk for r in rows if r.existing is not None and not r.record.datum_toelating]
        for chunk in _chunks(replaced):
            AdmissionDecision.objects.filter(trajectory_id__in=chunk).delete()
        for chunk in _chunks(dropped):
            AdmissionDecision.objects.filter(trajectory_id__in=chunk).exclude(
                outcome=AdmissionOutcome.GEWEIGERD
            ).delete()
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
                        f"Toegelaten als uitzondering volgens aanlevering {self.file_name}; "
                        "motivering niet aangeleverd."
                        if exception
                        else ""
                    ),
                    "lso_meeting_date": r.datum_toelating if exception else None,
                    "decided_by_id": actor.pk,
                }
            )
        _insert(AdmissionDecision, decisions)

    def _write_placements(self, rows: list[_Row], objects: dict, actor) -> None:
        """One placement from admission to outflow, at the municipality's location. A changed form
        replaces the placements; changed dates move the delivered placement with them."""
        rows = [r for r in rows if self._touches(r, "opvangvorm", "datum_toelating", "datum_uitstroom")]
        replace = [r for r in rows if r.existing is None or "opvangvorm" in r.changes]
        replaced = {id(r) for r in replace}
        for chunk in _chunks([objects[id(r)].pk for r in replace if r.existing is not None]):
            Placement.objects.filter(trajectory_id__in=chunk).delete()
        _insert(
            Placement,
            [
                {
                    "trajectory_id": objects[id(r)].pk,
                    "location_id": self.locations[r.person.municipality_id],
                    "shelter_form": r.record.opvangvorm,
                    "hours": str(
                        ShelterHours.NIGHT
                        if r.record.opvangvorm == ShelterForm.NACHTOPVANG
                        else ShelterHours.DAY_AND_NIGHT
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
            if id(r) in replaced or not r.record.opvangvorm:
                continue
            placements = list(Placement.objects.filter(trajectory_id=r.existing.pk).order_by("start_date", "id"))
            if len(placements) == 1:
                placements[0].start_date = r.record.datum_toelating
            if placements:
                placements[-1].end_date = r.record.datum_uitstroom
                Placement.objects.bulk_update(placements, ["start_date", "end_date"])

    def _write_perspectives(self, rows: list[_Row], objects: dict, actor) -> None:
        """The delivered perspective replaces the recorded ones when it differs. Definitive when the
        person's V-nummer is known (a definitive perspective needs one), else provisional."""
        rows = [r for r in rows if self._touches(r, "perspectief", "datum_perspectief")]
        for chunk in _chunks([objects[id(r)].pk for r in rows if r.existing is not None]):
            Perspective.objects.filter(trajectory_id__in=chunk).delete()
        _insert(
            Perspective,
            [
                {
                    "trajectory_id": objects[id(r)].pk,
                    "perspective": r.record.perspectief,
                    "status": str(
                        PerspectiveStatus.DEFINITIEF if r.person.stored_v_number else PerspectiveStatus.VOORLOPIG
                    ),
                    "decided_on": r.record.datum_perspectief,
                    "recorded_by_id": actor.pk,
                }
                for r in rows
                if r.record.perspectief
            ],
        )

    def _write_instruments(self, rows: list[_Row], objects: dict) -> None:
        """An instrument left empty is `onbekend`: no row, or the existing row set to onbekend."""
        rows = [r for r in rows if self._touches(r, *MONITOR_INSTRUMENTS)]
        current: dict[tuple[int, str], InstrumentUse] = {}
        existing_ids = [objects[id(r)].pk for r in rows if r.existing is not None]
        for chunk in _chunks(existing_ids):
            for use in InstrumentUse.objects.filter(trajectory_id__in=chunk, instrument_id__in=MONITOR_INSTRUMENTS):
                current[(use.trajectory_id, use.instrument_id)] = use
        create, update = [], []
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
        _insert(InstrumentUse, create)
        InstrumentUse.objects.bulk_update(update, ["value"], batch_size=CHUNK)


# --- capacity ----------------------------------------------------------------------------------


@transaction.atomic
def _capacity_write(records: Iterable[CapacityRecord], result: ImportResult) -> None:
    """A capacity file gives the whole register of every location it names: per location its rows
    replace the periods on record (when they differ). Unknown locations are created."""
    by_location: dict[tuple[str, str], list[CapacityRecord]] = defaultdict(list)
    for r in records:
        by_location[(r.gemeente, r.locatie.lower())].append(r)
    municipality_ids = dict(Municipality.objects.filter(name__in={m for m, _ in by_location}).values_list("name", "id"))
    locations = {
        (municipality, name.lower()): pk
        for pk, municipality, name in Location.objects.filter(
            municipality_id__in=municipality_ids.values()
        ).values_list("id", "municipality__name", "name")
    }
    periods = defaultdict(set)
    for location_id, places, valid_from, valid_to in CapacityPeriod.objects.filter(
        location_id__in=locations.values()
    ).values_list("location_id", "places", "valid_from", "valid_to"):
        periods[location_id].add((places, valid_from, valid_to))
    new_periods = []
    for key, rows in by_location.items():
        wanted = {(r.plaatsen, r.geldig_vanaf, r.geldig_tot) for r in rows}
        location_id = locations.get(key)
        if location_id is None:
            location_id = Location.objects.create(municipality_id=municipality_ids[key[0]], name=rows[0].locatie).pk
            result.locations_created += 1
        elif periods[location_id] == wanted:
            result.unchanged += 1
            continue
        else:
            CapacityPeriod.objects.filter(location_id=location_id).delete()
        result.created += 1
        new_periods += [
            CapacityPeriod(location_id=location_id, places=p, valid_from=start, valid_to=end)
            for p, start, end in sorted(wanted, key=lambda w: w[1])
        ]
    CapacityPeriod.objects.bulk_create(new_periods)
    result.written = True
