"""The indicator definitions as the API publishes them (`GET /api/v1/indicatoren`): the Dutch column
of the table in docs/indicatoren.md, which is the contract. A test checks that every indicator of
`lvv.monitor.indicators.INDICATOR_NAMES` is here, in the same order."""

BASES = {
    "trajecten": (
        "Standaard, de blik van de monitor: de eenheden zijn de trajecten met een datum van aanmelding "
        "op of vóór de peildatum. Een herintreding is een tweede eenheid."
    ),
    "personen": (
        "De blik van de evaluatie: per persoon het traject met de laatste datum van aanmelding op of vóór "
        "de peildatum. Een persoon van wie dat traject op of vóór de peildatum eindigde met uitstroomreden "
        "overleden, telt alleen mee in overleden."
    ),
}

INDICATORS = {
    "aanmeldingen": "Eenheden (basis personen: zonder de overledenen).",
    "instroom": "Eenheden toegelaten op of vóór de peildatum (basis personen: zonder de overledenen).",
    "unieke_personen": "Verschillende personen onder instroom.",
    "in_lvv": "Instroom-eenheden zonder uitstroom op of vóór de peildatum.",
    "uitstroom": "Instroom-eenheden met uitstroom op of vóór de peildatum, reden niet overleden.",
    "overleden": "Instroom-eenheden met uitstroomreden overleden op of vóór de peildatum.",
    "uitstroom_bestendig": "Uitstroom met een uitstroomreden van de categorie bestendig.",
    "uitstroom_semi_bestendig": "Uitstroom met een uitstroomreden van de categorie semi-bestendig.",
    "uitstroom_geen_oplossing": "Uitstroom met een uitstroomreden van de categorie geen oplossing.",
    "aandeel_bestendig": "uitstroom_bestendig ÷ uitstroom, 3 decimalen (null bij 0).",
    "aandeel_semi_bestendig": "uitstroom_semi_bestendig ÷ uitstroom, 3 decimalen (null bij 0).",
    "aandeel_geen_oplossing": "uitstroom_geen_oplossing ÷ uitstroom, 3 decimalen (null bij 0).",
    "uitstroom_per_reden": "Object: elke uitstroomreden behalve overleden → aantal (ook nullen).",
    "perspectief_bepaald": "In_lvv-eenheden met een perspectief bepaald op of vóór de peildatum.",
    "perspectief_per_soort": (
        "Object terugkeer, legalisering, doormigratie → aantal van perspectief_bepaald; geldend is het "
        "laatste perspectief bepaald op of vóór de peildatum."
    ),
    "aandeel_perspectief_bepaald": "perspectief_bepaald ÷ in_lvv, 3 decimalen (null bij 0).",
    "doorlooptijd_gemiddeld_maanden": (
        "Over uitstroom: (datum uitstroom − datum toelating) in dagen ÷ 30,4375; gemiddelde, 2 decimalen."
    ),
    "doorlooptijd_mediaan_maanden": (
        "Over uitstroom: (datum uitstroom − datum toelating) in dagen ÷ 30,4375; mediaan, 2 decimalen."
    ),
    "capaciteit": "Plaatsen geldig op de peildatum volgens het capaciteitsregister.",
    "bezettingsgraad": "in_lvv ÷ capaciteit, 3 decimalen (null zonder capaciteit).",
    "besluiten": (
        "Object hasa, artikel_64 → object inwilliging, afwijzing, geen_besluit: over de uitstroom-eenheden "
        "met die reden; een besluit telt als het op of vóór de peildatum is genomen."
    ),
    "instrumenten": "Object per instrument → object ja, nee, nvt, onbekend: over instroom.",
}
