"""Acceptance 3: Kaplan–Meier medians and the log-rank p of the report equal lifelines on the same
data, worked out here from the delivered dates; trajectories that end after P are censored at P
(their outflow is not known on P), as are those still in the LVV; the deceased are left out."""

import datetime as dt

import numpy as np
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times

from lvv.analytics.dataset import analysis_data
from lvv.analytics.survival import JITTER_SEED, survival_report
from lvv.core import clock
from lvv.exchange.imports import delivery_import

from .simulation import write_delivery

pytestmark = pytest.mark.usefixtures("reference_data")
P = dt.date(2022, 7, 1)
CODES = {"inwilliging": 1, "hasa": 2, "mob": 3}


def _rows():
    """40 persons in three municipalities: left before P, left after P, still in, one deceased."""
    rng = np.random.default_rng(7)
    rows, truth = [], []
    for i in range(40):
        municipality = ("Amsterdam", "Rotterdam", "Utrecht")[i % 3]
        admission = dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
        stay = int(rng.integers(10, 600)) * (2 if municipality == "Utrecht" else 1)
        outflow = admission + dt.timedelta(days=stay)
        if i % 7 == 3:
            outflow = None  # still in the LVV
        reason = ("inwilliging", "hasa", "mob")[i % 3] if outflow else ""
        if i == 5:
            reason = "overleden"
            outflow = min(outflow or P, P)
        row = {
            "traject_id": f"T{i}",
            "gemeente": municipality,
            "persoon_id": f"P{i}",
            "geslacht": "man",
            "geboortejaar": "1985",
            "land_van_herkomst": "IR",
            "datum_aanmelding": admission.isoformat(),
            "datum_toelating": admission.isoformat(),
            "toelating_via_uitzondering": "nee",
            "opvangvorm": "centraal",
            "datum_uitstroom": outflow.isoformat() if outflow else "",
            "uitstroomreden": reason,
        }
        rows.append(row)
        if reason != "overleden":
            left = outflow is not None and outflow <= P
            end = outflow if left else P
            truth.append((municipality, (end - admission).days / 30.4375, left, CODES.get(reason, 0) if left else 0))
    return rows, truth


@pytest.fixture
def delivered(tmp_path):
    rows, truth = _rows()
    with clock.frozen(dt.date(2024, 1, 1)):
        result = delivery_import(path=write_delivery(tmp_path / "levering.csv", rows))
    assert result.ok, result.faults[:3]
    return truth


def test_km_medians_and_logrank_equal_lifelines(delivered):
    truth = delivered
    after_p = [t for t in truth if not t[2]]
    assert len(after_p) >= 8  # still in the LVV or left after P: censored at P
    data = analysis_data(peildatum=P)
    report = survival_report(data.persons, data.municipalities)
    assert report["landelijk"]["n"] == len(truth) == 39  # the deceased person is left out

    for name in ("Amsterdam", "Rotterdam", "Utrecht"):
        months = np.array([t[1] for t in truth if t[0] == name])
        events = np.array([t[2] for t in truth if t[0] == name])
        kmf = KaplanMeierFitter().fit(months, events)
        ours = report["per_gemeente"][name]
        assert (ours["n"], ours["uitgestroomd"]) == (len(months), int(events.sum()))
        if np.isfinite(kmf.median_survival_time_):
            assert ours["mediaan_maanden"] == pytest.approx(kmf.median_survival_time_, abs=1e-12)
        else:
            assert ours["mediaan_maanden"] is None
        ci = median_survival_times(kmf.confidence_interval_)
        for got, expected in zip(ours["mediaan_ci95"], ci.iloc[0], strict=True):
            assert got == (pytest.approx(expected, abs=1e-12) if np.isfinite(expected) else None)
    assert report["per_gemeente"]["Eindhoven"] == {
        "n": 0, "uitgestroomd": 0, "mediaan_maanden": None, "mediaan_ci95": [None, None], "curve": []
    }  # fmt: skip

    months = np.array([t[1] for t in truth])
    events = np.array([t[2] for t in truth])
    groups = np.array([t[0] for t in truth])
    expected = multivariate_logrank_test(months, groups, events)
    assert report["logrank_p"] == pytest.approx(expected.p_value, abs=1e-12)
    assert report["logrank_df"] == 2

    codes = np.array([t[3] for t in truth])
    ajf = AalenJohansenFitter(seed=JITTER_SEED, calculate_variance=False).fit(months, codes, event_of_interest=1)
    at12 = ajf.cumulative_density_.iloc[:, 0].loc[:12].iloc[-1]
    assert report["cumulatieve_incidentie"]["bestendig"]["op_maanden"]["12"] == pytest.approx(at12)


def test_a_trajectory_that_ends_after_p_is_censored_at_p(delivered):
    data = analysis_data(peildatum=P)
    persons = data.persons.set_index(data.persons["_person_id"])
    from lvv.trajectories.models import Trajectory

    later = Trajectory.objects.filter(outflow_date__gt=P).select_related("person").first()
    assert later is not None
    row = persons.loc[later.person_id]
    assert not row["uitgestroomd"] and row["uitstroomreden"] == ""
    assert row["verblijf_maanden"] == pytest.approx((P - later.admission_date).days / 30.4375)
    # On a later peildatum the same person has left.
    row = analysis_data(peildatum=later.outflow_date).persons.set_index("_person_id").loc[later.person_id]
    assert row["uitgestroomd"] and row["verblijf_maanden"] == pytest.approx(
        (later.outflow_date - later.admission_date).days / 30.4375
    )
