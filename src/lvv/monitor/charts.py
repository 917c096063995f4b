"""The monitor's charts, drawn on the server with matplotlib (Agg) as inline SVG: no JavaScript.

Every chart comes with a Dutch caption that says what it shows and its main figures (the text
alternative) and the table of its data (`tables.Table`), so nobody depends on seeing the picture.
The charts read the same tables as the page: in the published version a hidden cell is simply not
drawn, and the caption says so."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .tables import LANDELIJK, Table, format_value  # noqa: E402

#: Okabe–Ito: distinguishable with the common kinds of colour blindness.
BLUE, ORANGE, GREEN, SKY, VERMILLION, PURPLE, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#56B4E9",
    "#D55E00",
    "#CC79A7",
    "#6b6b6b",
)
TEXT = "#1a1a1a"

STYLE = {
    "svg.fonttype": "none",  # text stays text: sharp, searchable, read by screen readers' tools
    "svg.hashsalt": "lvv-monitor",  # stable ids from run to run
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.edgecolor": "#8a8a8a",
    "axes.labelcolor": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "legend.frameon": False,
}


@dataclass
class Chart:
    key: str
    title: str
    caption: str  # the text alternative: what the chart shows and its main figures
    svg: str
    table: Table  # the data of the chart


def _percent(value, _pos=None) -> str:
    return f"{value * 100:.0f}%"


def _svg(fig, key: str, title: str) -> str:
    """The figure as an SVG element for inline use: no XML prolog, ids prefixed with the chart's key
    (several charts on one page), and marked as one image labelled by its figure caption."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'id="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{key}-\1"', svg)
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{key}-caption" class="lvv-chart__svg" focusable="false" ',
        1,
    )


def _panels(count: int, columns: int = 3, height: float = 1.9):
    rows = max(1, math.ceil(count / columns))
    cols = min(columns, max(count, 1))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(3.1 * cols, height * rows + 0.4), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:count])


def _dates(table: Table) -> list[str]:
    return sorted({r.labels[0] for r in table.rows})


def _names(table: Table) -> list[str]:
    seen = []
    for r in table.rows:
        if r.labels[-1] not in seen:
            seen.append(r.labels[-1])
    return seen


def _series(table: Table, key: str, name: str) -> tuple[list[dt.date], list[float | None]]:
    values = table.values(key)
    dates = _dates(table)
    return [dt.date.fromisoformat(d) for d in dates], [values.get((d, name)) for d in dates]


def _plot(ax, xs, ys, **kwargs):
    """A line that breaks where a value is missing (hidden or without denominator)."""
    ax.plot(xs, [math.nan if y is None else y for y in ys], marker="o", markersize=2.5, **kwargs)


def _date_axis(ax, dates: Sequence[dt.date]):
    if not dates:
        return
    step = max(1, math.ceil(len(dates) / 4))
    ticks = dates[::-1][::step][::-1]
    ax.set_xticks(ticks)
    ax.set_xticklabels([d.strftime("%m-%Y") for d in ticks])


def _hidden_note(any_hidden: bool) -> str:
    return " Afgeschermde kleine aantallen zijn niet getekend." if any_hidden else ""


def occupancy_chart(series: Table) -> Chart:
    """Occupancy (in de LVV) against capacity over time, one small panel per municipality."""
    names = _names(series)
    fig, axes = _panels(len(names))
    hidden = False
    for ax, name in zip(axes, names, strict=True):
        xs, occupied = _series(series, "in_lvv", name)
        _, capacity = _series(series, "capaciteit", name)
        hidden |= any(v is None for v in occupied)
        ax.step(xs, capacity, where="post", color=ORANGE, linestyle="--", linewidth=1.4, label="Capaciteit")
        _plot(ax, xs, occupied, color=BLUE, linewidth=1.8, label="In de LVV")
        ax.set_title(name)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
        _date_axis(ax, xs)
    axes[0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    last = _dates(series)[-1] if series.rows else ""
    occupied_now = series.values("in_lvv").get((last, LANDELIJK))
    capacity_now = series.values("capaciteit").get((last, LANDELIJK))
    caption = (
        f"Lijndiagrammen per gemeente: het aantal mensen in de LVV (doorgetrokken lijn) tegenover de "
        f"capaciteit (stippellijn) aan het eind van elk kwartaal, van {_dates(series)[0] if series.rows else ''} "
        f"tot {last}. Landelijk op {last}: {format_value(occupied_now, 'count') if occupied_now is not None else 'x'} "
        f"mensen in de LVV op {format_value(capacity_now, 'count')} plaatsen." + _hidden_note(hidden)
    )
    return Chart("bezetting", "Bezetting tegenover capaciteit", caption, _svg(fig, "bezetting", ""), series)


def perspective_chart(series: Table) -> Chart:
    """Share of the people in the LVV with a perspective over time: per municipality, with the
    national line in grey for comparison."""
    names = [n for n in _names(series) if n != LANDELIJK]
    fig, axes = _panels(len(names))
    xs, national = _series(series, "aandeel_perspectief_bepaald", LANDELIJK)
    hidden = False
    for ax, name in zip(axes, names, strict=True):
        xs, shares = _series(series, "aandeel_perspectief_bepaald", name)
        hidden |= any(v is None for v in shares)
        _plot(ax, xs, national, color=GREY, linewidth=1.2, linestyle=":", label="Landelijk")
        _plot(ax, xs, shares, color=GREEN, linewidth=1.8, label=name)
        ax.set_title(name)
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(FuncFormatter(_percent))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        _date_axis(ax, xs)
    if axes:
        axes[0].legend(["Landelijk", "Gemeente"], loc="lower right", fontsize=8)
    fig.tight_layout()
    now = national[-1] if national else None
    caption = (
        "Lijndiagrammen per gemeente: het aandeel van de mensen in de LVV met een bepaald perspectief aan het "
        "eind van elk kwartaal (groene lijn), met het landelijke aandeel als grijze stippellijn. Landelijk op "
        f"{_dates(series)[-1] if series.rows else ''}: {format_value(now, 'share') if now is not None else 'x'}."
        + _hidden_note(hidden)
    )
    return Chart("perspectief", "Aandeel met een perspectief", caption, _svg(fig, "perspectief", ""), series)


def _stacked(ax, names, parts, colors, labels, *, as_share: bool):
    """Horizontal stacked bars; a bar with a hidden part is left out (and named 'afgeschermd')."""
    y = list(range(len(names)))[::-1]
    left = [0.0] * len(names)
    complete = [all(p[i] is not None for p in parts) for i in range(len(names))]
    totals = [sum(p[i] for p in parts) if complete[i] else 0 for i in range(len(names))]
    for part, color, text in zip(parts, colors, labels, strict=True):
        widths = []
        for i, value in enumerate(part):
            if not complete[i] or not totals[i]:
                widths.append(0)
            else:
                widths.append(value / totals[i] if as_share else value)
        bars = ax.barh(y, widths, left=left, color=color, label=text, height=0.65, edgecolor="white", linewidth=0.5)
        for bar, width in zip(bars, widths, strict=True):
            if as_share and width >= 0.08:
                ax.text(
                    bar.get_x() + width / 2,
                    bar.get_y() + bar.get_height() / 2,
                    _percent(width),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if color in (BLUE, VERMILLION, GREEN) else TEXT,
                )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for i, yi in enumerate(y):
        if not complete[i]:
            ax.text(0.01, yi, "afgeschermd", va="center", fontsize=8, color=TEXT, style="italic")
        elif not totals[i]:
            ax.text(0.01, yi, "geen uitstroom", va="center", fontsize=8, color=TEXT, style="italic")
    ax.set_yticks(y)
    ax.set_yticklabels(
        [f"{n} (n={format_value(t, 'count')})" if c else n for n, t, c in zip(names, totals, complete, strict=True)]
    )
    return complete


def outflow_mix_chart(outflow: Table) -> Chart:
    """The outflow mix per municipality: 100% stacked bars of durable / semi-durable / no solution."""
    names = [r.labels[0] for r in outflow.rows]
    keys = ["uitstroom_bestendig", "uitstroom_semi_bestendig", "uitstroom_geen_oplossing"]
    parts = [[outflow.values(k)[(n,)] for n in names] for k in keys]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1.2))
        complete = _stacked(
            ax, names, parts, [GREEN, SKY, VERMILLION], ["Bestendig", "Semi-bestendig", "Geen oplossing"], as_share=True
        )
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(FuncFormatter(_percent))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8)
        fig.tight_layout()
    shares = outflow.values("aandeel_bestendig")
    semi = outflow.values("aandeel_semi_bestendig")
    none = outflow.values("aandeel_geen_oplossing")
    national = (shares.get((LANDELIJK,)), semi.get((LANDELIJK,)), none.get((LANDELIJK,)))
    caption = (
        "Gestapelde staven per gemeente: hoe de uitstroom is verdeeld over bestendig, semi-bestendig en geen "
        "oplossing (samen 100%). Landelijk: "
        + ", ".join(
            f"{text} {format_value(v, 'share') if v is not None else 'x'}"
            for text, v in zip(("bestendig", "semi-bestendig", "geen oplossing"), national, strict=True)
        )
        + "."
        + _hidden_note(not all(complete))
    )
    return Chart("uitstroommix", "Uitstroom naar soort oplossing", caption, _svg(fig, "uitstroommix", ""), outflow)


def throughput_chart(core: Table) -> Chart:
    """Mean and median time from admission to outflow per municipality (grouped bars)."""
    names = [r.labels[0] for r in core.rows]
    mean = core.values("doorlooptijd_gemiddeld_maanden")
    median = core.values("doorlooptijd_mediaan_maanden")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(names) + 1.2))
        y = list(range(len(names)))[::-1]
        h = 0.38
        means = [mean[(n,)] or 0 for n in names]
        medians = [median[(n,)] or 0 for n in names]
        bars_mean = ax.barh([v + h / 2 for v in y], means, height=h, color=BLUE, label="Gemiddeld")
        bars_median = ax.barh([v - h / 2 for v in y], medians, height=h, color=ORANGE, label="Mediaan")
        for bars, source in ((bars_mean, mean), (bars_median, median)):
            for bar, n in zip(bars, names, strict=True):
                value = source[(n,)]
                ax.text(
                    bar.get_width() + 0.15,
                    bar.get_y() + bar.get_height() / 2,
                    format_value(value, "months") if value is not None else "x",
                    va="center",
                    fontsize=7.5,
                    color=TEXT,
                )
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.set_xlabel("Maanden van toelating tot uitstroom")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
        fig.tight_layout()
    national = (mean.get((LANDELIJK,)), median.get((LANDELIJK,)))
    hidden = any(mean[(n,)] is None for n in names)
    caption = (
        "Staafdiagram per gemeente: de gemiddelde en de mediane doorlooptijd van toelating tot uitstroom, in "
        f"maanden. Landelijk gemiddeld {format_value(national[0], 'months') if national[0] is not None else 'x'}, "
        f"mediaan {format_value(national[1], 'months') if national[1] is not None else 'x'} maanden."
        + (" Bij te weinig uitstroom is de doorlooptijd niet getoond (x)." if hidden else "")
    )
    return Chart("doorlooptijd", "Doorlooptijd", caption, _svg(fig, "doorlooptijd", ""), core)


def decisions_chart(decisions: Table) -> Chart:
    """IND decisions after hasa and artikel 64: per municipality, 100% stacked bars."""
    names = [r.labels[0] for r in decisions.rows]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(9, 0.45 * len(names) + 1.4), sharey=False)
        summary = []
        complete_all = True
        for ax, (reason, title) in zip(axes, (("hasa", "Hasa"), ("artikel_64", "Artikel 64")), strict=True):
            keys = [f"besluiten.{reason}.{d}" for d in ("inwilliging", "afwijzing", "geen_besluit")]
            parts = [[decisions.values(k)[(n,)] for n in names] for k in keys]
            complete = _stacked(
                ax,
                names,
                parts,
                [GREEN, VERMILLION, "#bdbdbd"],
                ["Inwilliging", "Afwijzing", "Geen besluit"],
                as_share=True,
            )
            complete_all &= all(complete)
            ax.set_title(title)
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_formatter(FuncFormatter(_percent))
            granted = decisions.values(keys[0]).get((LANDELIJK,))
            total = decisions.values(f"uitstroom_per_reden.{reason}").get((LANDELIJK,))
            summary.append(
                f"{title}: {format_value(granted, 'count') if granted is not None else 'x'} inwilligingen op "
                f"{format_value(total, 'count') if total is not None else 'x'} uitgestroomden"
            )
        axes[0].legend(loc="upper center", bbox_to_anchor=(1.1, -0.1), ncol=3, fontsize=8)
        fig.tight_layout()
    caption = (
        "Gestapelde staven per gemeente: de IND-besluiten (inwilliging, afwijzing, nog geen besluit) na uitstroom "
        "met een herhaalde asielaanvraag (hasa) en na artikel 64, als aandeel. Landelijk: "
        + "; ".join(summary)
        + "."
        + _hidden_note(not complete_all)
    )
    return Chart("besluiten", "Besluiten na hasa en artikel 64", caption, _svg(fig, "besluiten", ""), decisions)


def monitor_charts(tables: dict[str, Table], series: Table) -> list[Chart]:
    return [
        occupancy_chart(series),
        outflow_mix_chart(tables["uitstroom"]),
        throughput_chart(tables["kerncijfers"]),
        perspective_chart(series),
        decisions_chart(tables["besluiten"]),
    ]
