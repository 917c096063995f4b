"""Reference data loaded by `lvv migrate`: the pilot regions and municipalities, national
organisations, locations, admission rules, outcome codes and guidance instruments.

Idempotent: codes and names are matched, so running it again changes nothing; admission rules are
only loaded for a municipality that has none yet, so a functional administrator's edits survive."""

from django.db import transaction

from lvv.accounts.models import Municipality, Organisation, OrganisationType, Region
from lvv.admissions.models import CheckKind, CriterionRule
from lvv.meetings.models import ProgressPolicy, StepTemplate
from lvv.shelter.models import Location
from lvv.trajectories.models import Instrument, OutcomeCategory, OutcomeCode

PILOTS = {
    # municipality: (region, locations)
    "Amsterdam": ("Amsterdam-Amstelland", ["Amsterdam"]),
    "Eindhoven": ("Zuidoost-Brabant", ["Eindhoven"]),
    "Groningen": ("Noord-Nederland", ["Groningen", "Emmen"]),
    "Rotterdam": ("Rijnmond", ["Rotterdam"]),
    "Utrecht": ("Midden-Nederland", ["Utrecht"]),
}

NATIONAL_ORGANISATIONS = [
    ("Immigratie- en Naturalisatiedienst (IND)", OrganisationType.IND),
    ("Dienst Terugkeer en Vertrek (DT&V)", OrganisationType.DTV),
    ("Afdeling Vreemdelingenpolitie, Identificatie en Mensenhandel (AVIM)", OrganisationType.AVIM),
    ("Programmabureau LVV (JenV)", OrganisationType.PROGRAMMABUREAU),
]

B, S, G, X = (
    OutcomeCategory.BESTENDIG,
    OutcomeCategory.SEMI_BESTENDIG,
    OutcomeCategory.GEEN_OPLOSSING,
    OutcomeCategory.UITGESLOTEN,
)
OUTCOME_CODES = [
    ("inwilliging", "Verblijfsvergunning verleend (inwilliging)", B, False),
    ("zelfstandig_vertrek", "Zelfstandig vertrek naar land van herkomst", B, False),
    ("doormigratie", "Doormigratie naar een derde land", B, False),
    ("hasa", "Herhaalde asielaanvraag (HASA)", S, True),
    ("artikel_64", "Uitstel van vertrek om medische redenen (artikel 64)", S, True),
    ("vertrekmoratorium", "Vertrekmoratorium", S, False),
    ("inbewaringstelling", "Inbewaringstelling", S, False),
    ("beeindigd_gemeente", "Beëindigd door de gemeente", G, False),
    ("beeindigd_deelnemer", "Vertrokken op eigen initiatief", G, False),
    ("mob", "Vertrek met onbekende bestemming (MOB)", G, False),
    ("andere_opvang", "Naar andere opvang", G, False),
    ("bbb", "Terug naar bed-bad-brood", G, False),
    ("strafdetentie", "Strafrechtelijke detentie", G, False),
    ("anders", "Anders", G, False),
    ("overleden", "Overleden", X, False),
]

INSTRUMENTS = [
    ("juridische_screening", "Juridische screening"),
    ("juridische_begeleiding", "Juridische begeleiding"),
    ("stabilisatie", "Stabilisatie"),
    ("sociale_begeleiding", "Sociale begeleiding"),
    ("woonbegeleiding", "Woonbegeleiding"),
    ("activering", "Activering"),
    ("toekomstorientatie", "Toekomstoriëntatie"),
    ("terugkeerbegeleiding", "Terugkeerbegeleiding"),
]

LSO = "LSO"
NATIONAL_RULES = [
    (CheckKind.NO_HEAVY_ENTRY_BAN, "Geen zwaar inreisverbod (10 jaar of langer)", {}, True, LSO, ""),
    (CheckKind.NOT_UNDESIRABLE, "Niet ongewenstverklaard", {}, True, LSO, ""),
    (CheckKind.NOT_EU_CITIZEN, "Geen EU-burger", {}, True, LSO, ""),
    (CheckKind.NOT_DUBLIN, "Geen Dublinclaimant", {}, True, LSO, ""),
    (CheckKind.NOT_STATE_RECEPTION, "Geen recht op Rijksopvang (gezinslocatie, VBL)", {}, True, LSO, ""),
]

# Local additions per pilot municipality, as the pilot evaluation lists them (its table 3.1).
LOCAL_RULES = {
    "Amsterdam": [
        (
            CheckKind.REGIOBINDING,
            "Regiobinding met Amsterdam",
            {},
            True,
            LSO,
            "Ongedocumenteerden van buiten de regio kunnen worden toegelaten.",
        ),
    ],
    "Eindhoven": [
        (
            CheckKind.REGIOBINDING,
            "Regiobinding van minimaal een half jaar",
            {"min_maanden": 6},
            True,
            LSO,
            "Ongedocumenteerden van buiten de regio: als zij willen meewerken en er perspectief is.",
        ),
        (
            CheckKind.NOT_SAFE_COUNTRY,
            "Niet uit een veilig land van herkomst",
            {},
            True,
            LSO,
            "Bij een concreet vooruitzicht op een vergunning of vertrek.",
        ),
    ],
    "Groningen": [
        (CheckKind.REGIOBINDING, "Regiobinding met de regio Groningen/Drenthe", {}, True, LSO, ""),
        (CheckKind.NOT_SAFE_COUNTRY, "Niet uit een veilig land van herkomst", {}, True, LSO, "Na een risicoanalyse."),
        (
            CheckKind.NO_HEAVY_ENTRY_BAN,
            "Geen zwaar inreisverbod (10 jaar of langer)",
            {},
            True,
            LSO,
            "Structureel toegelaten na een risicoanalyse; strengere verblijfstermijn.",
        ),
    ],
    "Rotterdam": [
        (CheckKind.REGIOBINDING, "Regiobinding met Rotterdam", {}, True, "BRIO", ""),
        (CheckKind.ADULT, "Meerderjarig", {"min_leeftijd": 18}, False, "", ""),
        (CheckKind.NO_LONG_BBB_ELSEWHERE, "Geen langdurig bed-bad-brood in een andere gemeente", {}, True, "BRIO", ""),
        (
            CheckKind.WILLING_TO_COOPERATE,
            "Bereid mee te werken aan een duurzame oplossing",
            {},
            True,
            "BRIO",
            "Kwetsbare personen en humanitaire noodsituaties, na bespreking in het BRIO.",
        ),
        (
            CheckKind.NOT_SAFE_COUNTRY,
            "Niet uit een veilig land van herkomst",
            {},
            True,
            "BRIO",
            "Bij verwijzing door een terugkeerorganisatie; maximaal drie maanden opvang.",
        ),
    ],
    "Utrecht": [
        (CheckKind.REGIOBINDING, "Regiobinding met Utrecht", {}, True, LSO, ""),
        (
            CheckKind.WILLING_TO_COOPERATE,
            "Bereid mee te werken aan een duurzame oplossing",
            {},
            True,
            LSO,
            "Kwetsbare personen en humanitaire noodsituaties.",
        ),
    ],
}


# Terms of stay (verblijfstermijn, docs/glossary.md). Groningen's stricter term after a heavy entry ban
# is not given in the sources; 6 months is a configurable default.
PROGRESS_POLICIES = {
    "Amsterdam": {"max_stay_months": 18},
    "Rotterdam": {"max_stay_months": 6},
    "Groningen": {"entry_ban_max_stay_months": 6},
    "Eindhoven": {},
    "Utrecht": {},
}

STEP_TEMPLATES = [
    ("terugkeer", "Geboorteakte of identiteitsdocument opvragen via de ambassade", "dtv", 90),
    ("terugkeer", "Aanvraag laissez-passer indienen", "dtv", 120),
    ("terugkeer", "Terugkeergesprek en herintegratieplan (IOM of ngo)", "ngo", 60),
    ("legalisering", "Juridische screening afronden", "ngo", 30),
    ("legalisering", "Herhaalde asielaanvraag (HASA) indienen", "ngo", 90),
    ("legalisering", "Medisch advies voor artikel 64 aanvragen", "ngo", 90),
    ("doormigratie", "Mogelijkheden derde land onderzoeken", "ngo", 60),
    ("doormigratie", "Documenten voor doormigratie regelen", "dtv", 120),
]


def _load_rules(municipality, rules) -> None:
    if CriterionRule.objects.filter(municipality=municipality).exists():
        return
    CriterionRule.objects.bulk_create(
        [
            CriterionRule(
                municipality=municipality,
                check_kind=kind,
                label=label,
                params=params,
                exception_possible=possible,
                exception_by=by,
                exception_conditions=conditions,
                order=i * 10,
            )
            for i, (kind, label, params, possible, by, conditions) in enumerate(rules, start=1)
        ]
    )


@transaction.atomic
def load_reference_data() -> None:
    for i, (code, label, category, ind) in enumerate(OUTCOME_CODES):
        OutcomeCode.objects.update_or_create(
            code=code, defaults={"label": label, "category": category, "has_ind_decision": ind, "order": i}
        )
    for i, (code, label) in enumerate(INSTRUMENTS):
        Instrument.objects.update_or_create(code=code, defaults={"label": label, "order": i})
    for name, (region_name, locations) in PILOTS.items():
        region, _ = Region.objects.get_or_create(name=region_name)
        municipality, _ = Municipality.objects.update_or_create(name=name, defaults={"region": region, "has_lvv": True})
        for loc in locations:
            Location.objects.get_or_create(municipality=municipality, name=loc)
        Organisation.objects.get_or_create(
            name=f"Gemeente {name}", defaults={"type": OrganisationType.GEMEENTE, "municipality": municipality}
        )
        _load_rules(municipality, LOCAL_RULES[name])
    for name, org_type in NATIONAL_ORGANISATIONS:
        Organisation.objects.get_or_create(name=name, defaults={"type": org_type})
    _load_rules(None, NATIONAL_RULES)
    for name, values in PROGRESS_POLICIES.items():
        ProgressPolicy.objects.get_or_create(municipality=Municipality.objects.get(name=name), defaults=values)
    if not StepTemplate.objects.exists():
        StepTemplate.objects.bulk_create(
            [
                StepTemplate(perspective=p, description=d, responsible_type=t, due_after_days=days, order=i)
                for i, (p, d, t, days) in enumerate(STEP_TEMPLATES)
            ]
        )
