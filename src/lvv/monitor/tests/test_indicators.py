"""The indicator definitions (docs/indicatoren.md) on a registry built by hand, every figure worked
out on paper — no database. Peildatum P = 30 June 2023. Per trajectory: municipality, person,
application → admission → outflow (reason), and what else matters:

- A-1  Amsterdam V1  2022-01-01 → 01-10 → 2022-07-10 zelfstandig_vertrek; terugkeer 2022-03-01;
       screening ja, activering nee
- A-2  Amsterdam V1  2022-09-01 → 09-05, running (re-entry of V1); legalisering 2022-10-01 and
       terugkeer 2023-08-01 (after P); screening ja, sociale begeleiding nvt
- A-3  Amsterdam V2  2021-05-01 → 05-03 → 2022-05-03 hasa; IND inwilliging 2022-11-01 (before P)
- R-1  Rotterdam V2  2022-12-01 → 12-05, running (V2 in two municipalities)
- A-4  Amsterdam K4  2022-02-01 → 02-02 → 2023-06-30 overleden (on P); terugkeer 2022-06-01; screening ja
- A-5  Amsterdam K5  2023-03-01 → 2023-07-15 (admitted after P)
- R-2  Rotterdam K5  2022-04-01 → 04-02 → 2023-09-01 mob (after P); doormigratie 2023-07-01 (after P);
       terugkeerbegeleiding ja. Another person than K5 in Amsterdam: own keys are per municipality.
- R-3  Rotterdam V3  2021-01-01 → 01-02 → 2022-02-01 artikel_64; IND afwijzing 2023-08-01 (after P)
- R-4  Rotterdam V4  2022-06-01 → 06-11 → 2023-07-01 overleden (after P); terugkeer 2022-08-01
- R-5  Rotterdam V5  2023-07-01 (applied after P)
- A-6  Amsterdam V6  2022-01-01 → 01-01 → 2022-12-31 beeindigd_gemeente

Capacity on P: Amsterdam 100 (until P inclusive) + 20 (second location) = 120, the 80 from 1 July not
yet; Rotterdam 50 ended the day before P, 40 from P on; Utrecht 30 only from 2024 → 0.
"""

import datetime as dt

import pytest

from lvv.demo.reference_data import OUTCOME_CODES
from lvv.monitor.indicators import (
    DECISION_REASONS,
    INDICATOR_NAMES,
    MONITOR_INSTRUMENTS,
    PERSPECTIVE_KINDS,
    CapacityRow,
    Outcome,
    TrajectoryRow,
    capacity_on,
    indicators,
    monitor,
    person_key,
    select_units,
)

P = dt.date(2023, 6, 30)
d = dt.date.fromisoformat
OUTCOMES = [Outcome(code, category) for code, _, category, _ in OUTCOME_CODES]
REASONS = [o.code for o in OUTCOMES if o.code != "overleden"]


def row(tid, municipality, person, application, admission=None, outflow=None, outcome=None, **kwargs):
    return TrajectoryRow(
        trajectory_id=tid,
        municipality=municipality,
        person=person,
        application_date=d(application),
        admission_date=d(admission) if admission else None,
        outflow_date=d(outflow) if outflow else None,
        outcome=outcome,
        **kwargs,
    )


V = {n: person_key(v_number=str(n) * 10, municipality="", own_key="") for n in range(1, 7)}
K4 = person_key(v_number="", municipality="Amsterdam", own_key="K4")
K5_AMS = person_key(v_number="", municipality="Amsterdam", own_key="K5")
K5_ROT = person_key(v_number="", municipality="Rotterdam", own_key="K5")

REGISTRY = [
    row(
        "A-1", "Amsterdam", V[1], "2022-01-01", "2022-01-10", "2022-07-10", "zelfstandig_vertrek",
        perspectives=((d("2022-03-01"), "terugkeer"),),
        instruments={"juridische_screening": "ja", "activering": "nee"},
    ),
    row(
        "A-2", "Amsterdam", V[1], "2022-09-01", "2022-09-05",
        perspectives=((d("2022-10-01"), "legalisering"), (d("2023-08-01"), "terugkeer")),
        instruments={"juridische_screening": "ja", "sociale_begeleiding": "nvt"},
    ),
    row(
        "A-3", "Amsterdam", V[2], "2021-05-01", "2021-05-03", "2022-05-03", "hasa",
        ind_decision="inwilliging", ind_decision_date=d("2022-11-01"),
    ),
    row("R-1", "Rotterdam", V[2], "2022-12-01", "2022-12-05"),
    row(
        "A-4", "Amsterdam", K4, "2022-02-01", "2022-02-02", "2023-06-30", "overleden",
        perspectives=((d("2022-06-01"), "terugkeer"),),
        instruments={"juridische_screening": "ja"},
    ),
    row("A-5", "Amsterdam", K5_AMS, "2023-03-01", "2023-07-15"),
    row(
        "R-2", "Rotterdam", K5_ROT, "2022-04-01", "2022-04-02", "2023-09-01", "mob",
        perspectives=((d("2023-07-01"), "doormigratie"),),
        instruments={"terugkeerbegeleiding": "ja"},
    ),
    row(
        "R-3", "Rotterdam", V[3], "2021-01-01", "2021-01-02", "2022-02-01", "artikel_64",
        ind_decision="afwijzing", ind_decision_date=d("2023-08-01"),
    ),
    row(
        "R-4", "Rotterdam", V[4], "2022-06-01", "2022-06-11", "2023-07-01", "overleden",
        perspectives=((d("2022-08-01"), "terugkeer"),),
    ),
    row("R-5", "Rotterdam", V[5], "2023-07-01"),
    row("A-6", "Amsterdam", V[6], "2022-01-01", "2022-01-01", "2022-12-31", "beeindigd_gemeente"),
]  # fmt: skip

CAPACITY = [
    CapacityRow("Amsterdam", 100, d("2020-01-01"), d("2023-06-30")),
    CapacityRow("Amsterdam", 80, d("2023-07-01")),
    CapacityRow("Amsterdam", 20, d("2023-01-01")),
    CapacityRow("Rotterdam", 50, d("2020-01-01"), d("2023-06-29")),
    CapacityRow("Rotterdam", 40, d("2023-06-30")),
    CapacityRow("Utrecht", 30, d("2024-01-01")),
]


# --- expected figures, built from "everything zero" ---------------------------------------------


def reasons(**counts):
    return {code: counts.get(code, 0) for code in REASONS}


def kinds(**counts):
    return {kind: counts.get(kind, 0) for kind in PERSPECTIVE_KINDS}


def decisions(**given):
    return {
        reason: {"inwilliging": 0, "afwijzing": 0, "geen_besluit": 0, **given.get(reason, {})}
        for reason in DECISION_REASONS
    }


def instruments(total, **given):
    """Per instrument the given counts; the rest of `total` units is `onbekend`."""
    result = {}
    for code in MONITOR_INSTRUMENTS:
        counts = {"ja": 0, "nee": 0, "nvt": 0, **given.get(code, {})}
        result[code] = {**counts, "onbekend": total - sum(counts.values())}
    return result


def figures(**values):
    base = {
        "aanmeldingen": 0,
        "instroom": 0,
        "unieke_personen": 0,
        "in_lvv": 0,
        "uitstroom": 0,
        "overleden": 0,
        "uitstroom_bestendig": 0,
        "uitstroom_semi_bestendig": 0,
        "uitstroom_geen_oplossing": 0,
        "aandeel_bestendig": None,
        "aandeel_semi_bestendig": None,
        "aandeel_geen_oplossing": None,
        "uitstroom_per_reden": reasons(),
        "perspectief_bepaald": 0,
        "perspectief_per_soort": kinds(),
        "aandeel_perspectief_bepaald": None,
        "doorlooptijd_gemiddeld_maanden": None,
        "doorlooptijd_mediaan_maanden": None,
        "capaciteit": 0,
        "bezettingsgraad": None,
        "besluiten": decisions(),
        "instrumenten": instruments(0),
    }
    assert set(values) <= set(base), set(values) - set(base)
    return {**base, **values}


EXPECTED_TRAJECTEN = {
    "landelijk": figures(
        aanmeldingen=10,  # all but R-5
        instroom=9,  # all but A-5 (admitted after P)
        unieke_personen=7,  # V1 and V2 twice; K5 in Amsterdam is not admitted
        in_lvv=4,  # R-2 (outflow after P), R-4 (death after P)
        uitstroom=4,
        overleden=1,  # A-4, on P
        uitstroom_bestendig=1,
        uitstroom_semi_bestendig=2,
        uitstroom_geen_oplossing=1,
        aandeel_bestendig=0.25,
        aandeel_semi_bestendig=0.5,
        aandeel_geen_oplossing=0.25,
        uitstroom_per_reden=reasons(zelfstandig_vertrek=1, hasa=1, artikel_64=1, beeindigd_gemeente=1),
        perspectief_bepaald=2,  # A-2 (legalisering in force on P), R-4; not R-2 (after P)
        perspectief_per_soort=kinds(terugkeer=1, legalisering=1),
        aandeel_perspectief_bepaald=0.5,
        doorlooptijd_gemiddeld_maanden=10.72,  # (181 + 365 + 395 + 364) / 4 days / 30.4375
        doorlooptijd_mediaan_maanden=11.98,  # (364 + 365) / 2 days
        capaciteit=160,
        bezettingsgraad=0.025,
        besluiten=decisions(hasa={"inwilliging": 1}, artikel_64={"geen_besluit": 1}),
        instrumenten=instruments(
            9,
            juridische_screening={"ja": 3},
            activering={"nee": 1},
            sociale_begeleiding={"nvt": 1},
            terugkeerbegeleiding={"ja": 1},
        ),
    ),
    "per_gemeente": {
        "Amsterdam": figures(
            aanmeldingen=6,
            instroom=5,
            unieke_personen=4,
            in_lvv=1,
            uitstroom=3,
            overleden=1,
            uitstroom_bestendig=1,
            uitstroom_semi_bestendig=1,
            uitstroom_geen_oplossing=1,
            aandeel_bestendig=0.333,
            aandeel_semi_bestendig=0.333,
            aandeel_geen_oplossing=0.333,
            uitstroom_per_reden=reasons(zelfstandig_vertrek=1, hasa=1, beeindigd_gemeente=1),
            perspectief_bepaald=1,
            perspectief_per_soort=kinds(legalisering=1),
            aandeel_perspectief_bepaald=1.0,
            doorlooptijd_gemiddeld_maanden=9.97,
            doorlooptijd_mediaan_maanden=11.96,
            capaciteit=120,
            bezettingsgraad=0.008,
            besluiten=decisions(hasa={"inwilliging": 1}),
            instrumenten=instruments(
                5, juridische_screening={"ja": 3}, activering={"nee": 1}, sociale_begeleiding={"nvt": 1}
            ),
        ),
        "Rotterdam": figures(
            aanmeldingen=4,
            instroom=4,
            unieke_personen=4,  # V2 counts here too: per municipality, persons are counted per municipality
            in_lvv=3,
            uitstroom=1,
            uitstroom_semi_bestendig=1,
            aandeel_bestendig=0.0,
            aandeel_semi_bestendig=1.0,
            aandeel_geen_oplossing=0.0,
            uitstroom_per_reden=reasons(artikel_64=1),
            perspectief_bepaald=1,
            perspectief_per_soort=kinds(terugkeer=1),
            aandeel_perspectief_bepaald=0.333,
            doorlooptijd_gemiddeld_maanden=12.98,
            doorlooptijd_mediaan_maanden=12.98,
            capaciteit=40,
            bezettingsgraad=0.075,
            besluiten=decisions(artikel_64={"geen_besluit": 1}),
            instrumenten=instruments(4, terugkeerbegeleiding={"ja": 1}),
        ),
        "Utrecht": figures(),
    },
}

EXPECTED_PERSONEN = {
    # Per person the latest application on or before P: V1 → A-2, V2 → R-1, K4 → A-4 (died on P: only
    # in `overleden`), K5 Amsterdam → A-5, K5 Rotterdam → R-2, V3 → R-3, V4 → R-4, V6 → A-6.
    "landelijk": figures(
        aanmeldingen=7,
        instroom=6,
        unieke_personen=6,
        in_lvv=4,
        uitstroom=2,
        overleden=1,
        uitstroom_semi_bestendig=1,
        uitstroom_geen_oplossing=1,
        aandeel_bestendig=0.0,
        aandeel_semi_bestendig=0.5,
        aandeel_geen_oplossing=0.5,
        uitstroom_per_reden=reasons(artikel_64=1, beeindigd_gemeente=1),
        perspectief_bepaald=2,
        perspectief_per_soort=kinds(terugkeer=1, legalisering=1),
        aandeel_perspectief_bepaald=0.5,
        doorlooptijd_gemiddeld_maanden=12.47,
        doorlooptijd_mediaan_maanden=12.47,
        capaciteit=160,
        bezettingsgraad=0.025,
        besluiten=decisions(artikel_64={"geen_besluit": 1}),
        instrumenten=instruments(
            6, juridische_screening={"ja": 1}, sociale_begeleiding={"nvt": 1}, terugkeerbegeleiding={"ja": 1}
        ),
    ),
    "per_gemeente": {
        "Amsterdam": figures(
            aanmeldingen=3,
            instroom=2,
            unieke_personen=2,
            in_lvv=1,
            uitstroom=1,
            overleden=1,
            uitstroom_geen_oplossing=1,
            aandeel_bestendig=0.0,
            aandeel_semi_bestendig=0.0,
            aandeel_geen_oplossing=1.0,
            uitstroom_per_reden=reasons(beeindigd_gemeente=1),
            perspectief_bepaald=1,
            perspectief_per_soort=kinds(legalisering=1),
            aandeel_perspectief_bepaald=1.0,
            doorlooptijd_gemiddeld_maanden=11.96,
            doorlooptijd_mediaan_maanden=11.96,
            capaciteit=120,
            bezettingsgraad=0.008,
            instrumenten=instruments(2, juridische_screening={"ja": 1}, sociale_begeleiding={"nvt": 1}),
        ),
        "Rotterdam": EXPECTED_TRAJECTEN["per_gemeente"]["Rotterdam"],  # the same four units
        "Utrecht": figures(),
    },
}


@pytest.mark.parametrize("basis,expected", [("trajecten", EXPECTED_TRAJECTEN), ("personen", EXPECTED_PERSONEN)])
def test_every_indicator_on_a_hand_built_registry(basis, expected):
    report = monitor(REGISTRY, capacity=CAPACITY, outcomes=OUTCOMES, peildatum=P, basis=basis)
    assert report["peildatum"] == "2023-06-30"
    assert report["basis"] == basis
    assert list(report["per_gemeente"]) == ["Amsterdam", "Rotterdam", "Utrecht"]
    assert report["landelijk"] == expected["landelijk"]
    for name, figures_expected in expected["per_gemeente"].items():
        assert report["per_gemeente"][name] == figures_expected, name


def test_indicator_names_are_exactly_the_published_ones():
    report = monitor(REGISTRY, capacity=CAPACITY, outcomes=OUTCOMES, peildatum=P)
    assert list(report) == ["peildatum", "basis", "landelijk", "per_gemeente"]
    assert tuple(report["landelijk"]) == INDICATOR_NAMES
    assert "overleden" not in report["landelijk"]["uitstroom_per_reden"]
    assert set(report["landelijk"]["besluiten"]) == {"hasa", "artikel_64"}


def test_the_same_file_one_day_earlier_moves_only_what_happened_on_p():
    """On 29 June the death of A-4 has not happened: A-4 is still in the LVV, and Rotterdam's 40
    places did not exist yet (50 did)."""
    day_before = P - dt.timedelta(days=1)
    report = monitor(REGISTRY, capacity=CAPACITY, outcomes=OUTCOMES, peildatum=day_before)["landelijk"]
    assert (report["overleden"], report["in_lvv"], report["perspectief_bepaald"]) == (0, 5, 3)
    assert report["capaciteit"] == 120 + 50


def test_a_person_who_died_is_left_out_of_everything_but_overleden_on_basis_personen():
    units, deceased = select_units(REGISTRY, peildatum=P, basis="personen")
    assert [u.trajectory_id for u in deceased] == ["A-4"]
    assert "A-4" not in {u.trajectory_id for u in units}
    # On basis trajecten the same trajectory is a unit (instroom, not uitstroom).
    units, deceased = select_units(REGISTRY, peildatum=P, basis="trajecten")
    assert "A-4" in {u.trajectory_id for u in units} and deceased == []


def test_basis_personen_ties_go_to_the_latest_admission_then_traject_id():
    person = person_key(v_number="1234567890", municipality="", own_key="")
    rows = [
        row("X-1", "Utrecht", person, "2022-01-01", "2022-01-05"),
        row("X-2", "Utrecht", person, "2022-01-01", "2022-01-03"),
        row("X-3", "Utrecht", person, "2022-01-01", "2023-07-01"),  # admitted after P: not known on P
    ]
    units, _ = select_units(rows, peildatum=P, basis="personen")
    assert [u.trajectory_id for u in units] == ["X-1"]
    rows = [row("Y-1", "Utrecht", person, "2022-01-01"), row("Y-2", "Utrecht", person, "2022-01-01")]
    units, _ = select_units(rows, peildatum=P, basis="personen")
    assert [u.trajectory_id for u in units] == ["Y-2"]


def test_the_person_is_the_v_number_across_municipalities_or_the_own_key_within_one():
    assert person_key(v_number="1000000001", municipality="Amsterdam", own_key="A1") == person_key(
        v_number="1000000001", municipality="Rotterdam", own_key="R9"
    )
    assert person_key(v_number="", municipality="Amsterdam", own_key="K5") != person_key(
        v_number="", municipality="Rotterdam", own_key="K5"
    )


def test_capacity_counts_the_rows_valid_on_p_inclusive():
    assert capacity_on(CAPACITY, d("2023-06-30")) == 100 + 20 + 40
    assert capacity_on(CAPACITY, d("2023-07-01")) == 80 + 20 + 40
    assert capacity_on(CAPACITY, d("2019-12-31")) == 0
    assert capacity_on(CAPACITY, d("2024-01-01")) == 80 + 20 + 40 + 30


def test_an_empty_registry_gives_zeros_and_no_shares():
    result = indicators([], capacity=0, outcomes=OUTCOMES, peildatum=P)
    assert result == figures()


def test_an_unknown_instrument_value_counts_as_onbekend():
    unit = row("Z-1", "Utrecht", "G:Utrecht:1", "2022-01-01", "2022-01-02", instruments={"activering": "misschien"})
    result = indicators([unit], capacity=10, outcomes=OUTCOMES, peildatum=P)
    assert result["instrumenten"]["activering"] == {"ja": 0, "nee": 0, "nvt": 0, "onbekend": 1}
    assert result["bezettingsgraad"] == 0.1


def test_an_unknown_basis_is_refused():
    with pytest.raises(ValueError):
        select_units(REGISTRY, peildatum=P, basis="gemeenten")
