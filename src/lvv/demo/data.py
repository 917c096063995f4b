"""Deterministic demo data: demo users for every role, fictional NGOs, shelter capacity and a few
hundred to a few thousand synthetic participants, run by `lvv manage lvv_demo_data` (and `lvv demo`).

Every participant is written THROUGH THE REAL SERVICES (registration, identity check, consent,
admission, placement, perspective, instruments, outflow, IND decision, notes, NGO assignment), so
every timeline line and every rule is the one a user would meet. The clock is frozen on each
event's date while its service runs, so the timeline shows when things happened and no service
ever sees a date in its future.

All names of participants, users and NGOs are invented. Figures resemble the evaluation of the pilot
(docs/glossary.md, "evaluatie"), scaled down: `size` is the number of trajectories (default 1,200).

Case progress (lvv.meetings) is layered on top, again through the real services: monthly LSO
meetings in every municipality over the last 18 months (in Amsterdam chaired by the regiegroep of
NGOs), a few cluster meetings, one thematic meeting and a stuurgroep; typed decisions on agenda items
(perspective, guidance scenario, sub-deadlines and their review with the cause of a delay or of being
stuck, extensions of the stay, escalation to the MRT and its advice), steps done or overdue, and
minutes of both visibilities. It draws from its own random stream, so the persons and trajectories
are the same as without it. In every municipality with a term of stay, a meeting on the end date
(and a month later) finds a passed sub-deadline and an expiring or expired term on its agenda. Every
municipality also has an open LSO on the day the data are generated (the real date, also after the end
date), its agenda filled with what is due that day, ready for the chair to record decisions.

The same seed and size give the same data (random.Random(2019)); dates run from 1 April 2019 to
31 October 2026 (or today, if that is earlier). Only deadlines lie after that: terms of stay,
sub-deadlines and extensions.

One module of this size on purpose: the demo is a single scenario whose figures depend on the order
of the draws from its random stream, so its steps stay in one file, in the order they run."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from lvv.accounts.access import needs_second_factor
from lvv.accounts.models import Municipality, Organisation, OrganisationType, User
from lvv.admissions import services as admissions
from lvv.admissions.models import PARTY_LABELS, PARTY_TYPES, AdmissionOutcome
from lvv.core import clock
from lvv.core.exceptions import ApplicationError
from lvv.demo.reference_data import load_reference_data
from lvv.meetings import services as meetings
from lvv.meetings.models import (
    Decision,
    DecisionKind,
    DelayCause,
    Meeting,
    MeetingKind,
    MinutesVisibility,
    ProgressPolicy,
    ScenarioStep,
    StepTemplate,
    StuckCause,
)
from lvv.meetings.terms import add_months
from lvv.people import services as people
from lvv.people.models import KioskOutcome, Person
from lvv.shelter.models import CapacityPeriod, Location
from lvv.trajectories import services as trajectories
from lvv.trajectories.documents import document_add
from lvv.trajectories.models import (
    InstrumentValue,
    NoteVisibility,
    OutcomeCategory,
    PerspectiveKind,
    PerspectiveStatus,
    ShelterForm,
    ShelterHours,
    Trajectory,
)

SEED = 2019
DEFAULT_SIZE = 1200
MIN_SIZE = 20  # below this the fixed parts (demo person, re-entry, duplicate, one of each kind) dominate
START = dt.date(2019, 4, 1)
END = dt.date(2026, 10, 31)
PASSWORD_ENV = "LVV_DEMO_PASSWORD"
DEFAULT_PASSWORD = "demo-lvv-2026"
#: Fixed, public TOTP secret (base32) of the demo users who need a second factor (chain partners,
#: programmabureau, functional administrators): add it to an authenticator app to log in as them.
#: Public, so it protects nothing; real accounts set up their own app on the first login.
DEMO_TOTP_SECRET = "LVVDEMOTWEEFACTORLVVDEMOTWEEFACT"
DAYS_PER_MONTH = 30.4375
#: Placeholder in a planned step for the trajectory created by its first step.
TRAJECTORY = object()


#: NGO users who chair the LSO for their regiegroep (Amsterdam: the regiegroep of NGOs chairs).
NGO_LSO_CHAIRS = {"ngo2.amsterdam"}


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


# --------------------------------------------------------------------------------------------------
# Municipalities, NGOs, users, capacity
# --------------------------------------------------------------------------------------------------


def _moment(day: dt.date, at: dt.time, *, minutes: int = 0) -> dt.datetime:
    """A time of day on `day` in Amsterdam, but never later than now: on the day the data are
    generated, a meeting "at 08:30" that has not begun yet is recorded at the present moment."""
    moment = timezone.make_aware(dt.datetime.combine(day, at)) + dt.timedelta(minutes=minutes)
    return min(moment, timezone.now())


@dataclass(frozen=True)
class CitySpec:
    name: str
    code: str
    #: Trajectories on 1-7-2022 (the pilot evaluation's figures); only the proportions are used.
    weight: int
    #: Mean throughput time admission → outflow in months (the pilot evaluation's figures), and the gamma shape.
    months: float
    shape: float
    #: (location, places, valid_from, valid_to)
    capacity: tuple[tuple[str, int, dt.date, dt.date | None], ...]
    #: Fictional NGOs: (name, username, given name, family name); the first is the main one.
    ngos: tuple[tuple[str, str, str, str], ...]


CITIES: dict[str, CitySpec] = {
    c.name: c
    for c in [
        CitySpec(
            "Amsterdam",
            "AMS",
            770,
            12.5,
            2.2,
            (("Amsterdam", 360, START, None),),
            (
                ("Stichting Doorstart Amsterdam", "ngo.amsterdam", "Noor", "Voorbeeldt"),
                # In Amsterdam the coordinating role lies with a regiegroep of NGOs (regievoerder,
                # docs/glossary.md).
                ("Regiegroep Vangnet Amsterdam", "ngo2.amsterdam", "Ties", "Proefhuis"),
            ),
        ),
        CitySpec(
            "Groningen",
            "GRO",
            486,
            9.5,
            2.2,
            (
                ("Groningen", 240, START, None),
                ("Emmen", 60, START, None),
            ),
            (
                ("Stichting Wadlicht Groningen", "ngo.groningen", "Hidde", "Oefenga"),
                # A return-focused NGO: such NGOs also sit at the LSO table.
                ("Stichting Nieuwe Koers Noord", "ngo2.groningen", "Fenna", "Demmersma"),
            ),
        ),
        CitySpec(
            "Utrecht",
            "UTR",
            429,
            13.0,
            2.2,
            (("Utrecht", 235, START, None),),
            (("Stichting Domkompas Utrecht", "ngo.utrecht", "Merel", "Testerink"),),
        ),
        CitySpec(
            "Rotterdam",
            "RTM",
            247,
            6.5,
            4.0,
            (
                ("Rotterdam", 117, START, dt.date(2021, 12, 31)),
                ("Rotterdam", 60, dt.date(2022, 1, 1), None),
            ),
            (("Stichting Havenbaken Rotterdam", "ngo.rotterdam", "Daan", "Proefrock"),),
        ),
        CitySpec(
            "Eindhoven",
            "EHV",
            160,
            12.0,
            2.2,
            (("Eindhoven", 130, START, None),),
            (("Stichting Lichtpunt Eindhoven", "ngo.eindhoven", "Sanne", "van Oefenhoven"),),
        ),
    ]
}

#: Per municipality: (username prefix, given name, family name, is_lso_chair, is_functional_admin).
MUNICIPAL_USERS = {
    "Amsterdam": [
        ("gemeente", "Lotte", "Demostraat", False, False),
        ("voorzitter", "Joris", "Proefkamp", True, False),
        ("beheer", "Ilse", "Beheersma", False, True),
    ],
    "Eindhoven": [
        ("gemeente", "Bram", "Oefenaar", False, False),
        ("voorzitter", "Mieke", "Voorbeek", True, False),
        ("beheer", "Thijs", "Instelman", False, True),
    ],
    "Groningen": [
        ("gemeente", "Wietske", "Proefstra", False, False),
        ("voorzitter", "Jelle", "Demoma", True, False),
        ("beheer", "Anouk", "Regelink", False, True),
    ],
    "Rotterdam": [
        ("gemeente", "Sem", "Testbergen", False, False),
        ("voorzitter", "Yara", "Oefendijk", True, False),
        ("beheer", "Koen", "Schakelaar", False, True),
    ],
    "Utrecht": [
        ("gemeente", "Floor", "Voorbeeldijk", False, False),
        ("voorzitter", "Ruben", "Proefhof", True, False),
        ("beheer", "Esmee", "Instelbosch", False, True),
    ],
}

#: National users: (username, organisation type, given name, family name, is_functional_admin).
NATIONAL_USERS = [
    ("ind", OrganisationType.IND, "Pieter", "Dossierveld", False),
    ("dtv", OrganisationType.DTV, "Hanna", "Vertrekhoven", False),
    ("avim", OrganisationType.AVIM, "Marco", "Meldplichter", False),
    ("programmabureau", OrganisationType.PROGRAMMABUREAU, "Ingrid", "Monitorius", False),
    # Functional administrator of the national admission rules (access.can_edit_criteria).
    ("beheer.landelijk", OrganisationType.PROGRAMMABUREAU, "Wouter", "Regelaar", True),
]


def demo_usernames() -> list[str]:
    names = []
    for city in CITIES:
        names += [f"{prefix}.{city.lower()}" for prefix, *_ in MUNICIPAL_USERS[city]]
        names += [ngo[1] for ngo in CITIES[city].ngos]
    return names + [u[0] for u in NATIONAL_USERS]


def demo_data_present() -> bool:
    return User.objects.filter(username__in=demo_usernames()).exists()


@dataclass(frozen=True)
class Login:
    username: str
    role_label: str
    organisation: str


def demo_logins() -> list[Login]:
    order = {name: i for i, name in enumerate(demo_usernames())}
    users = User.objects.filter(username__in=order).select_related("organisation")
    return [
        Login(
            u.username,
            u.role_label
            + (" (functioneel beheerder)" if u.is_functional_admin else "")
            + (" (voorzitter LSO namens de regiegroep)" if u.username in NGO_LSO_CHAIRS else "")
            + (" [2FA]" if u.totpdevice_set.filter(confirmed=True).exists() else ""),
            u.organisation.name if u.organisation_id else "",
        )
        for u in sorted(users, key=lambda u: order[u.username])
    ]


def _create_user(username, organisation, given, family, *, password_hash, chair=False, admin=False) -> User:
    user = User.objects.create_user(
        username=username,
        password=None,
        first_name=given,
        last_name=family,
        email=f"{username}@demo.invalid",
        organisation=organisation,
        is_lso_chair=chair,
        is_functional_admin=admin,
    )
    # One Argon2 hash for all demo users (hashing takes ~0.3 s each; they share the password anyway).
    user.password = password_hash
    user.save(update_fields=["password"])
    return user


def _create_users_and_ngos(password: str) -> dict:
    """Returns {"city": {"gemeente": user, "voorzitter": user, "ngos": [(org, user)]}, "ind": user, ...}."""
    actors: dict = {}
    password_hash = make_password(password)
    for city, spec in CITIES.items():
        municipality = Municipality.objects.get(name=city)
        gemeente = Organisation.objects.get(type=OrganisationType.GEMEENTE, municipality=municipality)
        entry = {"municipality": municipality, "ngos": []}
        for prefix, given, family, chair, admin in MUNICIPAL_USERS[city]:
            entry[prefix] = _create_user(
                f"{prefix}.{city.lower()}",
                gemeente,
                given,
                family,
                password_hash=password_hash,
                chair=chair,
                admin=admin,
            )
        for name, username, given, family in spec.ngos:
            org, _ = Organisation.objects.get_or_create(
                name=name, defaults={"type": OrganisationType.NGO, "municipality": municipality}
            )
            user = _create_user(
                username, org, given, family, password_hash=password_hash, chair=username in NGO_LSO_CHAIRS
            )
            entry["ngos"].append((org, user))
        actors[city] = entry
    for username, org_type, given, family, admin in NATIONAL_USERS:
        org = Organisation.objects.filter(type=org_type).order_by("id").first()
        if org is None:
            raise ApplicationError(f"Geen organisatie van het soort {org_type}; voer eerst `lvv migrate` uit")
        actors[username] = _create_user(username, org, given, family, password_hash=password_hash, admin=admin)
    _create_demo_totp_devices()
    return actors


def _create_demo_totp_devices() -> None:
    """A confirmed authenticator (TOTP, secret DEMO_TOTP_SECRET) for every demo user who needs one."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    for user in User.objects.filter(username__in=demo_usernames()).select_related("organisation"):
        if needs_second_factor(user):
            TOTPDevice.objects.create(user=user, name="Demo-authenticator", key=key, confirmed=True)


def _create_capacity() -> None:
    for city, spec in CITIES.items():
        for location_name, places, valid_from, valid_to in spec.capacity:
            location = Location.objects.get(municipality__name=city, name=location_name)
            CapacityPeriod.objects.get_or_create(
                location=location, valid_from=valid_from, defaults={"places": places, "valid_to": valid_to}
            )


# --------------------------------------------------------------------------------------------------
# Invented names and the distributions of the pilot
# --------------------------------------------------------------------------------------------------

#: Invented given and family names: pronounceable, not meant to be anybody's real name.
MALE_NAMES = [
    "Abrano",
    "Belmaro",
    "Corimu",
    "Dashiro",
    "Efrano",
    "Gamiro",
    "Haleko",
    "Ibrano",
    "Jovaro",
    "Kelmuto",
    "Lirano",
    "Mavuto",
    "Nadiru",
    "Obeko",
    "Pavelo",
    "Qasimo",
    "Ravelo",
    "Samiru",
    "Tafaro",
    "Umaro",
    "Valeko",
    "Wazibo",
    "Yorano",
    "Zemiru",
    "Arkado",
    "Bemiru",
    "Cadoro",
    "Doniru",
    "Elmaro",
    "Farezo",
    "Gideko",
    "Harunu",
    "Isoko",
    "Jabreno",
    "Kofaro",
    "Lemaru",
    "Mirado",
    "Nuvaro",
    "Omiru",
    "Tesfaro",
]
FEMALE_NAMES = [
    "Amaleta",
    "Belisa",
    "Corana",
    "Delmira",
    "Efasi",
    "Ganeta",
    "Helira",
    "Iluna",
    "Jamira",
    "Kelisa",
    "Lorenya",
    "Maviya",
    "Nelora",
    "Osira",
    "Peranya",
    "Ravina",
    "Salenya",
    "Tamira",
    "Uvena",
    "Valira",
    "Yaseli",
    "Zorana",
    "Adelya",
    "Faroza",
    "Miralet",
]
FAMILY_NAMES = [
    "Abradi",
    "Belokwe",
    "Corvati",
    "Dunabe",
    "Elkaroni",
    "Fasumbe",
    "Gorendi",
    "Halubo",
    "Ibikari",
    "Jolembe",
    "Karuvani",
    "Lomadi",
    "Makenzu",
    "Nduvari",
    "Obalindo",
    "Parvazi",
    "Quorimbe",
    "Rashedo",
    "Salvirio",
    "Tembaku",
    "Uzamiri",
    "Varendo",
    "Wolembi",
    "Yarushi",
    "Zendavo",
    "Amrozi",
    "Bakerimbo",
    "Chelvani",
    "Dorosani",
    "Esfandaro",
    "Fulbeni",
    "Gavrelo",
    "Hosandi",
    "Imbaruk",
    "Jezirani",
    "Kolvemba",
    "Lutaro",
    "Mosevani",
    "Nazorimbe",
    "Okuvari",
    "Pelundo",
    "Ramizani",
    "Sorbeki",
    "Tulamo",
    "Ulvandi",
    "Vekomba",
    "Wendari",
    "Yosembe",
    "Zarkovi",
    "Afolembe",
    "Berazani",
    "Daruvo",
    "Ekwando",
    "Ferozani",
    "Halimbo",
    "Kasterovi",
    "Malundo",
    "Ovirani",
    "Sadrembo",
    "Tavorino",
]

#: Countries of origin (ISO 3166-1 alpha-2) with weights: the six largest groups of the evaluation
#: (Iran, Nigeria, Eritrea, Iraq, Guinea, Afghanistan), Uganda, and a long tail.
COUNTRIES = [
    ("IR", 9.0),
    ("NG", 7.5),
    ("ER", 7.0),
    ("IQ", 6.0),
    ("GN", 5.0),
    ("AF", 5.0),
    ("UG", 3.0),
    ("SY", 2.0),
    ("SO", 2.5),
    ("SD", 2.5),
    ("ET", 2.5),
    ("LY", 1.5),
    ("EG", 1.0),
    ("PK", 1.5),
    ("BD", 1.0),
    ("LK", 1.0),
    ("CN", 1.0),
    ("RU", 1.0),
    ("AZ", 0.8),
    ("AM", 0.8),
    ("TR", 1.0),
    ("CM", 1.5),
    ("CI", 1.0),
    ("SL", 1.2),
    ("LR", 0.8),
    ("TG", 0.6),
    ("BJ", 0.4),
    ("ML", 0.8),
    ("GM", 0.8),
    ("CD", 1.0),
    ("CG", 0.5),
    ("AO", 0.6),
    ("BI", 0.5),
    ("RW", 0.4),
    ("KE", 0.5),
    ("TZ", 0.3),
    ("ZW", 0.4),
    ("YE", 0.8),
    ("LB", 0.4),
    ("PS", 0.8),
    ("NP", 0.3),
    ("VN", 0.4),
    ("MM", 0.3),
    ("PH", 0.3),
    ("CO", 0.5),
    ("VE", 0.5),
    ("SR", 0.4),
    ("DO", 0.2),
    ("CU", 0.3),
    ("HT", 0.2),
    ("BY", 0.3),
    ("KZ", 0.2),
    ("UZ", 0.3),
    ("TJ", 0.3),
    ("KG", 0.2),
    ("TM", 0.2),
    ("CF", 0.3),
    ("TD", 0.3),
    ("NE", 0.2),
    ("BF", 0.3),
    ("MR", 0.3),
    ("SS", 0.6),
    ("DJ", 0.1),
    ("staatloos", 0.6),
    ("onbekend", 0.6),
]
#: Safe countries of origin; in Eindhoven, Groningen and Rotterdam admission then needs an LSO exception.
SAFE_COUNTRIES = [
    ("MA", 1.2),
    ("DZ", 1.5),
    ("TN", 0.5),
    ("GE", 0.8),
    ("AL", 0.6),
    ("MN", 1.0),
    ("GH", 0.8),
    ("SN", 0.6),
    ("IN", 0.4),
    ("BA", 0.2),
    ("RS", 0.2),
]
SAFE_CODES = {c for c, _ in SAFE_COUNTRIES}
EU_COUNTRIES = ["PL", "RO", "BG"]
LANGUAGES = {
    "IR": "Farsi",
    "AF": "Dari, Pasjtoe",
    "ER": "Tigrinya",
    "ET": "Amhaars",
    "SO": "Somalisch",
    "CN": "Mandarijn",
    "TR": "Turks",
    "AL": "Albanees",
    "MN": "Mongools",
    "IQ": "Arabisch, Koerdisch",
    **dict.fromkeys(["SY", "SD", "LY", "EG", "YE", "LB", "PS", "MA", "DZ", "TN"], "Arabisch"),
    **dict.fromkeys(
        ["GN", "CM", "CI", "TG", "BJ", "ML", "CD", "CG", "BI", "SN", "BF", "NE", "TD", "CF", "MR", "DJ"], "Frans"
    ),
    **dict.fromkeys(["RU", "BY", "KZ", "UZ", "TJ", "KG", "TM", "AM", "AZ", "GE"], "Russisch"),
    **dict.fromkeys(["CO", "VE", "DO", "CU"], "Spaans"),
}

#: Outflow outcomes of those who left (deceased apart): 18% durable / 41% semi-durable (HASA 33% of
#: all outflow) / 41% no solution (ended 22%, MOB 14%, other shelter 3%, criminal detention 1%).
OUTCOME_SHARES = [
    ("inwilliging", 9.0),
    ("zelfstandig_vertrek", 8.5),
    ("doormigratie", 0.5),
    ("hasa", 33.0),
    ("artikel_64", 5.0),
    ("vertrekmoratorium", 2.0),
    ("inbewaringstelling", 1.0),
    ("beeindigd_gemeente", 22.0),
    ("mob", 14.0),
    ("andere_opvang", 3.0),
    ("strafdetentie", 1.0),
    ("beeindigd_deelnemer", 0.5),
    ("bbb", 0.3),
    ("anders", 0.2),
]
#: Share of decided IND requests after outflow that were granted (by 30-04-2022).
IND_GRANT_RATE = {"hasa": 0.70, "artikel_64": 0.68}
FIRST_APPLICATION = [("asiel", 80), ("regulier", 8), ("geen", 9), ("onbekend", 3)]
PERSPECTIVE_BY_OUTCOME = {
    "inwilliging": "legalisering",
    "hasa": "legalisering",
    "artikel_64": "legalisering",
    "vertrekmoratorium": "legalisering",
    "zelfstandig_vertrek": "terugkeer",
    "inbewaringstelling": "terugkeer",
    "doormigratie": "doormigratie",
}
#: Outcomes after which somebody plausibly applies again later (re-entry, or "shopping" elsewhere).
REAPPLY_OUTCOMES = {
    "beeindigd_gemeente",
    "beeindigd_deelnemer",
    "mob",
    "andere_opvang",
    "bbb",
    "hasa",
    "anders",
}

SHARE_OPEN = 1 / 3
SHARE_PENDING = 0.015
SHARE_REFUSED = 0.03
SHARE_EXCEPTION = 0.025
SHARE_REENTRY = 0.02
SHARE_DECEASED = 0.0055  # 7 of ~1,265 who left
DUPLICATES_PER_TRAJECTORY = 1 / 120  # ~10 registrations in a second LVV at the default size


@dataclass(frozen=True)
class Case:
    """An LSO exception or a refusal: what makes the criteria fail and why."""

    code: str
    text: str
    facts: dict = field(default_factory=dict)
    kiosk: dict = field(default_factory=dict)
    country: str = ""  # "safe" / "eu" / ""
    max_days: int | None = None


EXCEPTIONS: dict[str, list[tuple[Case, float]]] = {
    "Amsterdam": [
        (
            Case(
                "buiten_regio",
                "Ongedocumenteerd en afkomstig van buiten de regio; het LSO ziet concreet perspectief op terugkeer.",
                facts={
                    "has_regiobinding": False,
                    "regiobinding_description": "Verbleef tot nu toe buiten de regio",
                },
            ),
            1,
        ),
    ],
    "Eindhoven": [
        (
            Case(
                "korte_regiobinding",
                "Korter dan een half jaar in de regio, maar bereid mee te werken en met concreet perspectief.",
                facts={"regiobinding_months": 3},
            ),
            1,
        ),
        (
            Case(
                "veilig_land",
                "Veilig land van herkomst; concreet vooruitzicht op vertrek binnen enkele maanden.",
                facts={"safe_country": True},
                country="safe",
            ),
            1,
        ),
    ],
    "Groningen": [
        (
            Case(
                "zwaar_inreisverbod",
                "Zwaar inreisverbod; na risicoanalyse toegelaten met een strengere verblijfstermijn.",
                kiosk={"heavy_entry_ban": True},
            ),
            3,
        ),
        (
            Case(
                "veilig_land",
                "Veilig land van herkomst; toegelaten na risicoanalyse.",
                facts={"safe_country": True},
                country="safe",
            ),
            1,
        ),
    ],
    "Rotterdam": [
        (
            Case(
                "veilig_land",
                "Veilig land van herkomst, verwezen door een terugkeerorganisatie; opvang voor maximaal drie maanden.",
                facts={"safe_country": True, "referred_by": "Terugkeerorganisatie"},
                country="safe",
                max_days=90,
            ),
            1,
        ),
        (
            Case(
                "kwetsbaar",
                "Kwetsbare persoon in een medische noodsituatie; na bespreking in het BRIO toegelaten.",
                facts={"willing_to_cooperate": False, "vulnerable": True},
            ),
            1,
        ),
    ],
    "Utrecht": [
        (
            Case(
                "kwetsbaar",
                "Humanitaire noodsituatie; het LSO laat toe ondanks twijfel over de bereidheid mee te werken.",
                facts={"willing_to_cooperate": False, "vulnerable": True},
            ),
            1,
        ),
    ],
}

_KIOSK_REFUSALS = [
    (
        Case(
            "dublin",
            "Dublinclaimant: een andere lidstaat is verantwoordelijk voor de asielaanvraag.",
            kiosk={"dublin_claimant": True},
        ),
        2,
    ),
    (
        Case(
            "ongewenst",
            "Ongewenstverklaard; valt buiten de doelgroep van de LVV.",
            kiosk={"declared_undesirable": True},
        ),
        1,
    ),
    (Case("eu", "EU-burger; valt buiten de doelgroep van de LVV.", kiosk={"eu_citizen": True}, country="eu"), 1),
    (
        Case(
            "rijksopvang",
            "Heeft recht op Rijksopvang (gezinslocatie); doorverwezen naar het COA.",
            kiosk={"entitled_state_reception": True},
        ),
        1,
    ),
]
_NO_REGION = (
    Case(
        "geen_regiobinding",
        "Geen band met de regio; doorverwezen naar de LVV van de eigen regio.",
        facts={"has_regiobinding": False},
    ),
    1,
)
_HEAVY_BAN = (
    Case(
        "zwaar_inreisverbod",
        "Zwaar inreisverbod; het LSO ziet geen grond voor een uitzondering.",
        kiosk={"heavy_entry_ban": True},
    ),
    2,
)
_UNWILLING = (
    Case("niet_bereid", "Niet bereid mee te werken aan een duurzame oplossing.", facts={"willing_to_cooperate": False}),
    1,
)
REFUSALS: dict[str, list[tuple[Case, float]]] = {
    "Amsterdam": [*_KIOSK_REFUSALS, _NO_REGION, _HEAVY_BAN],
    "Eindhoven": [*_KIOSK_REFUSALS, _NO_REGION, _HEAVY_BAN],
    "Groningen": [*_KIOSK_REFUSALS, _NO_REGION],
    "Rotterdam": [
        *_KIOSK_REFUSALS,
        _NO_REGION,
        _HEAVY_BAN,
        _UNWILLING,
        (Case("bbb_elders", "Langdurig bed-bad-brood in een andere gemeente.", facts={"long_bbb_elsewhere": True}), 1),
    ],
    # Utrecht does not use the kiosk, so only refusals on the application facts.
    "Utrecht": [_NO_REGION, _UNWILLING],
}
PARALLEL_REFUSAL = Case(
    "andere_lvv", "Loopt al een traject bij een andere LVV; eerst daar afronden.", kiosk={"registered_other_lvv": True}
)

NOTES_ORGANISATION = [
    "Gesprek over de gezondheid; deelnemer wil dit niet met ketenpartners delen.",
    "Deelnemer vertelde over schulden bij familie in het land van herkomst. Alleen voor eigen begeleiders.",
    "Vertrouwelijk: deelnemer twijfelt over terugkeer en wil eerst met een advocaat praten.",
    "Afspraak bij de huisarts gemaakt; begeleider gaat mee.",
    "Spanningen op de locatie; deelnemer tijdelijk op een andere kamer.",
]
NOTES_KETEN = [
    "Vertrekgesprek met DT&V voorbereid; reisdocument aangevraagd bij de ambassade.",
    "IND vraagt om de uitslag van het medisch advies voor de aanvraag artikel 64.",
    "Terugkeerondersteuning besproken met DT&V; deelnemer denkt erover na.",
]
DOCUMENT_TITLES = [
    ("Verklaring huisarts", "organisatie"),
    ("Brief advocaat over herhaalde aanvraag", "lso"),
    ("Kopie aanvraag reisdocument", "keten"),
    ("Afsprakenlijst begeleiding", "lso"),
]
NOTES_LSO = [
    "Besproken in het LSO: dossieronderzoek IND loopt, volgende bespreking over drie maanden.",
    "DT&V heeft een vertrekgesprek gepland; ngo begeleidt het gesprek.",
    "Juridische screening afgerond; advocaat onderzoekt een herhaalde aanvraag.",
    "Deelnemer houdt zich aan de afspraken en volgt een taalcursus.",
    "Identiteitsdocumenten aangevraagd bij de ambassade; deeltermijn drie maanden.",
    "Casus voorgelegd aan het MRT; advies volgt.",
]


def _weighted(rng: random.Random, items: list[tuple]) -> object:
    values, weights = zip(*items, strict=True)
    return rng.choices(values, weights=weights)[0]


def _deck(rng: random.Random, items: list[tuple[object, float]], n: int) -> list:
    """Exactly proportional draw (largest remainder), shuffled: n values with the given shares."""
    if n <= 0:  # e.g. no HASA outflow old enough for an IND decision at the smallest sizes
        return []
    total = sum(w for _, w in items)
    raw = [(value, n * w / total) for value, w in items]
    counts = {value: int(x) for value, x in raw}
    rest = n - sum(counts.values())
    for value, _ in sorted(raw, key=lambda vx: -(vx[1] - int(vx[1])))[:rest]:
        counts[value] += 1
    deck = [value for value, _ in items for _ in range(counts[value])]
    rng.shuffle(deck)
    return deck


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def _demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF with the title as its text (hand-made: rendering thousands of
    demo documents with WeasyPrint would slow `lvv demo` down)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _plus(day: dt.date, days: float) -> dt.date:
    return day + dt.timedelta(days=int(days))


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start if end <= start else _plus(start, rng.randint(0, _days(start, end)))


# --------------------------------------------------------------------------------------------------
# The plan: who applies where and when, and how it ends. Pure: no database.
# --------------------------------------------------------------------------------------------------


@dataclass
class PersonPlan:
    city: str
    given_names: str
    family_name: str
    sex: str
    birth_date: dt.date | None
    birth_year: int | None
    country: str
    v_number: str
    first_application: str
    languages: str = ""
    aliases: list[str] = field(default_factory=list)
    #: V-nummer found during the trajectory (identity research by DT&V), added with person_update.
    v_number_later: str = ""
    key: str = ""
    obj: Person | None = None


@dataclass
class Slot:
    """One trajectory to be generated."""

    seq: int
    city: str
    kind: str  # regular / exception / refused / pending
    status: str = ""  # open / closed (admitted kinds)
    outcome: str = ""
    case: Case | None = None
    person: PersonPlan | None = None
    application_date: dt.date | None = None
    decision_date: dt.date | None = None
    outflow_date: dt.date | None = None
    duration: int | None = None  # days from admission to outflow (closed trajectories)
    ind_decision: tuple[str, dt.date] | None = None
    reentry: bool = False
    other_lvv: bool = False  # already registered in another LVV (kiosk finding)
    fixed: bool = False  # the well-known demo person
    external_id: str = ""
    #: "overdue" / "term": the case that guarantees a signal at the end date (see Planner._ensure_signals).
    role: str = ""


class Planner:
    def __init__(self, rng: random.Random, size: int, end: dt.date, stay_months: dict[str, int | None] | None = None):
        self.rng = rng
        self.size = max(size, MIN_SIZE)
        self.end = end
        #: Term of stay per municipality in months (ProgressPolicy.max_stay_months), for the signals.
        self.stay_months = stay_months or {}
        self.v_numbers: set[str] = {"1234567890"}
        self.seq = 0
        self.sexes: list[str] = []  # a shuffled deck: exactly 75% men among the planned persons

    # -- helpers --------------------------------------------------------------------------------
    def _slot(self, city: str, kind: str) -> Slot:
        self.seq += 1
        return Slot(seq=self.seq, city=city, kind=kind)

    def _v_number(self) -> str:
        while True:
            value = str(self.rng.randint(1_000_000_000, 9_999_999_999))
            if value not in self.v_numbers:
                self.v_numbers.add(value)
                return value

    def _duration(self, slot: Slot) -> int:
        """Days from admission to outflow: gamma-distributed around the city's mean throughput time."""
        spec = CITIES[slot.city]
        months = self.rng.gammavariate(spec.shape, spec.months / spec.shape)
        days = max(7, int(months * DAYS_PER_MONTH))
        if slot.case and slot.case.max_days:
            days = min(days, slot.case.max_days)
        return days

    def _preset_durations(self, closed: list[Slot]) -> None:
        """Draw the durations per city and scale them so each city's mean is the published one."""
        for city, spec in CITIES.items():
            mine = [s for s in closed if s.city == city]
            drawn = [self.rng.gammavariate(spec.shape, spec.months / spec.shape) for _ in mine]
            factor = spec.months / (sum(drawn) / len(drawn)) if drawn else 1.0
            for slot, months in zip(mine, drawn, strict=True):
                slot.duration = max(7, int(months * factor * DAYS_PER_MONTH))
                if slot.case and slot.case.max_days:
                    slot.duration = min(slot.duration, slot.case.max_days)

    def date(self, slot: Slot, earliest: dt.date = START) -> None:
        """Application, decision and outflow dates, none after `self.end`."""
        rng, end = self.rng, self.end
        earliest = min(earliest, _plus(end, -30))
        delay = rng.choice([0, 1, 2, 3, 5, 7, 7, 10, 14, 21])
        if slot.kind == "pending":
            slot.application_date = max(earliest, _plus(end, -rng.randint(0, 20)))
            return
        if slot.kind == "refused":
            slot.application_date = _between(rng, earliest, _plus(end, -30))
            slot.decision_date = _plus(slot.application_date, min(delay, 14))
            return
        if slot.status == "closed":
            for attempt in range(25):
                duration = slot.duration if attempt == 0 and slot.duration else self._duration(slot)
                latest = _plus(end, -(duration + delay + 1))
                if latest >= earliest:
                    break
            else:
                span = _days(earliest, end) - delay - 1
                if span < 14:
                    slot.status, slot.outcome = "open", ""
                    return self.date(slot, earliest)
                duration = max(7, int(span * rng.uniform(0.3, 0.9)))
                latest = _plus(end, -(duration + delay + 1))
            slot.application_date = _between(rng, earliest, latest)
            slot.decision_date = _plus(slot.application_date, delay)
            slot.outflow_date = _plus(slot.decision_date, duration)
            return
        # Still in the LVV: time since admission, long-running cases included.
        elapsed = int(rng.gammavariate(1.4, 12 / 1.4) * DAYS_PER_MONTH)
        if slot.case and slot.case.max_days:
            elapsed = min(elapsed, slot.case.max_days)
        application = _plus(end, -(elapsed + delay))
        if application < earliest:
            application = _between(rng, earliest, _plus(end, -(delay + 1)))
        slot.application_date = application
        slot.decision_date = _plus(application, delay)

    def person(self, slot: Slot) -> PersonPlan:
        rng = self.rng
        man = self.sexes.pop() == "man" if self.sexes else rng.random() < 0.75
        given = rng.choice(MALE_NAMES if man else FEMALE_NAMES)
        if rng.random() < 0.15:
            given += " " + rng.choice(MALE_NAMES if man else FEMALE_NAMES)
        family = rng.choice(FAMILY_NAMES)
        country = None
        if slot.case and slot.case.country == "safe":
            country = _weighted(rng, SAFE_COUNTRIES)
        elif slot.case and slot.case.country == "eu":
            country = rng.choice(EU_COUNTRIES)
        else:
            # Safe countries only where no local rule excludes them (Amsterdam, Utrecht).
            safe_allowed = slot.city in ("Amsterdam", "Utrecht") or slot.kind == "pending"
            country = _weighted(rng, COUNTRIES + (SAFE_COUNTRIES if safe_allowed else []))
        age = min(75.0, max(19.0 if slot.city == "Rotterdam" else 18.2, rng.gauss(36, 10.5)))
        birth_date = _plus(slot.application_date, -int(age * 365.25))
        birth_year = birth_date.year
        if rng.random() < 0.08:
            birth_date = None  # only the year is known
        first = _weighted(rng, FIRST_APPLICATION)
        has_v = rng.random() < {"asiel": 0.97, "regulier": 0.95, "geen": 0.2, "onbekend": 0.5}[first]
        plan = PersonPlan(
            city=slot.city,
            given_names=given,
            family_name=family,
            sex="man" if man else "vrouw",
            birth_date=birth_date,
            birth_year=birth_year,
            country=country,
            first_application=first,
            v_number=self._v_number() if has_v else "",
            languages=LANGUAGES.get(country, "Engels"),
        )
        if not has_v and rng.random() < 0.35:
            plan.v_number_later = self._v_number()
        if rng.random() < 0.05:
            plan.aliases = [f"{given.split()[0][:-1]}a {family[:-1]}e"]
        return plan

    # -- the plan --------------------------------------------------------------------------------
    def plan(self) -> list[Slot]:
        rng, n = self.rng, self.size
        n_dup = max(1, round(n * DUPLICATES_PER_TRAJECTORY))
        n_re = max(1, round(n * SHARE_REENTRY))
        n_main = n - n_dup - n_re - 1  # one for the well-known demo person
        per_city = self._apportion(n_main)
        slots: list[Slot] = []
        for city, count in per_city.items():
            n_pending = max(1, round(count * SHARE_PENDING))
            n_refused = max(1, round(count * SHARE_REFUSED))
            n_exception = max(1, round(count * SHARE_EXCEPTION))
            kinds = (
                ["pending"] * n_pending
                + ["refused"] * n_refused
                + ["exception"] * n_exception
                + ["regular"] * (count - n_pending - n_refused - n_exception)
            )
            for kind in kinds:
                slot = self._slot(city, kind)
                if kind == "exception":
                    slot.case = _weighted(rng, EXCEPTIONS[city])
                elif kind == "refused":
                    slot.case = _weighted(rng, REFUSALS[city])
                slots.append(slot)
        admitted = [s for s in slots if s.kind in ("regular", "exception")]
        n_open = round(len(admitted) * SHARE_OPEN)
        for slot, status in zip(
            admitted, _deck(rng, [("open", n_open), ("closed", len(admitted) - n_open)], len(admitted)), strict=True
        ):
            slot.status = status
        closed = [s for s in admitted if s.status == "closed"]
        n_dead = max(1, round(len(closed) * SHARE_DECEASED))
        outcomes = ["overleden"] * n_dead + _deck(rng, OUTCOME_SHARES, len(closed) - n_dead)
        rng.shuffle(outcomes)
        for slot, outcome in zip(closed, outcomes, strict=True):
            slot.outcome = outcome
        self._preset_durations(closed)
        self.sexes = _deck(rng, [("man", 75), ("vrouw", 25)], len(slots))
        for slot in slots:
            self.date(slot)
            slot.person = self.person(slot)
        self._ensure_signals(slots)
        slots += self._reentries(slots, n_re)
        slots += self._duplicates(slots, n_dup)
        slots.append(self._demo_person())
        self._ind_decisions(slots)
        return slots

    def _ensure_signals(self, slots: list[Slot]) -> None:
        """In every municipality with a term of stay, two running trajectories that make the signals
        show at the end date (and for weeks after it, when the demo is used later):

        - "overdue": admitted well before the end and with a term that runs until well after it; it
          gets an open sub-deadline that passes shortly before the end date and is not reviewed;
        - "term": a term that ends within four weeks after the end date (by itself, or after an LSO
          extension of a term that had already passed).

        Chosen among the planned running trajectories; only when none fits (small sizes) is a closed
        trajectory turned into a running one with fitting dates. Uses no random numbers, so at the
        default size the data are the same as without this step."""
        end = self.end
        for city in CITIES:
            months = self.stay_months.get(city)
            if not months:
                continue
            term = _days(end, add_months(end, months))

            def running(s: Slot, city=city) -> bool:
                return s.city == city and s.kind in ("regular", "exception") and s.status == "open" and not s.role

            overdue = [s for s in slots if running(s) and _plus(end, -term + 45) <= s.decision_date <= _plus(end, -30)]
            self._assign(slots, city, overdue, "overdue", admitted=_plus(end, -min(100, term - 60)))
            natural = [
                s for s in slots if running(s) and _plus(end, 14 - term) <= s.decision_date <= _plus(end, 28 - term)
            ]
            extendable = [s for s in slots if running(s) and s.decision_date < _plus(end, min(14 - term, -75))]
            self._assign(slots, city, natural or extendable, "term", admitted=_plus(end, 28 - term))

    def _assign(self, slots: list[Slot], city: str, candidates: list[Slot], role: str, admitted: dt.date) -> None:
        if candidates:
            min(candidates, key=lambda s: s.seq).role = role
            return
        # Turn a closed trajectory (with one of the most common outcomes) into a running one.
        applied = _plus(admitted, -7)
        closed = [
            s
            for s in slots
            if s.city == city
            and s.kind == "regular"
            and s.status == "closed"
            and s.outcome in ("beeindigd_gemeente", "mob")
            and s.application_date <= applied  # the person is not made younger
        ]
        if not closed or applied < START:
            return
        slot = min(closed, key=lambda s: s.seq)
        slot.status, slot.outcome, slot.outflow_date, slot.duration, slot.role = "open", "", None, None, role
        slot.application_date, slot.decision_date = applied, admitted

    def _ind_decisions(self, slots: list[Slot]) -> None:
        """For HASA and article 64: a later IND decision for three quarters, granted at the published rate."""
        for outcome, rate in IND_GRANT_RATE.items():
            feasible = []
            for slot in slots:
                if slot.outcome == outcome and slot.status == "closed":
                    decided = _plus(slot.outflow_date, self.rng.randint(30, 270))
                    if decided <= self.end:
                        feasible.append((slot, decided))
            n_decided = round(len(feasible) * 0.75)
            n_granted = round(n_decided * rate)
            deck = _deck(
                self.rng,
                [("inwilliging", n_granted), ("afwijzing", n_decided - n_granted), ("", len(feasible) - n_decided)],
                len(feasible),
            )
            for (slot, decided), decision in zip(feasible, deck, strict=True):
                if decision:
                    slot.ind_decision = (decision, decided)

    def _apportion(self, n: int) -> dict[str, int]:
        total = sum(c.weight for c in CITIES.values())
        raw = {name: n * c.weight / total for name, c in CITIES.items()}
        counts = {name: int(x) for name, x in raw.items()}
        for name in sorted(raw, key=lambda k: -(raw[k] - int(raw[k])))[: n - sum(counts.values())]:
            counts[name] += 1
        return counts

    def _second_trajectory(self, first: Slot, city: str, *, kind: str = "regular") -> Slot:
        slot = self._slot(city, kind)
        slot.status = "open" if self.rng.random() < 0.5 else "closed"
        if slot.status == "closed":
            slot.outcome = _weighted(self.rng, OUTCOME_SHARES)
        return slot

    def _reentries(self, slots: list[Slot], n: int) -> list[Slot]:
        """A second trajectory of the same person in the same LVV, after the first one closed."""
        rng = self.rng
        candidates = [
            s
            for s in slots
            if s.status == "closed"
            and s.outcome in REAPPLY_OUTCOMES
            and s.kind == "regular"
            and _days(s.outflow_date, self.end) > 120
        ]
        rng.shuffle(candidates)
        extra = []
        for first in candidates[:n]:
            slot = self._second_trajectory(first, first.city)
            slot.reentry = True
            self.date(slot, earliest=_plus(first.outflow_date, rng.randint(14, 240)))
            slot.person = first.person
            extra.append(slot)
        return extra

    def _duplicates(self, slots: list[Slot], n: int) -> list[Slot]:
        """The same person (V-nummer, name, birth date, country) registered again in a second LVV:
        mostly after the first trajectory ended, sometimes while it still runs (then refused)."""
        rng = self.rng

        def candidate(s: Slot) -> bool:
            if s.kind != "regular" or s.reentry or not s.person.v_number or s.person.country in SAFE_CODES:
                return False
            if _days(s.decision_date, self.end) <= 60:
                return False
            if s.status == "open":
                return True
            return s.outcome in REAPPLY_OUTCOMES and _days(s.outflow_date, self.end) > 90

        candidates = [s for s in slots if candidate(s)]
        rng.shuffle(candidates)
        extra = []
        used = {s.person.v_number for s in slots if s.reentry}
        for first in candidates:
            if len(extra) == n:
                break
            if first.person.v_number in used:
                continue
            used.add(first.person.v_number)
            parallel = first.status == "open" or (
                rng.random() < 0.25 and _days(first.decision_date, first.outflow_date) > 90
            )
            others = [c for c in CITIES if c != first.city and (not parallel or c != "Utrecht")]
            city = rng.choice(others)
            if parallel:
                slot = self._slot(city, "refused")
                slot.case = PARALLEL_REFUSAL
                start = _plus(first.decision_date, 30)
                self.date(slot, earliest=_between(rng, start, _plus(first.outflow_date or self.end, -31)))
            else:
                slot = self._second_trajectory(first, city)
                self.date(slot, earliest=_plus(first.outflow_date, rng.randint(7, 180)))
            slot.other_lvv = city != "Utrecht"  # Utrecht does not use the kiosk
            p = first.person
            slot.person = PersonPlan(
                city=city,
                given_names=p.given_names,
                family_name=p.family_name,
                sex=p.sex,
                birth_date=p.birth_date,
                birth_year=p.birth_year,
                country=p.country,
                v_number=p.v_number,
                first_application=p.first_application,
                languages=p.languages,
            )
            extra.append(slot)
        return extra

    def _demo_person(self) -> Slot:
        """Demo Dubbel: admitted in Amsterdam, for trying the duplicate warning from another LVV."""
        slot = self._slot("Amsterdam", "regular")
        slot.status, slot.fixed = "open", True
        slot.application_date = min(dt.date(2025, 9, 15), _plus(self.end, -60))
        slot.decision_date = _plus(slot.application_date, 7)
        slot.person = PersonPlan(
            city="Amsterdam",
            given_names="Demo",
            family_name="Dubbel",
            sex="man",
            birth_date=dt.date(1990, 5, 17),
            birth_year=1990,
            country="ER",
            v_number="1234567890",
            first_application="asiel",
            languages="Tigrinya",
        )
        return slot


# --------------------------------------------------------------------------------------------------
# Execution: every step through the real services, on its own (frozen) date
# --------------------------------------------------------------------------------------------------


class Runner:
    def __init__(self, rng: random.Random, actors: dict, end: dt.date, progress: Progress | None = None):
        self.rng = rng
        self.actors = actors
        self.end = end
        self.progress = progress
        self.locations = {
            (loc.municipality.name, loc.name): loc for loc in Location.objects.select_related("municipality")
        }
        self.person_seq: Counter = Counter()
        self.trajectory_seq: Counter = Counter()

    def run(self, slots: list[Slot]) -> None:
        for slot in sorted(slots, key=lambda s: (s.application_date, s.seq)):
            code, year = CITIES[slot.city].code, slot.application_date.year
            self.trajectory_seq[(code, year)] += 1
            slot.external_id = f"{code}-{year}-{self.trajectory_seq[(code, year)]:04d}"
            if slot.person.obj is None:
                self.person_seq[code] += 1
                slot.person.key = f"{code}-P{self.person_seq[code]:05d}"
            self._trajectory(slot)

    # -- one trajectory --------------------------------------------------------------------------
    def _trajectory(self, slot: Slot) -> None:
        """Plan the steps of one trajectory (arguments bound now), then run them in date order."""
        rng, city = self.rng, slot.city
        entry = self.actors[city]
        clerk, chair = entry["gemeente"], entry["voorzitter"]
        ngos = entry["ngos"]
        steps: list[tuple[dt.date, Callable[..., object], dict]] = []
        p = slot.person

        def add(day: dt.date, fn: Callable[..., object], **kwargs) -> None:
            """A service call on `day`; `trajectory=TRAJECTORY` is filled in when it runs."""
            steps.append((day, fn, kwargs))

        # Application with its facts.
        facts = {
            "has_regiobinding": True,
            "regiobinding_months": rng.randint(6, 48),
            "willing_to_cooperate": True,
            "long_bbb_elsewhere": False,
            "safe_country": p.country in SAFE_CODES,
            "vulnerable": rng.random() < 0.08,
            "first_application_type": p.first_application,
            "regiobinding_description": rng.choice(
                [
                    "Verbleef in de nachtopvang van de stad",
                    "Woonde bij kennissen in de regio",
                    "Eerder in een azc in de regio",
                    "Netwerk in de stad",
                ]
            ),
            "referred_by": rng.choice(["", "", "Eigen initiatief", "Ngo", "Straatteam", "AVIM"]),
            "external_id": slot.external_id,
        }
        if slot.case:
            facts.update(slot.case.facts)
        if p.obj is None:
            person_fields = {
                "person_key": p.key,
                "given_names": p.given_names,
                "family_name": p.family_name,
                "birth_date": p.birth_date,
                "birth_year": p.birth_year,
                "sex": p.sex,
                "country_of_origin": p.country,
                "languages": p.languages,
                "v_number": p.v_number,
            }
            add(
                slot.application_date,
                admissions.application_register_new_person,
                actor=clerk,
                municipality=entry["municipality"],
                person_fields=person_fields,
                aliases=p.aliases,
                application_date=slot.application_date,
                **facts,
            )
        else:
            add(
                slot.application_date,
                admissions.application_register,
                actor=clerk,
                person=p.obj,
                application_date=slot.application_date,
                **facts,
            )

        # Identity check at the kiosk (Utrecht does not use it).
        if not (slot.kind == "pending" and rng.random() < 0.5):
            kiosk = dict(slot.case.kiosk) if slot.case else {}
            if slot.other_lvv:
                kiosk["registered_other_lvv"] = True
            if city == "Utrecht":
                outcome, reason, kiosk = KioskOutcome.NOT_TAKEN, "Utrecht werkt niet met de aanmeldzuil.", {}
            elif kiosk:
                outcome, reason = KioskOutcome.FINGERPRINTS, ""
            elif p.v_number:
                outcome, reason = rng.choice([KioskOutcome.FINGERPRINTS, KioskOutcome.V_NUMBER]), ""
            else:
                outcome, reason = KioskOutcome.NO_RECORD, ""
            check_day = _between(rng, slot.application_date, slot.decision_date or slot.application_date)
            add(
                check_day,
                people.identity_check_record,
                actor=clerk,
                trajectory=TRAJECTORY,
                performed_on=check_day,
                outcome=outcome,
                not_taken_reason=reason,
                **kiosk,
            )

        # Consent: most share with NGOs, IND and DT&V; fewer with AVIM.
        shares = {
            "share_ngo": rng.random() < 0.97,
            "share_ind": rng.random() < 0.9,
            "share_dtv": rng.random() < 0.88,
            "share_avim": rng.random() < 0.65,
        }
        if slot.fixed:  # the well-known demo person is visible to the NGO, IND and DT&V demo users
            shares.update(share_ngo=True, share_ind=True, share_dtv=True)
        if slot.kind in ("regular", "exception") or (slot.kind == "pending" and rng.random() < 0.4):
            consent_day = _between(rng, slot.application_date, slot.decision_date or slot.application_date)
            add(
                consent_day,
                admissions.consent_record,
                actor=clerk,
                trajectory=TRAJECTORY,
                signed_on=consent_day,
                **shares,
            )

        if slot.kind == "pending":
            return self._execute(slot, steps)
        if slot.kind == "refused":
            add(
                slot.decision_date,
                admissions.admission_decide,
                actor=clerk,
                trajectory=TRAJECTORY,
                outcome=AdmissionOutcome.GEWEIGERD,
                decided_on=slot.decision_date,
                refusal_reason=slot.case.text,
            )
            return self._execute(slot, steps)

        admitted = slot.decision_date
        last = slot.outflow_date or self.end  # the last day on which something can happen
        # Parties at the LSO table (all four in the demo) that the declaration leaves out: the LSO
        # decided to admit all the same, and the decision says so (no draw from the random stream,
        # so the rest of the demo is unchanged).
        missing = [p for p in PARTY_TYPES if not shares[f"share_{p}"]]
        without = {}
        if missing:
            labels = ", ".join(PARTY_LABELS[p] for p in missing)
            without = {
                "consent_exception_motivation": f"De deelnemer wil zijn gegevens niet delen met {labels}; het LSO "
                "laat hem toe om aan een duurzame oplossing te werken.",
                "lso_meeting_date": admitted,
            }
        if slot.kind == "exception":
            lso = _between(rng, max(slot.application_date, _plus(admitted, -7)), admitted)
            add(
                admitted,
                admissions.admission_decide,
                actor=chair,
                trajectory=TRAJECTORY,
                outcome=AdmissionOutcome.UITZONDERING,
                decided_on=admitted,
                exception_motivation=slot.case.text,
                **{**without, "lso_meeting_date": lso},
            )
        else:
            add(
                admitted,
                admissions.admission_decide,
                actor=chair if missing else clerk,
                trajectory=TRAJECTORY,
                outcome=AdmissionOutcome.TOEGELATEN,
                decided_on=admitted,
                **without,
            )

        # NGO assignment: the main NGO (in Amsterdam with the regiegroep); a return NGO joins later.
        perspective = PERSPECTIVE_BY_OUTCOME.get(slot.outcome) or _weighted(
            rng, [("terugkeer", 50), ("legalisering", 45), ("doormigratie", 5)]
        )
        main_ngos = [ngos[0][0]]
        if city == "Amsterdam":
            main_ngos = [o for o, _ in ngos] if rng.random() < 0.75 or slot.fixed else [ngos[1][0]]
        elif len(ngos) > 1 and rng.random() < 0.15:
            main_ngos = [ngos[1][0]]
        add(
            admitted,
            trajectories.trajectory_assign_organisations,
            actor=clerk,
            trajectory=TRAJECTORY,
            organisations=main_ngos,
        )
        guide = next(u for o, u in ngos if o == main_ngos[0])

        # Placement, maybe a move, and in Amsterdam a return bed shortly before departure.
        location = self._location(city)
        form, hours = self._shelter_form(city)
        placed = min(_plus(admitted, rng.choice([0, 0, 0, 1, 2, 3])), last)
        add(
            placed,
            trajectories.placement_record,
            actor=clerk,
            trajectory=TRAJECTORY,
            location=location,
            shelter_form=form,
            hours=hours,
            start_date=placed,
        )
        span = _days(placed, last)
        return_bed = (
            city == "Amsterdam"
            and span > 21
            and (
                (slot.outcome == "zelfstandig_vertrek" and rng.random() < 0.6)
                or (slot.status == "open" and perspective == "terugkeer" and rng.random() < 0.05)
            )
        )
        if return_bed:
            moved = _plus(last, -rng.randint(3, min(42, span - 1)))
            add(
                moved,
                trajectories.placement_record,
                actor=guide,
                trajectory=TRAJECTORY,
                location=location,
                shelter_form=ShelterForm.TERUGKEERBED,
                hours=ShelterHours.DAY_AND_NIGHT,
                start_date=moved,
            )
        elif span > 90 and form == ShelterForm.CENTRAAL and rng.random() < 0.25:
            moved = _plus(placed, rng.randint(60, span - 10))
            add(
                moved,
                trajectories.placement_record,
                actor=guide,
                trajectory=TRAJECTORY,
                location=location,
                shelter_form=ShelterForm.DECENTRAAL,
                hours=ShelterHours.DAY_AND_NIGHT,
                start_date=moved,
            )

        # A V-nummer found during the trajectory (identity research).
        v_known_from = admitted if p.v_number else None
        if p.v_number_later and not p.v_number and span > 40:
            found = _plus(admitted, rng.randint(20, min(150, span - 1)))
            add(found, self._add_v_number, actor=clerk, plan=p, v_number=p.v_number_later)
            v_known_from = found

        # Perspective: provisional, for some later definitive (which needs the V-nummer).
        if span > 30 and rng.random() < 0.88:
            provisional = _plus(admitted, rng.randint(21, min(120, span - 1)))
            first_kind = (
                perspective
                if rng.random() < 0.85
                else _weighted(rng, [(k, 1) for k in PerspectiveKind.values if k != perspective])
            )
            add(
                provisional,
                trajectories.perspective_record,
                actor=clerk,
                trajectory=TRAJECTORY,
                perspective=first_kind,
                status=PerspectiveStatus.VOORLOPIG,
                decided_on=provisional,
                lso_meeting_date=self._lso_date(provisional, admitted),
            )
            if v_known_from and _days(provisional, last) > 45 and rng.random() < 0.5:
                base = max(provisional, v_known_from)
                definitive = _plus(base, rng.randint(30, max(31, min(150, _days(base, last) - 1))))
                if definitive < last:
                    add(
                        definitive,
                        trajectories.perspective_record,
                        actor=chair,
                        trajectory=TRAJECTORY,
                        perspective=perspective,
                        status=PerspectiveStatus.DEFINITIEF,
                        decided_on=definitive,
                        lso_meeting_date=self._lso_date(definitive, admitted),
                    )
            if perspective == "terugkeer" and len(ngos) > 1 and city != "Amsterdam" and rng.random() < 0.6:
                add(
                    provisional,
                    trajectories.trajectory_assign_organisations,
                    actor=clerk,
                    trajectory=TRAJECTORY,
                    organisations=[*dict.fromkeys([*main_ngos, ngos[1][0]])],
                )

        # Guidance instruments, and their end dates at outflow.
        if span > 7:
            set_on = _plus(placed, rng.randint(7, min(45, span)))
            values = self._instruments(perspective, form, admitted, set_on)
            add(set_on, trajectories.instruments_update, actor=guide, trajectory=TRAJECTORY, values=values)
            if slot.status == "closed" and rng.random() < 0.4:  # some NGOs also record the end dates
                ended = {code: (v, s, slot.outflow_date) for code, (v, s, _) in values.items() if v == "ja"}
                add(
                    slot.outflow_date, trajectories.instruments_update, actor=guide, trajectory=TRAJECTORY, values=ended
                )

        # Notes of both visibilities.
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
            written = _between(rng, admitted, last)
            if rng.random() < 0.4:
                text, visibility, author = rng.choice(NOTES_ORGANISATION), NoteVisibility.ORGANISATIE, guide
            else:
                text, visibility = rng.choice(NOTES_LSO), NoteVisibility.LSO
                author = guide if rng.random() < 0.5 else clerk
            add(written, trajectories.note_add, actor=author, trajectory=TRAJECTORY, text=text, visibility=visibility)

        # Sharing (docs/delen.md), from a random stream of its own so the rest of the demo is unchanged:
        # notes for the chain partners, uploaded documents of every class, and now and then consent
        # withdrawn for DT&V alone.
        extra = random.Random(f"{slot.external_id}-delen")
        if extra.random() < 0.15:
            add(
                _between(extra, admitted, last),
                trajectories.note_add,
                actor=clerk,
                trajectory=TRAJECTORY,
                text=extra.choice(NOTES_KETEN),
                visibility=NoteVisibility.KETEN,
            )
        if extra.random() < 0.2:
            title, visibility = extra.choice(DOCUMENT_TITLES)
            add(
                _between(extra, admitted, last),
                self._add_document,
                actor=guide if visibility == "organisatie" else clerk,
                trajectory=TRAJECTORY,
                title=title,
                visibility=visibility,
            )
        if span > 60 and shares.get("share_dtv") and extra.random() < 0.02:
            add(
                _plus(admitted, extra.randint(30, span - 1)),
                self._withdraw_consent,
                actor=clerk,
                trajectory=TRAJECTORY,
                withdrawn_on=None,
                party="dtv",
            )

        # Consent changes: a few withdraw or narrow their consent during the trajectory.
        if span > 60:
            roll = rng.random()
            changed = _plus(admitted, rng.randint(30, span - 1))
            if roll < 0.015:
                add(changed, self._withdraw_consent, actor=clerk, trajectory=TRAJECTORY, withdrawn_on=changed)
            elif roll < 0.045:
                add(
                    changed,
                    admissions.consent_record,
                    actor=clerk,
                    trajectory=TRAJECTORY,
                    signed_on=changed,
                    **{**shares, "share_avim": False},
                )

        # Outflow and, for HASA and article 64, the later IND decision.
        if slot.status == "closed":
            add(
                slot.outflow_date,
                trajectories.outflow_register,
                actor=clerk,
                trajectory=TRAJECTORY,
                outflow_date=slot.outflow_date,
                outcome_code=slot.outcome,
            )
            if slot.ind_decision:
                decision, decided = slot.ind_decision
                add(
                    decided,
                    trajectories.ind_decision_record,
                    actor=clerk,
                    trajectory=TRAJECTORY,
                    decision=decision,
                    decided_on=decided,
                )
        if self.progress is not None:
            self.progress.plan(slot, steps, guide=guide, intended=perspective)
        self._execute(slot, steps)

    @staticmethod
    def _add_v_number(*, actor, plan: PersonPlan, v_number: str) -> None:
        people.person_update(actor=actor, person=plan.obj, v_number=v_number)
        plan.v_number, plan.v_number_later = v_number, ""

    @staticmethod
    def _withdraw_consent(*, actor, trajectory: Trajectory, withdrawn_on: dt.date | None, party: str = "") -> None:
        consent = trajectory.consents.filter(withdrawn_on__isnull=True).first()
        if consent is not None and (not party or party in consent.party_types()):
            admissions.consent_withdraw(
                actor=actor, consent=consent, withdrawn_on=withdrawn_on or clock.today(), party=party
            )

    @staticmethod
    def _add_document(*, actor, trajectory: Trajectory, title: str, visibility: str) -> None:

        document_add(
            actor=actor,
            trajectory=trajectory,
            title=title,
            filename=f"{title.lower().replace(' ', '-')}.pdf",
            content=_demo_pdf(title),
            visibility=visibility,
        )

    # -- helpers ---------------------------------------------------------------------------------
    def _execute(self, slot: Slot, steps: list[tuple[dt.date, Callable[..., object], dict]]) -> None:
        """Run the steps in date order (stable within a day), each with the clock frozen on its date."""
        trajectory = None
        for i, (day, fn, kwargs) in enumerate(sorted(steps, key=lambda step: step[0])):
            if day > self.end:
                raise AssertionError(f"demo step after {self.end}: {slot.external_id} {fn.__name__} {day}")
            if kwargs.get("trajectory") is TRAJECTORY:
                kwargs = {**kwargs, "trajectory": trajectory}
            moment = _moment(day, dt.time(9, 0), minutes=4 * i)
            try:
                with clock.frozen(moment):
                    result = fn(**kwargs)
            except ApplicationError as exc:
                # A refusal here is a bug in the generator (or a service): say where it happened.
                where = f"{slot.external_id} ({slot.kind}/{slot.status}/{slot.outcome})"
                raise ApplicationError(f"Demodata {where}, {fn.__name__} op {day}: {exc.message}") from exc
            if trajectory is None:
                trajectory = result
                if slot.person.obj is None:
                    slot.person.obj = trajectory.person

    @staticmethod
    def _lso_date(day: dt.date, admitted: dt.date) -> dt.date:
        """The perspective is agreed in the LSO and recorded that day or shortly after."""
        return max(admitted, _plus(day, -(day.toordinal() % 3)))

    def _location(self, city: str) -> Location:
        if city == "Groningen":
            return self.locations[(city, "Emmen" if self.rng.random() < 0.2 else "Groningen")]
        return self.locations[(city, city)]

    def _shelter_form(self, city: str) -> tuple[str, str]:
        if city == "Rotterdam":
            if self.rng.random() < 0.85:
                return ShelterForm.NACHTOPVANG, ShelterHours.NIGHT
            return ShelterForm.DECENTRAAL, ShelterHours.DAY_AND_NIGHT
        form = _weighted(
            self.rng, [(ShelterForm.CENTRAAL, 60), (ShelterForm.DECENTRAAL, 30), (ShelterForm.EIGEN_NETWERK, 10)]
        )
        return form, ShelterHours.DAY_AND_NIGHT

    def _instruments(self, perspective: str, form: str, admitted: dt.date, set_on: dt.date) -> dict:
        rng = self.rng
        ja, nee, nvt, onb = (InstrumentValue.JA, InstrumentValue.NEE, InstrumentValue.NVT, InstrumentValue.ONBEKEND)
        legal = perspective == "legalisering"
        ret = perspective == "terugkeer"
        chances = {
            "juridische_screening": [(ja, 85), (nee, 8), (onb, 7)],
            "juridische_begeleiding": ([(ja, 80), (nee, 15), (nvt, 5)] if legal else [(ja, 35), (nee, 50), (nvt, 15)]),
            "stabilisatie": [(ja, 40), (nee, 45), (nvt, 10), (onb, 5)],
            "sociale_begeleiding": [(ja, 90), (nee, 7), (onb, 3)],
            "woonbegeleiding": [(ja, 80 if form == ShelterForm.DECENTRAAL else 25), (nee, 50), (nvt, 20)],
            "activering": [(ja, 55), (nee, 40), (onb, 5)],
            "toekomstorientatie": [(ja, 60), (nee, 30), (onb, 10)],
            "terugkeerbegeleiding": ([(ja, 85), (nee, 10), (nvt, 5)] if ret else [(ja, 10), (nee, 40), (nvt, 50)]),
        }
        values = {}
        for code, options in chances.items():
            value = _weighted(rng, options)
            start = _between(rng, admitted, set_on) if value == ja else None
            values[code] = (value, start, None)
        return values


# --------------------------------------------------------------------------------------------------
# Case progress: LSO meetings, typed decisions, the guidance scenario, terms of stay, escalation
# --------------------------------------------------------------------------------------------------

#: Months of LSO meetings before the end date (case progress is recent; older trajectories have none).
MEETING_MONTHS = 18
#: The monthly LSO per municipality: (week of the month, weekday; 0 = Monday). None in August.
LSO_DAY = {
    "Amsterdam": (2, 1),
    "Eindhoven": (1, 3),
    "Groningen": (3, 2),
    "Rotterdam": (2, 3),
    "Utrecht": (3, 1),
}
RECESS_MONTH = 8
#: AVIM sits at the LSO table here; elsewhere only in the stuurgroep.
AVIM_AT_LSO = {"Eindhoven", "Rotterdam"}
#: Cluster meetings: (theme, perspective of the cases discussed or "" for any, national partner).
CLUSTERS = [
    ("Cluster terugkeer", "terugkeer", OrganisationType.DTV),
    ("Cluster legalisering", "legalisering", OrganisationType.IND),
    ("Cluster medische casuïstiek", "", None),
]
#: Months before the end date of the cluster meetings, the thematic meeting and the stuurgroep.
CLUSTER_MONTHS = (14, 8, 2)
THEME_MONTH = 5
STEERING_MONTH = 9
THEMES = {
    "Amsterdam": "LHBTI",
    "Eindhoven": "Vrouwen en gezinnen",
    "Groningen": "Zwaar inreisverbod en risicoanalyse",
    "Rotterdam": "Mensenhandel",
    "Utrecht": "Psychische kwetsbaarheid",
}
THEME_MINUTES = {
    "Amsterdam": "Deelnemer voelt zich niet veilig op de centrale locatie; de ngo zoekt een decentrale plek.",
    "Eindhoven": "Moeder met kind: het wijkteam en de ngo stemmen de zorg voor het kind af.",
    "Groningen": "Risicoanalyse besproken met AVIM; geen nieuwe signalen, afspraken blijven staan.",
    "Rotterdam": "Signalen van uitbuiting; de ngo verwijst naar CoMensha en de politie wordt ingelicht.",
    "Utrecht": "GGZ-behandeling loopt; de behandelaar adviseert rust en geen verhuizing.",
}
CLUSTER_MINUTES = {
    "terugkeer": "DT&V en ngo lopen de vertrekmogelijkheden na; ambassadegesprek wordt gepland.",
    "legalisering": "IND licht de stand van de aanvraag toe; de advocaat levert aanvullende stukken aan.",
    "": "Medische situatie besproken met de GGD-arts; behandeling gaat voor, daarna verder met het scenario.",
}
STEERING_THEME = "Voortgang van de pilot en capaciteit"
#: One case each goes to the MRT (multidisciplinair regieteam) for advice.
ESCALATING = ("Utrecht", "Amsterdam", "Groningen")
ESCALATION_CASES = [
    (
        "Terugkeer lukt niet: de ambassade geeft geen reisdocument af en legalisering is kansloos. "
        "Welk perspectief adviseert het MRT?",
        "Het MRT adviseert een laatste gezamenlijk ambassadegesprek en daarna een aanvraag buitenschuld.",
        "Ambassadegesprek gepland; de ngo bereidt met de advocaat de buitenschuldaanvraag voor.",
    ),
    (
        "Partijen verschillen van mening over voortzetting van de opvang tijdens een medische behandeling.",
        "Opvang voortzetten tot het einde van de behandeling; DT&V betrekt het BMA bij de vertrekplanning.",
        "Het LSO volgt het advies; nieuwe deeltermijn na afloop van de behandeling.",
    ),
    (
        "De identiteit kan niet worden vastgesteld en de deelnemer werkt wisselend mee. Hoe verder?",
        "Taalanalyse laten uitvoeren en duidelijke afspraken over medewerking vastleggen.",
        "Taalanalyse aangevraagd; bij de volgende bespreking besluit het LSO over voortzetting.",
    ),
]
#: How long the LSO extends a stay (days), where it does.
EXTENSION_DAYS = {"Amsterdam": 183, "Rotterdam": 91}
#: Custom steps next to the template steps: (description, responsible party).
CUSTOM_STEPS = [
    ("Medische rapportage opvragen bij de huisarts", "ngo"),
    ("Taalcursus Nederlands afronden", "ngo"),
    ("Aanmelden bij IOM voor herintegratieondersteuning", "ngo"),
    ("Advocaat zoeken voor een herhaalde aanvraag", "ngo"),
    ("Vertrekgesprek met de deelnemer", "dtv"),
    ("Dossieronderzoek naar eerdere aanvragen", "ind"),
    ("Verblijfsgeschiedenis en regiobinding vastleggen", "gemeente"),
    ("Zorgindicatie aanvragen via het wijkteam", "gemeente"),
]
#: The stuck case per perspective: (step, responsible party, stuck cause, summary of the review).
STUCK_STEPS = {
    "terugkeer": (
        "Reisdocument aanvragen bij de ambassade",
        "dtv",
        StuckCause.COUNTRY,
        "De ambassade werkt niet mee aan een reisdocument; DT&V ziet geen andere route.",
    ),
    "legalisering": (
        "Advies van het Bureau Medische Advisering afwachten",
        "ind",
        StuckCause.MEDICAL,
        "Het BMA-advies blijft uit; de behandeling loopt en de deelnemer is niet reisbaar.",
    ),
    "": (
        "Identiteit vaststellen met een taalanalyse",
        "ind",
        StuckCause.IDENTITY,
        "Identiteit en nationaliteit zijn niet vast te stellen; de taalanalyse bracht geen uitsluitsel.",
    ),
}
SIGNAL_STEP = ("Identiteitsdocument laten overkomen uit het land van herkomst", "ngo")
DELAY_CAUSES = [
    (DelayCause.OUTSIDE_PARTY, 40),
    (DelayCause.MORE_GUIDANCE, 25),
    (DelayCause.NON_COOPERATION, 15),
    (DelayCause.ON_TRACK, 20),
]
REVIEW_SUMMARIES = {
    DelayCause.OUTSIDE_PARTY: [
        "De ambassade heeft nog niet gereageerd; DT&V rappelleert.",
        "Wacht op de beslissing van de IND.",
        "De zitting bij de rechtbank is uitgesteld.",
    ],
    DelayCause.MORE_GUIDANCE: [
        "Deelnemer heeft meer ondersteuning nodig; de begeleider plant extra gesprekken.",
        "Eerst stabilisatie en zorg; daarna verder met deze stap.",
    ],
    DelayCause.NON_COOPERATION: [
        "Deelnemer kwam niet op de afspraken en is daarop aangesproken.",
        "Deelnemer weigert het gesprek; het LSO geeft een laatste kans.",
    ],
    DelayCause.ON_TRACK: ["Loopt volgens plan; de deeltermijn is in overleg bijgesteld."],
}
STUCK_CAUSES = {
    "terugkeer": [(StuckCause.COUNTRY, 3), (StuckCause.IDENTITY, 3), (StuckCause.NO_GROUND, 2)],
    "legalisering": [(StuckCause.OUTSIDE_PARTY, 3), (StuckCause.MEDICAL, 2)],
    "doormigratie": [(StuckCause.IDENTITY, 1), (StuckCause.OUTSIDE_PARTY, 1)],
}
WAIVER_REASONS = [
    "Niet meer nodig: het perspectief is gewijzigd.",
    "Vervalt: de IND heeft het dossier zelf al opgevraagd.",
    "Vervalt op advies van de advocaat.",
]
POSITIONS = [
    "Gemeente: opvang beëindigen na afloop van de termijn. Ngo: verlengen, de medische rapportage volgt "
    "binnen zes weken. DT&V: geen bezwaar tegen een korte verlenging.",
    "Gemeente: verlengen met drie maanden. IND: de aanvraag maakt weinig kans, verlenging is niet nodig. "
    "Ngo: verlengen tot de beslissing op de aanvraag.",
]
MINUTES_LSO = [
    "Alle partijen delen de inschatting; de ngo koppelt over vier weken terug.",
    "DT&V en ngo plannen samen een gesprek over de mogelijkheden van vertrek.",
    "IND bevestigt dat de aanvraag in behandeling is; de beslistermijn loopt.",
    "Deelnemer houdt zich aan de afspraken; volgende bespreking na de deeltermijn.",
    "De gemeente vraagt de ngo het dossier bij te werken voor de volgende bespreking.",
    "Zorgen over de gezondheid; huisarts en wijkteam worden ingeschakeld.",
]
MINUTES_ORGANISATION = [
    "Intern: deelnemer vertelde de begeleider bang te zijn voor terugkeer.",
    "Intern: de advocaat verwacht weinig van een herhaalde aanvraag; nog niet met de deelnemer besproken.",
    "Intern: spanningen met een medebewoner; niet gedeeld met de ketenpartners.",
    "Intern: de begeleider maakt zich zorgen over het middelengebruik.",
]


def _month_back(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


def _nth_weekday(year: int, month: int, week: int, weekday: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


class Progress:
    """The case-progress layer. Meetings are created first; each trajectory's agenda items, decisions,
    steps and minutes are then planned together with its other steps and run in date order, so every
    LSO decision meets the trajectory as it was on the day of the meeting (a later outflow, say, has
    not happened yet). Has its own random stream: the rest of the demo data does not change with it."""

    def __init__(self, rng: random.Random, actors: dict, end: dt.date):
        self.rng, self.actors, self.end = rng, actors, end
        year, month = _month_back(end, MEETING_MONTHS - 1)
        self.start = max(START, dt.date(year, month, 1))
        self.meetings: dict[str, list[Meeting]] = {city: [] for city in CITIES}
        self.decider: dict[int, User] = {}  # meeting id → the chair who records its decisions
        self.focus: dict[int, str] = {}  # cluster meeting id → perspective of its cases ("" = any)
        self.picked: Counter = Counter()  # cluster/thematic meeting id → cases on its agenda
        self.escalated: list[tuple[str, int]] = []  # (municipality, index in ESCALATION_CASES)
        self.stuck: set[str] = set()  # municipalities that have their stuck case
        self.templates: dict[str, list[StepTemplate]] = {}
        for template in StepTemplate.objects.order_by("perspective", "order", "id"):
            self.templates.setdefault(template.perspective, []).append(template)
        self.policies = {p.municipality.name: p for p in ProgressPolicy.objects.select_related("municipality")}
        self.national = {kind: actors[kind].organisation for kind in ("ind", "dtv", "avim")}
        #: Organisation id → the demo user who acts for it (completing a step it is responsible for).
        self.user_of: dict[int, User] = {actors[kind].organisation_id: actors[kind] for kind in ("ind", "dtv", "avim")}
        for city in CITIES:
            self.user_of[actors[city]["gemeente"].organisation_id] = actors[city]["gemeente"]
            self.user_of.update({org.pk: user for org, user in actors[city]["ngos"]})

    # -- meetings --------------------------------------------------------------------------------
    def create_meetings(self) -> None:
        """Monthly LSO meetings, three cluster meetings, one thematic meeting and one stuurgroep per
        municipality, none after the end date; each created on its own date."""
        planned = []
        for city in CITIES:
            week, weekday = LSO_DAY[city]
            for back in range(MEETING_MONTHS - 1, -1, -1):
                year, month = _month_back(self.end, back)
                if month != RECESS_MONTH:
                    planned.append((_nth_weekday(year, month, week, weekday), city, MeetingKind.LSO, "", ""))
            for back, (theme, perspective, _) in zip(CLUSTER_MONTHS, CLUSTERS, strict=True):
                day = _nth_weekday(*_month_back(self.end, back), 4, (weekday + 1) % 5)
                planned.append((day, city, MeetingKind.CLUSTER, theme, perspective))
            day = _nth_weekday(*_month_back(self.end, THEME_MONTH), 4, (weekday + 2) % 5)
            planned.append((day, city, MeetingKind.THEMATISCH, THEMES[city], ""))
            day = _nth_weekday(*_month_back(self.end, STEERING_MONTH), 4, (weekday + 3) % 5)
            planned.append((day, city, MeetingKind.STUURGROEP, STEERING_THEME, ""))
        order = list(CITIES)
        for day, city, kind, theme, perspective in sorted(planned, key=lambda m: (m[0], order.index(m[1]))):
            if not self.start <= day <= self.end:
                continue
            with clock.frozen(_moment(day, dt.time(8, 30))):
                meeting = self._meeting(city, kind, day, theme)
            self.meetings[city].append(meeting)
            if kind == MeetingKind.CLUSTER:
                self.focus[meeting.pk] = perspective

    def _meeting(self, city: str, kind: str, day: dt.date, theme: str) -> Meeting:
        entry = self.actors[city]
        gemeente = entry["gemeente"].organisation
        ngos = [org for org, _ in entry["ngos"]]
        # The regiegroep of NGOs chairs in Amsterdam (its user is an LSO chair); elsewhere the municipality.
        chairs = [(org, user) for org, user in entry["ngos"] if user.is_lso_chair]
        chair, decider = chairs[0] if chairs and kind != MeetingKind.STUURGROEP else (gemeente, entry["voorzitter"])
        national = [self.national["ind"], self.national["dtv"]]
        if kind == MeetingKind.LSO:
            present = [gemeente, *ngos, *national] + ([self.national["avim"]] if city in AVIM_AT_LSO else [])
        elif kind == MeetingKind.CLUSTER:
            partner = next(t for name, _, t in CLUSTERS if name == theme)
            present = [gemeente, ngos[0]] + ([self.national[partner]] if partner else [])
        elif kind == MeetingKind.THEMATISCH:
            present = [gemeente, *ngos]
        else:
            present = [gemeente, *ngos, *national, self.national["avim"]]
        meeting = meetings.meeting_create(
            actor=entry["gemeente"],
            municipality=entry["municipality"],
            kind=kind,
            date=day,
            chair=chair,
            present=[org for org in dict.fromkeys(present) if org != chair],
            theme=theme if kind != MeetingKind.LSO else "",
            fill_agenda=False,
        )
        self.decider[meeting.pk] = decider
        return meeting

    def close_meetings(self) -> None:
        """Past meetings are closed; the most recent LSO of each municipality stays open."""
        for city, mine in self.meetings.items():
            lsos = [m for m in mine if m.kind == MeetingKind.LSO]
            if not lsos:
                continue
            for meeting in mine:
                if meeting.date < lsos[-1].date:
                    meetings.meeting_close(actor=self.actors[city]["gemeente"], meeting=meeting)

    def current_meetings(self, today: dt.date) -> None:
        """Today's LSO in every municipality: the demo is used on the real date, which lies after the end
        date of the data once END has passed. The LSO is planned for the day the data are generated, its
        agenda filled as a user's new meeting would be (passed sub-deadlines, expiring and expired terms,
        cases without a perspective or long not discussed), and it is open for decisions; the meetings
        before it are closed."""
        with clock.frozen(_moment(today, dt.time(8, 30))):
            for city in CITIES:
                clerk = self.actors[city]["gemeente"]
                meeting = next((m for m in self.meetings[city] if m.kind == MeetingKind.LSO and m.date == today), None)
                if meeting is None:
                    meeting = self._meeting(city, MeetingKind.LSO, today, "")
                    self.meetings[city].append(meeting)
                meetings.agenda_fill(actor=clerk, meeting=meeting)
                for earlier in self.meetings[city]:
                    if earlier.date < today and not earlier.closed:
                        meetings.meeting_close(actor=clerk, meeting=earlier)

    def stay_until(self, slot: Slot) -> dt.date | None:
        """The term set at admission (as lvv.meetings.terms computes it), for planning."""
        policy = self.policies.get(slot.city)
        if policy is None:
            return None
        months = policy.max_stay_months
        heavy_ban = slot.city != "Utrecht" and slot.case is not None and slot.case.kiosk.get("heavy_entry_ban")
        if heavy_ban and policy.entry_ban_max_stay_months:
            months = min(m for m in (months, policy.entry_ban_max_stay_months) if m)
        return add_months(slot.decision_date, months) if months else None

    # -- planning one trajectory -----------------------------------------------------------------
    def plan(self, slot: Slot, steps: list, *, guide: User, intended: str) -> None:
        case = _CasePlan(self, slot, steps, guide)
        case.align_perspectives()
        if slot.role == "term":
            case.term_signal()
        elif not case.stuck_case(intended):
            case.general(intended)
            if slot.role == "overdue":
                case.overdue_signal()
        case.finish()

    # -- run (each with the clock frozen on its date by Runner._execute) -------------------------
    @staticmethod
    def _discuss(*, trajectory, meeting, detail, actions, clerk, decider, ctx) -> None:
        """One agenda item with its decisions, template steps and minutes."""
        item = meetings.agenda_add(actor=clerk, meeting=meeting, trajectory=trajectory, detail=detail)
        for action in actions:
            if action[0] == "decision":
                _, kind, fields, store = action
                if "step" in fields:
                    fields = {**fields, "step": ctx[fields["step"]]}
                decision = meetings.decision_record(actor=decider, item=item, kind=kind, **fields)
                if store:
                    ctx[store] = decision.escalation if kind == DecisionKind.ESCALATION else decision.step
            elif action[0] == "templates":
                _, perspective, keys = action
                created = meetings.steps_from_templates(
                    actor=clerk, trajectory=trajectory, perspective=perspective, start=meeting.date
                )
                by_description = {step.description: step for step in created}
                ctx.update({key: by_description[description] for key, description in keys})
            else:
                _, author, text, visibility = action
                meetings.minutes_add(actor=author, item=item, text=text, visibility=visibility)

    @staticmethod
    def _step_add(*, actor, trajectory, ctx, key, description, responsible, due_date) -> None:
        ctx[key] = meetings.step_add(
            actor=actor, trajectory=trajectory, description=description, responsible=responsible, due_date=due_date
        )

    def _step_complete(self, *, actor, ctx, key, done_on) -> None:
        step = ctx[key]
        meetings.step_complete(actor=self.user_of.get(step.responsible_id, actor), step=step, done_on=done_on)

    @staticmethod
    def _advice(*, actor, ctx, advice, advice_on, follow_up) -> None:
        meetings.escalation_record_advice(
            actor=actor, escalation=ctx["escalation"], advice=advice, advice_on=advice_on, follow_up=follow_up
        )


class _CasePlan:
    """The progress steps of one trajectory, planned before it runs (see Progress)."""

    def __init__(self, progress: Progress, slot: Slot, steps: list, guide: User):
        self.p, self.rng, self.slot, self.steps, self.guide = progress, progress.rng, slot, steps, guide
        self.clerk = progress.actors[slot.city]["gemeente"]
        self.admitted = slot.decision_date
        self.closed = slot.status == "closed"
        #: The last day something can happen: the outflow (nothing on that day itself) or the end date.
        self.last = slot.outflow_date if self.closed else progress.end
        self.latest = _plus(self.last, -1) if self.closed else self.last
        self.meetings = [m for m in progress.meetings[slot.city] if self.admitted < m.date <= self.latest]
        self.lsos = [m for m in self.meetings if m.kind == MeetingKind.LSO]
        self.agenda: dict[int, tuple[Meeting, list[str], list]] = {}
        self.ctx: dict = {}  # filled while running: step key → ScenarioStep, "escalation" → Escalation
        self.completions: list[tuple[dt.date, str]] = []
        #: The first LSO that recorded why the case is stuck: no step is done after it.
        self.stuck_from: dt.date | None = None

    # -- helpers ---------------------------------------------------------------------------------
    def add(self, day: dt.date, fn: Callable[..., object], **kwargs) -> None:
        self.steps.append((day, fn, kwargs))

    def discuss(self, meeting: Meeting, detail: str) -> list:
        _, details, actions = self.agenda.setdefault(meeting.pk, (meeting, [], []))
        if detail not in details:
            details.append(detail)
        return actions

    def decide(self, meeting: Meeting, detail: str, kind: str, store: str = "", **fields) -> None:
        self.discuss(meeting, detail).append(("decision", kind, fields, store))

    def lso_from(self, day: dt.date) -> Meeting | None:
        return next((m for m in self.lsos if m.date >= day), None)

    def complete(self, key: str, day: dt.date) -> None:
        self.completions.append((day, key))

    def responsible(self, party: str):
        if party == "ngo":
            return self.guide.organisation
        if party == "gemeente":
            return self.clerk.organisation
        return self.p.national[party]

    # -- the plan --------------------------------------------------------------------------------
    def perspectives(self) -> list[tuple[dt.date, str]]:
        """The generator's perspective decisions: (date, perspective)."""
        return [(day, kw["perspective"]) for day, fn, kw in self.steps if fn is trajectories.perspective_record]

    def align_perspectives(self) -> None:
        """The generator's perspective decisions were taken "in the LSO of" the last meeting before."""
        for day, fn, kw in self.steps:
            if fn is trajectories.perspective_record:
                meeting = next((m for m in reversed(self.lsos) if _plus(day, -45) <= m.date <= day), None)
                if meeting is not None:
                    kw["lso_meeting_date"] = meeting.date
                    self.discuss(meeting, "Perspectief bepalen")

    def stuck_case(self, intended: str) -> bool:
        """One running case per municipality that got stuck: a sub-deadline set in an LSO, reviewed
        after it passed with the cause of the delay and of being stuck, and no progress since (the
        stuck-cases report). Only a case whose other events are old enough qualifies."""
        city, end = self.slot.city, self.p.end
        if self.closed or self.slot.role or city in self.p.stuck:
            return False
        quiet = (trajectories.note_add, trajectories.trajectory_assign_organisations, Runner._add_v_number)
        quiet_from = max(day for day, fn, _ in self.steps if fn not in quiet)
        first = next((m for m in self.lsos if quiet_from <= m.date <= _plus(end, -140)), None)
        if first is None:
            return False
        due = _plus(first.date, 42)
        second = self.lso_from(_plus(due, 1))
        if second is None:
            return False
        self.p.stuck.add(city)
        history = self.perspectives()
        perspective = history[-1][1] if history else intended
        description, party, stuck, summary = STUCK_STEPS.get(perspective, STUCK_STEPS[""])
        self.decide(
            first,
            "Deeltermijn vaststellen",
            DecisionKind.STEP_SET,
            store="stuck",
            step_description=description,
            step_responsible=self.responsible(party),
            step_due_date=due,
        )
        self.decide(
            second,
            "Evaluatie deeltermijn",
            DecisionKind.STEP_REVIEW,
            step="stuck",
            delay_cause=DelayCause.OUTSIDE_PARTY,
            stuck_cause=stuck,
            new_due_date=_plus(second.date, 84),
            summary=summary,
        )
        return True

    def general(self, intended: str) -> None:
        rng = self.rng
        if not self.meetings:
            return
        history = self.perspectives()
        if not history:  # no perspective from the generator: the LSO records one
            meeting = self.lso_from(_plus(self.admitted, 42))
            if meeting is not None and rng.random() < 0.6:
                history = [(meeting.date, intended)]
                self.decide(
                    meeting,
                    "Perspectief bepalen",
                    DecisionKind.PERSPECTIVE,
                    perspective=intended,
                    perspective_status=PerspectiveStatus.VOORLOPIG,
                    summary="Voorlopig perspectief na bespreking met alle partijen.",
                )
        perspective = history[-1][1] if history else ""
        meeting = self.lso_from(history[0][0]) if history else None
        if meeting is not None and rng.random() < 0.85:
            # The scenario of the perspective that holds on the day of the meeting.
            perspective = [kind for day, kind in history if day <= meeting.date][-1]
            templates = self.p.templates.get(perspective, [])
            if templates:
                label = PerspectiveKind(perspective).label.lower()
                self.decide(
                    meeting,
                    "Begeleidingsscenario vaststellen",
                    DecisionKind.SCENARIO,
                    summary=f"Scenario {label}: stappen en deeltermijnen volgens het sjabloon.",
                )
                keys = [(f"t{i}", t.description) for i, t in enumerate(templates)]
                self.discuss(meeting, "Begeleidingsscenario vaststellen").append(("templates", perspective, keys))
                for (key, _), template in zip(keys, templates, strict=True):
                    self.follow(key, meeting.date, _plus(meeting.date, template.due_after_days), perspective)
        if rng.random() < 0.3:
            self.custom_step(perspective)
        self.term()
        self.escalation(perspective)
        self.side_meetings(perspective)

    def custom_step(self, perspective: str) -> None:
        rng = self.rng
        description, party = rng.choice(CUSTOM_STEPS)
        responsible = self.responsible(party)
        if rng.random() < 0.5 and self.lsos:
            meeting = rng.choice(self.lsos)
            due = _plus(meeting.date, rng.choice([42, 56, 90]))
            self.decide(
                meeting,
                "Deeltermijn vaststellen",
                DecisionKind.STEP_SET,
                store="c",
                step_description=description,
                step_responsible=responsible,
                step_due_date=due,
            )
            self.follow("c", meeting.date, due, perspective)
            return
        first = max(_plus(self.admitted, 7), self.p.start)
        if first >= self.latest:
            return
        day = _between(rng, first, _plus(self.latest, -1))
        due = _plus(day, rng.choice([30, 60, 90]))
        self.add(
            day,
            self.p._step_add,
            actor=self.clerk,
            trajectory=TRAJECTORY,
            ctx=self.ctx,
            key="c",
            description=description,
            responsible=responsible,
            due_date=due,
        )
        self.follow("c", day, due, perspective)

    def follow(self, key: str, created: dt.date, due: dt.date, perspective: str) -> None:
        """What becomes of a step: done (on time or late), waived, or overdue; an overdue step is
        reviewed in a later LSO (with the cause of the delay, sometimes the cause of being stuck, and
        a new sub-deadline) or stays overdue without review."""
        rng = self.rng
        if due > self.latest:  # not due during the trajectory; sometimes done early
            if rng.random() < 0.25 and _days(created, self.latest) > 14:
                self.complete(key, _plus(created, rng.randint(7, _days(created, self.latest))))
            return
        roll = rng.random()
        if roll < 0.6:
            done = min(max(_plus(due, rng.randint(-20, 21)), _plus(created, 1)), self.latest)
            if done > created:
                self.complete(key, done)
            return
        if roll < 0.65:
            meeting = self.lso_from(_plus(due, 1))
            if meeting is not None:
                self.decide(
                    meeting,
                    "Stap laten vervallen",
                    DecisionKind.STEP_WAIVED,
                    step=key,
                    summary=rng.choice(WAIVER_REASONS),
                )
            return
        for _ in range(3):
            meeting = self.lso_from(_plus(due, 1))
            if meeting is None or rng.random() < 0.25:
                return  # overdue, not (yet) reviewed
            cause = _weighted(rng, DELAY_CAUSES)
            stuck = ""
            if cause != DelayCause.ON_TRACK and rng.random() < 0.4:
                stuck = (
                    StuckCause.NON_COOPERATION
                    if cause == DelayCause.NON_COOPERATION
                    else _weighted(rng, STUCK_CAUSES.get(perspective) or STUCK_CAUSES["terugkeer"])
                )
            new_due = _plus(meeting.date, rng.choice([28, 42, 56, 84]))
            self.decide(
                meeting,
                "Evaluatie deeltermijn",
                DecisionKind.STEP_REVIEW,
                step=key,
                delay_cause=cause,
                stuck_cause=stuck,
                new_due_date=new_due,
                summary=rng.choice(REVIEW_SUMMARIES[cause]),
            )
            if stuck:
                self.stuck_from = min(self.stuck_from or meeting.date, meeting.date)
                return
            if new_due > self.latest:
                return
            if rng.random() < 0.55:
                latest_done = min(_plus(new_due, 14), self.latest)
                if _days(meeting.date, latest_done) > 7:
                    self.complete(key, _plus(meeting.date, rng.randint(7, _days(meeting.date, latest_done))))
                return
            due = new_due

    def term(self) -> None:
        """Amsterdam and Rotterdam: at the LSO before a term ends the stay of somebody who stays on is
        mostly extended (again and again); the others end up in the "term expired" signal."""
        extension = EXTENSION_DAYS.get(self.slot.city)
        until = self.p.stay_until(self.slot)
        if not extension or until is None:
            return
        rng, detail = self.rng, "Verblijfstermijn loopt af"
        months = round(extension / DAYS_PER_MONTH)
        extending = rng.random() < 0.85  # whether the LSO keeps extending while the case moves on
        if until < self.p.start and self.lsos and extending:
            # A term that passed before the LSO kept minutes here: the first LSO sets a new one.
            meeting = self.lsos[0]
            until = _plus(meeting.date, extension)
            self.decide(
                meeting,
                "Verblijfstermijn verlopen",
                DecisionKind.EXTENSION,
                extended_until=until,
                summary=f"Termijn al verstreken; verlengd met {months} maanden om het scenario af te ronden.",
            )
        while until <= min(self.p.end, self.latest):
            before = [m for m in self.lsos if _plus(until, -60) <= m.date < until]  # summer recess
            if not before:
                return
            meeting, roll = before[-1], rng.random()
            if (extending and _days(until, self.last) > 30) or roll < 0.1:
                self.decide(
                    meeting,
                    detail,
                    DecisionKind.EXTENSION,
                    extended_until=_plus(until, extension),
                    summary=f"Verlengd met {months} maanden: het perspectief is in zicht.",
                )
                until = _plus(until, extension)
                continue
            roll = rng.random()
            if roll < 0.35:
                self.decide(meeting, detail, DecisionKind.NO_AGREEMENT, positions=rng.choice(POSITIONS))
            elif roll < 0.5:
                text = "Termijn loopt af; de ngo bereidt met de deelnemer het vertrek uit de opvang voor."
                self.discuss(meeting, detail).append(("minutes", self.clerk, text, MinutesVisibility.LSO))
            return

    def escalation(self, perspective: str) -> None:
        """One long-running case in a few municipalities goes to the MRT; its advice comes back."""
        city, escalated = self.slot.city, self.p.escalated
        if city not in ESCALATING or city in {c for c, _ in escalated} or self.closed or self.slot.role:
            return
        if _days(self.admitted, self.p.end) < 365:
            return
        meeting = self.lso_from(_plus(self.p.end, -120))
        if meeting is None:
            return
        advice_on = _plus(meeting.date, self.rng.randint(14, 35))
        if advice_on > self.p.end:
            return
        # The question that fits the perspective (each case once).
        preference = {"terugkeer": (0, 2, 1), "legalisering": (1, 2, 0)}.get(perspective, (2, 1, 0))
        index = next(i for i in preference if i not in {i for _, i in escalated})
        question, advice, follow_up = ESCALATION_CASES[index]
        escalated.append((city, index))
        self.decide(
            meeting,
            "Escalatie naar het MRT",
            DecisionKind.ESCALATION,
            store="escalation",
            question=question,
            summary="Geen voortgang; het LSO vraagt het MRT om advies.",
        )
        self.add(
            advice_on,
            self.p._advice,
            actor=self.clerk,
            ctx=self.ctx,
            advice=advice,
            advice_on=advice_on,
            follow_up=follow_up,
        )
        after = self.lso_from(_plus(advice_on, 1))
        if after is not None:
            self.decide(after, "Advies MRT terug", DecisionKind.SCENARIO, summary=f"Advies MRT besproken. {follow_up}")

    def side_meetings(self, perspective: str) -> None:
        """A few cases on the agenda of a cluster meeting (by perspective) or the thematic meeting."""
        rng, city = self.rng, self.slot.city
        for meeting in self.meetings:
            if meeting.kind == MeetingKind.CLUSTER:
                focus = self.p.focus[meeting.pk]
                if (focus and focus != perspective) or self.p.picked[meeting.pk] >= 4 or rng.random() > 0.15:
                    continue
                text = CLUSTER_MINUTES[focus]
            elif meeting.kind == MeetingKind.THEMATISCH:
                if self.p.picked[meeting.pk] >= 3 or rng.random() > 0.06:
                    continue
                text = THEME_MINUTES[city]
            else:
                continue
            self.p.picked[meeting.pk] += 1
            self.discuss(meeting, meeting.theme).append(("minutes", self.clerk, text, MinutesVisibility.LSO))

    def overdue_signal(self) -> None:
        """The "overdue" case: a step whose sub-deadline passes shortly before the end date, unreviewed."""
        description, party = SIGNAL_STEP
        due = _plus(self.p.end, -self.rng.randint(4, 10))
        meeting = next((m for m in reversed(self.lsos) if m.date < _plus(due, -14)), None)
        if meeting is not None:
            self.decide(
                meeting,
                "Deeltermijn vaststellen",
                DecisionKind.STEP_SET,
                store="signal",
                step_description=description,
                step_responsible=self.responsible(party),
                step_due_date=due,
            )
            return
        day = min(_plus(self.admitted, 1), _plus(due, -1))
        self.add(
            day,
            self.p._step_add,
            actor=self.clerk,
            trajectory=TRAJECTORY,
            ctx=self.ctx,
            key="signal",
            description=description,
            responsible=self.responsible(party),
            due_date=due,
        )

    def term_signal(self) -> None:
        """The "term" case: its term ends four weeks after the end date; where it had already passed,
        the last LSO extends it until then."""
        until = self.p.stay_until(self.slot)
        target = _plus(self.p.end, 28)
        if until is None or until >= _plus(self.p.end, 14) or not self.lsos:
            return
        self.decide(
            self.lsos[-1],
            "Verblijfstermijn verlopen",
            DecisionKind.EXTENSION,
            extended_until=target,
            summary="Laatste verlenging om het vertrek af te ronden.",
        )

    def finish(self) -> None:
        """The steps done (none after the case got stuck), minutes on some items, and every agenda
        item as one step on its meeting's date."""
        rng = self.rng
        for day, key in self.completions:
            if self.stuck_from is None or day <= self.stuck_from:
                self.add(day, self.p._step_complete, actor=self.clerk, ctx=self.ctx, key=key, done_on=day)
        for meeting, details, actions in self.agenda.values():
            if rng.random() < 0.35:
                actions.append(("minutes", self.clerk, rng.choice(MINUTES_LSO), MinutesVisibility.LSO))
            if rng.random() < 0.15:
                text = rng.choice(MINUTES_ORGANISATION)
                actions.append(("minutes", self.guide, text, MinutesVisibility.ORGANISATIE))
            self.add(
                meeting.date,
                self.p._discuss,
                trajectory=TRAJECTORY,
                meeting=meeting,
                detail="; ".join(details),
                actions=actions,
                clerk=self.clerk,
                decider=self.p.decider[meeting.pk],
                ctx=self.ctx,
            )


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    created: bool
    users: int = 0
    persons: int = 0
    trajectories: int = 0
    per_municipality: dict = field(default_factory=dict)
    outflow: dict = field(default_factory=dict)
    meetings: int = 0
    decisions: int = 0
    steps: int = 0


def generate(*, size: int = DEFAULT_SIZE, seed: int = SEED, password: str | None = None) -> Summary:
    """Create the demo data in one transaction; does nothing when demo users already exist."""

    if demo_data_present():
        return Summary(created=False)
    if Person.objects.exists():
        raise ApplicationError(
            "De database bevat al personen maar geen demogebruikers; laad demodata alleen in een lege database."
        )
    end = min(END, clock.today())
    rng = random.Random(seed)
    with _large_sqlite_cache(), transaction.atomic():
        load_reference_data()  # idempotent; `lvv demo` has already run it
        actors = _create_users_and_ngos(password or demo_password())
        _create_capacity()
        policies = ProgressPolicy.objects.select_related("municipality")
        slots = Planner(rng, size, end, {p.municipality.name: p.max_stay_months for p in policies}).plan()
        # Case progress has its own random stream: the trajectories are the same with or without it.
        progress = Progress(random.Random(f"{seed}:voortgang"), actors, end)
        progress.create_meetings()
        Runner(rng, actors, end, progress).run(slots)
        progress.close_meetings()
        progress.current_meetings(clock.today())
    return summarise()


@contextlib.contextmanager
def _large_sqlite_cache() -> Iterator[None]:
    """One big transaction overflows SQLite's default 2 MB page cache; give this connection 128 MB."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -131072")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def summarise() -> Summary:
    from django.db.models import Count

    per_municipality = {
        row["municipality__name"]: row["n"]
        for row in Trajectory.objects.values("municipality__name").annotate(n=Count("id")).order_by("-n")
    }
    categories = dict(OutcomeCategory.choices)
    outflow = Counter()
    outflowed = Trajectory.objects.filter(outcome__isnull=False)
    for row in outflowed.values("outcome__category").annotate(n=Count("id")):
        outflow[str(categories[row["outcome__category"]])] += row["n"]
    return Summary(
        created=True,
        users=User.objects.filter(username__in=demo_usernames()).count(),
        persons=Person.objects.count(),
        trajectories=Trajectory.objects.count(),
        per_municipality=per_municipality,
        outflow=dict(outflow),
        meetings=Meeting.objects.count(),
        decisions=Decision.objects.count(),
        steps=ScenarioStep.objects.count(),
    )
