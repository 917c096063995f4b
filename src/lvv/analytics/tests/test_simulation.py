"""Acceptance 1: 20,000 outflowed persons simulated from the evaluation's model 1 enter the registry
through the delivery format (`lvv import`), and `lvv analyse` recovers the truth: the true odds
ratio inside the reported 95% interval for at least 12 of the 14 coefficients, and B, SE and p
equal to a direct statsmodels fit on the same rows (built from the simulation, not from our code)."""

import datetime as dt
import io
import json
import math

import pandas as pd
import pytest
import statsmodels.api as sm
from django.core.management import call_command

from lvv.core import clock
from lvv.exchange.imports import delivery_import

from .simulation import TRUE_ODDS_RATIOS, simulate, write_delivery

pytestmark = pytest.mark.usefixtures("reference_data")
N = 20_000


def analyse(*args) -> dict:
    out = io.StringIO()
    call_command("lvv_analyse", "--peildatum", "2024-01-01", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_lvv_analyse_recovers_the_evaluations_model_1(tmp_path):
    # Any seed should do: seeds 1-8 missed 0 or 1 of the 14 intervals in a direct fit (each one
    # misses with probability 0.05). Seed 20220701 happened to miss 4 already in the direct fit.
    rows = simulate(N, seed=1)
    with clock.frozen(dt.date(2024, 1, 2)):
        result = delivery_import(path=write_delivery(tmp_path / "simulatie.csv", rows))
    assert result.ok, result.faults[:5]
    assert result.created == N

    report = analyse()
    model = report["modellen"]["oplossing"]
    assert model["n"] == N and model["n_weggelaten"] == 0
    coefficients = model["coefficienten"]
    assert set(coefficients) == set(TRUE_ODDS_RATIOS)

    covered = [
        name
        for name, true in TRUE_ODDS_RATIOS.items()
        if coefficients[name]["ci95"][0] <= true <= coefficients[name]["ci95"][1]
    ]
    assert len(covered) >= 12, sorted(set(TRUE_ODDS_RATIOS) - set(covered))

    # The same rows, straight from the simulation, fitted with statsmodels directly.
    names = list(TRUE_ODDS_RATIOS)
    X = pd.DataFrame([[row["_x"][name] for name in names] for row in rows], columns=names)
    y = pd.Series([row["_y"] for row in rows])
    direct = sm.Logit(y, X).fit(disp=0)
    for name in names:
        c = coefficients[name]
        assert c["b"] == pytest.approx(direct.params[name], abs=1e-8)
        assert c["se"] == pytest.approx(direct.bse[name], abs=1e-8)
        assert c["p"] == pytest.approx(direct.pvalues[name], abs=1e-8)
        assert c["wald"] == pytest.approx((direct.params[name] / direct.bse[name]) ** 2, rel=1e-9)
        assert c["odds_ratio"] == pytest.approx(math.exp(direct.params[name]), rel=1e-9)
    assert model["log_likelihood"] == pytest.approx(direct.llf, abs=1e-6)
    n = len(y)
    cox_snell = 1 - math.exp(2 * (direct.llnull - direct.llf) / n)
    assert model["cox_snell_r2"] == pytest.approx(cox_snell, abs=1e-12)
    assert model["nagelkerke_r2"] == pytest.approx(cox_snell / (1 - math.exp(2 * direct.llnull / n)), abs=1e-12)

    # The other two default models are there too, on the same rows, without warnings of separation.
    for name in ("bestendig", "semi_bestendig"):
        assert report["modellen"][name]["n"] == N
        assert set(report["modellen"][name]["coefficienten"]) == set(TRUE_ODDS_RATIOS)
    assert not any("scheiding" in m for m in model["meldingen"])
