"""Dutch labels and texts of the monitor, for the pages, the tables and the downloads.

The indicators, the bases and the terms are those of `catalogue.py`, seen as the pages use them;
the labels of the values inside the indicators (perspectives, decisions, instruments) are here."""

from __future__ import annotations

from collections.abc import Mapping

from . import catalogue
from .catalogue import CatalogueView
from .catalogue import definition_anchor as definition_anchor

#: indicator name → (label, short text), in the catalogue's order.
INDICATORS: Mapping[str, tuple[str, str]] = CatalogueView(lambda: catalogue.INDICATORS, lambda i: (i.label, i.summary))
#: term → (label, text): the terms of the definitions page.
TERMS: Mapping[str, tuple[str, str]] = CatalogueView(lambda: catalogue.TERMS, lambda t: (t.label, t.text))
#: basis → its label in the choice of the monitor page and in the downloads.
BASIS_LABELS: Mapping[str, str] = CatalogueView(lambda: catalogue.BASES, lambda b: b.label)

PERSPECTIVE_LABELS = {"terugkeer": "Terugkeer", "legalisering": "Legalisering", "doormigratie": "Doormigratie"}
DECISION_LABELS = {"inwilliging": "Inwilliging", "afwijzing": "Afwijzing", "geen_besluit": "Geen besluit"}
DECISION_REASON_LABELS = {"hasa": "Hasa", "artikel_64": "Artikel 64"}
INSTRUMENT_LABELS = {
    "juridische_screening": "Juridische screening",
    "juridische_begeleiding": "Juridische begeleiding",
    "activering": "Activering",
    "sociale_begeleiding": "Sociale begeleiding",
    "toekomstorientatie": "Toekomstoriëntatie",
    "terugkeerbegeleiding": "Terugkeerbegeleiding",
}
INSTRUMENT_VALUE_LABELS = {"ja": "Ja", "nee": "Nee", "nvt": "N.v.t.", "onbekend": "Onbekend"}


def label(name: str) -> str:
    indicator = catalogue.INDICATORS.get(name)
    return indicator.label if indicator else name
