"""The tests of differences between municipalities as the evaluators reported them (docs/analyse.md
§3): chi-square of outcome category × municipality, and a one-way F-test per binary outcome. Pure: a
pandas DataFrame in (`AnalysisData.outflowed`), plain dicts out."""

from __future__ import annotations

import math
import warnings
from typing import TypedDict

import pandas as pd
from scipy import stats

from .dataset import CATEGORIES
from .regression import DEFAULT_MODELS, finite_or_none, outcome_label, outcome_values


class ChiSquare(TypedDict):
    """The chi-square test of outcome category × municipality."""

    chi2: float
    df: int
    p: float
    n: int
    tabel: dict[str, dict[str, int]]
    aandeel_verwacht_kleiner_dan_5: float
    tekst: str


class FTest(TypedDict):
    """The one-way F-test of one binary outcome across municipalities."""

    uitkomst_label: str
    f: float | None
    df_tussen: int
    df_binnen: int
    p: float | None
    tekst: str


class MunicipalityDifferences(TypedDict):
    """`municipality_differences`."""

    gemeenten: list[str]
    chi_kwadraat: ChiSquare | None
    f_toetsen: dict[str, FTest]
    meldingen: list[str]


def municipality_differences(frame: pd.DataFrame) -> MunicipalityDifferences:
    """Chi-square of outcome category × municipality, and the one-way F-test (ANOVA) per binary
    outcome across municipalities, as the evaluators reported it: F(df) = …, p = …."""
    frame = frame[frame["uitstroomcategorie"].isin(CATEGORIES)]
    municipalities = sorted(frame["gemeente"].unique())
    result: MunicipalityDifferences = {
        "gemeenten": municipalities,
        "chi_kwadraat": None,
        "f_toetsen": {},
        "meldingen": [],
    }
    if len(municipalities) < 2:
        result["meldingen"].append(
            "Voor een toets van verschillen tussen gemeenten zijn ten minste twee gemeenten nodig."
        )
        return result
    table = pd.crosstab(frame["uitstroomcategorie"], frame["gemeente"]).reindex(index=list(CATEGORIES), fill_value=0)
    table = table.loc[table.sum(axis=1) > 0]
    if len(table) >= 2:
        chi2, p, dof, expected = stats.chi2_contingency(table.to_numpy())
        small = float((expected < 5).mean())
        result["chi_kwadraat"] = {
            "chi2": float(chi2),
            "df": int(dof),
            "p": float(p),
            "n": int(table.to_numpy().sum()),
            "tabel": {m: {c: int(table.loc[c, m]) for c in table.index} for m in table.columns},
            "aandeel_verwacht_kleiner_dan_5": small,
            "tekst": f"χ²({int(dof)}) = {_num2(chi2)}, p {_p_text(p)}",
        }
        if small > 0.2:
            result["meldingen"].append(
                f"Bij {small:.0%} van de cellen is de verwachte frequentie kleiner dan 5; "
                "de χ²-toets is dan minder betrouwbaar."
            )
    for outcome in DEFAULT_MODELS:
        y = outcome_values(frame, outcome)
        samples = [y[frame["gemeente"] == m].to_numpy() for m in municipalities]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f, p = stats.f_oneway(*samples)
        df1, df2 = len(municipalities) - 1, len(frame) - len(municipalities)
        result["f_toetsen"][outcome] = {
            "uitkomst_label": outcome_label(outcome),
            "f": finite_or_none(float(f)),
            "df_tussen": df1,
            "df_binnen": df2,
            "p": finite_or_none(float(p)),
            "tekst": f"F({df1}, {df2}) = {_num2(f)}, p {_p_text(p)}" if math.isfinite(f) else "F niet te berekenen",
        }
    return result


def _num2(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def _p_text(p: float) -> str:
    """ "< 0,001" or "= 0,123" (to follow "p ")."""
    return "< 0,001" if p < 0.001 else "= " + f"{p:.3f}".replace(".", ",")
