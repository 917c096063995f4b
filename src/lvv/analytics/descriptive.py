"""The evaluation's descriptive tables, shaped like its tables (docs/analyse.md §2). Pure: the
`AnalysisData` in, tables out. A table is a plain dict: `titel`, `kolommen`, `rijen` (lists of
cells: text, int or float; a share is a float between 0 and 1 and its column name ends in "%"),
`toelichting`. The same dicts feed JSON, XLSX, PDF and the web page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import pandas as pd

from lvv.monitor.indicators import MONITOR_INSTRUMENTS
from lvv.people.countries import country_name

from .dataset import AGE_GROUPS, CATEGORIES, CATEGORY_LABELS, NO_VALUE, AnalysisData, age_group

#: Countries with more than this many participants get a row of their own.
COUNTRY_MIN = 10
OTHER_COUNTRIES = "Overige landen"
#: Stay length classes in months: (label, from inclusive, to exclusive).
STAY_CLASSES = (
    ("< 3 maanden", 0, 3),
    ("3 tot 6 maanden", 3, 6),
    ("6 tot 12 maanden", 6, 12),
    ("12 tot 18 maanden", 12, 18),
    ("18 tot 24 maanden", 18, 24),
    ("24 maanden of langer", 24, None),
)
SEX_LABELS = {"man": "Man", "vrouw": "Vrouw", "anders": "Anders", "onbekend": "Onbekend"}
INSTRUMENT_LABELS = {
    "juridische_screening": "Juridische screening",
    "juridische_begeleiding": "Juridische begeleiding",
    "activering": "Activering",
    "sociale_begeleiding": "Sociale begeleiding",
    "toekomstorientatie": "Toekomstoriëntatie",
    "terugkeerbegeleiding": "Terugkeerbegeleiding",
}
TOTAL = "Totaal"

#: A cell of a table: text, a count, or a share or mean (None where there is nothing to count).
Cell = str | int | float | None


class Table(TypedDict):
    """One descriptive table (see the module's docstring)."""

    titel: str
    kolommen: list[str]
    rijen: list[list[Cell]]
    toelichting: str


def _table(title: str, columns: list[str], rows: list[list[Cell]], note: str = "") -> Table:
    return {"titel": title, "kolommen": columns, "rijen": rows, "toelichting": note}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _crosstab(values: pd.Series, groups: pd.Series, levels: list[str], municipalities: list[str]) -> pd.DataFrame:
    """counts[level][municipality] (+ TOTAL), with every level and municipality present."""
    counts = pd.crosstab(values, groups).reindex(index=levels, columns=municipalities, fill_value=0)
    counts[TOTAL] = counts.sum(axis=1)
    return counts


def _n_pct_table(
    title: str,
    label: str,
    values: pd.Series,
    groups: pd.Series,
    levels: list[str],
    municipalities: list[str],
    labels: Mapping[str, str] | None = None,
    note: str = "",
) -> Table:
    """Rows: levels; per municipality and in total: n and %."""
    counts = _crosstab(values, groups, levels, municipalities)
    names = [*municipalities, TOTAL]
    totals = {name: int(counts[name].sum()) for name in names}
    columns = [label] + [c for name in names for c in (f"{name} n", f"{name} %")]
    rows: list[list[Cell]] = []
    for level in levels:
        row: list[Cell] = [labels.get(level, level) if labels else level]
        for name in names:
            n = int(counts.loc[level, name])
            row += [n, _share(n, totals[name])]
        rows.append(row)
    rows.append([TOTAL] + [c for name in names for c in (totals[name], _share(totals[name], totals[name]))])
    return _table(title, columns, rows, note)


def participants(data: AnalysisData) -> Table:
    persons = data.persons
    rows: list[list[Cell]] = []
    totals = [0] * 6
    for name in data.municipalities:
        part = persons[persons["gemeente"] == name]
        counts = [
            data.trajecten.get(name, 0),
            data.unieke_personen.get(name, 0),
            data.overleden.get(name, 0),
            len(part),
            int(part["uitgestroomd"].sum()),
            int((~part["uitgestroomd"]).sum()),
        ]
        rows.append([name, *counts])
        totals = [total + n for total, n in zip(totals, counts, strict=True)]
    rows.append([TOTAL, *totals])
    return _table(
        "Deelnemers per gemeente",
        [
            "Gemeente",
            "Trajecten",
            "Unieke personen",
            "Overleden (niet geanalyseerd)",
            "Geanalyseerd",
            "Uitgestroomd",
            "Nog in LVV",
        ],
        rows,
        "Trajecten: toegelaten trajecten op of vóór de peildatum (basis trajecten). Unieke personen: per persoon "
        "het laatste traject (basis personen); overledenen tellen daar mee maar worden niet geanalyseerd.",
    )


def sex(data: AnalysisData) -> Table:
    p = data.persons
    levels = [s for s in SEX_LABELS if s in ("man", "vrouw") or (p["geslacht"] == s).any()]
    return _n_pct_table(
        "Geslacht per gemeente", "Geslacht", p["geslacht"], p["gemeente"], levels, data.municipalities, SEX_LABELS
    )


def age(data: AnalysisData) -> Table:
    p = data.persons
    groups = p["leeftijd_bij_toelating"].map(age_group)
    levels = [label for label, *_ in AGE_GROUPS] + ([NO_VALUE] if (groups == NO_VALUE).any() else [])
    table = _n_pct_table(
        "Leeftijd bij toelating per gemeente",
        "Leeftijdsgroep",
        groups,
        p["gemeente"],
        levels,
        data.municipalities,
        {NO_VALUE: "Onbekend"},
        "Leeftijd = jaar van toelating − geboortejaar.",
    )
    means: list[Cell] = ["Gemiddelde leeftijd"]
    for name in [*data.municipalities, TOTAL]:
        part = p if name == TOTAL else p[p["gemeente"] == name]
        mean = part["leeftijd_bij_toelating"].mean()
        means += [None if pd.isna(mean) else round(float(mean), 1), None]
    table["rijen"].append(means)
    return table


def countries(data: AnalysisData) -> Table:
    p = data.persons
    totals = p["land_van_herkomst"].value_counts()
    big = [code for code, n in totals.items() if n > COUNTRY_MIN]
    values = p["land_van_herkomst"].where(p["land_van_herkomst"].isin(big), OTHER_COUNTRIES)
    levels = [*big, OTHER_COUNTRIES] if (values == OTHER_COUNTRIES).any() else big
    labels = {code: f"{country_name(code)} ({code})" for code in big}
    return _n_pct_table(
        "Land van herkomst per gemeente",
        "Land",
        values,
        p["gemeente"],
        levels,
        data.municipalities,
        labels,
        f"Landen met meer dan {COUNTRY_MIN} deelnemers; de overige onder '{OTHER_COUNTRIES}'. "
        f"Aantal landen: {len(totals)}.",
    )


def outflow_categories(data: AnalysisData) -> Table:
    o = data.outflowed
    return _n_pct_table(
        "Uitstroom naar categorie per gemeente",
        "Categorie",
        o["uitstroomcategorie"],
        o["gemeente"],
        list(CATEGORIES),
        data.municipalities,
        CATEGORY_LABELS,
        "Van de deelnemers die op of vóór de peildatum zijn uitgestroomd (overledenen niet meegeteld).",
    )


def outflow_reasons(data: AnalysisData, labels: dict[str, str] | None = None) -> Table:
    o = data.outflowed
    codes = [c for c, cat in data.outcome_codes.items() if cat in CATEGORIES]
    present = set(o["uitstroomreden"])
    levels = [c for c in codes if c in present] + sorted(present - set(codes))
    return _n_pct_table(
        "Uitstroom naar uitstroomreden per gemeente",
        "Uitstroomreden",
        o["uitstroomreden"],
        o["gemeente"],
        levels,
        data.municipalities,
        labels or {},
    )


def stay_classes(months: pd.Series) -> pd.Series:
    def label(m: float) -> str:
        for name, low, high in STAY_CLASSES:
            if m >= low and (high is None or m < high):
                return name
        return STAY_CLASSES[0][0]

    return months.map(label)


def stay(data: AnalysisData) -> Table:
    o = data.outflowed
    table = _n_pct_table(
        "Verblijfsduur tot uitstroom per gemeente",
        "Verblijfsduur",
        stay_classes(o["verblijf_maanden"]),
        o["gemeente"],
        [name for name, *_ in STAY_CLASSES],
        data.municipalities,
        note="Tijd van toelating tot uitstroom (maanden = dagen / 30,4375), van wie is uitgestroomd. "
        "Zie ook de overlevingsanalyse, die wie nog in de LVV verblijft meetelt.",
    )
    means: list[Cell] = ["Gemiddeld (maanden)"]
    for name in [*data.municipalities, TOTAL]:
        part = o if name == TOTAL else o[o["gemeente"] == name]
        mean = part["verblijf_maanden"].mean()
        means += [None if pd.isna(mean) else round(float(mean), 1), None]
    table["rijen"].append(means)
    return table


def instruments(data: AnalysisData) -> Table:
    p = data.persons
    names = [*data.municipalities, TOTAL]
    columns = ["Instrument"] + [c for name in names for c in (f"{name} ja", f"{name} %")]
    rows: list[list[Cell]] = []
    for code in MONITOR_INSTRUMENTS:
        row: list[Cell] = [INSTRUMENT_LABELS.get(code, code)]
        for name in names:
            part = p if name == TOTAL else p[p["gemeente"] == name]
            known = part[code].isin(("ja", "nee", "nvt"))
            yes = int((part[code] == "ja").sum())
            row += [yes, _share(yes, int(known.sum()))]
        rows.append(row)
    return _table(
        "Ingezette instrumenten per gemeente",
        columns,
        rows,
        "Aantal deelnemers bij wie het instrument is ingezet; % van wie de inzet bekend is (ja, nee of n.v.t.).",
    )


def descriptive_tables(data: AnalysisData, *, reason_labels: dict[str, str] | None = None) -> dict[str, Table]:
    return {
        "deelnemers": participants(data),
        "geslacht": sex(data),
        "leeftijd": age(data),
        "landen": countries(data),
        "uitstroom_categorie": outflow_categories(data),
        "uitstroom_reden": outflow_reasons(data, reason_labels),
        "verblijfsduur": stay(data),
        "instrumenten": instruments(data),
    }
