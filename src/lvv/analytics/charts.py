"""The report's charts as inline SVG (matplotlib, object-oriented API: no pyplot state, safe in
threads). Text stays text (`svg.fonttype: none`), so the PDF and the browser use their own fonts and
the charts stay small. Each function returns an `<svg>` string with a <title> for screen readers."""

from __future__ import annotations

import hashlib
import io
import math
import re

from .dataset import CATEGORY_LABELS

#: Colour-blind safe palette (Okabe–Ito).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
CATEGORY_COLOURS = {"bestendig": "#009E73", "semi_bestendig": "#0072B2", "geen_oplossing": "#D55E00"}


def _figure(width=7.0, height=3.6):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _svg(fig, title: str) -> str:
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": title, "font.family": "DejaVu Sans"}):
        fig.tight_layout()
        fig.savefig(out, format="svg")
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]
    # Accessible: an image with a name; ids made unique per chart so several charts can share a page.
    prefix = "c" + hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:8] + "-"
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{title}" class="lvv-chart" ', svg, count=1)
    svg = svg.replace(">", f"><title>{title}</title>", 1)
    return svg


def _months_axis(ax, ylabel: str):
    ax.set_xlabel("Maanden sinds toelating")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}".replace(".", ","))


def km_chart(survival: dict) -> str:
    """Kaplan–Meier: share still in the LVV per municipality."""
    fig, ax = _figure()
    drawn = 0
    for i, (name, s) in enumerate(survival["per_gemeente"].items()):
        if not s.get("curve"):
            continue
        times = [0.0] + [t for t, _ in s["curve"]]
        values = [1.0] + [v for _, v in s["curve"]]
        ax.step(
            times, values, where="post", color=COLOURS[i % len(COLOURS)], label=f"{name} (n={s['n']})", linewidth=1.4
        )
        drawn += 1
    _months_axis(ax, "Aandeel nog in de LVV")
    if drawn:
        ax.legend(frameon=False, fontsize=8)
    return _svg(fig, "Kaplan–Meier: aandeel deelnemers nog in de LVV per gemeente")


def incidence_chart(survival: dict) -> str:
    """Cumulative incidence per outcome category (competing risks)."""
    fig, ax = _figure()
    drawn = 0
    for name, ci in survival["cumulatieve_incidentie"].items():
        if not ci.get("curve"):
            continue
        drawn += 1
        times = [0.0] + [t for t, _ in ci["curve"]]
        values = [0.0] + [v for _, v in ci["curve"]]
        ax.step(
            times,
            values,
            where="post",
            color=CATEGORY_COLOURS.get(name),
            label=CATEGORY_LABELS.get(name, name),
            linewidth=1.4,
        )
    _months_axis(ax, "Cumulatieve incidentie")
    ax.set_ylim(0, max(0.1, min(1.02, ax.get_ylim()[1])))
    if drawn:
        ax.legend(frameon=False, fontsize=8)
    return _svg(fig, "Cumulatieve incidentie per uitkomstcategorie (concurrerende risico's)")


def outflow_chart(table: dict) -> str:
    """Stacked bars: outflow category shares per municipality (from the descriptive table)."""
    columns = table["kolommen"]
    municipalities = [c[:-2] for c in columns[1::2] if c.endswith(" n")]
    rows = table["rijen"][:-1]  # without the total row
    fig, ax = _figure(height=3.2)
    bottoms = [0.0] * len(municipalities)
    keys = list(CATEGORY_LABELS)
    for r, row in enumerate(rows):
        shares = [row[2 + 2 * j] or 0.0 for j in range(len(municipalities))]
        key = keys[r] if r < len(keys) else None
        ax.bar(
            municipalities,
            shares,
            bottom=bottoms,
            color=CATEGORY_COLOURS.get(key, COLOURS[r % len(COLOURS)]),
            label=row[0],
        )
        bottoms = [b + s for b, s in zip(bottoms, shares, strict=True)]
    ax.set_ylim(0, 1.0)
    ax.tick_params(axis="x", labelsize=8, labelrotation=30)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel("Aandeel van de uitstroom")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(fig, "Uitstroom naar categorie per gemeente")


def odds_chart(model: dict) -> str:
    """Forest plot: Exp(B) with 95% interval per coefficient (log scale), constant left out."""
    items = [
        (name, c)
        for name, c in model["coefficienten"].items()
        if name != "constant" and c["odds_ratio"] and c["ci95"][0] and c["ci95"][1] and math.isfinite(c["ci95"][1])
    ]
    fig, ax = _figure(height=max(2.2, 0.32 * len(items) + 1.0))
    for i, (_, c) in enumerate(reversed(items)):
        ax.plot([c["ci95"][0], c["ci95"][1]], [i, i], color="#0072B2", linewidth=1.4)
        ax.plot([c["odds_ratio"]], [i], "o", color="#0072B2", markersize=4)
    ax.axvline(1.0, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_yticks(range(len(items)), [name for name, _ in reversed(items)], fontsize=8)
    ax.set_xscale("log")
    low = min(c["ci95"][0] for _, c in items) if items else 0.5
    high = max(c["ci95"][1] for _, c in items) if items else 2.0
    ticks = [t for t in (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64) if low / 1.5 <= t <= high * 1.5] or [1]
    ax.set_xticks(ticks, [f"{t:g}".replace(".", ",") for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("Odds ratio Exp(B) met 95%-betrouwbaarheidsinterval (log-schaal)")
    return _svg(fig, f"Odds ratio's model {model['naam']}")


def report_charts(report: dict) -> dict[str, str]:
    charts = {
        "km": km_chart(report["verblijfsduur"]),
        "incidentie": incidence_chart(report["verblijfsduur"]),
        "uitstroom": outflow_chart(report["tabellen"]["uitstroom_categorie"]),
    }
    for name, model in report["modellen"].items():
        if model["coefficienten"]:
            charts[f"model_{name}"] = odds_chart(model)
    return charts


def chart_title(svg: str) -> str:
    match = re.search(r"<title>(.*?)</title>", svg)
    return match.group(1) if match else ""
