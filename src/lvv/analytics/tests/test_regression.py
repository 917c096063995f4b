"""The regression module without a database: pseudo R² on a hand-computed example (acceptance 2),
the collinearity diagnostics, and the Dutch reports of separation, empty categories, too few events
and invalid user models."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor

from lvv.analytics.differences import municipality_differences
from lvv.analytics.regression import (
    ModelSpec,
    cox_snell_r2,
    fit_model,
    nagelkerke_r2,
    validate_spec,
)
from lvv.core.exceptions import ApplicationError


def frame(rows: list[dict]) -> pd.DataFrame:
    """Outflowed persons with the dataset's columns (defaults for what a test does not set)."""
    defaults = {
        "gemeente": "Rotterdam",
        "geslacht": "man",
        "leeftijd_bij_toelating": 30.0,
        "land_van_herkomst": "MA",
        "eerste_aanvraag": "asiel",
        "opvangvorm": "centraal",
        "perspectief": "geen",
        "uitgestroomd": True,
        "uitstroomreden": "mob",
        "uitstroomcategorie": "geen_oplossing",
        "verblijf_maanden": 6.0,
    }
    return pd.DataFrame([{**defaults, **row} for row in rows])


def outcome(solution: bool) -> dict:
    return {"uitstroomreden": "hasa", "uitstroomcategorie": "semi_bestendig"} if solution else {}


def test_nagelkerke_and_cox_snell_on_a_hand_computed_example():
    """Men: 2 of 4 found a solution, women: 3 of 4. The model with sex is saturated, so by hand:
    LL1 = 4 ln 0.5 + 3 ln 0.75 + ln 0.25 = −5.021929, LL0 = 5 ln(5/8) + 3 ln(3/8) = −5.292506,
    Cox–Snell = 1 − exp(2 (LL0 − LL1) / 8) = 0.065407, maximum 1 − exp(2 LL0 / 8) = 0.733699,
    Nagelkerke = 0.065407 / 0.733699 = 0.089147; B(vrouw) = ln 3, B(constant) = 0."""
    rows = [{"geslacht": "man", **outcome(s)} for s in (True, True, False, False)]
    rows += [{"geslacht": "vrouw", **outcome(s)} for s in (True, True, True, False)]
    model = fit_model(ModelSpec(name="m", outcome="oplossing", predictors=("geslacht",)), frame(rows))

    assert model["n"] == 8
    assert model["log_likelihood"] == pytest.approx(-5.021929, abs=1e-6)
    assert model["log_likelihood_nulmodel"] == pytest.approx(-5.292506, abs=1e-6)
    assert model["cox_snell_r2"] == pytest.approx(0.065407, abs=1e-6)
    assert model["nagelkerke_r2"] == pytest.approx(0.089147, abs=1e-6)
    assert model["coefficienten"]["geslacht_vrouw"]["b"] == pytest.approx(math.log(3), abs=1e-7)
    assert model["coefficienten"]["constant"]["b"] == pytest.approx(0, abs=1e-7)
    assert model["coefficienten"]["geslacht_vrouw"]["odds_ratio"] == pytest.approx(3, rel=1e-6)
    # The formulas themselves on the same numbers.
    assert cox_snell_r2(-5.021929, -5.292506, 8) == pytest.approx(0.065407, abs=1e-6)
    assert nagelkerke_r2(-5.021929, -5.292506, 8) == pytest.approx(0.089147, abs=1e-6)
    # Too few events for one predictor: reported, not raised.
    assert any("Te weinig gebeurtenissen" in m for m in model["meldingen"])


def _random_frame(n=400, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        rows.append(
            {
                "gemeente": str(rng.choice(["Amsterdam", "Rotterdam", "Utrecht"])),
                "geslacht": str(rng.choice(["man", "vrouw"])),
                "leeftijd_bij_toelating": float(rng.integers(18, 60)),
                "land_van_herkomst": str(rng.choice(["IR", "AF", "MA", "NG"])),
                **outcome(bool(rng.random() < 0.5)),
            }
        )
    return frame(rows)


def test_collinearity_matches_statsmodels_vif_and_belsley():
    data = _random_frame()
    model = fit_model(ModelSpec(name="m", outcome="oplossing", countries=("IR", "AF")), data)
    mc = model["multicollineariteit"]
    names = list(model["coefficienten"])
    # Rebuild the design matrix by hand.
    X = pd.DataFrame(
        {
            "constant": 1.0,
            "geslacht_vrouw": (data["geslacht"] == "vrouw").astype(float),
            "leeftijd": data["leeftijd_bij_toelating"],
            "land_IR": (data["land_van_herkomst"] == "IR").astype(float),
            "land_AF": (data["land_van_herkomst"] == "AF").astype(float),
            "gemeente_Amsterdam": (data["gemeente"] == "Amsterdam").astype(float),
            "gemeente_Utrecht": (data["gemeente"] == "Utrecht").astype(float),
        }
    )
    assert names == list(X.columns)
    for j, name in enumerate(names[1:], start=1):
        vif = variance_inflation_factor(X.to_numpy(), j)
        assert mc["vif"][name] == pytest.approx(vif, rel=1e-9)
        assert mc["tolerance"][name] == pytest.approx(1 / vif, rel=1e-9)
    scaled = X.to_numpy() / np.linalg.norm(X.to_numpy(), axis=0)
    singular = np.linalg.svd(scaled, compute_uv=False)
    assert mc["condition_index_max"] == pytest.approx(singular.max() / singular.min(), rel=1e-9)
    # Variance proportions: per coefficient they add up to 1 over the dimensions.
    for name in names:
        assert sum(dim[name] for dim in mc["variantieproporties"]) == pytest.approx(1.0)


def test_a_category_where_everyone_has_the_outcome_is_reported_as_separation():
    data = _random_frame()
    afghans = data["land_van_herkomst"] == "AF"
    data.loc[afghans, "uitstroomcategorie"] = "bestendig"
    data.loc[afghans, "uitstroomreden"] = "inwilliging"
    model = fit_model(ModelSpec(name="m", outcome="oplossing", countries=("IR", "AF")), data)
    text = " ".join(model["meldingen"])
    assert "Quasi-volledige scheiding: in categorie 'land_AF'" in text and "iedereen" in text
    assert "Zeer grote schatting of standaardfout voor 'land_AF'" in text


def test_perfect_separation_is_reported_without_a_traceback():
    rows = [{"leeftijd_bij_toelating": float(a), **outcome(a > 40)} for a in range(20, 60)]
    model = fit_model(ModelSpec(name="m", outcome="oplossing", predictors=("leeftijd",)), frame(rows))
    text = " ".join(model["meldingen"])
    assert "scheiding" in text.lower()


def test_empty_category_no_variation_and_missing_predictors():
    data = _random_frame()
    data.loc[data.index[:7], "geslacht"] = "anders"
    data.loc[data.index[7:10], "leeftijd_bij_toelating"] = np.nan
    model = fit_model(ModelSpec(name="m", outcome="oplossing", countries=("IR", "UG")), data)
    assert model["n_weggelaten"] == 10
    assert model["weggelaten"] == {"geslacht niet man of vrouw": 7, "leeftijd onbekend": 3}
    assert model["n"] == len(data) - 10
    assert "land_UG" not in model["coefficienten"]
    assert any("Categorie 'land_UG' komt bij de geanalyseerde personen niet voor" in m for m in model["meldingen"])

    data["uitstroomcategorie"] = "geen_oplossing"
    empty = fit_model(ModelSpec(name="m", outcome="bestendig"), data)
    assert empty["coefficienten"] == {} and "zonder variatie" in empty["fout"]


def test_user_models_are_checked_against_the_data():
    data = _random_frame()
    with pytest.raises(ApplicationError, match="Onbekende uitkomst 'succes'"):
        validate_spec(ModelSpec(name="x", outcome="succes"), data)
    with pytest.raises(
        ApplicationError, match="Referentiecategorie 'Eindhoven' van gemeente komt in de gegevens niet voor"
    ):
        validate_spec(ModelSpec(name="x", outcome="oplossing", references={"gemeente": "Eindhoven"}), data)
    with pytest.raises(ApplicationError, match="Onbekende predictor 'inkomen'"):
        validate_spec(ModelSpec(name="x", outcome="oplossing", predictors=("inkomen",)), data)
    with pytest.raises(ApplicationError, match="Onbekende landcode 'XX'"):
        validate_spec(ModelSpec(name="x", outcome="oplossing", countries=("XX",)), data)
    spec = validate_spec(
        ModelSpec(
            name="x", outcome="reden_hasa", predictors=("gemeente", "geslacht"), references={"gemeente": "Amsterdam"}
        ),
        data,
    )
    model = fit_model(spec, data)
    assert set(model["coefficienten"]) == {"constant", "gemeente_Rotterdam", "gemeente_Utrecht", "geslacht_vrouw"}


def test_municipality_differences_equal_scipy():
    data = _random_frame()
    diff = municipality_differences(data)
    table = pd.crosstab(data["uitstroomcategorie"], data["gemeente"])
    chi2, p, dof, _ = stats.chi2_contingency(table.to_numpy())
    assert diff["chi_kwadraat"]["chi2"] == pytest.approx(chi2) and diff["chi_kwadraat"]["p"] == pytest.approx(p)
    y = data["uitstroomcategorie"].isin(["bestendig", "semi_bestendig"]).astype(float)
    f, p = stats.f_oneway(*(y[data["gemeente"] == m] for m in sorted(data["gemeente"].unique())))
    test = diff["f_toetsen"]["oplossing"]
    assert test["f"] == pytest.approx(f) and test["p"] == pytest.approx(p)
    assert (test["df_tussen"], test["df_binnen"]) == (2, len(data) - 3)
    assert test["tekst"].startswith("F(2, 397) = ")
