"""GET /api/v1/monitor: the very JSON of `lvv monitor`, for the programmabureau (every municipality)
and a municipality (the national figures and its own); every fault of the parameters in one problem."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from lvv.audit.models import AccessLogEntry
from lvv.exchange.tests.helpers import SAMPLE, SAMPLE_CAPACITY, run_import
from lvv.monitor.indicators import INDICATOR_NAMES

from . import conftest
from .conftest import GEMEENTE, NGO, PROGRAMMABUREAU


@pytest.fixture
def sample(reference_data):
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    assert run_import(SAMPLE)[0] == 0


def command_output(*args: str) -> bytes:
    out = io.StringIO()
    call_command("lvv_monitor", *args, "--format", "json", stdout=out)
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("basis", ["trajecten", "personen"])
def test_the_monitor_is_the_commands_json(sample, api_for, basis):
    response = api_for(PROGRAMMABUREAU).get("monitor", {"peildatum": "2022-07-01", "basis": basis})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["API-Version"] == "1.0.0"
    assert response.content == command_output("--peildatum", "2022-07-01", "--basis", basis)
    report = response.json()
    assert set(report["per_gemeente"]) >= {"Amsterdam", "Rotterdam", "Utrecht"}
    assert list(report["landelijk"]) == list(INDICATOR_NAMES)
    assert report["landelijk"]["aanmeldingen"] == (12 if basis == "trajecten" else 9)  # docs/indicatoren.md


def test_the_default_basis_is_trajecten_and_a_municipality_can_be_chosen(sample, api_for):
    response = api_for(PROGRAMMABUREAU).get("monitor", {"peildatum": "2022-07-01", "gemeente": "utrecht"})
    assert response.status_code == 200
    assert response.content == command_output("--peildatum", "2022-07-01", "--gemeente", "Utrecht")
    assert list(response.json()["per_gemeente"]) == ["Utrecht"]


def test_a_municipality_sees_the_country_and_itself(sample, api_for):
    api = api_for(GEMEENTE)
    own = api.get("monitor", {"peildatum": "2022-07-01"})
    assert own.status_code == 200
    assert own.content == command_output("--peildatum", "2022-07-01", "--gemeente", "Amsterdam")
    assert api.get("monitor", {"peildatum": "2022-07-01", "gemeente": "Amsterdam"}).content == own.content

    other = api.get("monitor", {"peildatum": "2022-07-01", "gemeente": "Rotterdam"})
    assert other.status_code == 403
    assert other["Content-Type"].startswith("application/problem+json")
    assert "alleen de landelijke cijfers en die van Amsterdam" in other.json()["detail"]


def test_an_ngo_gets_no_monitor(sample, api_for):
    response = api_for(NGO).get("monitor", {"peildatum": "2022-07-01"})
    assert response.status_code == 403
    assert "geen toegang" in response.json()["detail"]


def test_every_fault_of_the_parameters_comes_together(reference_data, api_for):
    response = api_for(PROGRAMMABUREAU).get(
        "monitor", {"peildatum": "2022-02-30", "basis": "mensen", "gemeente": "Atlantis", "format": "csv"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "De parameters hebben 4 fout(en)."
    assert body["invalidParams"] == [
        {"name": "format", "reason": "onbekende parameter"},
        {"name": "peildatum", "reason": "'2022-02-30' is geen bestaande datum in de vorm JJJJ-MM-DD"},
        {"name": "basis", "reason": "onbekende waarde 'mensen'; kies uit: trajecten, personen"},
        {"name": "gemeente", "reason": "onbekende gemeente 'Atlantis'"},
    ]


def test_the_peildatum_is_required(reference_data, api_for):
    response = api_for(PROGRAMMABUREAU).get("monitor")
    assert response.status_code == 400
    assert response.json()["invalidParams"] == [{"name": "peildatum", "reason": "is verplicht (JJJJ-MM-DD)"}]


def test_the_monitor_logs_no_person_data(sample, api_for):
    before = AccessLogEntry.objects.count()
    api_for(PROGRAMMABUREAU).get("monitor", {"peildatum": "2022-07-01"})
    assert AccessLogEntry.objects.count() == before


def test_municipalities_and_definitions(reference_data, api_for):
    api = api_for(conftest.IND)
    municipalities = api.get("gemeenten")
    assert municipalities.status_code == 200
    assert {"naam": "Amsterdam", "regio": "Amsterdam-Amstelland", "heeft_lvv": True} in municipalities.json()

    definitions = api.get("indicatoren").json()
    assert [d["naam"] for d in definitions["indicatoren"]] == list(INDICATOR_NAMES)
    assert [d["naam"] for d in definitions["bases"]] == ["trajecten", "personen"]
    assert all(d["omschrijving"] for d in definitions["indicatoren"])
    assert json.dumps(definitions)  # plain JSON


def test_a_nul_character_in_a_parameter_is_a_fault_before_any_query(reference_data, api_for):
    """PostgreSQL cannot compare with NUL: gemeente=%00 reached the database and was a 500 there."""
    response = api_for(PROGRAMMABUREAU).get("monitor", {"peildatum": "2022-07-01\x00", "gemeente": "Amster\x00dam"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert {(p["name"], p["reason"]) for p in response.json()["invalidParams"]} == {
        ("peildatum", "mag geen NUL-teken (\\u0000) bevatten"),
        ("gemeente", "mag geen NUL-teken (\\u0000) bevatten"),
    }
