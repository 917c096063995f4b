"""Small-cell suppression for published monitor figures (pure: no Django, no database).

The method (docs/onthulling.md explains it in Dutch, with its limits):

1. **Primary suppression.** A count of 1 up to the threshold (exclusive) is hidden and shown as
   "<5" (for threshold 5). Zero is never hidden: "nobody" is not a small group.
2. **Secondary (complementary) suppression.** The published figures are tied together by linear
   relations: a municipality's cells add up to its row total, the municipalities add up to the
   national figure, outflow by category adds up to the outflow, and so on. A hidden small cell must
   not be computable from those relations. All tables are protected as one problem (linked tables
   share their cells). An attacker knows that a "<5" cell lies between 1 and threshold-1 and that
   any other hidden cell ("x") is at least the threshold (zeros are never hidden). Three checks:
   - *per relation*: one relation may not pin a "<5" cell down to a single value;
   - *exact*: the system of all relations may not determine a hidden small cell (linear algebra:
     the null space of the relations restricted to the hidden cells is zero in that cell);
   - *audit*: the attacker's best bounds over all relations at once (two linear programs per
     small cell, continuous relaxation) must leave at least two whole values.
   When the first two fail, one more cell is hidden near the exposed one: the smallest visible
   non-zero cell of a relation (not a total), else the relation's total.
3. **Masking.** A small cell can be given away by the markers themselves: four "<5" parts of a
   "<5" total are all 1. A cell the audit finds pinned down is first shown as "x" instead of "<5"
   (for it an attacker then knows only "at least 1"); if it is pinned down even so, one more cell
   near it is hidden; and the audit runs again, until nothing is pinned down.

This is a heuristic in the spirit of the Handbook on Statistical Disclosure Control (Hundepool et
al., chapter 4, tabular data): not an optimal pattern (the fewest hidden cells); the audit uses
the continuous relaxation (an attacker reasoning with whole numbers may narrow a range further);
`Result.unprotected` names any small cell still pinned down (a caller may refuse to publish).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

DEFAULT_THRESHOLD = 5
#: Rounds after the audit (each masks the pinned small cells, or hides one more cell for each).
AUDIT_ROUNDS = 12
INF = float("inf")

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """`total` = the sum of `parts` (all cells of the problem, by key)."""

    total: Key
    parts: tuple[Key, ...]

    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Result:
    """Which cells are hidden, and why: `primary` (a small count) or `secondary` (protection)."""

    primary: frozenset[Key]
    secondary: frozenset[Key]
    #: Small cells the method could not protect (no visible non-zero cell left to hide next to
    #: them): empty in any table with enough non-zero cells; a caller may refuse to publish.
    unprotected: frozenset[Key] = frozenset()
    #: Small cells shown as "x" instead of "<5": their "<5" marker, with those of their
    #: neighbours, would give their value away (e.g. four "<5" parts of a "<5" total are all 1).
    masked: frozenset[Key] = frozenset()

    @property
    def hidden(self) -> frozenset[Key]:
        return self.primary | self.secondary

    def marker(self, key: Key, threshold: int = DEFAULT_THRESHOLD) -> str | None:
        """How a hidden cell is shown ("<5" or "x"); None for a visible cell."""
        if key in self.primary and key not in self.masked:
            return f"<{threshold}"
        if key in self.hidden:
            return "x"
        return None


def is_primary(value: int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def primary_cells(values: Mapping[Key, int], threshold: int = DEFAULT_THRESHOLD) -> set[Key]:
    """The cells with a count from 1 up to the threshold (exclusive)."""
    return {key for key, value in values.items() if is_primary(value, threshold)}


def check_relations(values: Mapping[Key, int], relations: Iterable[Relation]) -> list[Relation]:
    """The relations that do not hold for `values` (a caller's mistake: protection would be void)."""
    return [r for r in relations if values[r.total] != sum(values[p] for p in r.parts)]


# --- the interval check (one relation at a time) -------------------------------------------------


def _bounds(
    key: Key, values: Mapping[Key, int], primary: set[Key], hidden: set[Key], threshold: int
) -> tuple[float, float]:
    """What an attacker knows of a cell from its marker alone."""
    if key not in hidden:
        return values[key], values[key]
    if key in primary:
        return 1, threshold - 1
    # Zeros are never hidden, so any other hidden cell is known to be at least the threshold.
    return threshold, INF


def _exposed_in_relation(
    relation: Relation, values: Mapping[Key, int], primary: set[Key], hidden: set[Key], threshold: int
) -> list[Key]:
    """The "<5" cells of the relation that the relation pins down to a single value (the range of
    the marker, 1..t-1, cut down by the relation holds fewer than two whole numbers).

    Written as sum(coef * cell) = 0 with coef +1 for the parts and -1 for the total."""
    terms = [(relation.total, -1), *((p, 1) for p in relation.parts)]
    bounds = {key: _bounds(key, values, primary, hidden, threshold) for key, _ in terms}
    exposed = []
    for key, coef in terms:
        if key not in primary or key not in hidden:
            continue
        # coef * x = -sum(other coef * other x): the range of the right-hand side.
        low = high = 0.0
        for other, other_coef in terms:
            if other == key:
                continue
            lo, hi = bounds[other]
            low -= other_coef * (hi if other_coef > 0 else lo)
            high -= other_coef * (lo if other_coef > 0 else hi)
        if coef < 0:
            low, high = -high, -low
        # What the attacker learns: the marker's range 1..t-1 cut down by the relation.
        if min(high, threshold - 1) - max(low, 1) < 1:
            exposed.append(key)
    return exposed


# --- the exact check (all relations together) ----------------------------------------------------


def determined_cells(hidden: Iterable[Key], relations: Iterable[Relation], *, tolerance: float = 1e-9) -> set[Key]:
    """The hidden cells whose value follows exactly from the relations and the visible cells.

    Only the hidden cells are unknowns; cell i is determined iff every solution of the homogeneous
    system A_h x = 0 has x_i = 0, i.e. the null space of A_h is zero in coordinate i."""
    hidden = list(hidden)
    if not hidden:
        return set()
    index = {key: i for i, key in enumerate(hidden)}
    rows = []
    for relation in relations:
        row = np.zeros(len(hidden))
        for key, coef in [(relation.total, -1.0), *((p, 1.0) for p in relation.parts)]:
            if key in index:
                row[index[key]] += coef
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    matrix = np.array(rows)
    # The null space of A is that of the small symmetric matrix AᵀA (hidden × hidden).
    eigenvalues, eigenvectors = np.linalg.eigh(matrix.T @ matrix)
    null_space = eigenvectors[:, eigenvalues < tolerance * max(1.0, float(eigenvalues.max(initial=0.0)))]
    if null_space.shape[1] == 0:
        return set(hidden)
    free = np.abs(null_space).max(axis=1) > 1e-7
    return {key for key, i in index.items() if not free[i]}


def _components(hidden: set[Key], relations: list[Relation]) -> list[tuple[list[Key], list[Relation]]]:
    """The hidden cells in groups that share no relation, each with the relations touching it:
    the bounds of a cell depend only on its own group, so each group is audited on its own."""
    parent = {key: key for key in hidden}

    def find(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    touching = []
    for relation in relations:
        cells = [k for k in relation.cells() if k in parent]
        if cells:
            touching.append((relation, cells))
            for other in cells[1:]:
                parent[find(other)] = find(cells[0])
    groups: dict[Key, tuple[list[Key], list[Relation]]] = {}
    for key in hidden:
        groups.setdefault(find(key), ([], []))[0].append(key)
    for relation, cells in touching:
        groups[find(cells[0])][1].append(relation)
    return list(groups.values())


def audit(
    values: Mapping[Key, int],
    relations: Iterable[Relation],
    primary: set[Key],
    hidden: set[Key],
    threshold: int,
    *,
    only: Iterable[Key] | None = None,
    masked: Iterable[Key] = (),
) -> dict[Key, tuple[float, float]]:
    """The attacker's best bounds for every hidden small cell, over all relations at once: the
    minimum and maximum of the cell subject to every relation and to what the markers say ("<t":
    1..t-1; "x": at least t, or at least 1 for a masked small cell). Two linear programs per small
    cell (HiGHS, continuous relaxation), per group of hidden cells that share relations: the
    "audit" of a suppression pattern in the Handbook's terms."""
    from scipy.optimize import linprog

    masked = set(masked)
    wanted = set(primary if only is None else only) & set(hidden)
    result: dict[Key, tuple[float, float]] = {}
    for cells, group_relations in _components(set(hidden), list(relations)):
        if not wanted.intersection(cells):
            continue
        cells.sort(key=str)
        index = {key: i for i, key in enumerate(cells)}
        rows, rhs = [], []
        for relation in group_relations:
            row = np.zeros(len(cells))
            constant = 0.0
            for key, coef in [(relation.total, -1.0), *((p, 1.0) for p in relation.parts)]:
                if key in index:
                    row[index[key]] += coef
                else:
                    constant += coef * values[key]
            rows.append(row)
            rhs.append(-constant)
        bounds = [
            (1, None) if key in masked else (1, threshold - 1) if key in primary else (threshold, None) for key in cells
        ]
        for key in cells:
            if key not in wanted:
                continue
            if not rows:
                result[key] = (1, math.inf if key in masked else threshold - 1)
                continue
            objective = np.zeros(len(cells))
            objective[index[key]] = 1.0
            a_eq, b_eq = np.array(rows), np.array(rhs)
            low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if low.status == 0 and high.status == 0:
                result[key] = (low.fun, -high.fun)
            elif high.status == 3 and low.status == 0:  # unbounded above
                result[key] = (low.fun, math.inf)
            else:  # infeasible cannot happen for a true table; be safe: exposed
                result[key] = (values[key], values[key])
    return result


def _pinned(bounds: tuple[float, float]) -> bool:
    """Fewer than two whole numbers in the range."""
    low, high = bounds
    return math.floor(min(high, 1e12) + 1e-6) - math.ceil(low - 1e-6) < 1


# --- choosing a complementary cell ---------------------------------------------------------------


def _complement(
    relation: Relation, values: Mapping[Key, int], hidden: set[Key], weights: Mapping[Key, int] | None = None
) -> Key | None:
    """The cell to hide next in this relation: the visible non-zero cell of least weight, the
    smallest count first among equals (so, with equal weights, a part before the total). None when
    nothing is left to hide."""
    weights = weights or {}
    candidates = sorted(
        (weights.get(p, 1), values[p], p != relation.total, str(p), p)
        for p in relation.cells()
        if p not in hidden and values[p] and values[p] > 0
    )
    return candidates[0][4] if candidates else None


def suppress(
    values: Mapping[Key, int],
    relations: Iterable[Relation] = (),
    threshold: int = DEFAULT_THRESHOLD,
    weights: Mapping[Key, int] | None = None,
) -> Result:
    """Primary and secondary suppression of the cells `values` (counts >= 0) under `relations`.
    `weights`: how much a cell is worth keeping visible (default 1); complements are taken from
    the cells of least weight first.

    Raises ValueError when a relation does not hold (the figures would not be what is published)."""
    # The matrices are small (hidden cells × relations): BLAS threads only cost time here.
    with threadpool_limits(limits=1, user_api="blas"):
        return _suppress(values, relations, threshold, weights or {})


def _suppress(
    values: Mapping[Key, int], relations: Iterable[Relation], threshold: int, weights: Mapping[Key, int]
) -> Result:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    relations = list(relations)
    wrong = check_relations(values, relations)
    if wrong:
        raise ValueError(f"relations that do not hold: {wrong[:3]}")
    primary = primary_cells(values, threshold)
    hidden = set(primary)
    by_cell: dict[Key, list[Relation]] = {}
    for relation in relations:
        for key in relation.cells():
            by_cell.setdefault(key, []).append(relation)

    for _ in range(len(values) + 1):  # every round hides one more cell, or stops
        added = False
        for relation in relations:
            if not hidden.intersection(relation.cells()):
                continue
            while _exposed_in_relation(relation, values, primary, hidden, threshold):
                pick = _complement(relation, values, hidden, weights)
                if pick is None:
                    break
                hidden.add(pick)
                added = True
        if added:
            continue
        # A small cell that the relations determine exactly: it is determined through other hidden
        # cells that are determined themselves (a partner alone in its column, say). Hide one more
        # cell next to such a determined partner first (that closes the rectangle), else next to the
        # small cell itself; one cell per round, then both checks run again.
        determined = determined_cells(sorted(hidden, key=str), relations)
        if determined & primary:
            for key in sorted(determined, key=lambda k: (k in primary, str(k))):
                for relation in by_cell.get(key, []):
                    pick = _complement(relation, values, hidden, weights)
                    if pick is not None:
                        hidden.add(pick)
                        added = True
                        break
                if added:
                    break
        if added:
            continue
        break
    # The audit: bounds over all relations at once (chains of relations the checks above miss).
    # A small cell still pinned down is first shown as "x" (masked: its "<5" may be what gives it
    # away); if it is pinned down even so, one more cell near it is hidden. Both only widen the
    # bounds, so only the cells pinned in the last round are audited again.
    masked: set[Key] = set()
    pinned = [k for k, b in audit(values, relations, primary, hidden, threshold).items() if _pinned(b)]
    for _ in range(AUDIT_ROUNDS):
        if not pinned:
            break
        if not set(pinned) <= masked:
            masked |= set(pinned)
        else:
            picks: set[Key] = set()
            for key in sorted(pinned, key=str):
                pick = _nearest_complement(key, values, hidden | picks, by_cell, weights, depth=3)
                if pick is not None:
                    picks.add(pick)
            if not picks:
                break
            hidden |= picks
        bounds = audit(values, relations, primary, hidden, threshold, only=pinned, masked=masked)
        pinned = [k for k, b in bounds.items() if _pinned(b)]
    return Result(
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
        unprotected=frozenset(pinned),
        masked=frozenset(masked),
    )


def _nearest_complement(
    key: Key,
    values: Mapping[Key, int],
    hidden: set[Key],
    by_cell: Mapping[Key, list[Relation]],
    weights: Mapping[Key, int],
    *,
    depth: int = 2,
) -> Key | None:
    """A cell to hide for `key`: in one of its relations, else in a relation of a hidden cell that
    shares a relation with it, and so on outwards (breadth first, `depth` steps at most)."""
    seen, queue, done = {key}, [(key, 0)], set()
    while queue:
        cell, level = queue.pop(0)
        if level >= depth:
            continue
        for relation in by_cell.get(cell, []):
            if id(relation) in done:
                continue
            done.add(id(relation))
            pick = _complement(relation, values, hidden, weights)
            if pick is not None:
                return pick
            for other in relation.cells():
                if other in hidden and other not in seen:
                    seen.add(other)
                    queue.append((other, level + 1))
    return None


def table_relations(
    row_keys: Iterable[Key],
    column_keys: Iterable[Key],
    *,
    cell: Callable[[Key, Key], Key] = lambda row, column: (row, column),
    row_total: Key | None = None,
    column_total: Key | None = None,
) -> list[Relation]:
    """The relations of an ordinary two-way table: every row adds up to its cell in the column
    `column_total` (if given), every column to its cell in the row `row_total` (if given)."""
    rows, columns = list(row_keys), list(column_keys)
    relations = []
    if column_total is not None:
        for r in [*rows, *([row_total] if row_total is not None else [])]:
            relations.append(Relation(cell(r, column_total), tuple(cell(r, c) for c in columns)))
    if row_total is not None:
        for c in [*columns, *([column_total] if column_total is not None else [])]:
            relations.append(Relation(cell(row_total, c), tuple(cell(r, c) for r in rows)))
    return relations
