"""The monitor as tables for people: the pages, the charts and the downloads all read these.

A report of `lvv monitor` (see `indicators.monitor`) becomes a handful of tables with Dutch labels,
one row per municipality and a national row. With a threshold the tables are the *published*
version: small counts are hidden by `suppression.py` over all tables together (they share cells:
the outflow of a municipality is in three tables), and a share or duration is hidden when a count it
is computed from is hidden or its group is smaller than the threshold.

Pure: no database (the outcome labels and categories are passed in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .definitions import (
    DECISION_LABELS,
    DECISION_REASON_LABELS,
    INSTRUMENT_LABELS,
    INSTRUMENT_VALUE_LABELS,
    PERSPECTIVE_LABELS,
    label,
)
from .indicators import (
    BASIS_TRAJECTEN,
    CATEGORY_INDICATORS,
    DECISION_REASONS,
    DECISIONS,
    INSTRUMENT_VALUES,
    MONITOR_INSTRUMENTS,
    NO_DECISION,
    PERSPECTIVE_KINDS,
)
from .reports import flatten
from .suppression import Relation, Result, suppress

LANDELIJK = "Landelijk"

COUNT = "count"
SHARE = "share"
MONTHS = "months"
PLACES = "places"  # capacity: places, not people (never suppressed)

#: Counts that do not add up over the municipalities (a person in two municipalities counts once
#: nationally): hidden when small, but no relation ties them to the national figure.
NOT_ADDITIVE = {"unieke_personen"}

#: A share or duration → the counts it is computed from (hidden when any of them is hidden) and
#: the count of its group (hidden when that is below the threshold).
DERIVED: dict[str, tuple[tuple[str, ...], str]] = {
    "bezettingsgraad": (("in_lvv",), "in_lvv"),
    "aandeel_perspectief_bepaald": (("perspectief_bepaald", "in_lvv"), "in_lvv"),
    "doorlooptijd_gemiddeld_maanden": ((), "uitstroom"),
    "doorlooptijd_mediaan_maanden": ((), "uitstroom"),
    **{
        name.replace("uitstroom_", "aandeel_"): ((name, "uitstroom"), "uitstroom")
        for name in CATEGORY_INDICATORS.values()
    },
}


@dataclass(frozen=True)
class Column:
    key: str  # the flattened indicator name, e.g. "besluiten.hasa.inwilliging"
    label: str
    kind: str = COUNT
    #: The indicator whose definition explains this column (anchor on the definitions page).
    definition: str | None = None


@dataclass
class Cell:
    value: int | float | None  # None: empty (no denominator) or hidden
    text: str  # as shown (Dutch number format, or the marker of a hidden cell)
    marker: str | None = None  # "<5" or "x" when hidden


@dataclass
class Row:
    labels: list[str]
    cells: list[Cell]
    is_total: bool = False


@dataclass
class Table:
    key: str  # also the sheet name of the XLSX (max. 31 characters)
    title: str
    caption: str
    row_headers: list[str]
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)

    def column_index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)

    def values(self, key: str) -> dict[tuple[str, ...], int | float | None]:
        """Column `key` by row labels (hidden cells are None)."""
        i = self.column_index(key)
        return {tuple(r.labels): r.cells[i].value for r in self.rows}


# --- formatting ----------------------------------------------------------------------------------


def format_value(value, kind: str) -> str:
    """Dutch number format: 1.234 · 35,3% · 11,25."""
    if value is None:
        return "–"
    if kind == SHARE:
        return f"{value * 100:.1f}%".replace(".", ",")
    if kind == MONTHS:
        return f"{value:.2f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


# --- the relations between the published counts ---------------------------------------------------


def count_keys(figures: dict) -> list[str]:
    """The flattened names of every count among the indicators (not shares, durations, capacity)."""
    return [
        key
        for key, value in flatten(figures).items()
        if isinstance(value, int) and key not in DERIVED and key != "capaciteit"
    ]


def report_relations(report: dict, categories: Mapping[str, str]) -> tuple[dict, list[Relation]]:
    """All counts of a full report as cells (row, name), and the relations between them.

    `categories`: outcome code → category. The relations are those a reader can check in the
    published tables: the municipalities add up to the national figure; within a row, instroom =
    in de LVV + uitstroom (+ overleden on basis trajecten), outflow = its categories, each category =
    its reasons, hasa and artikel 64 = their decisions, perspective = its kinds, and per instrument
    ja + nee + nvt + onbekend = instroom."""
    rows = {LANDELIJK: flatten(report["landelijk"])}
    rows.update({name: flatten(figures) for name, figures in report["per_gemeente"].items()})
    names = count_keys(report["landelijk"])
    values = {(row, key): flat[key] for row, flat in rows.items() for key in names}
    municipalities = list(report["per_gemeente"])
    relations = [
        Relation((LANDELIJK, key), tuple((m, key) for m in municipalities)) for key in names if key not in NOT_ADDITIVE
    ]
    reasons = [key.split(".", 1)[1] for key in names if key.startswith("uitstroom_per_reden.")]
    for row in rows:

        def c(key, row=row):
            return (row, key)

        parts = ["in_lvv", "uitstroom"] + (["overleden"] if report["basis"] == BASIS_TRAJECTEN else [])
        relations.append(Relation(c("instroom"), tuple(c(k) for k in parts)))
        relations.append(Relation(c("uitstroom"), tuple(c(k) for k in CATEGORY_INDICATORS.values())))
        for category, name in CATEGORY_INDICATORS.items():
            codes = [r for r in reasons if categories.get(r) == category]
            relations.append(Relation(c(name), tuple(c(f"uitstroom_per_reden.{r}") for r in codes)))
        for reason in DECISION_REASONS:
            if reason in reasons:
                decisions = (*DECISIONS, NO_DECISION)
                relations.append(
                    Relation(c(f"uitstroom_per_reden.{reason}"), tuple(c(f"besluiten.{reason}.{d}") for d in decisions))
                )
        relations.append(
            Relation(c("perspectief_bepaald"), tuple(c(f"perspectief_per_soort.{k}") for k in PERSPECTIVE_KINDS))
        )
        for code in MONITOR_INSTRUMENTS:
            relations.append(Relation(c("instroom"), tuple(c(f"instrumenten.{code}.{v}") for v in INSTRUMENT_VALUES)))
    return values, relations


#: The headline figures, kept visible as long as a less important cell can be hidden instead
#: (occupancy first); the national row weighs more than a municipality's.
HEADLINE_WEIGHTS = {"in_lvv": 5, "uitstroom": 4, "instroom": 3, "aanmeldingen": 3, "perspectief_bepaald": 2}


def suppression_weights(values: Mapping) -> dict:
    return {(row, key): HEADLINE_WEIGHTS.get(key, 1) + (10 if row == LANDELIJK else 0) for row, key in values}


def suppress_report(report: dict, categories: Mapping[str, str], threshold: int) -> Result:
    values, relations = report_relations(report, categories)
    return suppress(values, relations, threshold, suppression_weights(values))


# --- building the tables -------------------------------------------------------------------------


class _Builder:
    """Turns flattened figures into cells, hiding what the suppression result says."""

    def __init__(self, rows: dict[str, dict], result: Result | None, threshold: int | None):
        self.rows = rows
        self.result = result
        self.threshold = threshold

    def hidden(self, row: str, key: str) -> bool:
        return self.result is not None and (row, key) in self.result.hidden

    def cell(self, row: str, column: Column) -> Cell:
        flat = self.rows[row]
        value = flat.get(column.key)
        if self.result is None or column.kind == PLACES:
            return Cell(value, format_value(value, column.kind))
        if column.kind == COUNT:
            marker = self.result.marker((row, column.key), self.threshold)
            if marker is None and column.key in NOT_ADDITIVE and 0 < (value or 0) < self.threshold:
                marker = f"<{self.threshold}"
            if marker:
                return Cell(None, marker, marker)
            return Cell(value, format_value(value, column.kind))
        inputs, group = DERIVED.get(column.key, ((), None))
        small_group = group is not None and 0 < (flat.get(group) or 0) < self.threshold
        if value is not None and (small_group or any(self.hidden(row, k) for k in inputs)):
            return Cell(None, "x", "x")
        return Cell(value, format_value(value, column.kind))

    def table(self, key, title, caption, columns: Sequence[Column], names: Sequence[str]) -> Table:
        table = Table(key=key, title=title, caption=caption, row_headers=["Gemeente"], columns=list(columns))
        for name in names:
            table.rows.append(Row([name], [self.cell(name, c) for c in columns], is_total=name == LANDELIJK))
        return table


def _col(key: str, kind: str = COUNT, text: str | None = None, definition: str | None = None) -> Column:
    return Column(key=key, label=text or label(key), kind=kind, definition=definition or key.split(".")[0])


def report_tables(
    report: dict,
    *,
    reason_labels: Mapping[str, str],
    categories: Mapping[str, str],
    threshold: int | None = None,
    show: Sequence[str] | None = None,
    result: Result | None = None,
) -> list[Table]:
    """The tables of one report. `threshold`: the published version (small cells hidden); None: the
    exact figures. `show`: the municipalities to list (default all); the suppression is always
    computed over the whole report, so a part shown reveals no more than the whole would."""
    if threshold and result is None:
        result = suppress_report(report, categories, threshold)
    if not threshold:
        result = None
    rows = {LANDELIJK: flatten(report["landelijk"])}
    rows.update({name: flatten(figures) for name, figures in report["per_gemeente"].items()})
    municipalities = [m for m in report["per_gemeente"] if show is None or m in show]
    names = [*municipalities, LANDELIJK]
    b = _Builder(rows, result, threshold)
    reasons = [k.split(".", 1)[1] for k in flatten(report["landelijk"]) if k.startswith("uitstroom_per_reden.")]

    tables = [
        b.table(
            "kerncijfers",
            "Kerncijfers",
            "Aanmeldingen, instroom, bezetting, uitstroom en doorlooptijd per gemeente en landelijk.",
            [
                _col("aanmeldingen"),
                _col("instroom"),
                _col("unieke_personen"),
                _col("in_lvv"),
                _col("uitstroom"),
                _col("overleden"),
                _col("capaciteit", PLACES),
                _col("bezettingsgraad", SHARE),
                _col("perspectief_bepaald"),
                _col("aandeel_perspectief_bepaald", SHARE),
                _col("doorlooptijd_gemiddeld_maanden", MONTHS, "Doorlooptijd gemiddeld"),
                _col("doorlooptijd_mediaan_maanden", MONTHS, "Doorlooptijd mediaan"),
            ],
            names,
        ),
        b.table(
            "uitstroom",
            "Uitstroom naar soort oplossing",
            "Uitstroom per gemeente naar categorie van de uitstroomreden, in aantallen en als aandeel.",
            [
                *(_col(name) for name in CATEGORY_INDICATORS.values()),
                _col("uitstroom", text="Uitstroom totaal"),
                *(_col(name.replace("uitstroom_", "aandeel_"), SHARE) for name in CATEGORY_INDICATORS.values()),
            ],
            names,
        ),
        b.table(
            "uitstroom_per_reden",
            "Uitstroom per reden",
            "Uitstroom per gemeente naar uitstroomreden (zonder overleden).",
            [
                *(
                    _col(f"uitstroom_per_reden.{r}", text=reason_labels.get(r, r), definition="uitstroom_per_reden")
                    for r in reasons
                ),
                _col("uitstroom", text="Uitstroom totaal"),
            ],
            names,
        ),
        b.table(
            "perspectief",
            "Perspectief",
            "Mensen in de LVV met een bepaald perspectief, naar soort perspectief.",
            [
                *(
                    _col(f"perspectief_per_soort.{k}", text=PERSPECTIVE_LABELS[k], definition="perspectief_per_soort")
                    for k in PERSPECTIVE_KINDS
                ),
                _col("perspectief_bepaald", text="Perspectief bepaald totaal"),
                _col("in_lvv"),
                _col("aandeel_perspectief_bepaald", SHARE),
            ],
            names,
        ),
        b.table(
            "besluiten",
            "Besluiten na hasa en artikel 64",
            "IND-besluiten over de uitstroom met reden hasa of artikel 64, per gemeente.",
            [
                col
                for reason in DECISION_REASONS
                for col in (
                    *(
                        _col(
                            f"besluiten.{reason}.{d}",
                            text=f"{DECISION_REASON_LABELS[reason]}: {DECISION_LABELS[d].lower()}",
                            definition="besluiten",
                        )
                        for d in (*DECISIONS, NO_DECISION)
                    ),
                    _col(
                        f"uitstroom_per_reden.{reason}",
                        text=f"{DECISION_REASON_LABELS[reason]}: totaal",
                        definition="besluiten",
                    ),
                )
            ],
            names,
        ),
    ]
    instruments = Table(
        key="instrumenten",
        title="Begeleidingsinstrumenten",
        caption="Inzet van de zes begeleidingsinstrumenten van de monitor over de instroom.",
        row_headers=["Gemeente", "Instrument"],
        columns=[
            *(Column(v, INSTRUMENT_VALUE_LABELS[v], COUNT, "instrumenten") for v in INSTRUMENT_VALUES),
            _col("instroom"),
        ],
    )
    for name in names:
        for code in MONITOR_INSTRUMENTS:
            columns = [
                *(Column(f"instrumenten.{code}.{v}", "", COUNT) for v in INSTRUMENT_VALUES),
                _col("instroom"),
            ]
            instruments.rows.append(
                Row([name, INSTRUMENT_LABELS[code]], [b.cell(name, c) for c in columns], is_total=name == LANDELIJK)
            )
    tables.append(instruments)
    return tables


# --- the series over time --------------------------------------------------------------------------

SERIES_COLUMNS = [
    _col("in_lvv"),
    _col("capaciteit", PLACES),
    _col("bezettingsgraad", SHARE),
    _col("perspectief_bepaald"),
    _col("aandeel_perspectief_bepaald", SHARE),
]


def series_result(report: dict, threshold: int) -> Result:
    """Suppression of one point of the series: only `in_lvv` and `perspectief_bepaald` are
    published there, each adding up over the municipalities."""
    values, relations = {}, []
    municipalities = list(report["per_gemeente"])
    for key in ("in_lvv", "perspectief_bepaald"):
        values[(LANDELIJK, key)] = report["landelijk"][key]
        for m in municipalities:
            values[(m, key)] = report["per_gemeente"][m][key]
        relations.append(Relation((LANDELIJK, key), tuple((m, key) for m in municipalities)))
    return suppress(values, relations, threshold)


def series_table(
    points: Sequence[tuple[dt.date, dict]],
    *,
    threshold: int | None = None,
    show: Sequence[str] | None = None,
    results: Mapping[dt.date, Result] | None = None,
) -> Table:
    """Occupancy, capacity and perspective per municipality on every date of the series (long
    form: one row per date and municipality). `results` may give the suppression of a date (the
    last date is the peildatum of the main tables, which must hide the same cells)."""
    table = Table(
        key="verloop",
        title="Verloop per kwartaal",
        caption="Bezetting tegenover capaciteit en het aandeel met een perspectief, aan het eind van elk kwartaal.",
        row_headers=["Peildatum", "Gemeente"],
        columns=list(SERIES_COLUMNS),
    )
    for date, report in points:
        result = None
        if threshold:
            result = (results or {}).get(date) or series_result(report, threshold)
        rows = {LANDELIJK: flatten(report["landelijk"])}
        rows.update({name: flatten(figures) for name, figures in report["per_gemeente"].items()})
        b = _Builder(rows, result, threshold)
        names = [*(m for m in report["per_gemeente"] if show is None or m in show), LANDELIJK]
        for name in names:
            table.rows.append(
                Row([date.isoformat(), name], [b.cell(name, c) for c in SERIES_COLUMNS], is_total=name == LANDELIJK)
            )
    return table
