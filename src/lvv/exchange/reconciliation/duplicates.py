"""The persons registered by more than one LVV (`national_duplicates`): the same V-nummer, or for
persons without one a fuzzy name match (rapidfuzz, the registry's own duplicate rules) on the same
birth date. Pure: it works on the registry's plain records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from lvv.people.duplicates import NAME_THRESHOLD
from lvv.people.models import UNKNOWN_COUNTRY

from .registry import RegistryPerson

BY_V_NUMBER = "v_nummer"
BY_NAME = "naam_en_geboortedatum"


@dataclass
class DuplicateGroup:
    """One human being, probably, registered by more than one LVV."""

    persons: list[RegistryPerson]
    grounds: set[str]
    score: float = 100.0  # the lowest name score that joined the group (100 for a V-nummer only)

    @property
    def municipalities(self) -> list[str]:
        return sorted({p.municipality for p in self.persons})

    @property
    def simultaneous(self) -> bool:
        """Two trajectories in different municipalities that overlap in time ("shopping" while in
        another LVV, rather than after leaving it)."""
        spans = [
            (p.municipality, t.application, t.outflow or dt.date.max) for p in self.persons for t in p.trajectories
        ]
        return any(a[0] != b[0] and a[1] <= b[2] and b[1] <= a[2] for i, a in enumerate(spans) for b in spans[i + 1 :])


def _countries_match(a: str, b: str) -> bool:
    return UNKNOWN_COUNTRY in (a, b) or a == b  # the registry's duplicate rule (people/duplicates.py)


def national_duplicates(persons: Sequence[RegistryPerson]) -> list[DuplicateGroup]:
    """Persons registered by more than one LVV: the same V-nummer in several municipalities, and —
    for persons without a V-nummer — a name that matches (rapidfuzz token_sort_ratio ≥ the
    registry's threshold, aliases included) with the same birth date (or, when a date is missing,
    the same birth year) and a compatible country. Persons with two different V-numbers are
    different people. Pure."""
    parent = list(range(len(persons)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: list[tuple[int, int, str, float]] = []
    by_v: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(persons):
        if p.v_number:
            by_v[p.v_number].append(i)
    for members in by_v.values():
        for j in members[1:]:
            if persons[j].municipality != persons[members[0]].municipality:
                edges.append((members[0], j, BY_V_NUMBER, 100.0))

    blocks: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(persons):
        if p.known_birth_year and any(p.names):
            blocks[p.known_birth_year].append(i)
    for members in blocks.values():
        queries = [i for i in members if not persons[i].v_number]
        if not queries:
            continue
        owners = [i for i in members for name in persons[i].names if name]
        choices = [name for i in members for name in persons[i].names if name]
        query_owners = [i for i in queries for name in persons[i].names if name]
        query_names = [name for i in queries for name in persons[i].names if name]
        scores = process.cdist(
            query_names, choices, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_THRESHOLD, workers=1
        )
        best: dict[tuple[int, int], float] = {}
        for qi, ci in zip(*scores.nonzero(), strict=True):
            a, b = query_owners[qi], owners[ci]
            pa, pb = persons[a], persons[b]
            if pa.municipality == pb.municipality:
                continue
            if pa.birth_date and pb.birth_date and pa.birth_date != pb.birth_date:
                continue
            if not _countries_match(pa.country, pb.country):
                continue
            key = (min(a, b), max(a, b))
            best[key] = max(best.get(key, 0.0), float(scores[qi, ci]))
        edges += [(a, b, BY_NAME, score) for (a, b), score in best.items()]

    grounds: dict[int, set[str]] = defaultdict(set)
    lowest: dict[int, float] = {}
    for a, b, _, _ in edges:
        parent[find(a)] = find(b)
    for a, _, ground, score in edges:
        root = find(a)
        grounds[root].add(ground)
        lowest[root] = min(lowest.get(root, 100.0), score)
    members_of: dict[int, list[RegistryPerson]] = defaultdict(list)
    for i, p in enumerate(persons):
        if find(i) in grounds:
            members_of[find(i)].append(p)
    groups = [
        DuplicateGroup(sorted(ms, key=lambda p: (p.municipality, p.pk)), grounds[root], round(lowest[root], 1))
        for root, ms in members_of.items()
    ]
    groups.sort(key=lambda g: (min(p.first_application or dt.date.max for p in g.persons), g.persons[0].pk))
    return groups
