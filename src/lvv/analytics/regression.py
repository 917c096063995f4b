"""Logistic regression as the evaluators ran it (docs/analyse.md §3); the tests of differences
between municipalities are in `differences.py`. Pure: a pandas DataFrame in
(`AnalysisData.outflowed`), plain dicts out; no ORM here.

A model is a `ModelSpec`: an outcome (yes/no among those who left), predictors and reference
categories. `fit_model` builds the design matrix (dummies against the reference, rows with a
missing predictor left out and counted), fits it with statsmodels `Logit` (Newton–Raphson) and
reports what SPSS reports: N, log-likelihood, Cox–Snell and Nagelkerke R², per coefficient B, SE,
Wald = (B/SE)², p, Exp(B) with its 95% interval; and the collinearity diagnostics: tolerance, VIF,
condition indices and variance proportions (Belsley: the design matrix with the constant, columns
scaled to unit length, singular value decomposition).

Whatever makes a model unreliable is reported in Dutch under `meldingen` instead of raising:
(quasi-)complete separation, categories without rows, too few events per predictor, no
convergence. A model that cannot be estimated at all has `fout` and no coefficients."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NotRequired, TypedDict

import numpy as np
import pandas as pd

from lvv.core.exceptions import ApplicationError
from lvv.monitor.indicators import MONITOR_INSTRUMENTS, UNKNOWN
from lvv.people.countries import is_valid_country

from .dataset import CATEGORIES, NO_VALUE

if TYPE_CHECKING:
    from statsmodels.discrete.discrete_model import BinaryResultsWrapper

#: The evaluation's country dummies (reference: every other country).
DEFAULT_COUNTRIES = ("IR", "NG", "ER", "IQ", "GN", "AF", "UG")
DEFAULT_PREDICTORS = ("geslacht", "leeftijd", "land", "gemeente")
#: Outcomes: name → (label, the outcome categories that count as "yes").
OUTCOMES = {
    "oplossing": ("Oplossing (bestendig of semi-bestendig)", ("bestendig", "semi_bestendig")),
    "bestendig": ("Bestendige oplossing", ("bestendig",)),
    "semi_bestendig": ("Semi-bestendige oplossing", ("semi_bestendig",)),
    "geen_oplossing": ("Geen oplossing", ("geen_oplossing",)),
}
#: Outcome codes can be an outcome too: "reden_<code>", e.g. reden_hasa.
REASON_PREFIX = "reden_"
DEFAULT_MODELS = ("oplossing", "bestendig", "semi_bestendig")

#: Categorical predictors: column of the dataset, default reference, values that mean "missing".
CATEGORICAL = {
    "geslacht": ("geslacht", "man", ("onbekend",)),
    "gemeente": ("gemeente", "Rotterdam", ()),
    "eerste_aanvraag": ("eerste_aanvraag", "asiel", (UNKNOWN,)),
    "opvangvorm": ("opvangvorm", "centraal", (NO_VALUE,)),
    "perspectief": ("perspectief", "geen", ()),
}
NUMERIC = {"leeftijd": "leeftijd_bij_toelating"}
PREDICTORS = (*DEFAULT_PREDICTORS, "eerste_aanvraag", "opvangvorm", "perspectief", *MONITOR_INSTRUMENTS)
PREDICTOR_LABELS = {
    "geslacht": "geslacht",
    "leeftijd": "leeftijd",
    "land": "land van herkomst",
    "gemeente": "gemeente",
    "eerste_aanvraag": "eerste aanvraag",
    "opvangvorm": "opvangvorm",
    "perspectief": "perspectief",
}
#: Sex: the evaluation kept men and women only.
SEXES = ("man", "vrouw")

MIN_EVENTS_PER_PREDICTOR = 10
HUGE_SE = 50.0
HUGE_B = 15.0
#: Collinearity limits the evaluators used.
TOLERANCE_MIN, VIF_MAX, CONDITION_INDEX_MAX = 0.1, 10.0, 30.0

MSG_UNKNOWN_OUTCOME = "Onbekende uitkomst '{name}'. Kies uit: {options}."
MSG_UNKNOWN_PREDICTOR = "Onbekende predictor '{name}'. Kies uit: {options}."
MSG_NO_PREDICTORS = "Kies ten minste één predictor."
MSG_REFERENCE_PREDICTOR = (
    "Een referentiecategorie voor '{name}' kan niet: dat is geen categorische predictor in dit model."
)
MSG_REFERENCE_UNKNOWN = "Referentiecategorie '{value}' van {label} komt in de gegevens niet voor. Aanwezig: {options}."
MSG_COUNTRY = "Onbekende landcode '{code}' voor de landen-dummies."
MSG_NO_ROWS = "Er zijn geen uitgestroomde personen met volledige gegevens; het model kan niet worden geschat."
MSG_NO_VARIATION = (
    "De uitkomst '{outcome}' komt bij {which} van de {n} personen voor; zonder variatie kan het model niet "
    "worden geschat."
)
MSG_EMPTY_CATEGORY = "Categorie '{name}' komt bij de geanalyseerde personen niet voor; zij is uit het model gelaten."
MSG_EMPTY_REFERENCE = (
    "De referentiecategorie '{value}' van {label} komt bij de geanalyseerde personen niet voor; kies een andere "
    "referentiecategorie."
)
MSG_QUASI_SEPARATION = (
    "Quasi-volledige scheiding: in categorie '{name}' ({n} personen) heeft {who} de uitkomst. De schatting voor "
    "deze categorie (en haar betrouwbaarheidsinterval) is niet betrouwbaar."
)
MSG_PERFECT_SEPARATION = (
    "Volledige scheiding: de predictoren voorspellen de uitkomst (bijna) foutloos; de coëfficiënten lopen naar "
    "oneindig en zijn niet te interpreteren. Laat een predictor of categorie weg of voeg categorieën samen."
)
MSG_HUGE_SE = (
    "Zeer grote schatting of standaardfout voor '{name}' (B = {b:.2f}, SE = {se:.2f}): waarschijnlijk "
    "(quasi-)volledige scheiding; niet interpreteren."
)
MSG_PROBS_01 = "Bij {k} personen is de voorspelde kans praktisch 0 of 1: een teken van (quasi-)volledige scheiding."
MSG_FEW_EVENTS = (
    "Te weinig gebeurtenissen: de kleinste groep (uitkomst ja of nee) telt {events} personen op {k} "
    "predictorkolommen, minder dan {minimum} per predictor. De schattingen kunnen onbetrouwbaar zijn."
)
MSG_NOT_CONVERGED = "Het schattingsalgoritme is niet geconvergeerd; de uitkomsten zijn niet betrouwbaar."
MSG_SINGULAR = (
    "Het model kan niet worden geschat: de predictoren zijn volledig samenhangend (singuliere matrix). "
    "Laat een predictor of categorie weg."
)
MSG_COLLINEARITY = "Multicollineariteit: {what} (grenzen: tolerantie > 0,1, VIF < 10, conditie-index < 30)."
MSG_ONE_MUNICIPALITY = "Met één gemeente in de gegevens is gemeente geen predictor; zij is uit het model gelaten."


class Coefficient(TypedDict):
    """One coefficient as SPSS reports it (None where it is not a finite number)."""

    b: float
    se: float | None
    wald: float | None
    p: float | None
    odds_ratio: float | None
    ci95: list[float | None]


class Collinearity(TypedDict):
    """`collinearity`; a model that could not be estimated has only its first three keys."""

    vif: dict[str, float | None]
    tolerance: dict[str, float | None]
    condition_index_max: float | None
    conditie_indices: NotRequired[list[float | None]]
    variantieproporties: NotRequired[list[dict[str, float]]]


class ModelResult(TypedDict):
    """One fitted model (`fit_model`): what SPSS reports, the messages, and `fout` if it failed."""

    naam: str
    uitkomst: str
    uitkomst_label: str
    predictoren: list[str]
    referenties: dict[str, str]
    n: int
    n_weggelaten: int
    weggelaten: dict[str, int]
    gebeurtenissen: int
    log_likelihood: float | None
    log_likelihood_nulmodel: float | None
    min2_log_likelihood: float | None
    nagelkerke_r2: float | None
    cox_snell_r2: float | None
    coefficienten: dict[str, Coefficient]
    multicollineariteit: Collinearity
    meldingen: list[str]
    fout: str | None
    geconvergeerd: bool


@dataclass(frozen=True)
class ModelSpec:
    name: str
    outcome: str
    predictors: tuple[str, ...] = DEFAULT_PREDICTORS
    #: predictor → reference category (categorical predictors only).
    references: dict[str, str] = field(default_factory=dict)
    #: Countries with a dummy (predictor `land`); every other known country is the reference.
    countries: tuple[str, ...] = DEFAULT_COUNTRIES


def default_specs() -> list[ModelSpec]:
    return [ModelSpec(name=name, outcome=name) for name in DEFAULT_MODELS]


def outcome_label(outcome: str) -> str:
    if outcome in OUTCOMES:
        return OUTCOMES[outcome][0]
    return f"Uitstroomreden {outcome.removeprefix(REASON_PREFIX)}"


def outcome_options(frame: pd.DataFrame) -> list[str]:
    reasons = sorted(r for r in frame["uitstroomreden"].unique() if r)
    return [*OUTCOMES, *(REASON_PREFIX + r for r in reasons)]


def outcome_values(frame: pd.DataFrame, outcome: str) -> pd.Series:
    if outcome in OUTCOMES:
        return frame["uitstroomcategorie"].isin(OUTCOMES[outcome][1]).astype(float)
    return (frame["uitstroomreden"] == outcome.removeprefix(REASON_PREFIX)).astype(float)


def _valid(frame: pd.DataFrame, predictor: str) -> pd.Series:
    """Rows where the predictor is known (sex: man or vrouw only)."""
    if predictor == "geslacht":
        return frame["geslacht"].isin(SEXES)
    if predictor in NUMERIC:
        return frame[NUMERIC[predictor]].notna()
    if predictor == "land":
        return frame["land_van_herkomst"] != "onbekend"
    if predictor in CATEGORICAL:
        column, _, missing = CATEGORICAL[predictor]
        return ~frame[column].isin(missing)
    return frame[predictor].isin(("ja", "nee", "nvt"))  # an instrument: onbekend is missing


def validate_spec(spec: ModelSpec, frame: pd.DataFrame) -> ModelSpec:
    """Check a (user's) model against what the data holds; ApplicationError with a Dutch message."""
    options = outcome_options(frame)
    if spec.outcome not in options:
        raise ApplicationError(
            MSG_UNKNOWN_OUTCOME.format(name=spec.outcome, options=", ".join(options)), field="uitkomst"
        )
    if not spec.predictors:
        raise ApplicationError(MSG_NO_PREDICTORS, field="predictoren")
    for p in spec.predictors:
        if p not in PREDICTORS:
            raise ApplicationError(
                MSG_UNKNOWN_PREDICTOR.format(name=p, options=", ".join(PREDICTORS)), field="predictoren"
            )
    for p, value in spec.references.items():
        if p not in CATEGORICAL or p not in spec.predictors:
            raise ApplicationError(MSG_REFERENCE_PREDICTOR.format(name=p), field="referenties")
        column, _, missing = CATEGORICAL[p]
        present = sorted(v for v in frame[column].unique() if v not in missing and (p != "geslacht" or v in SEXES))
        if value not in present:
            raise ApplicationError(
                MSG_REFERENCE_UNKNOWN.format(
                    value=value, label=PREDICTOR_LABELS[p], options=", ".join(present) or "geen"
                ),
                field="referenties",
            )

    for code in spec.countries:
        if not is_valid_country(code) or code in ("onbekend",):
            raise ApplicationError(MSG_COUNTRY.format(code=code), field="landen")
    return spec


@dataclass
class Design:
    y: pd.Series
    X: pd.DataFrame  # "constant" first
    n_excluded: int
    excluded: dict[str, int]
    messages: list[str]
    #: predictor → its dummy columns (for the separation check of the reference group)
    groups: dict[str, list[str]]
    error: str | None = None
    #: The predictors in the model (gemeente is dropped when the data hold one municipality).
    used: tuple[str, ...] = ()


def design(spec: ModelSpec, frame: pd.DataFrame) -> Design:
    """The design matrix of a model over the outflowed persons (`frame`)."""
    frame = frame[frame["uitstroomcategorie"].isin(CATEGORIES)]
    messages: list[str] = []
    predictors = list(spec.predictors)
    if "gemeente" in predictors and frame["gemeente"].nunique() <= 1:
        predictors.remove("gemeente")
        messages.append(MSG_ONE_MUNICIPALITY)
    keep = pd.Series(True, index=frame.index)
    excluded: dict[str, int] = {}
    for p in predictors:
        valid = _valid(frame, p)
        newly = int((keep & ~valid).sum())
        if newly:
            label = "geslacht niet man of vrouw" if p == "geslacht" else f"{PREDICTOR_LABELS.get(p, p)} onbekend"
            excluded[label] = newly
        keep &= valid
    rows = frame[keep]
    columns: dict[str, pd.Series] = {"constant": pd.Series(1.0, index=rows.index)}
    groups: dict[str, list[str]] = {}
    for p in predictors:
        if p in NUMERIC:
            columns[p] = rows[NUMERIC[p]].astype(float)
        elif p == "land":
            names = []
            for code in spec.countries:
                name = f"land_{code}"
                columns[name] = (rows["land_van_herkomst"] == code).astype(float)
                names.append(name)
            groups[p] = names
        elif p in CATEGORICAL:
            column, default_ref, missing = CATEGORICAL[p]
            reference = spec.references.get(p, default_ref)
            levels = SEXES if p == "geslacht" else sorted(v for v in frame[column].unique() if v not in missing)
            if not (rows[column] == reference).any() and len(rows):
                return Design(
                    y=pd.Series(dtype=float),
                    X=pd.DataFrame(),
                    n_excluded=len(frame) - len(rows),
                    excluded=excluded,
                    messages=messages,
                    groups={},
                    error=MSG_EMPTY_REFERENCE.format(value=reference, label=PREDICTOR_LABELS[p]),
                )
            names = []
            for level in levels:
                if level == reference:
                    continue
                name = f"{p}_{level}"
                columns[name] = (rows[column] == level).astype(float)
                names.append(name)
            groups[p] = names
        else:  # an instrument: ja = 1, nee / nvt = 0
            columns[p] = (rows[p] == "ja").astype(float)
    X = pd.DataFrame(columns, index=rows.index)
    for name in list(X.columns[1:]):
        if name not in NUMERIC and (X[name] == 0).all() and len(X):
            messages.append(MSG_EMPTY_CATEGORY.format(name=name))
            X = X.drop(columns=name)
            for names in groups.values():
                if name in names:
                    names.remove(name)
    return Design(
        y=outcome_values(rows, spec.outcome),
        X=X,
        n_excluded=len(frame) - len(rows),
        excluded=excluded,
        messages=messages,
        groups=groups,
        used=tuple(predictors),
    )


# --- pseudo R² ------------------------------------------------------------------------------------


def cox_snell_r2(llf: float, llnull: float, n: int) -> float:
    """Cox & Snell: 1 − (L0 / L1)^(2/n) = 1 − exp(2 (LL0 − LL1) / n)."""
    return 1.0 - math.exp(2.0 * (llnull - llf) / n)


def nagelkerke_r2(llf: float, llnull: float, n: int) -> float:
    """Nagelkerke: Cox & Snell divided by its maximum 1 − L0^(2/n)."""
    return cox_snell_r2(llf, llnull, n) / (1.0 - math.exp(2.0 * llnull / n))


# --- collinearity ---------------------------------------------------------------------------------


def collinearity(X: pd.DataFrame) -> Collinearity:
    """Tolerance and VIF per predictor column (R² of that column on the others, with constant), and
    Belsley's condition indices and variance-decomposition proportions of the scaled design matrix
    (constant included), as SPSS prints them under "Collinearity Diagnostics"."""
    values = X.to_numpy(dtype=float)
    names = list(X.columns)
    vif: dict[str, float | None] = {}
    tolerance: dict[str, float | None] = {}
    for j, name in enumerate(names):
        if name == "constant":
            continue
        others = np.delete(values, j, axis=1)
        target = values[:, j]
        coef, *_ = np.linalg.lstsq(others, target, rcond=None)
        residual = target - others @ coef
        total = ((target - target.mean()) ** 2).sum()
        r2 = 1.0 - (residual @ residual) / total if total > 0 else 1.0
        tolerance[name] = finite_or_none(1.0 - r2)
        vif[name] = finite_or_none(1.0 / (1.0 - r2)) if r2 < 1.0 else None
    norms = np.sqrt((values**2).sum(axis=0))
    norms[norms == 0] = 1.0
    _, singular, vt = np.linalg.svd(values / norms, full_matrices=False)
    singular = np.where(singular > 0, singular, np.finfo(float).tiny)
    indices = singular.max() / singular
    phi = (vt.T**2) / singular**2  # rows: coefficients, columns: dimensions
    proportions = phi / phi.sum(axis=1, keepdims=True)
    return {
        "vif": vif,
        "tolerance": tolerance,
        "condition_index_max": finite_or_none(float(indices.max())),
        "conditie_indices": [finite_or_none(float(c)) for c in indices],
        "variantieproporties": [
            {name: float(proportions[j, k]) for j, name in enumerate(names)} for k in range(len(singular))
        ],
    }


def finite_or_none(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


# --- the model ------------------------------------------------------------------------------------


def _empty_result(spec: ModelSpec, d: Design | None, error: str) -> ModelResult:
    return {
        "naam": spec.name,
        "uitkomst": spec.outcome,
        "uitkomst_label": outcome_label(spec.outcome),
        "predictoren": list(spec.predictors),
        "referenties": _references(spec, d.used if d else None),
        "n": int(len(d.y)) if d else 0,
        "n_weggelaten": int(d.n_excluded) if d else 0,
        "weggelaten": d.excluded if d else {},
        "gebeurtenissen": int(d.y.sum()) if d and len(d.y) else 0,
        "log_likelihood": None,
        "log_likelihood_nulmodel": None,
        "min2_log_likelihood": None,
        "nagelkerke_r2": None,
        "cox_snell_r2": None,
        "coefficienten": {},
        "multicollineariteit": {"vif": {}, "tolerance": {}, "condition_index_max": None},
        "meldingen": [*(d.messages if d else []), error],
        "fout": error,
        "geconvergeerd": False,
    }


def _references(spec: ModelSpec, used: tuple[str, ...] | None = None) -> dict[str, str]:
    predictors = spec.predictors if used is None else used
    refs = {p: spec.references.get(p, CATEGORICAL[p][1]) for p in predictors if p in CATEGORICAL}
    if "land" in predictors:
        refs["land"] = "overige landen"
    return refs


def _separation_checks(d: Design) -> list[str]:
    """Categories in which everyone or no one has the outcome (quasi-complete separation)."""
    messages = []
    y, X = d.y, d.X
    for names in d.groups.values():
        groups = [(name, X[name] == 1) for name in names]
        if names:
            groups.append(("referentie: " + ", ".join(names) + " = 0", (X[names] == 0).all(axis=1)))
        for name, mask in groups:
            n = int(mask.sum())
            if not n:
                continue
            events = y[mask].sum()
            if events == 0 or events == n:
                who = "niemand" if events == 0 else "iedereen"
                if name.startswith("referentie"):
                    name = "referentiecategorie"
                messages.append(MSG_QUASI_SEPARATION.format(name=name, n=n, who=who))
    return messages


def fit_logit(y: pd.Series, X: pd.DataFrame) -> BinaryResultsWrapper:
    """The fit every model uses (so a test can repeat it exactly)."""
    import statsmodels.api as sm

    return sm.Logit(y, X).fit(method="newton", maxiter=100, disp=0)


def fit_model(spec: ModelSpec, frame: pd.DataFrame) -> ModelResult:
    """Fit one model over the outflowed persons; a plain dict (see module docstring)."""
    from statsmodels.tools.sm_exceptions import (
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    d = design(spec, frame)
    if d.error:
        return _empty_result(spec, d, d.error)
    n = len(d.y)
    if n == 0:
        return _empty_result(spec, d, MSG_NO_ROWS)
    events = int(d.y.sum())
    if events in (0, n):
        which = "geen" if events == 0 else "alle"
        return _empty_result(spec, d, MSG_NO_VARIATION.format(outcome=outcome_label(spec.outcome), which=which, n=n))
    messages = list(d.messages)
    k = d.X.shape[1] - 1
    smallest = min(events, n - events)
    if k and smallest / k < MIN_EVENTS_PER_PREDICTOR:
        messages.append(MSG_FEW_EVENTS.format(events=smallest, k=k, minimum=MIN_EVENTS_PER_PREDICTOR))
    messages.extend(_separation_checks(d))
    if np.linalg.matrix_rank(d.X.to_numpy(dtype=float)) < d.X.shape[1]:
        return _empty_result(spec, d, MSG_SINGULAR) | {"meldingen": [*messages, MSG_SINGULAR]}
    separated = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit_logit(d.y, d.X)
        except PerfectSeparationError:
            return _empty_result(spec, d, MSG_PERFECT_SEPARATION) | {"meldingen": [*messages, MSG_PERFECT_SEPARATION]}
        except np.linalg.LinAlgError:
            return _empty_result(spec, d, MSG_SINGULAR) | {"meldingen": [*messages, MSG_SINGULAR]}
    for w in caught:
        if issubclass(w.category, PerfectSeparationWarning):
            separated = True
    converged = bool(result.mle_retvals.get("converged", True))
    if separated:
        messages.append(MSG_PERFECT_SEPARATION)
    if not converged:
        messages.append(MSG_NOT_CONVERGED)
    params, bse, pvalues = result.params, result.bse, result.pvalues
    ci = result.conf_int(alpha=0.05)
    coefficients: dict[str, Coefficient] = {}
    for name in d.X.columns:
        b, se, p = float(params[name]), float(bse[name]), float(pvalues[name])
        if not math.isfinite(se) or se > HUGE_SE or abs(b) > HUGE_B:
            messages.append(MSG_HUGE_SE.format(name=name, b=b, se=se))
        coefficients[name] = {
            "b": b,
            "se": finite_or_none(se),
            "wald": finite_or_none((b / se) ** 2) if se else None,
            "p": finite_or_none(p),
            "odds_ratio": finite_or_none(_exp(b)),
            "ci95": [finite_or_none(_exp(float(ci.loc[name, 0]))), finite_or_none(_exp(float(ci.loc[name, 1])))],
        }
    probabilities = result.predict(d.X)
    extreme = int(((probabilities < 1e-6) | (probabilities > 1 - 1e-6)).sum())
    if extreme:
        messages.append(MSG_PROBS_01.format(k=extreme))
    llf, llnull = float(result.llf), float(result.llnull)
    mc = collinearity(d.X)
    problems = []
    bad = [name for name, t in mc["tolerance"].items() if t is None or t <= TOLERANCE_MIN]
    if bad:
        problems.append("tolerantie ≤ 0,1 of VIF ≥ 10 voor " + ", ".join(bad))
    if mc["condition_index_max"] is None or mc["condition_index_max"] >= CONDITION_INDEX_MAX:
        problems.append(f"hoogste conditie-index {mc['condition_index_max'] or 'oneindig'}")
    if problems:
        messages.append(MSG_COLLINEARITY.format(what="; ".join(problems)))
    return {
        "naam": spec.name,
        "uitkomst": spec.outcome,
        "uitkomst_label": outcome_label(spec.outcome),
        "predictoren": list(spec.predictors),
        "referenties": _references(spec, d.used),
        "n": int(n),
        "n_weggelaten": int(d.n_excluded),
        "weggelaten": d.excluded,
        "gebeurtenissen": events,
        "log_likelihood": llf,
        "log_likelihood_nulmodel": llnull,
        "min2_log_likelihood": -2.0 * llf,
        "nagelkerke_r2": nagelkerke_r2(llf, llnull, n),
        "cox_snell_r2": cox_snell_r2(llf, llnull, n),
        "coefficienten": coefficients,
        "multicollineariteit": mc,
        "meldingen": messages,
        "fout": None,
        "geconvergeerd": converged,
    }


def _exp(value: float) -> float:
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf
