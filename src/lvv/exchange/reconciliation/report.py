"""The reconciliation and duplicate report, for every municipality or one, and its JSON form. Seen
from a municipality, the other LVVs' registrations show only the municipality and the dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .duplicates import BY_NAME, DuplicateGroup
from .extracts import Extract
from .matching import CATEGORIES, Finding, category_counts
from .registry import RegistryTrajectory


def _trajectory_dict(t: RegistryTrajectory) -> dict[str, Any]:
    return {
        "traject_id": t.traject_id,
        "datum_aanmelding": t.application.isoformat(),
        "datum_toelating": t.admission.isoformat() if t.admission else None,
        "datum_uitstroom": t.outflow.isoformat() if t.outflow else None,
        "uitstroomreden": t.outcome or None,
    }


def duplicate_dict(group: DuplicateGroup, *, viewpoint: str | None = None) -> dict[str, Any]:
    """A group as JSON. Seen from a municipality (`viewpoint`), the other LVVs' registrations show only
    the municipality and the dates — the same as the duplicate check at an application."""
    registrations: list[dict[str, Any]] = []
    for p in group.persons:
        own = viewpoint is None or p.municipality == viewpoint
        entry: dict[str, Any] = {"gemeente": p.municipality}
        if own:
            entry |= {"persoon_id": p.person_key, "v_nummer": p.v_number}
        trajectories = [_trajectory_dict(t) for t in p.trajectories]
        if not own:
            for t in trajectories:
                del t["traject_id"]
                del t["uitstroomreden"]
        entry["trajecten"] = trajectories
        registrations.append(entry)
    return {
        "grond": sorted(group.grounds),
        "naamscore": group.score if BY_NAME in group.grounds else None,
        "gemeenten": group.municipalities,
        "gelijktijdig": group.simultaneous,
        "inschrijvingen": registrations,
    }


def duplicate_counts(groups: Iterable[DuplicateGroup], municipalities: Iterable[str]) -> dict[str, dict[str, int]]:
    """Per municipality: its persons also registered elsewhere, of whom at the same time."""
    counts = {m: {"ook_elders_ingeschreven": 0, "gelijktijdig": 0} for m in municipalities}
    for g in groups:
        simultaneous = g.simultaneous
        for p in g.persons:
            row = counts.setdefault(p.municipality, {"ook_elders_ingeschreven": 0, "gelijktijdig": 0})
            row["ook_elders_ingeschreven"] += 1
            row["gelijktijdig"] += int(simultaneous)
    return counts


# --- the report ---------------------------------------------------------------------------------------


@dataclass
class Report:
    """The reconciliation and duplicate report, for every municipality or one."""

    findings: list[Finding]
    duplicates: list[DuplicateGroup]
    municipalities: list[str]
    ind: Extract | None = None
    dtv: Extract | None = None
    municipality: str | None = None  # the report is about this municipality only
    #: Persons without a V-nummer per municipality: the partners cannot be asked about them.
    without_v_number: dict[str, int] = field(default_factory=dict)

    def findings_of(self, municipality: str) -> list[Finding]:
        return [f for f in self.findings if f.municipality == municipality]

    def duplicates_of(self, municipality: str) -> list[DuplicateGroup]:
        return [g for g in self.duplicates if municipality in g.municipalities]

    def counts(self, findings: Iterable[Finding]) -> dict[str, Any]:
        return category_counts(findings, ind=self.ind is not None, dtv=self.dtv is not None)

    def person_ids(self) -> list[int]:
        """Every registry person this report shows at person level (for the access log)."""
        ids = [f.person_pk for f in self.shown_findings()]
        for g in self.shown_duplicates():
            ids += [p.pk for p in g.persons if self.municipality in (None, p.municipality)]
        return list(dict.fromkeys(ids))

    def shown_findings(self) -> list[Finding]:
        return self.findings if self.municipality is None else self.findings_of(self.municipality)

    def shown_duplicates(self) -> list[DuplicateGroup]:
        return self.duplicates if self.municipality is None else self.duplicates_of(self.municipality)

    def as_dict(self, *, persons: bool = True) -> dict[str, Any]:
        """The report as JSON. `persons=False`: counts only (the programmabureau's view)."""
        shown = [self.municipality] if self.municipality else self.municipalities
        duplicate_figures = duplicate_counts(self.duplicates, self.municipalities)
        per_municipality: dict[str, dict[str, Any]] = {}
        for name in shown:
            findings = self.findings_of(name)
            entry: dict[str, Any] = {
                "aantallen": self.counts(findings)
                | {"zonder_v_nummer": self.without_v_number.get(name, 0)}
                | duplicate_figures.get(name, {})
            }
            if persons:
                entry["bevindingen"] = {c: [f.as_dict() for f in findings if f.category == c] for c in CATEGORIES}
                entry["dubbele_inschrijvingen"] = [duplicate_dict(g, viewpoint=name) for g in self.duplicates_of(name)]
            per_municipality[name] = entry
        national = self.counts(self.findings) | {
            "zonder_v_nummer": sum(self.without_v_number.values()),
            "dubbel_ingeschreven_personen": len(self.duplicates),
            "waarvan_gelijktijdig": sum(g.simultaneous for g in self.duplicates),
        }
        return {
            "peildatum_ind": self.ind.peildatum.isoformat() if self.ind else None,
            "peildatum_dtv": self.dtv.peildatum.isoformat() if self.dtv else None,
            "landelijk": national,
            "per_gemeente": per_municipality,
        } | (
            {"dubbele_inschrijvingen": [duplicate_dict(g) for g in self.duplicates]}
            if persons and self.municipality is None
            else {}
        )
