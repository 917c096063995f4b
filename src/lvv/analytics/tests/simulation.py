"""Simulated deliveries with a known truth: persons drawn from the evaluation's model 1 (domain
brief §8), written in the delivery format v1 (docs/aanleverformat.md) so they enter the registry
the way real data does."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np

from lvv.exchange.delivery import TRAJECTORY_COLUMNS

#: Model 1 of the evaluation (any solution), as odds ratios.
TRUE_ODDS_RATIOS = {
    "constant": 0.499,
    "geslacht_vrouw": 1.734,
    "leeftijd": 0.998,
    "land_IR": 1.552,
    "land_NG": 0.721,
    "land_ER": 2.316,
    "land_IQ": 0.980,
    "land_GN": 0.729,
    "land_AF": 9.476,
    "land_UG": 1.854,
    "gemeente_Amsterdam": 1.791,
    "gemeente_Eindhoven": 4.235,
    "gemeente_Groningen": 1.981,
    "gemeente_Utrecht": 3.279,
}
MUNICIPALITIES = {"Amsterdam": 0.35, "Groningen": 0.22, "Utrecht": 0.20, "Rotterdam": 0.12, "Eindhoven": 0.11}
COUNTRIES = {"IR": 0.08, "NG": 0.07, "ER": 0.06, "IQ": 0.05, "GN": 0.05, "AF": 0.05, "UG": 0.03}
OTHER_COUNTRIES = ("MA", "DZ", "SO", "SY", "LY", "TR", "GE", "AL", "SD", "ET", "PK", "CN", "MN", "RU", "SL")
SOLUTIONS = ("inwilliging", "zelfstandig_vertrek", "hasa", "artikel_64", "vertrekmoratorium")
NO_SOLUTION = ("beeindigd_gemeente", "mob", "beeindigd_deelnemer", "andere_opvang")
START = dt.date(2019, 1, 1)


def simulate(n: int, *, seed: int) -> list[dict]:
    """n outflowed persons (one trajectory each), with the truth in `_y` and `_x` per row."""
    rng = np.random.default_rng(seed)
    beta = {name: math.log(value) for name, value in TRUE_ODDS_RATIOS.items()}
    municipalities = rng.choice(list(MUNICIPALITIES), size=n, p=list(MUNICIPALITIES.values()))
    other = 1.0 - sum(COUNTRIES.values())
    countries = rng.choice([*COUNTRIES, "other"], size=n, p=[*COUNTRIES.values(), other])
    women = rng.random(n) < 0.25
    rows = []
    for i in range(n):
        application = START + dt.timedelta(days=int(rng.integers(0, 900)))
        admission = application + dt.timedelta(days=int(rng.integers(0, 30)))
        outflow = admission + dt.timedelta(days=int(rng.integers(20, 700)))
        age = int(rng.integers(18, 66))
        country = str(countries[i]) if countries[i] != "other" else str(rng.choice(OTHER_COUNTRIES))
        municipality = str(municipalities[i])
        x = {
            "constant": 1.0,
            "geslacht_vrouw": float(women[i]),
            "leeftijd": float(age),
            **{f"land_{c}": float(country == c) for c in COUNTRIES},
            **{f"gemeente_{m}": float(municipality == m) for m in ("Amsterdam", "Eindhoven", "Groningen", "Utrecht")},
        }
        eta = sum(beta[name] * value for name, value in x.items())
        y = rng.random() < 1.0 / (1.0 + math.exp(-eta))
        outcome = str(rng.choice(SOLUTIONS if y else NO_SOLUTION))
        rows.append(
            {
                "traject_id": f"SIM-{i + 1}",
                "gemeente": municipality,
                "persoon_id": f"P{i + 1}",
                "v_nummer": f"{3000000000 + i}",
                "geslacht": "vrouw" if women[i] else "man",
                "geboortejaar": str(admission.year - age),
                "land_van_herkomst": country,
                "datum_aanmelding": application.isoformat(),
                "datum_toelating": admission.isoformat(),
                "toelating_via_uitzondering": "nee",
                "opvangvorm": "centraal",
                "datum_uitstroom": outflow.isoformat(),
                "uitstroomreden": outcome,
                "_y": float(y),
                "_x": x,
            }
        )
    return rows


def write_delivery(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(TRAJECTORY_COLUMNS))
        writer.writeheader()
        writer.writerows([{c: row.get(c, "") for c in TRAJECTORY_COLUMNS} for row in rows])
    return path
