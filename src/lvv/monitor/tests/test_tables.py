"""The monitor as tables (pure, no database): the relations between the published counts hold for
the indicators as computed (both bases), the published version hides what it must, and a
municipality sees only its own row next to the national one."""

import datetime as dt
import random

import pytest

from lvv.monitor.indicators import (
    BASIS_PERSONEN,
    BASIS_TRAJECTEN,
    CapacityRow,
    Outcome,
    TrajectoryRow,
    monitor,
)
from lvv.monitor.series import quarter_ends
from lvv.monitor.suppression import check_relations, determined_cells
from lvv.monitor.tables import LANDELIJK, report_relations, report_tables, series_table, suppress_report

P = dt.date(2024, 6, 30)
OUTCOMES = [
    Outcome("inwilliging", "bestendig"),
    Outcome("zelfstandig_vertrek", "bestendig"),
    Outcome("hasa", "semi_bestendig"),
    Outcome("artikel_64", "semi_bestendig"),
    Outcome("mob", "geen_oplossing"),
    Outcome("beeindigd_gemeente", "geen_oplossing"),
    Outcome("overleden", "uitgesloten"),
]
CATEGORIES = {o.code: o.category for o in OUTCOMES}
LABELS = {o.code: o.code.replace("_", " ").capitalize() for o in OUTCOMES}
TOWNS = {"Amsterdam": 60, "Rotterdam": 25, "Utrecht": 4}


def registry(seed: int = 1) -> tuple[list[TrajectoryRow], list[CapacityRow]]:
    """A random but fixed registry: Amsterdam large, Utrecht tiny (small cells everywhere), some
    persons in two municipalities, deaths, perspectives, decisions and instruments."""
    rng = random.Random(seed)
    rows = []
    n = 0
    for town, size in TOWNS.items():
        for _ in range(size):
            n += 1
            applied = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 800))
            admitted = applied + dt.timedelta(days=rng.randrange(1, 40)) if rng.random() < 0.9 else None
            outflow = outcome = None
            decision, decided = "", None
            if admitted and rng.random() < 0.6:
                outflow = admitted + dt.timedelta(days=rng.randrange(30, 500))
                outcome = rng.choice([o.code for o in OUTCOMES])
                if outcome in ("hasa", "artikel_64") and rng.random() < 0.6:
                    decision = rng.choice(["inwilliging", "afwijzing"])
                    decided = outflow + dt.timedelta(days=rng.randrange(10, 200))
            perspectives = ()
            if admitted and rng.random() < 0.7:
                kind = rng.choice(["terugkeer", "legalisering", "doormigratie"])
                perspectives = ((admitted + dt.timedelta(days=rng.randrange(10, 300)), kind),)
            person = f"V:{rng.randrange(0, 80):010d}" if rng.random() < 0.8 else f"G:{town}:{n}"
            instruments = {"juridische_screening": rng.choice(["ja", "nee", "nvt"])} if rng.random() < 0.8 else {}
            rows.append(
                TrajectoryRow(
                    f"T{n}", town, person, applied, admitted, outflow, outcome, decision, decided,
                    perspectives, instruments,
                )
            )  # fmt: skip
    capacity = [
        CapacityRow("Amsterdam", 80, dt.date(2020, 1, 1)),
        CapacityRow("Rotterdam", 30, dt.date(2020, 1, 1), dt.date(2023, 12, 31)),
        CapacityRow("Rotterdam", 20, dt.date(2024, 1, 1)),
        CapacityRow("Utrecht", 10, dt.date(2020, 1, 1)),
    ]
    return rows, capacity


def report(basis=BASIS_TRAJECTEN, peildatum=P, seed=1):
    rows, capacity = registry(seed)
    return monitor(rows, capacity=capacity, outcomes=OUTCOMES, peildatum=peildatum, basis=basis, municipalities=TOWNS)


@pytest.mark.parametrize("basis", [BASIS_TRAJECTEN, BASIS_PERSONEN])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_relations_between_published_counts_hold(basis, seed):
    """Every relation the suppression relies on is true of the indicators as computed: a wrong
    relation would let a hidden cell be computed from cells we thought unrelated."""
    values, relations = report_relations(report(basis, seed=seed), CATEGORIES)
    assert relations
    assert check_relations(values, relations) == []


@pytest.mark.parametrize("basis", [BASIS_TRAJECTEN, BASIS_PERSONEN])
def test_published_tables_hide_every_small_count_and_protect_it(basis):
    r = report(basis)
    result = suppress_report(r, CATEGORIES, 5)
    values, relations = report_relations(r, CATEGORIES)
    assert result.primary == {k for k, v in values.items() if 0 < v < 5}
    assert not determined_cells(result.hidden, relations) & result.primary
    assert not result.unprotected
    for table in report_tables(r, reason_labels=LABELS, categories=CATEGORIES, threshold=5):
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                if column.kind == "count" and cell.value is not None:
                    assert cell.value == 0 or cell.value >= 5, (table.key, row.labels, column.key)
                if cell.marker:
                    assert cell.value is None and cell.text == cell.marker


def test_exact_tables_show_every_count():
    r = report()
    tables = {t.key: t for t in report_tables(r, reason_labels=LABELS, categories=CATEGORIES)}
    core = tables["kerncijfers"]
    assert core.values("in_lvv")[(LANDELIJK,)] == r["landelijk"]["in_lvv"]
    assert core.values("in_lvv")[("Utrecht",)] == r["per_gemeente"]["Utrecht"]["in_lvv"]
    assert not any(c.marker for t in tables.values() for row in t.rows for c in row.cells)
    assert [row.labels[0] for row in core.rows] == [*TOWNS, LANDELIJK]


def test_shares_and_durations_over_hidden_or_small_groups_are_hidden():
    r = report()
    tables = {t.key: t for t in report_tables(r, reason_labels=LABELS, categories=CATEGORIES, threshold=5)}
    core, outflow = tables["kerncijfers"], tables["uitstroom"]
    utrecht = r["per_gemeente"]["Utrecht"]
    assert 0 < utrecht["uitstroom"] < 5  # the tiny municipality
    # A mean over fewer than 5 outflows would show (nearly) one person's duration.
    assert core.values("doorlooptijd_gemiddeld_maanden")[("Utrecht",)] is None
    assert core.values("doorlooptijd_mediaan_maanden")[("Utrecht",)] is None
    assert outflow.values("aandeel_bestendig")[("Utrecht",)] is None
    for row in core.rows:
        occupancy = row.cells[core.column_index("bezettingsgraad")]
        if row.cells[core.column_index("in_lvv")].marker:
            assert occupancy.marker == "x", row.labels  # in_lvv = bezettingsgraad × capaciteit
    # Capacity is places, not people: never hidden.
    assert core.values("capaciteit")[("Utrecht",)] == 10


def test_a_municipality_sees_its_own_row_and_the_national_row_protected_as_in_the_whole():
    r = report()
    options = {"reason_labels": LABELS, "categories": CATEGORIES, "threshold": 5}
    whole = {t.key: t for t in report_tables(r, **options)}
    own = {t.key: t for t in report_tables(r, **options, show=["Rotterdam"])}
    assert [row.labels[0] for row in own["kerncijfers"].rows] == ["Rotterdam", LANDELIJK]
    for key, table in own.items():
        for row in table.rows:
            (match,) = [w for w in whole[key].rows if w.labels == row.labels]
            assert [c.text for c in row.cells] == [c.text for c in match.cells]
    names = {row.labels[0] for t in own.values() for row in t.rows}
    assert names == {"Rotterdam", LANDELIJK}


def test_series_table_uses_the_main_suppression_on_the_peildatum():
    dates = quarter_ends(P, 4)
    rows, capacity = registry()
    points = [
        (d, monitor(rows, capacity=capacity, outcomes=OUTCOMES, peildatum=d, municipalities=TOWNS)) for d in dates
    ]
    main = suppress_report(points[-1][1], CATEGORIES, 5)
    table = series_table(points, threshold=5, results={P: main})
    assert {row.labels[0] for row in table.rows} == {d.isoformat() for d in dates}
    on_p = {row.labels[1]: row for row in table.rows if row.labels[0] == P.isoformat()}
    i = table.column_index("in_lvv")
    for name, row in on_p.items():
        assert (row.cells[i].marker is not None) == ((name, "in_lvv") in main.hidden)
    # Capacity over time: Rotterdam 30 until the end of 2023, then 20.
    capacities = table.values("capaciteit")
    assert capacities[("2023-12-31", "Rotterdam")] == 30
    assert capacities[(P.isoformat(), "Rotterdam")] == 20


def test_quarter_ends():
    assert quarter_ends(dt.date(2024, 6, 30), 3) == [dt.date(2023, 12, 31), dt.date(2024, 3, 31), dt.date(2024, 6, 30)]
    assert quarter_ends(dt.date(2024, 5, 15), 3) == [dt.date(2023, 12, 31), dt.date(2024, 3, 31), dt.date(2024, 5, 15)]
    assert quarter_ends(dt.date(2024, 1, 1), 2) == [dt.date(2023, 12, 31), dt.date(2024, 1, 1)]
    assert len(quarter_ends(dt.date(2024, 6, 30), 40)) == 40
    assert quarter_ends(dt.date(2024, 6, 30), 0) == []
