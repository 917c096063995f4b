"""The documented sample delivery (docs/voorbeelden/) gives exactly the published figures
(tests/data/monitor-voorbeeld-*.json, worked out by hand) — without a database: the rows are read
with the delivery format's own parser and fed to the indicators."""

import datetime as dt
import json
from pathlib import Path

import pytest

from lvv.core.tables import read_table
from lvv.demo.reference_data import OUTCOME_CODES, PILOTS
from lvv.exchange.delivery import Reference, parse_capacity, parse_trajectories
from lvv.monitor.indicators import CapacityRow, Outcome, TrajectoryRow, monitor, person_key

EXAMPLES = Path(__file__).resolve().parents[4] / "docs" / "voorbeelden"
DATA = Path(__file__).resolve().parent / "data"
REFERENCE = Reference(
    municipalities={name.lower(): name for name in PILOTS},
    outcomes={code: ind for code, _, _, ind in OUTCOME_CODES},
    today=dt.date(2026, 1, 1),
)


def sample_rows():
    records, faults = parse_trajectories(read_table(EXAMPLES / "aanlevering.csv"), REFERENCE)
    assert faults == []
    return [
        TrajectoryRow(
            trajectory_id=r.traject_id,
            municipality=r.gemeente,
            person=person_key(v_number=r.v_nummer, municipality=r.gemeente, own_key=r.persoon_id),
            application_date=r.datum_aanmelding,
            admission_date=r.datum_toelating,
            outflow_date=r.datum_uitstroom,
            outcome=r.uitstroomreden or None,
            ind_decision=r.besluit_na_uitstroom,
            ind_decision_date=r.datum_besluit,
            perspectives=((r.datum_perspectief, r.perspectief),) if r.perspectief else (),
            instruments=r.instrumenten,
        )
        for r in records
    ]


def sample_capacity():
    records, faults = parse_capacity(read_table(EXAMPLES / "capaciteit.csv"), REFERENCE)
    assert faults == []
    return [CapacityRow(r.gemeente, r.plaatsen, r.geldig_vanaf, r.geldig_tot) for r in records]


@pytest.mark.parametrize("basis", ["trajecten", "personen"])
def test_the_sample_delivery_gives_the_published_figures(basis):
    expected = json.loads((DATA / f"monitor-voorbeeld-2022-07-01-{basis}.json").read_text(encoding="utf-8"))
    report = monitor(
        sample_rows(),
        capacity=sample_capacity(),
        outcomes=[Outcome(code, category) for code, _, category, _ in OUTCOME_CODES],
        peildatum=dt.date(2022, 7, 1),
        basis=basis,
    )
    assert report == expected
