"""What an import did, or why it refused: the faults, and the counts `lvv import` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..delivery import KIND_CAPACITY, Fault


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
