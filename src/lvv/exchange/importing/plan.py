"""The checks of a trajectory file that need the registry, and what importing it would change: who
each person is, whether each person's trajectories follow each other, each trajectory's stage, and
which delivered rows are new, changed or the same as the registry's."""

from __future__ import annotations

from lvv.accounts.models import Municipality
from lvv.admissions.models import AdmissionDecision, AdmissionOutcome
from lvv.shelter.models import Location

from ..delivery import PERSON_COLUMNS, TRAJECTORY_COLUMNS, Fault, TrajectoryRecord, record_columns
from ..exports import registered_trajectories
from .persons import persons_identify
from .result import ImportResult
from .rows import FileTrajectory
from .sequences import sequences_check

MSG_NO_LOCATION = "gemeente {municipality} heeft geen opvanglocatie; lever eerst een capaciteitsbestand aan"
#: The columns that belong to the trajectory (the person's are compared per person).
_TRAJECTORY_ONLY_COLUMNS = tuple(c for c in TRAJECTORY_COLUMNS if c not in PERSON_COLUMNS)


class TrajectoryPlan:
    """The registry-dependent checks of a trajectory file, and the rows and persons they plan."""

    def __init__(self, records: list[TrajectoryRecord], *, file_name: str) -> None:
        self.file_name = file_name
        self.faults: list[Fault] = []
        names = {r.gemeente for r in records}
        self.municipality_ids: dict[str, int] = dict(
            Municipality.objects.filter(name__in=names).values_list("name", "id")
        )
        self.locations = self._default_locations()
        registered = registered_trajectories(municipality_ids=self.municipality_ids.values())
        name_of = {v: k for k, v in self.municipality_ids.items()}
        self.registered = {(name_of[t.municipality_id], t.columns["traject_id"]): t for t in registered}
        refused = set(
            AdmissionDecision.objects.filter(
                trajectory__municipality_id__in=self.municipality_ids.values(), outcome=AdmissionOutcome.GEWEIGERD
            ).values_list("trajectory_id", flat=True)
        )
        self.persons = persons_identify(records, municipality_ids=self.municipality_ids, faults=self.faults)
        self.rows = [
            FileTrajectory(record=r, person=p, existing=self.registered.get((r.gemeente, r.traject_id)))
            for p in self.persons
            for r in p.records
        ]
        self.rows.sort(key=lambda row: row.record.line)
        self.faults += sequences_check(self.rows, self.persons, registered, refused=refused)
        for row in self.rows:
            if row.record.opvangvorm and self.municipality_ids[row.record.gemeente] not in self.locations:
                self.faults.append(
                    Fault(row.record.line, "opvangvorm", MSG_NO_LOCATION.format(municipality=row.record.gemeente))
                )
            self._changes(row)

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

    @staticmethod
    def _changes(row: FileTrajectory) -> None:
        if row.existing is None:
            return
        delivered = record_columns(row.record)
        registered = row.existing.columns
        row.changes = [c for c in _TRAJECTORY_ONLY_COLUMNS if delivered[c] != registered[c]]
        if row.person.pk != row.existing.person_id:
            row.changes.insert(0, "persoon_id")
        if row.stage != row.existing.stage:
            row.changes.append("fase")

    @property
    def new_rows(self) -> list[FileTrajectory]:
        return [row for row in self.rows if row.existing is None]

    @property
    def changed_rows(self) -> list[FileTrajectory]:
        return [row for row in self.rows if row.existing is not None and row.changes]

    def count(self, result: ImportResult) -> None:
        new, changed = self.new_rows, self.changed_rows
        result.created, result.updated = len(new), len(changed)
        result.unchanged = len(self.rows) - len(new) - len(changed)
        result.persons_created = len([p for p in self.persons if p.pk is None])
        result.persons_updated = len([p for p in self.persons if p.pk is not None and p.changes])
