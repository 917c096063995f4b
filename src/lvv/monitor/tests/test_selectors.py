"""The selector turns the registry into the indicator rows: trajectories registered through the
real services, counted on a peildatum, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvv.core.exceptions import ApplicationError
from lvv.demo import factories
from lvv.monitor.selectors import monitor_input, monitor_report
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.services import (
    ind_decision_record,
    instruments_update,
    outflow_register,
    perspective_record,
    placement_record,
)

P = dt.date(2022, 12, 31)


@pytest.fixture
def registry(gemeente_user, rotterdam_user):
    """Amsterdam: V-nummer 1000000001 admitted 10 Jan 2022, perspective, instruments, outflow HASA
    on 1 June with a granted IND decision on 1 Sep. Rotterdam: the same V-nummer applies again on
    1 Nov 2022 and is admitted on 10 Nov. Amsterdam: a person without V-nummer, admitted, outflow
    after P. Capacity: Amsterdam 100 until 30 Jun 2022 then 80; Rotterdam 50."""
    first = factories.admitted_trajectory(actor=gemeente_user, v_number="1000000001")
    placement_record(
        actor=gemeente_user,
        trajectory=first,
        location=factories.location("Amsterdam"),
        shelter_form="centraal",
        hours="24uur",
        start_date=dt.date(2022, 1, 10),
    )
    perspective_record(
        actor=gemeente_user, trajectory=first, perspective="legalisering", status="definitief",
        decided_on=dt.date(2022, 2, 1),
    )  # fmt: skip
    instruments_update(
        actor=gemeente_user,
        trajectory=first,
        values={"juridische_screening": ("ja", None, None), "activering": ("nee", None, None),
                "stabilisatie": ("ja", None, None)},
    )  # fmt: skip
    outflow_register(actor=gemeente_user, trajectory=first, outflow_date=dt.date(2022, 6, 1), outcome_code="hasa")
    ind_decision_record(actor=gemeente_user, trajectory=first, decision="inwilliging", decided_on=dt.date(2022, 9, 1))
    factories.admitted_trajectory(
        actor=rotterdam_user,
        v_number="1000000001",
        application_date=dt.date(2022, 11, 1),
        kiosk_date=dt.date(2022, 11, 1),
        consent_date=dt.date(2022, 11, 2),
        admission_date=dt.date(2022, 11, 10),
    )
    later = factories.admitted_trajectory(actor=gemeente_user)
    outflow_register(actor=gemeente_user, trajectory=later, outflow_date=dt.date(2023, 2, 1), outcome_code="mob")
    amsterdam, rotterdam = factories.location("Amsterdam"), factories.location("Rotterdam")
    CapacityPeriod.objects.create(location=amsterdam, places=100, valid_from=dt.date(2020, 1, 1),
                                  valid_to=dt.date(2022, 6, 30))  # fmt: skip
    CapacityPeriod.objects.create(location=amsterdam, places=80, valid_from=dt.date(2022, 7, 1))
    CapacityPeriod.objects.create(location=rotterdam, places=50, valid_from=dt.date(2020, 1, 1))


def test_the_registry_becomes_rows_with_the_person_by_v_number(registry):
    data = monitor_input(peildatum=P)
    assert sorted(r.municipality for r in data.rows) == ["Amsterdam", "Amsterdam", "Rotterdam"]
    (rotterdam,) = [r for r in data.rows if r.municipality == "Rotterdam"]
    (first,) = [r for r in data.rows if r.municipality == "Amsterdam" and r.outcome == "hasa"]
    (without_v,) = [r for r in data.rows if r.municipality == "Amsterdam" and r.outcome == "mob"]
    assert first.person == rotterdam.person == "V:1000000001"
    assert without_v.person.startswith("G:Amsterdam:")
    assert first.perspectives == ((dt.date(2022, 2, 1), "legalisering"),)
    assert dict(first.instruments) == {"juridische_screening": "ja", "activering": "nee"}  # not stabilisatie
    assert (first.outcome, first.ind_decision, first.ind_decision_date) == ("hasa", "inwilliging", dt.date(2022, 9, 1))
    assert without_v.outflow_date == dt.date(2023, 2, 1)
    assert {c.municipality for c in data.capacity} == {"Amsterdam", "Rotterdam"}
    assert set(data.municipalities) == {"Amsterdam", "Eindhoven", "Groningen", "Rotterdam", "Utrecht"}


def test_monitor_report_on_both_bases(registry):
    trajecten = monitor_report(peildatum=P, basis="trajecten")
    national = trajecten["landelijk"]
    assert (national["aanmeldingen"], national["instroom"], national["unieke_personen"]) == (3, 3, 2)
    assert (national["in_lvv"], national["uitstroom"], national["uitstroom_semi_bestendig"]) == (2, 1, 1)
    assert national["besluiten"]["hasa"] == {"inwilliging": 1, "afwijzing": 0, "geen_besluit": 0}
    assert national["doorlooptijd_gemiddeld_maanden"] == round(142 / 30.4375, 2)  # 10 Jan → 1 Jun 2022
    assert national["capaciteit"] == 80 + 50
    assert national["bezettingsgraad"] == round(2 / 130, 3)
    assert national["instrumenten"]["juridische_screening"] == {"ja": 1, "nee": 0, "nvt": 0, "onbekend": 2}
    assert trajecten["per_gemeente"]["Amsterdam"]["unieke_personen"] == 2
    assert trajecten["per_gemeente"]["Rotterdam"]["in_lvv"] == 1
    assert trajecten["per_gemeente"]["Groningen"]["aanmeldingen"] == 0

    personen = monitor_report(peildatum=P, basis="personen")["landelijk"]
    # The person with the V-nummer counts once, with the Rotterdam trajectory (the latest).
    assert (personen["aanmeldingen"], personen["instroom"], personen["in_lvv"], personen["uitstroom"]) == (2, 2, 2, 0)
    assert personen["besluiten"]["hasa"]["inwilliging"] == 0


def test_gemeente_narrows_per_gemeente_only(registry):
    report = monitor_report(peildatum=P, municipality="rotterdam")
    assert list(report["per_gemeente"]) == ["Rotterdam"]
    assert report["landelijk"]["aanmeldingen"] == 3
    with pytest.raises(ApplicationError):
        monitor_report(peildatum=P, municipality="Atlantis")


def test_the_number_of_queries_does_not_grow_with_the_registry(registry, gemeente_user):
    with CaptureQueriesContext(connection) as before:
        monitor_report(peildatum=P)
    for _ in range(3):
        factories.admitted_trajectory(actor=gemeente_user)
    with CaptureQueriesContext(connection) as after:
        report = monitor_report(peildatum=P)
    assert report["landelijk"]["aanmeldingen"] == 6
    assert len(after.captured_queries) == len(before.captured_queries) <= 6
