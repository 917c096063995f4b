"""The OpenAPI 3.0 document of the API, served at /api/v1/openapi.json.

Written by hand as a dict (see docs/adr/0003-api.md): the views are few, and a hand-kept document
lets every rule of the NL API Design Rules be met exactly (API-Version on every response, problem
details on every error, no trailing slashes). The column lists and code lists come from the code
that checks deliveries and computes the monitor, so they cannot drift; a test validates the document
(openapi-spec-validator), checks that every route is in it and the other way round, validates real
responses against its schemas, and runs the official Spectral ruleset on it.

One module over 600 lines on purpose: it is one document, whose paths and schemas refer to each
other by name; split over files, a reader would have to assemble it to check it against the rules."""

from __future__ import annotations

import copy
import functools

from django.conf import settings

from lvv.demo.reference_data import OUTCOME_CODES
from lvv.exchange.delivery import (
    CAPACITY_COLUMNS,
    DECISIONS,
    INSTRUMENT_CHOICES,
    PERSPECTIVES,
    SEXES,
    SHELTER_FORMS,
    TRAJECTORY_COLUMNS,
)
from lvv.monitor.indicators import (
    BASES,
    BASIS_TRAJECTEN,
    DECISION_REASONS,
    INDICATOR_NAMES,
    INSTRUMENT_VALUES,
    MONITOR_INSTRUMENTS,
    NO_DECISION,
    PERSPECTIVE_KINDS,
)

from . import definitions
from .problems import API_VERSION

BASE_PATH = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_CONTACT = {
    "name": "Programmabureau LVV (beheer lvv)",
    "email": "lvv-beheer@example.org",
    "url": "https://example.org/lvv",
}

_REF = "#/components/{}/{}"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": _REF.format(kind, name)}


VERSION_HEADER = {"API-Version": _ref("headers", "API-Version")}

# --- schemas of the delivery rows -----------------------------------------------------------------


def _text(description: str, **extra) -> dict:
    return {"type": "string", "nullable": True, "description": description, **extra}


def _date(description: str) -> dict:
    return _text(f"{description} (JJJJ-MM-DD)", format="date")


def _enum(description: str, values) -> dict:
    return _text(description, enum=[*values, "", None])


_YES_NO = ("ja", "nee")
TRAJECTORY_PROPERTIES = {
    "traject_id": {
        "type": "string",
        "maxLength": 40,
        "description": "Trajectnummer van de gemeente, uniek binnen de gemeente (verplicht).",
    },
    "gemeente": {"type": "string", "description": "Een bekende gemeente (verplicht); zie GET /gemeenten."},
    "persoon_id": _text("Persoonssleutel van de gemeente; verplicht als v_nummer leeg is.", maxLength=40),
    "v_nummer": _text("Precies 10 cijfers, of leeg.", pattern="^([0-9]{10})?$"),
    "geslacht": _enum("Geslacht (leeg = onbekend).", SEXES),
    "geboortejaar": {
        "description": "Geboortejaar (JJJJ), als tekst of als getal, of leeg.",
        "oneOf": [
            {"type": "string", "nullable": True, "pattern": "^([0-9]{4})?$"},
            {"type": "integer", "minimum": 1900},
        ],
    },
    "land_van_herkomst": _text("ISO 3166-1-code van twee letters, staatloos of onbekend (leeg = onbekend)."),
    "datum_aanmelding": {
        "type": "string",
        "format": "date",
        "description": "Datum van aanmelding (JJJJ-MM-DD, verplicht).",
    },
    "datum_toelating": _date("Datum van toelating"),
    "toelating_via_uitzondering": _enum("Toegelaten als uitzondering (leeg = nee).", _YES_NO),
    "opvangvorm": _enum("Opvangvorm; alleen bij een toelating.", SHELTER_FORMS),
    "perspectief": _enum("Perspectief; alleen bij een toelating, met datum_perspectief.", PERSPECTIVES),
    "datum_perspectief": _date("Datum waarop het perspectief is bepaald"),
    **{
        code: _enum(f"Instrument {code} (leeg = onbekend).", [v for v in INSTRUMENT_CHOICES if v != "onbekend"])
        for code in MONITOR_INSTRUMENTS
    },
    "datum_uitstroom": _date("Datum van uitstroom; samen met uitstroomreden"),
    "uitstroomreden": _enum("Uitstroomreden; samen met datum_uitstroom.", [code for code, *_ in OUTCOME_CODES]),
    "besluit_na_uitstroom": _enum("IND-besluit na uitstroom; alleen bij hasa en artikel_64.", DECISIONS),
    "datum_besluit": _date("Datum van het IND-besluit"),
}
CAPACITY_PROPERTIES = {
    "gemeente": {"type": "string", "description": "Een bekende gemeente (verplicht)."},
    "locatie": {"type": "string", "maxLength": 100, "description": "Naam van de opvanglocatie (verplicht)."},
    "plaatsen": {
        "description": "Aantal plaatsen, geheel getal van 0 of meer (als getal of als tekst; verplicht).",
        "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}],
    },
    "geldig_vanaf": {"type": "string", "format": "date", "description": "Eerste geldige dag (JJJJ-MM-DD)."},
    "geldig_tot": _date("Laatste geldige dag; leeg = open"),
}
assert tuple(TRAJECTORY_PROPERTIES) == TRAJECTORY_COLUMNS
assert tuple(CAPACITY_PROPERTIES) == CAPACITY_COLUMNS

EXAMPLE_ROW = {
    "traject_id": "AMS-1",
    "gemeente": "Amsterdam",
    "persoon_id": "A1",
    "v_nummer": "1000000001",
    "geslacht": "man",
    "geboortejaar": "1985",
    "land_van_herkomst": "IR",
    "datum_aanmelding": "2021-01-10",
    "datum_toelating": "2021-01-20",
    "toelating_via_uitzondering": "nee",
    "opvangvorm": "centraal",
    "perspectief": "terugkeer",
    "datum_perspectief": "2021-03-01",
    "juridische_screening": "ja",
    "juridische_begeleiding": "nee",
    "activering": "ja",
    "sociale_begeleiding": "ja",
    "toekomstorientatie": None,
    "terugkeerbegeleiding": "ja",
    "datum_uitstroom": "2021-09-15",
    "uitstroomreden": "zelfstandig_vertrek",
    "besluit_na_uitstroom": None,
    "datum_besluit": None,
}
EXAMPLE_CSV = (
    ",".join(TRAJECTORY_COLUMNS)
    + "\n"
    + ",".join("" if EXAMPLE_ROW[c] is None else EXAMPLE_ROW[c] for c in TRAJECTORY_COLUMNS)
    + "\n"
)
EXAMPLE_CAPACITY = [
    {"gemeente": "Amsterdam", "locatie": "Amsterdam", "plaatsen": 360, "geldig_vanaf": "2019-01-01", "geldig_tot": None}
]

# --- schemas of the monitor -----------------------------------------------------------------------


def _count(description: str) -> dict:
    return {"type": "integer", "minimum": 0, "description": description}


def _ratio(description: str) -> dict:
    return {"type": "number", "nullable": True, "description": description}


def _counts(names, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {name: {"type": "integer", "minimum": 0} for name in names},
        "required": list(names),
        "additionalProperties": False,
    }


def _indicator_schema(name: str) -> dict:
    description = definitions.INDICATORS.get(name, "Zie docs/indicatoren.md.")
    if name in ("uitstroom_per_reden",):
        return {
            "type": "object",
            "description": description,
            "additionalProperties": {"type": "integer", "minimum": 0},
        }
    if name == "perspectief_per_soort":
        return _counts(PERSPECTIVE_KINDS, description)
    if name == "besluiten":
        return {
            "type": "object",
            "description": description,
            "properties": {
                reason: _counts((*("inwilliging", "afwijzing"), NO_DECISION), reason) for reason in DECISION_REASONS
            },
            "required": list(DECISION_REASONS),
            "additionalProperties": False,
        }
    if name == "instrumenten":
        return {
            "type": "object",
            "description": description,
            "properties": {code: _counts(INSTRUMENT_VALUES, code) for code in MONITOR_INSTRUMENTS},
            "required": list(MONITOR_INSTRUMENTS),
            "additionalProperties": False,
        }
    if name.startswith(("aandeel_", "bezettingsgraad", "doorlooptijd_")):
        return _ratio(description)
    return _count(description)


# --- the document ---------------------------------------------------------------------------------


def _problem_response(description: str, example_status: int, example_detail: str, invalid=None) -> dict:
    from .problems import TITLES, TYPES

    example = {
        "type": TYPES[example_status],
        "title": TITLES[example_status],
        "status": example_status,
        "detail": example_detail,
        "instance": f"{BASE_PATH}/leveringen",
    }
    if invalid:
        example["invalidParams"] = invalid
    return {
        "description": description,
        "headers": VERSION_HEADER,
        "content": {"application/problem+json": {"schema": _ref("schemas", "Problem"), "example": example}},
    }


def _ok(description: str, schema: dict, example=None, media_type: str = "application/json") -> dict:
    content: dict = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"description": description, "headers": VERSION_HEADER, "content": {media_type: content}}


def _secured_errors(*, with_400: bool = False, upload: bool = False) -> dict:
    responses = {}
    if with_400:
        responses["400"] = _ref("responses", "BadRequest")
    responses["401"] = _ref("responses", "Unauthorized")
    responses["403"] = _ref("responses", "Forbidden")
    if upload:
        responses["413"] = _ref("responses", "PayloadTooLarge")
        responses["415"] = _ref("responses", "UnsupportedMediaType")
    responses["500"] = _ref("responses", "InternalServerError")
    return responses


def _delivery_operation(*, kind: str) -> dict:
    trajectories = kind == "trajecten"
    row = "Trajectregel" if trajectories else "Capaciteitsregel"
    json_example = [EXAMPLE_ROW] if trajectories else EXAMPLE_CAPACITY
    csv_example = (
        EXAMPLE_CSV
        if trajectories
        else "gemeente,locatie,plaatsen,geldig_vanaf,geldig_tot\nAmsterdam,Amsterdam,360,2019-01-01,\n"
    )
    if trajectories:
        summary = "Trajecten aanleveren (aanleverformaat v1)"
        description = (
            "Een trajectbestand in het uniforme aanleverformaat v1 (docs/aanleverformat.md): als JSON-array "
            "van regels met de kolommen van het formaat, of als het CSV- of XLSX-bestand zelf. Dezelfde "
            "controles als `lvv import`, alles of niets: met één fout wordt niets ingelezen en staan alle "
            "fouten samen in het antwoord (400). Regels worden gekoppeld op gemeente + traject_id; dezelfde "
            "levering nog eens verandert niets. Alleen een gemeente levert aan, en alleen voor de eigen "
            "gemeente (anders 403)."
        )
    else:
        summary = "Capaciteit aanleveren (aanleverformaat v1)"
        description = (
            "Een capaciteitsbestand: per locatie de opvangplaatsen en hun geldigheid. Per genoemde locatie "
            "vervangen de regels het register. Dezelfde controles als `lvv import`, alles of niets. Alleen "
            "een gemeente levert aan, en alleen voor de eigen gemeente (anders 403)."
        )
    return {
        "tags": ["Aanleveren"],
        "operationId": "trajectenAanleveren" if trajectories else "capaciteitAanleveren",
        "summary": summary,
        "description": description,
        "parameters": [_ref("parameters", "controleer")],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": _ref("schemas", row)},
                    "example": json_example,
                },
                "text/csv": {"schema": {"type": "string"}, "example": csv_example},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        "responses": {
            "200": _ok(
                "De levering is gecontroleerd en (zonder `controleer=true`) ingelezen.",
                _ref("schemas", "Leveringsresultaat"),
            ),
            **_secured_errors(with_400=True, upload=True),
        },
    }


def _build() -> dict:
    monitor_example_note = "Zie GET /indicatoren voor de definities."
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "LVV-informatiesysteem API",
            "version": API_VERSION,
            "description": (
                "Aanleveren in het uniforme aanleverformaat v1 en de landelijke monitor van de Landelijke "
                "Vreemdelingenvoorziening (LVV) lezen. Authenticatie met een API-token per organisatie "
                "(`Authorization: Bearer …`). Fouten volgen RFC 9457 (`application/problem+json`); bij "
                "ongeldige invoer staan alle fouten samen in `invalidParams`. Elk antwoord heeft de header "
                "`API-Version`. Documentatie: docs/api.md."
            ),
            "contact": getattr(settings, "LVV_API_CONTACT", DEFAULT_CONTACT),
            "license": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/nl/"},
        },
        "servers": [{"url": BASE_PATH, "description": "Deze installatie van lvv"}],
        "tags": [
            {"name": "Aanleveren", "description": "Leveringen in het aanleverformaat v1 (alles of niets)."},
            {"name": "Monitor", "description": "De landelijke monitor op een peildatum."},
            {"name": "Referentie", "description": "Gemeenten en definities."},
            {"name": "Documentatie", "description": "Dit document."},
        ],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/leveringen": {"post": _delivery_operation(kind="trajecten")},
            "/capaciteit": {"post": _delivery_operation(kind="capaciteit")},
            "/monitor": {
                "get": {
                    "tags": ["Monitor"],
                    "operationId": "monitorOpvragen",
                    "summary": "De landelijke monitor op een peildatum",
                    "description": (
                        "Dezelfde JSON als `lvv monitor --format json`: `peildatum`, `basis`, `landelijk` en "
                        "`per_gemeente`. Het programmabureau ziet alle gemeenten; een gemeente ziet de "
                        "landelijke cijfers en die van de eigen gemeente (een andere gemeente: 403). Andere "
                        "organisaties: 403. " + monitor_example_note
                    ),
                    "parameters": [
                        _ref("parameters", "peildatum"),
                        _ref("parameters", "basis"),
                        _ref("parameters", "gemeente"),
                    ],
                    "responses": {
                        "200": _ok("De monitor.", _ref("schemas", "Monitor")),
                        **_secured_errors(with_400=True),
                    },
                }
            },
            "/gemeenten": {
                "get": {
                    "tags": ["Referentie"],
                    "operationId": "gemeentenOpvragen",
                    "summary": "De gemeenten die lvv kent",
                    "description": "De namen zoals de kolom `gemeente` van een levering en de parameter "
                    "`gemeente` van de monitor ze verwachten.",
                    "responses": {
                        "200": _ok(
                            "De gemeenten.",
                            {"type": "array", "items": _ref("schemas", "Gemeente")},
                            [{"naam": "Amsterdam", "regio": "Amsterdam-Amstelland", "heeft_lvv": True}],
                        ),
                        "401": _ref("responses", "Unauthorized"),
                        "500": _ref("responses", "InternalServerError"),
                    },
                }
            },
            "/indicatoren": {
                "get": {
                    "tags": ["Referentie"],
                    "operationId": "indicatorenOpvragen",
                    "summary": "De definities van de bases en indicatoren van de monitor",
                    "description": (
                        "Het contract staat in docs/indicatoren.md; de namen blijven altijd hetzelfde betekenen."
                    ),
                    "responses": {
                        "200": _ok("De definities.", _ref("schemas", "Definities")),
                        "401": _ref("responses", "Unauthorized"),
                        "500": _ref("responses", "InternalServerError"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "tags": ["Documentatie"],
                    "operationId": "openapiOpvragen",
                    "summary": "Dit OpenAPI-document",
                    "description": "Openbaar, zonder token.",
                    "security": [],
                    "responses": {
                        "200": _ok("Het OpenAPI-document.", {"type": "object"}),
                        "500": _ref("responses", "InternalServerError"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "lvv_<sleutel-id>.<geheim>",
                    "description": "Een API-token van de organisatie, gemaakt met `lvv manage lvv_api_token`.",
                }
            },
            "headers": {
                "API-Version": {
                    "description": "De volledige versie van de API (semver).",
                    "required": True,
                    "schema": {"type": "string", "example": API_VERSION},
                }
            },
            "parameters": {
                "peildatum": {
                    "name": "peildatum",
                    "in": "query",
                    "required": True,
                    "description": "Gebeurtenissen tot en met deze datum tellen mee (JJJJ-MM-DD).",
                    "schema": {"type": "string", "format": "date"},
                    "example": "2022-07-01",
                },
                "basis": {
                    "name": "basis",
                    "in": "query",
                    "required": False,
                    "description": "trajecten (de monitor, standaard) of personen (de evaluatie).",
                    "schema": {"type": "string", "enum": list(BASES), "default": BASIS_TRAJECTEN},
                },
                "gemeente": {
                    "name": "gemeente",
                    "in": "query",
                    "required": False,
                    "description": "Alleen deze gemeente onder per_gemeente (landelijk blijft het hele land).",
                    "schema": {"type": "string"},
                    "example": "Amsterdam",
                },
                "controleer": {
                    "name": "controleer",
                    "in": "query",
                    "required": False,
                    "description": "true: alleen controleren, niets inlezen (zoals `lvv import --controleer`).",
                    "schema": {"type": "boolean", "default": False},
                },
            },
            "responses": {
                "BadRequest": _problem_response(
                    "Ongeldige invoer: alle fouten van het verzoek samen in invalidParams; er is niets veranderd.",
                    400,
                    "De levering heeft 2 fout(en); er is niets ingelezen.",
                    [
                        {
                            "name": "v_nummer",
                            "reason": "Een V-nummer bestaat uit precies 10 cijfers. (gevonden: '12')",
                            "line": 2,
                            "pointer": "/0/v_nummer",
                        },
                        {
                            "name": "uitstroomreden",
                            "reason": "is verplicht bij datum_uitstroom",
                            "line": 3,
                            "pointer": "/1/uitstroomreden",
                        },
                    ],
                ),
                "Unauthorized": _problem_response(
                    "Geen of een onbekende of ingetrokken API-token.", 401, "De API-token is onbekend of ingetrokken."
                ),
                "Forbidden": _problem_response(
                    "De organisatie van de token mag dit niet.",
                    403,
                    "Gemeente Amsterdam levert alleen aan voor Amsterdam.",
                ),
                "PayloadTooLarge": _problem_response("De body is te groot.", 413, "De body is groter dan 100 MB."),
                "UnsupportedMediaType": _problem_response(
                    "Een Content-Type dat dit pad niet kent.",
                    415,
                    "Lever aan als application/json, text/csv of XLSX.",
                ),
                "InternalServerError": _problem_response(
                    "Een onverwachte fout; er is niets veranderd.", 500, "Er ging iets mis; probeer het later opnieuw."
                ),
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "Probleemdetails volgens RFC 9457.",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string", "description": "URN van het soort probleem (docs/api.md)."},
                        "title": {"type": "string", "description": "Korte omschrijving van het soort probleem."},
                        "status": {"type": "integer", "minimum": 400, "maximum": 599},
                        "detail": {"type": "string", "description": "Uitleg voor dit verzoek, in het Nederlands."},
                        "instance": {"type": "string", "description": "Het pad van het verzoek."},
                        "invalidParams": {
                            "type": "array",
                            "description": "Alle fouten van het verzoek (bij 400; bij 403 de regels die niet mogen).",
                            "items": _ref("schemas", "InvalidParam"),
                        },
                    },
                },
                "InvalidParam": {
                    "type": "object",
                    "required": ["name", "reason"],
                    "properties": {
                        "name": {"type": "string", "description": "De kolom of parameter."},
                        "reason": {"type": "string", "description": "De fout, in het Nederlands."},
                        "line": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "Regel van de levering (kopregel = 1; JSON-element i = regel i + 2).",
                        },
                        "pointer": {"type": "string", "description": "JSON Pointer in een JSON-body."},
                    },
                },
                "Trajectregel": {
                    "type": "object",
                    "description": (
                        "Eén traject in het aanleverformaat v1. Een lege waarde mag null, leeg of weggelaten zijn."
                    ),
                    "required": ["traject_id", "gemeente", "datum_aanmelding"],
                    "properties": TRAJECTORY_PROPERTIES,
                    "additionalProperties": False,
                },
                "Capaciteitsregel": {
                    "type": "object",
                    "description": "Eén periode van een opvanglocatie in het aanleverformaat v1.",
                    "required": ["gemeente", "locatie", "plaatsen", "geldig_vanaf"],
                    "properties": CAPACITY_PROPERTIES,
                    "additionalProperties": False,
                },
                "Leveringsresultaat": {
                    "type": "object",
                    "required": ["soort", "regels", "ingelezen", "samenvatting"],
                    "properties": {
                        "soort": {"type": "string", "enum": ["trajecten", "capaciteit"]},
                        "regels": {"type": "integer", "minimum": 0, "description": "Aantal regels van de levering."},
                        "ingelezen": {
                            "type": "boolean",
                            "description": "false bij controleer=true: er is niets ingelezen.",
                        },
                        "trajecten": _counts(("nieuw", "bijgewerkt", "ongewijzigd"), "Alleen bij trajecten."),
                        "personen": _counts(("nieuw", "bijgewerkt"), "Alleen bij trajecten."),
                        "locaties": _counts(
                            ("nieuw_of_bijgewerkt", "nieuwe_locaties", "ongewijzigd"), "Alleen bij capaciteit."
                        ),
                        "samenvatting": {"type": "string", "description": "Dezelfde zin als `lvv import` print."},
                    },
                },
                "Monitor": {
                    "type": "object",
                    "required": ["peildatum", "basis", "landelijk", "per_gemeente"],
                    "properties": {
                        "peildatum": {"type": "string", "format": "date"},
                        "basis": {"type": "string", "enum": list(BASES)},
                        "landelijk": _ref("schemas", "Indicatoren"),
                        "per_gemeente": {
                            "type": "object",
                            "description": "Gemeentenaam → indicatoren.",
                            "additionalProperties": _ref("schemas", "Indicatoren"),
                        },
                    },
                },
                "Indicatoren": {
                    "type": "object",
                    "description": "De indicatoren van docs/indicatoren.md.",
                    "required": list(INDICATOR_NAMES),
                    "properties": {name: _indicator_schema(name) for name in INDICATOR_NAMES},
                },
                "Gemeente": {
                    "type": "object",
                    "required": ["naam", "regio", "heeft_lvv"],
                    "properties": {
                        "naam": {"type": "string"},
                        "regio": {"type": "string"},
                        "heeft_lvv": {"type": "boolean", "description": "De gemeente voert een LVV."},
                    },
                },
                "Definities": {
                    "type": "object",
                    "required": ["bases", "indicatoren"],
                    "properties": {
                        "bases": {"type": "array", "items": _ref("schemas", "Definitie")},
                        "indicatoren": {"type": "array", "items": _ref("schemas", "Definitie")},
                    },
                },
                "Definitie": {
                    "type": "object",
                    "required": ["naam", "omschrijving"],
                    "properties": {"naam": {"type": "string"}, "omschrijving": {"type": "string"}},
                },
            },
        },
    }


@functools.cache
def _cached() -> dict:
    return _build()


def openapi_document() -> dict:
    """A fresh copy (callers may change it)."""
    return copy.deepcopy(_cached())
