"""The checks of one row and of one file, without a database: every fault the format names is
reported on its own line as `regel N: kolom: melding`."""

import datetime as dt

import pytest

from lvv.core.tables import Table
from lvv.demo.reference_data import OUTCOME_CODES, PILOTS
from lvv.exchange.delivery import (
    CAPACITY_COLUMNS,
    KIND_CAPACITY,
    KIND_TRAJECTORIES,
    TRAJECTORY_COLUMNS,
    Fault,
    Reference,
    file_kind,
    parse_capacity,
    parse_trajectories,
    record_columns,
)

REFERENCE = Reference(
    municipalities={name.lower(): name for name in PILOTS},
    outcomes={code: ind for code, _, _, ind in OUTCOME_CODES},
    today=dt.date(2026, 1, 1),
)

#: A valid row: admitted, perspective, outflow with HASA and a later IND decision.
GOOD = {
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
    "perspectief": "legalisering",
    "datum_perspectief": "2021-03-01",
    "juridische_screening": "ja",
    "juridische_begeleiding": "nee",
    "activering": "nvt",
    "sociale_begeleiding": "",
    "toekomstorientatie": "ja",
    "terugkeerbegeleiding": "nvt",
    "datum_uitstroom": "2021-09-15",
    "uitstroomreden": "hasa",
    "besluit_na_uitstroom": "afwijzing",
    "datum_besluit": "2022-01-01",
}


def table(*rows, header=TRAJECTORY_COLUMNS):
    return Table(header=list(header), rows=[(n, [row.get(c, "") for c in header]) for n, row in enumerate(rows, 2)])


def faults_of(**changes):
    records, faults = parse_trajectories(table({**GOOD, **changes}), REFERENCE)
    return [str(f) for f in faults]


def test_a_good_row_becomes_a_record():
    (record,), faults = parse_trajectories(table(GOOD), REFERENCE)
    assert faults == []
    assert record.datum_toelating == dt.date(2021, 1, 20)
    assert record.instrumenten["sociale_begeleiding"] == "onbekend"
    assert record.instrumenten["activering"] == "nvt"
    assert record_columns(record) == GOOD  # and back to the same text


def test_values_are_read_leniently_where_that_is_unambiguous():
    (record,), faults = parse_trajectories(
        table(
            {
                **GOOD,
                "gemeente": "amsterdam",
                "geslacht": "Man",
                "land_van_herkomst": "ir",
                "perspectief": "LEGALISERING",
            }
        ),
        REFERENCE,
    )
    assert faults == []
    assert (record.gemeente, record.geslacht, record.land_van_herkomst, record.perspectief) == (
        "Amsterdam", "man", "IR", "legalisering",
    )  # fmt: skip


@pytest.mark.parametrize(
    "changes,expected",
    [
        # impossible dates
        ({"datum_aanmelding": "2021-02-30"}, "regel 2: datum_aanmelding: '2021-02-30' is geen bestaande datum"),
        ({"datum_toelating": "20-01-2021"}, "regel 2: datum_toelating: '20-01-2021' is geen bestaande datum"),
        (
            {
                "datum_aanmelding": "2030-01-01",
                "datum_toelating": "2030-01-02",
                "datum_perspectief": "",
                "perspectief": "",
                "datum_uitstroom": "",
                "uitstroomreden": "",
                "besluit_na_uitstroom": "",
                "datum_besluit": "",
            },
            "regel 2: datum_aanmelding: 2030-01-01 ligt in de toekomst",
        ),
        # dates out of order
        (
            {"datum_toelating": "2021-01-01"},
            "regel 2: datum_toelating: 2021-01-01 ligt vóór datum_aanmelding (2021-01-10)",
        ),
        (
            {"datum_uitstroom": "2021-01-15"},
            "regel 2: datum_uitstroom: 2021-01-15 ligt vóór datum_toelating (2021-01-20)",
        ),
        ({"datum_besluit": "2021-09-01"}, "regel 2: datum_besluit: 2021-09-01 ligt vóór datum_uitstroom (2021-09-15)"),
        ({"datum_perspectief": "2021-01-15"}, "regel 2: datum_perspectief: 2021-01-15 ligt vóór datum_toelating"),
        ({"datum_perspectief": "2021-10-01"}, "regel 2: datum_perspectief: 2021-10-01 ligt na datum_uitstroom"),
        # unknown codes and municipalities
        ({"gemeente": "Atlantis"}, "regel 2: gemeente: onbekende gemeente 'Atlantis'"),
        ({"uitstroomreden": "weggelopen"}, "regel 2: uitstroomreden: onbekende waarde 'weggelopen'"),
        ({"geslacht": "m"}, "regel 2: geslacht: onbekende waarde 'm'; kies uit: man, vrouw, anders, onbekend"),
        ({"opvangvorm": "hotel"}, "regel 2: opvangvorm: onbekende waarde 'hotel'"),
        ({"perspectief": "integratie"}, "regel 2: perspectief: onbekende waarde 'integratie'"),
        ({"activering": "soms"}, "regel 2: activering: onbekende waarde 'soms'"),
        ({"toelating_via_uitzondering": "misschien"}, "regel 2: toelating_via_uitzondering: onbekende waarde"),
        ({"land_van_herkomst": "XX"}, "regel 2: land_van_herkomst: onbekende landcode 'XX'"),
        ({"besluit_na_uitstroom": "gedoogd"}, "regel 2: besluit_na_uitstroom: onbekende waarde 'gedoogd'"),
        # malformed V-nummers, persons
        (
            {"v_nummer": "10000001"},
            "regel 2: v_nummer: Een V-nummer bestaat uit precies 10 cijfers. (gevonden: '10000001')",
        ),
        ({"v_nummer": "V100000001"}, "regel 2: v_nummer: Een V-nummer bestaat uit precies 10 cijfers."),
        ({"v_nummer": "", "persoon_id": ""}, "regel 2: persoon_id: is verplicht als v_nummer leeg is"),
        ({"geboortejaar": "85"}, "regel 2: geboortejaar: '85' is geen jaartal (JJJJ)"),
        ({"geboortejaar": "1850"}, "regel 2: geboortejaar: Het geboortejaar moet tussen 1900 en dit jaar liggen."),
        ({"traject_id": ""}, "regel 2: traject_id: is verplicht"),
        ({"traject_id": "X" * 41}, "regel 2: traject_id: is langer dan 40 tekens"),
        # a date without its reason, a reason without its date
        (
            {"uitstroomreden": "", "besluit_na_uitstroom": "", "datum_besluit": ""},
            "regel 2: uitstroomreden: is verplicht bij datum_uitstroom",
        ),
        (
            {"datum_uitstroom": "", "besluit_na_uitstroom": "", "datum_besluit": ""},
            "regel 2: datum_uitstroom: is verplicht bij uitstroomreden",
        ),
        ({"datum_perspectief": ""}, "regel 2: datum_perspectief: is verplicht bij perspectief"),
        ({"perspectief": ""}, "regel 2: perspectief: is verplicht bij datum_perspectief"),
        ({"datum_besluit": ""}, "regel 2: datum_besluit: is verplicht bij besluit_na_uitstroom"),
        ({"besluit_na_uitstroom": ""}, "regel 2: besluit_na_uitstroom: is verplicht bij datum_besluit"),
        # facts that need another fact
        ({"uitstroomreden": "mob"}, "regel 2: besluit_na_uitstroom: Een IND-besluit na uitstroom hoort alleen bij"),
    ],
)
def test_each_fault_is_named_with_line_and_column(changes, expected):
    faults = faults_of(**changes)
    assert any(f.startswith(expected) for f in faults), faults


def test_facts_after_admission_need_an_admission_date():
    faults = faults_of(datum_toelating="", toelating_via_uitzondering="ja", besluit_na_uitstroom="", datum_besluit="")
    for column in (
        "toelating_via_uitzondering",
        "opvangvorm",
        "perspectief",
        "datum_uitstroom",
        "juridische_screening",
    ):
        assert any(f.startswith(f"regel 2: {column}: ") for f in faults), (column, faults)


def test_every_fault_of_every_row_is_reported_and_no_record_is_returned_for_a_faulty_row():
    rows = [GOOD, {**GOOD, "traject_id": "AMS-2", "v_nummer": "123", "geslacht": "x"}, {**GOOD, "traject_id": "AMS-3"}]
    records, faults = parse_trajectories(table(*rows), REFERENCE)
    assert [r.traject_id for r in records] == ["AMS-1", "AMS-3"]
    assert [(f.line, f.column) for f in faults] == [(3, "v_nummer"), (3, "geslacht")]


def test_a_traject_id_twice_in_one_municipality_is_a_fault_in_another_municipality_not():
    rows = [GOOD, {**GOOD, "persoon_id": "A2", "v_nummer": ""}, {**GOOD, "gemeente": "Utrecht"}]
    _, faults = parse_trajectories(table(*rows), REFERENCE)
    assert [str(f) for f in faults] == [
        "regel 3: traject_id: traject_id 'AMS-1' staat ook in regel 2 (uniek per gemeente)"
    ]


def test_the_header_must_have_exactly_the_columns_of_the_format():
    header = [c for c in TRAJECTORY_COLUMNS if c != "activering"] + ["opmerking"]
    _, faults = parse_trajectories(table(GOOD, header=header), REFERENCE)
    assert faults == [
        Fault(1, "activering", "kolom ontbreekt in de kopregel"),
        Fault(1, "opmerking", "onbekende kolom (formaat v1 kent haar niet)"),
    ]


def test_the_file_kind_is_recognised_by_its_header():
    assert file_kind(TRAJECTORY_COLUMNS) == KIND_TRAJECTORIES
    assert file_kind(CAPACITY_COLUMNS) == KIND_CAPACITY
    assert file_kind(["naam", "adres"]) is None


CAPACITY_GOOD = {"gemeente": "Rotterdam", "locatie": "Rotterdam", "plaatsen": "117", "geldig_vanaf": "2019-01-01",
                 "geldig_tot": "2021-12-31"}  # fmt: skip


def test_capacity_rows():
    rows = [
        CAPACITY_GOOD,
        {**CAPACITY_GOOD, "plaatsen": "60", "geldig_vanaf": "2022-01-01", "geldig_tot": "2030-01-01"},
    ]
    records, faults = parse_capacity(table(*rows, header=CAPACITY_COLUMNS), REFERENCE)
    assert faults == []  # a period may run into the future
    assert [(r.plaatsen, r.geldig_tot) for r in records] == [(117, dt.date(2021, 12, 31)), (60, dt.date(2030, 1, 1))]


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"plaatsen": "-1"}, "regel 2: plaatsen: '-1' is geen geheel aantal plaatsen van 0 tot en met 999999999"),
        (
            {"plaatsen": "1000000000"},
            "regel 2: plaatsen: '1000000000' is geen geheel aantal plaatsen van 0 tot en met 999999999",
        ),
        ({"plaatsen": "12.5"}, "regel 2: plaatsen: '12.5' is geen geheel aantal"),
        ({"plaatsen": ""}, "regel 2: plaatsen: is verplicht"),
        ({"geldig_tot": "2018-12-31"}, "regel 2: geldig_tot: 2018-12-31 ligt vóór geldig_vanaf (2019-01-01)"),
        ({"geldig_vanaf": "2019-02-29"}, "regel 2: geldig_vanaf: '2019-02-29' is geen bestaande datum"),
        ({"gemeente": "Atlantis"}, "regel 2: gemeente: onbekende gemeente 'Atlantis'"),
        ({"locatie": ""}, "regel 2: locatie: is verplicht"),
    ],
)
def test_capacity_faults(changes, expected):
    _, faults = parse_capacity(table({**CAPACITY_GOOD, **changes}, header=CAPACITY_COLUMNS), REFERENCE)
    assert any(str(f).startswith(expected) for f in faults), faults


def test_capacity_periods_of_one_location_may_not_overlap():
    rows = [
        CAPACITY_GOOD,
        {**CAPACITY_GOOD, "plaatsen": "60", "geldig_vanaf": "2021-12-31", "geldig_tot": ""},
        {**CAPACITY_GOOD, "locatie": "Rotterdam-Zuid", "geldig_vanaf": "2020-01-01"},  # another location
    ]
    _, faults = parse_capacity(table(*rows, header=CAPACITY_COLUMNS), REFERENCE)
    assert [str(f) for f in faults] == ["regel 3: geldig_vanaf: deze periode overlapt met regel 2 van dezelfde locatie"]
    _, faults = parse_capacity(
        table(CAPACITY_GOOD, {**CAPACITY_GOOD, "plaatsen": "1"}, header=CAPACITY_COLUMNS), REFERENCE
    )
    assert [str(f) for f in faults] == ["regel 3: geldig_vanaf: dezelfde locatie en geldig_vanaf staan ook in regel 2"]
