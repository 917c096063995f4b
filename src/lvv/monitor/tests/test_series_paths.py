"""The faster paths of the monitor give exactly the figures of the plain ones: a series read once
equals one report per peildatum, and the national tally combined at once equals the municipalities'
tallies added one by one. (Speed itself is measured by benchmarks/monitor_bench.py, never here.)"""

import datetime as dt
import random

import pytest

from lvv.demo import factories
from lvv.monitor.indicators import BASES, Tally, TrajectoryRow, select_units, tally
from lvv.monitor.selectors import monitor_report, monitor_series
from lvv.monitor.tests.test_selectors import registry  # noqa: F401 (a fixture)
from lvv.trajectories.services import outflow_register

PEILDATA = [
    dt.date(2021, 12, 31),
    dt.date(2022, 3, 31),
    dt.date(2022, 6, 1),
    dt.date(2022, 12, 31),
    dt.date(2023, 3, 1),
]


@pytest.mark.parametrize("basis", BASES)
def test_a_series_is_the_report_of_every_peildatum(registry, gemeente_user, basis):  # noqa: F811
    later = factories.admitted_trajectory(actor=gemeente_user)  # one more person, who leaves in 2023
    outflow_register(actor=gemeente_user, trajectory=later, outflow_date=dt.date(2023, 2, 1), outcome_code="mob")
    series = monitor_series(PEILDATA, basis)
    assert series == [monitor_report(peildatum=p, basis=basis) for p in PEILDATA]
    assert [r["peildatum"] for r in series] == [p.isoformat() for p in PEILDATA]
    assert len({r["landelijk"]["aanmeldingen"] for r in series}) > 1  # the figures do change over time


def test_a_series_narrowed_to_a_municipality_and_in_any_order(registry):  # noqa: F811
    dates = [PEILDATA[3], PEILDATA[0]]
    series = monitor_series(dates, "personen", "rotterdam")
    assert series == [monitor_report(peildatum=p, basis="personen", municipality="Rotterdam") for p in dates]
    assert list(series[0]["per_gemeente"]) == ["Rotterdam"]
    assert monitor_series([], "trajecten") == []


def random_registry(seed: int) -> list[TrajectoryRow]:
    """Three towns, persons re-entering and in two towns, deaths, decisions, perspectives, instruments."""
    rng = random.Random(seed)
    rows = []
    for n in range(150):
        town = rng.choice(["Amsterdam", "Amsterdam", "Rotterdam", "Utrecht"])
        applied = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
        admitted = applied + dt.timedelta(days=rng.randrange(0, 40)) if rng.random() < 0.9 else None
        outflow = outcome = decided = None
        decision = ""
        if admitted and rng.random() < 0.6:
            outflow = admitted + dt.timedelta(days=rng.randrange(0, 400))
            outcome = rng.choice(["inwilliging", "hasa", "artikel_64", "mob", "overleden"])
            if outcome in ("hasa", "artikel_64") and rng.random() < 0.6:
                decision, decided = rng.choice(["inwilliging", "afwijzing"]), outflow + dt.timedelta(days=30)
        perspectives = ((admitted + dt.timedelta(days=20), "terugkeer"),) if admitted and rng.random() < 0.5 else ()
        instruments = {"activering": rng.choice(["ja", "nee", "nvt"])} if admitted and rng.random() < 0.7 else {}
        person = f"V:{rng.randrange(60):010d}" if rng.random() < 0.8 else f"G:{town}:{n}"
        rows.append(TrajectoryRow(f"T{n}", town, person, applied, admitted, outflow, outcome, decision, decided,
                                  perspectives, instruments))  # fmt: skip
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("basis", BASES)
def test_the_national_tally_combined_at_once_is_the_sum(seed, basis):
    rows = random_registry(seed)
    p = dt.date(2023, 6, 30)
    units, deceased = select_units(rows, peildatum=p, basis=basis)
    per_town = [
        tally([u for u in units if u.municipality == town], deceased=[d for d in deceased if d.municipality == town],
              peildatum=p)
        for town in sorted({u.municipality for u in rows})
    ]  # fmt: skip
    one_by_one = sum(per_town, Tally())
    combined = Tally.combined(per_town)
    assert combined.persons == one_by_one.persons and sorted(combined.months) == sorted(one_by_one.months)
    for name in ("aanmeldingen", "instroom", "in_lvv", "uitstroom", "overleden"):
        assert getattr(combined, name) == getattr(one_by_one, name)
    for name in ("reasons", "perspectives", "decisions", "instruments"):
        assert dict(getattr(combined, name)) == dict(getattr(one_by_one, name))
    assert combined.instroom > 0 and combined.reasons
