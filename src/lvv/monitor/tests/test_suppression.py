"""Small-cell suppression (pure): primary cells, secondary cells in rows and columns and in the
totals, the threshold, zeros, and the two guarantees — no hidden small cell can be computed exactly
from the relations, and no single relation narrows it below the range its marker already says."""

import itertools

import pytest

from lvv.monitor.suppression import (
    Relation,
    audit,
    determined_cells,
    primary_cells,
    suppress,
    table_relations,
)

ROWS = ("A", "B", "C")
COLS = ("x", "y", "z")


def table(matrix: list[list[int]]):
    """A 3×3 table with row totals (column "T"), column totals (row "T") and the grand total."""
    values = {}
    for r, row in zip(ROWS, matrix, strict=True):
        for c, v in zip(COLS, row, strict=True):
            values[(r, c)] = v
        values[(r, "T")] = sum(row)
    for i, c in enumerate(COLS):
        values[("T", c)] = sum(row[i] for row in matrix)
    values[("T", "T")] = sum(values[(r, "T")] for r in ROWS)
    return values, table_relations(ROWS, COLS, row_total="T", column_total="T")


def assert_protected(values, relations, result, threshold=5):
    """The attacker's view: a "<t" cell is 1..t-1, an "x" cell at least t (at least 1 if it is a
    masked small cell), every relation holds.
    For every primary cell there must be another table in that view where it has another value:
    the true table moved by a step d in {-1, 0, 1} per hidden cell (brute force over the steps)."""
    hidden = sorted(result.hidden, key=str)
    index = {k: i for i, k in enumerate(hidden)}

    def allowed(key, value):
        if key in result.masked:  # shown as "x" though small: at least 1
            return value >= 1
        return 1 <= value < threshold if key in result.primary else value >= threshold

    steps = []
    for d in itertools.product((-1, 0, 1), repeat=len(hidden)):
        if not any(d):
            continue
        if not all(allowed(k, values[k] + d[i]) for k, i in index.items()):
            continue
        if all(
            sum(d[index[p]] for p in r.parts if p in index) == (d[index[r.total]] if r.total in index else 0)
            for r in relations
        ):
            steps.append(d)
    for key in result.primary:
        assert any(d[index[key]] for d in steps), f"{key} is disclosed"


def test_primary_cells_are_the_counts_from_one_below_the_threshold():
    values = {"a": 0, "b": 1, "c": 4, "d": 5, "e": 100}
    assert primary_cells(values, 5) == {"b", "c"}


def test_zero_is_never_hidden():
    values, relations = table([[0, 10, 20], [0, 30, 40], [0, 50, 60]])
    result = suppress(values, relations, 5)
    assert not result.hidden
    assert all(result.marker(k) is None for k in values)


def test_without_relations_only_the_small_cells_are_hidden():
    result = suppress({"a": 3, "b": 12}, [], 5)
    assert result.primary == {"a"} and not result.secondary
    assert result.marker("a") == "<5" and result.marker("b") is None


def test_one_small_cell_gets_a_partner_in_its_row_and_in_its_column():
    values, relations = table([[3, 20, 30], [25, 40, 50], [35, 45, 55]])
    result = suppress(values, relations, 5)
    assert result.primary == {("A", "x")}
    hidden = result.hidden
    # Its row and its column each have another hidden cell, so neither total gives it away.
    assert len([k for k in hidden if k[0] == "A"]) >= 2
    assert len([k for k in hidden if k[1] == "x"]) >= 2
    assert all(result.marker(k) == "x" for k in result.secondary)
    assert_protected(values, relations, result)


def test_the_secondary_cells_form_a_rectangle_not_a_chain():
    """A partner in the row and one in the column are not enough: those partners need partners in
    their own column and row too (the exact check over all relations closes the rectangle)."""
    values, relations = table([[2, 20, 30], [25, 40, 50], [35, 45, 55]])
    result = suppress(values, relations, 5)
    assert not determined_cells(result.hidden, relations) & result.primary
    assert_protected(values, relations, result)


def test_two_small_cells_in_a_row_that_reveal_each_other_get_a_third():
    """1 and 1 in one row: knowing both are at least 1 and they sum to 2 discloses both."""
    values = {"t": 52, "a": 1, "b": 1, "c": 50}
    relations = [Relation("t", ("a", "b", "c"))]
    result = suppress(values, relations, 5)
    assert result.primary == {"a", "b"}
    assert result.secondary == {"c"}
    assert_protected(values, relations, result)


def test_a_partner_just_above_the_threshold_is_not_enough():
    """1 hidden next to a 5: the attacker knows the 'x' is at least 5, so 6 = 1 + 5 is disclosed."""
    values = {"t": 106, "a": 1, "b": 5, "c": 100}
    relations = [Relation("t", ("a", "b", "c"))]
    result = suppress(values, relations, 5)
    assert result.hidden == {"a", "b", "c"}
    assert_protected(values, relations, result)


def test_the_total_is_hidden_when_nothing_else_in_the_row_can_be():
    values = {"t": 3, "a": 3, "b": 0, "c": 0}
    relations = [Relation("t", ("a", "b", "c"))]
    result = suppress(values, relations, 5)
    assert result.primary == {"a", "t"}  # the total 3 is itself small
    values = {"t": 12, "a": 2, "b": 0, "c": 10, "T": 12}
    relations = [Relation("t", ("a", "b", "c"))]
    result = suppress(values, relations, 5)
    assert "c" in result.secondary  # never the zero


def test_a_small_total_is_hidden_and_protected_in_the_margins():
    values, relations = table([[1, 0, 0], [20, 30, 40], [25, 35, 45]])
    result = suppress(values, relations, 5)
    assert {("A", "x"), ("A", "T")} <= result.primary
    assert_protected(values, relations, result)


def test_several_small_cells_in_rows_and_columns():
    values, relations = table([[1, 2, 30], [3, 40, 4], [50, 60, 70]])
    result = suppress(values, relations, 5)
    assert result.primary == {("A", "x"), ("A", "y"), ("B", "x"), ("B", "z")}
    assert not determined_cells(result.hidden, relations) & result.primary
    assert_protected(values, relations, result)


def test_the_threshold_is_configurable():
    values, relations = table([[7, 20, 30], [25, 40, 50], [35, 45, 55]])
    assert not suppress(values, relations, 5).hidden
    result = suppress(values, relations, 10)
    assert ("A", "x") in result.primary
    assert result.marker(("A", "x"), 10) == "<10"
    assert_protected(values, relations, result, threshold=10)


def test_a_relation_that_does_not_hold_is_refused():
    with pytest.raises(ValueError):
        suppress({"t": 10, "a": 3, "b": 3}, [Relation("t", ("a", "b"))], 5)


def test_determined_cells_finds_a_bridge_between_two_cycles():
    """Linked relations: u = a + b and a = c + d with a, b, c, d hidden and u visible: no cell is
    determined. With b visible too, a = u - b is determined (and so is nothing else)."""
    relations = [Relation("u", ("a", "b")), Relation("a", ("c", "d"))]
    assert determined_cells({"a", "b", "c", "d"}, relations) == set()
    assert determined_cells({"a", "c", "d"}, relations) == {"a"}
    assert determined_cells({"c"}, relations) == {"c"}


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_are_protected(seed):
    """Small random tables full of small counts: every result passes the brute-force attacker."""
    import random

    rng = random.Random(seed)
    matrix = [[rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15, 30, 40, 60]) for _ in COLS] for _ in ROWS]
    values, relations = table(matrix)
    result = suppress(values, relations, 5)
    assert result.primary == primary_cells(values, 5)
    assert not (result.hidden & {k for k, v in values.items() if v == 0})
    if result.primary:
        assert_protected(values, relations, result)


def test_small_cells_that_their_markers_give_away_are_shown_as_x():
    """Four "<5" parts of a "<5" total: each part is at least 1, so all would be 1 and the total 4 —
    the markers alone say so, and there is no other cell to hide. Those cells are shown as "x"
    (which does not say they are small), and then nothing is pinned down."""
    values = {"t": 4, "a": 1, "b": 1, "c": 1, "d": 1}
    result = suppress(values, [Relation("t", ("a", "b", "c", "d"))], 5)
    assert result.hidden == set(values)
    assert result.masked == set(values)
    assert {result.marker(k) for k in values} == {"x"}
    assert not result.unprotected
    # A pattern that needs no masking masks nothing.
    values, relations = table([[3, 20, 30], [25, 40, 50], [35, 45, 55]])
    result = suppress(values, relations, 5)
    assert not result.masked and not result.unprotected
    assert result.marker(("A", "x")) == "<5"


def test_the_audit_sees_bounds_that_chain_over_several_relations():
    """Column x: B,x (4) hidden with the column total; the total row then says T,x = 48 - T,y with
    T,y "<5", so T,x is 44..47 and B,x = T,x - 40 is 4..7: only 4 fits "<5". No single relation
    shows that; the audit (bounds over all relations together) does. Shown as "x" instead of "<5",
    B,x is 4..7 for the attacker: protected."""
    values, relations = table([[0, 0, 0], [4, 1, 60], [40, 3, 3]])
    small = {("B", "x"), ("B", "y"), ("T", "y")}
    pinned = audit(values, relations, small, small | {("T", "x"), ("B", "z")}, 5)
    assert pinned[("B", "x")] == pytest.approx((4, 4))
    result = suppress(values, relations, 5)
    assert not result.unprotected
    assert ("B", "x") in result.masked and result.marker(("B", "x")) == "x"
    bounds = audit(values, relations, set(result.primary), set(result.hidden), 5, masked=result.masked)
    assert all(high - low >= 1 for low, high in bounds.values())
    assert_protected(values, relations, result)
