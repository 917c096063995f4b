"""Stay length as survival (lifelines): time from admission to outflow, in months (days / 30.4375).

Every participant (admitted on or before P, basis `personen`, deceased left out) is a unit: who
left on or before P has an event at their stay length; who is still in the LVV on P is censored at
P (their stay so far). An outflow after P is not known on P, so it counts as censored at P too.

- Kaplan–Meier per municipality (and the whole country): median stay with its 95% interval
  (`lifelines.utils.median_survival_times` on the KM confidence band; null when not reached);
- the log-rank test across municipalities (`multivariate_logrank_test`);
- cumulative incidence per outcome category with the other categories as competing risks
  (Aalen–Johansen, `AalenJohansenFitter`), so "how long until a durable solution" does not treat
  a departure to nowhere as "still waiting"."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, SupportsFloat, TypedDict

import numpy as np
import pandas as pd

from .dataset import CATEGORIES

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter

#: Points in time (months) at which the cumulative incidence is reported.
INCIDENCE_MONTHS = (3, 6, 12, 18, 24, 36)
#: Seed of the Aalen–Johansen tie jitter, so the same data give the same figures.
JITTER_SEED = 20220701


class KmSummary(TypedDict):
    """Kaplan–Meier of one group: n, outflowed, median stay with its 95% interval (None when not
    reached), and the curve as [months, share still in the LVV]."""

    n: int
    uitgestroomd: int
    mediaan_maanden: float | None
    mediaan_ci95: list[float | None]
    curve: list[list[float]]


class Logrank(TypedDict):
    """The log-rank test across municipalities (None with fewer than two)."""

    logrank_p: float | None
    logrank_chi2: float | None
    logrank_df: int | None


class Incidence(TypedDict):
    """The cumulative incidence of one outcome category: at whole months (by their text), and the curve."""

    op_maanden: dict[str, float]
    curve: list[list[float]]


class SurvivalReport(Logrank):
    """The stay-length part of the report (`survival_report`)."""

    definitie: str
    landelijk: KmSummary
    per_gemeente: dict[str, KmSummary]
    cumulatieve_incidentie: dict[str, Incidence]


def _value(x: SupportsFloat) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def durations(persons: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(months, event observed) for every participant."""
    return persons["verblijf_maanden"].to_numpy(dtype=float), persons["uitgestroomd"].to_numpy(dtype=bool)


def kaplan_meier(months: np.ndarray, events: np.ndarray, *, label: str = "km") -> KaplanMeierFitter:
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter().fit(months, event_observed=events, label=label)


def km_summary(months: np.ndarray, events: np.ndarray, *, label: str = "km") -> KmSummary:
    """n, outflowed, median stay with 95% interval, and the curve as (months, share still in LVV)."""
    from lifelines.utils import median_survival_times

    result: KmSummary = {
        "n": int(len(months)),
        "uitgestroomd": int(events.sum()),
        "mediaan_maanden": None,
        "mediaan_ci95": [None, None],
        "curve": [],
    }
    if not len(months):
        return result
    kmf = kaplan_meier(months, events, label=label)
    result["mediaan_maanden"] = _value(kmf.median_survival_time_)
    ci = median_survival_times(kmf.confidence_interval_)
    result["mediaan_ci95"] = [_value(ci.iloc[0, 0]), _value(ci.iloc[0, 1])]
    sf = kmf.survival_function_.iloc[:, 0]
    result["curve"] = [[float(t), float(s)] for t, s in sf.items()]
    return result


def logrank(persons: pd.DataFrame) -> Logrank:
    from lifelines.statistics import multivariate_logrank_test

    groups = persons["gemeente"]
    if groups.nunique() < 2:
        return {"logrank_p": None, "logrank_chi2": None, "logrank_df": None}
    months, events = durations(persons)
    test = multivariate_logrank_test(months, groups.to_numpy(), events)
    return {
        "logrank_p": float(test.p_value),
        "logrank_chi2": float(test.test_statistic),
        "logrank_df": int(test.degrees_of_freedom),
    }


def cumulative_incidence(persons: pd.DataFrame, *, months_at: Sequence[int] = INCIDENCE_MONTHS) -> dict[str, Incidence]:
    """Per outcome category: the cumulative incidence (Aalen–Johansen) at `months_at` and the curve."""
    from lifelines import AalenJohansenFitter

    months, _ = durations(persons)
    codes = np.zeros(len(persons), dtype=int)
    category = persons["uitstroomcategorie"].to_numpy()
    for i, name in enumerate(CATEGORIES, start=1):
        codes[(category == name) & persons["uitgestroomd"].to_numpy()] = i
    result: dict[str, Incidence] = {}
    for i, name in enumerate(CATEGORIES, start=1):
        if not (codes == i).any():
            result[name] = {"op_maanden": {str(m): 0.0 for m in months_at}, "curve": []}
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifelines warns about the tie jitter it applies
            ajf = AalenJohansenFitter(seed=JITTER_SEED, calculate_variance=False)
            ajf.fit(months, codes, event_of_interest=i)
        cif = ajf.cumulative_density_.iloc[:, 0]
        times = cif.index.to_numpy()
        values = cif.to_numpy()
        at: dict[str, float] = {}
        for m in months_at:
            position = np.searchsorted(times, m, side="right") - 1
            at[str(m)] = float(values[position]) if position >= 0 else 0.0
        result[name] = {"op_maanden": at, "curve": [[float(t), float(v)] for t, v in zip(times, values, strict=True)]}
    return result


def survival_report(persons: pd.DataFrame, municipalities: list[str]) -> SurvivalReport:
    """The stay-length part of the report (contract: per_gemeente.{n, uitgestroomd, mediaan_maanden}
    and logrank_p)."""
    per: dict[str, KmSummary] = {}
    for name in municipalities:
        part = persons[persons["gemeente"] == name]
        months, events = durations(part)
        per[name] = km_summary(months, events, label=name)
    months, events = durations(persons)
    return {
        "definitie": (
            "Tijd van toelating tot uitstroom in maanden (dagen / 30,4375). Wie op de peildatum nog in de LVV "
            "verblijft, telt als gecensureerd op de peildatum."
        ),
        "landelijk": km_summary(months, events, label="landelijk"),
        "per_gemeente": per,
        **logrank(persons),
        "cumulatieve_incidentie": cumulative_incidence(persons),
    }
