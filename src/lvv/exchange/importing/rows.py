"""What the import plans for a trajectory file: each delivered person and trajectory, with the
registry's counterpart and what importing it changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..delivery import TrajectoryRecord
from ..exports import RegisteredTrajectory


@dataclass(eq=False)
class FilePerson:
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


@dataclass(eq=False)
class FileTrajectory:
    """One delivered trajectory and what importing it means."""

    record: TrajectoryRecord
    person: FilePerson
    existing: RegisteredTrajectory | None
    stage: str = ""
    changes: list[str] = field(default_factory=list)  # the columns that differ from the registry
