"""Dutch labels and definitions of the monitor's indicators, for the pages and the downloads.

The contract is docs/indicatoren.md; these texts say the same in short, for a reader of the tables."""

from __future__ import annotations

#: indicator name → (label, definition). The anchors of the definitions page are `def-<name>`.
INDICATORS: dict[str, tuple[str, str]] = {
    "aanmeldingen": (
        "Aanmeldingen",
        "Eenheden (trajecten of personen, naar de gekozen basis) met een datum van aanmelding op of vóór de "
        "peildatum. Op basis personen zonder de overledenen.",
    ),
    "instroom": ("Instroom", "Aanmeldingen die op of vóór de peildatum zijn toegelaten."),
    "unieke_personen": (
        "Unieke personen",
        "Verschillende personen onder de instroom (zelfde V-nummer is dezelfde persoon). Per gemeente "
        "geteld binnen die gemeente; landelijk telt iemand één keer, dus de gemeenten tellen niet op tot "
        "het landelijke cijfer.",
    ),
    "in_lvv": ("In de LVV", "Instroom zonder uitstroom op of vóór de peildatum: de bezetting."),
    "uitstroom": ("Uitstroom", "Instroom met uitstroom op of vóór de peildatum, om een andere reden dan overlijden."),
    "overleden": ("Overleden", "Instroom met uitstroomreden overleden op of vóór de peildatum."),
    "uitstroom_bestendig": ("Bestendig", "Uitstroom met een bestendige oplossing (verblijfsvergunning, vertrek)."),
    "uitstroom_semi_bestendig": (
        "Semi-bestendig",
        "Uitstroom naar een semi-bestendige situatie (hasa, artikel 64, vertrekmoratorium, inbewaringstelling).",
    ),
    "uitstroom_geen_oplossing": ("Geen oplossing", "Uitstroom zonder oplossing (beëindigd, MOB, andere opvang, …)."),
    "aandeel_bestendig": ("Aandeel bestendig", "Bestendige uitstroom gedeeld door alle uitstroom."),
    "aandeel_semi_bestendig": ("Aandeel semi-bestendig", "Semi-bestendige uitstroom gedeeld door alle uitstroom."),
    "aandeel_geen_oplossing": ("Aandeel geen oplossing", "Uitstroom zonder oplossing gedeeld door alle uitstroom."),
    "uitstroom_per_reden": ("Uitstroom per reden", "Uitstroom per uitstroomreden (zonder overleden)."),
    "perspectief_bepaald": (
        "Perspectief bepaald",
        "Eenheden in de LVV met een perspectief dat op of vóór de peildatum is bepaald.",
    ),
    "perspectief_per_soort": (
        "Perspectief per soort",
        "Perspectief bepaald, naar het geldende perspectief: terugkeer, legalisering of doormigratie.",
    ),
    "aandeel_perspectief_bepaald": (
        "Aandeel met perspectief",
        "Perspectief bepaald gedeeld door het aantal in de LVV.",
    ),
    "doorlooptijd_gemiddeld_maanden": (
        "Doorlooptijd gemiddeld (maanden)",
        "Gemiddelde tijd van toelating tot uitstroom over de uitstroom, in maanden (dagen ÷ 30,4375).",
    ),
    "doorlooptijd_mediaan_maanden": (
        "Doorlooptijd mediaan (maanden)",
        "Mediaan van de tijd van toelating tot uitstroom over de uitstroom, in maanden.",
    ),
    "capaciteit": ("Capaciteit", "Opvangplaatsen die op de peildatum geldig zijn volgens het capaciteitsregister."),
    "bezettingsgraad": ("Bezettingsgraad", "In de LVV gedeeld door de capaciteit."),
    "besluiten": (
        "Besluiten na hasa en artikel 64",
        "Over de uitstroom met reden hasa of artikel 64: het IND-besluit (inwilliging of afwijzing) als dat "
        "op of vóór de peildatum is genomen, anders 'geen besluit'.",
    ),
    "instrumenten": (
        "Instrumenten",
        "Over de instroom: is het begeleidingsinstrument ingezet (ja, nee, niet van toepassing of onbekend).",
    ),
}

TERMS: dict[str, tuple[str, str]] = {
    "peildatum": (
        "Peildatum",
        "Een gebeurtenis (aanmelding, toelating, uitstroom, perspectief, besluit) telt mee als de datum op of "
        "vóór de peildatum ligt.",
    ),
    "basis": (
        "Basis",
        "Trajecten: elk traject telt (een herintreding is een tweede traject); dit is de blik van de monitor. "
        "Personen: per persoon alleen het laatste traject; dit is de blik van de evaluatie.",
    ),
    "persoon": (
        "Persoon",
        "Trajecten met hetzelfde V-nummer zijn dezelfde persoon, ook in verschillende gemeenten; zonder "
        "V-nummer geldt de persoonssleutel van de gemeente.",
    ),
}

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
BASIS_LABELS = {"trajecten": "Trajecten (monitor)", "personen": "Personen (evaluatie)"}


def label(name: str) -> str:
    return INDICATORS[name][0] if name in INDICATORS else name


def definition_anchor(name: str) -> str:
    return f"def-{name}"
