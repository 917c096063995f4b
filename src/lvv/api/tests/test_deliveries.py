"""Deliveries through the API: the same checks and the same all-or-nothing import as `lvv import`,
for a JSON array of rows or the CSV / XLSX file itself; every fault of a request in one problem."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from openpyxl import Workbook

from lvv.audit.models import AccessLogEntry
from lvv.exchange.delivery import CAPACITY_COLUMNS, TRAJECTORY_COLUMNS
from lvv.exchange.tests.helpers import SAMPLE_CAPACITY, checksum, row_counts, sample_rows
from lvv.people.models import Person
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.models import TimelineEvent, Trajectory

from .conftest import GEMEENTE, NGO

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def amsterdam_rows() -> list[dict]:
    return [r for r in sample_rows() if r["gemeente"] == "Amsterdam"]


def csv_body(rows: list[dict], columns=TRAJECTORY_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def capacity_rows(municipality: str) -> list[dict]:
    with SAMPLE_CAPACITY.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["gemeente"] == municipality]


@pytest.fixture
def amsterdam(api_for):
    return api_for(GEMEENTE)


def _assert_problem(response, status: int):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["API-Version"] == "1.0.0"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_json_delivery_lands_in_the_registry_and_again_changes_nothing(amsterdam):
    response = amsterdam.post("leveringen", amsterdam_rows())

    assert response.status_code == 200, response.content
    assert response["API-Version"] == "1.0.0"
    assert response.json() == {
        "soort": "trajecten",
        "regels": 5,
        "ingelezen": True,
        "trajecten": {"nieuw": 5, "bijgewerkt": 0, "ongewijzigd": 0},
        "personen": {"nieuw": 4, "bijgewerkt": 0},
        "samenvatting": (
            "Trajectbestand: 5 regels; trajecten: 5 nieuw, 0 bijgewerkt, 0 ongewijzigd; personen: 4 nieuw, "
            "0 bijgewerkt."
        ),
    }
    assert set(Trajectory.objects.values_list("external_id", flat=True)) == {f"AMS-{i}" for i in range(1, 6)}
    event = TimelineEvent.objects.get(kind="aanlevering", trajectory__external_id="AMS-2")
    key_id = amsterdam.token.split("_")[1].split(".")[0]
    assert event.description.startswith(f"Aangeleverd via bestand api-{key_id}-")
    assert event.description.endswith(".csv (regel 3): nieuw traject")

    before = checksum()
    again = amsterdam.post("leveringen", amsterdam_rows())
    assert again.status_code == 200
    assert again.json()["trajecten"] == {"nieuw": 0, "bijgewerkt": 0, "ongewijzigd": 5}
    assert checksum() == before


def test_json_values_may_be_null_numbers_or_left_out(amsterdam):
    rows = amsterdam_rows()[:1]
    row = {k: (v or None) for k, v in rows[0].items()}
    row["geboortejaar"] = 1985
    del row["besluit_na_uitstroom"], row["datum_besluit"]
    response = amsterdam.post("leveringen", [row])
    assert response.status_code == 200, response.content
    assert Person.objects.get().birth_year == 1985


def test_a_csv_delivery_is_the_file_itself(amsterdam):
    response = amsterdam.post("leveringen", csv_body(amsterdam_rows()), content_type="text/csv")
    assert response.status_code == 200, response.content
    assert response.json()["trajecten"]["nieuw"] == 5
    assert Trajectory.objects.count() == 5


def test_an_xlsx_delivery_is_read_like_the_file(amsterdam):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(TRAJECTORY_COLUMNS))
    for row in amsterdam_rows():
        sheet.append([row[c] for c in TRAJECTORY_COLUMNS])
    data = io.BytesIO()
    workbook.save(data)
    response = amsterdam.post("leveringen", data.getvalue(), content_type=XLSX)
    assert response.status_code == 200, response.content
    assert Trajectory.objects.count() == 5


def test_a_capacity_delivery_as_json_and_as_csv(amsterdam):
    rows = capacity_rows("Amsterdam")
    body = [{**r, "plaatsen": int(r["plaatsen"]), "geldig_tot": r["geldig_tot"] or None} for r in rows]
    response = amsterdam.post("capaciteit", body)
    assert response.status_code == 200, response.content
    assert response.json()["locaties"] == {"nieuw_of_bijgewerkt": 1, "nieuwe_locaties": 0, "ongewijzigd": 0}
    assert list(CapacityPeriod.objects.values_list("places", flat=True)) == [360]

    again = amsterdam.post("capaciteit", csv_body(rows, CAPACITY_COLUMNS), content_type="text/csv")
    assert again.status_code == 200
    assert again.json()["locaties"]["ongewijzigd"] == 1


def test_controleer_checks_and_writes_nothing(amsterdam):
    counts, before = row_counts(), checksum()
    response = amsterdam.post("leveringen", amsterdam_rows(), query="controleer=true")
    assert response.status_code == 200
    assert response.json()["ingelezen"] is False and response.json()["trajecten"]["nieuw"] == 5
    assert row_counts() == counts and checksum() == before


def test_a_faulty_delivery_is_refused_whole_with_every_fault_in_one_problem(amsterdam):
    amsterdam.post("leveringen", amsterdam_rows()[:1])  # AMS-1 in the registry already
    rows = amsterdam_rows()
    rows[0]["datum_aanmelding"] = "2021-02-30"  # line 2
    rows[1]["v_nummer"] = "12"  # line 3
    rows[1]["kleur"] = "blauw"  # line 3: not a column of the format
    rows[2]["geboortejaar"] = True  # line 4: not text
    rows[3]["uitstroomreden"] = ""  # line 5: a date without its reason
    rows[4]["traject_id"] = "AMS-4"  # line 6: twice in the delivery
    counts, before = row_counts(), checksum()

    response = amsterdam.post("leveringen", rows)

    body = _assert_problem(response, 400)
    assert body["type"] == "urn:lvv:api:probleem:ongeldige-invoer"
    assert body["detail"] == "De levering heeft 6 fout(en); er is niets ingelezen."
    assert body["instance"] == "/api/v1/leveringen"
    assert body["invalidParams"] == [
        {
            "name": "datum_aanmelding",
            "reason": "'2021-02-30' is geen bestaande datum in de vorm JJJJ-MM-DD",
            "line": 2,
            "pointer": "/0/datum_aanmelding",
        },
        {
            "name": "kleur",
            "reason": "onbekende kolom (formaat v1 kent haar niet)",
            "line": 3,
            "pointer": "/1/kleur",
        },
        {
            "name": "v_nummer",
            "reason": "Een V-nummer bestaat uit precies 10 cijfers. (gevonden: '12')",
            "line": 3,
            "pointer": "/1/v_nummer",
        },
        {
            "name": "geboortejaar",
            "reason": "moet tekst, een geheel getal of null zijn",
            "line": 4,
            "pointer": "/2/geboortejaar",
        },
        {
            "name": "uitstroomreden",
            "reason": "is verplicht bij datum_uitstroom",
            "line": 5,
            "pointer": "/3/uitstroomreden",
        },
        {
            "name": "traject_id",
            "reason": "traject_id 'AMS-4' staat ook in regel 5 (uniek per gemeente)",
            "line": 6,
            "pointer": "/4/traject_id",
        },
    ]
    assert row_counts() == counts
    assert checksum() == before


def test_a_faulty_csv_delivery_names_the_lines_of_the_file(amsterdam):
    rows = amsterdam_rows()
    rows[2]["geslacht"] = "x"
    rows[4]["datum_toelating"] = "2019-01-01"
    counts = row_counts()
    body = _assert_problem(amsterdam.post("leveringen", csv_body(rows), content_type="text/csv"), 400)
    assert [(p["line"], p["name"]) for p in body["invalidParams"]] == [(4, "geslacht"), (6, "datum_toelating")]
    assert all("pointer" not in p for p in body["invalidParams"])
    assert row_counts() == counts


def test_a_capacity_file_sent_as_trajectories_is_400(amsterdam):
    body = _assert_problem(
        amsterdam.post("leveringen", csv_body(capacity_rows("Amsterdam"), CAPACITY_COLUMNS), content_type="text/csv"),
        400,
    )
    assert body["invalidParams"] == [
        {
            "name": "kopregel",
            "reason": "dit is een capaciteitsbestand; lever het aan met POST /api/v1/capaciteit",
            "line": 1,
        }
    ]


def test_a_municipality_delivers_only_for_itself(amsterdam):
    rows = amsterdam_rows()[:2] + [r for r in sample_rows() if r["gemeente"] == "Rotterdam"][:2]
    rows[3]["gemeente"] = "rotterdam"  # names are matched as the format does: any case
    counts = row_counts()
    body = _assert_problem(amsterdam.post("leveringen", rows), 403)
    assert body["detail"] == (
        "Gemeente Amsterdam levert alleen aan voor Amsterdam; 2 regel(s) zijn voor een andere gemeente."
    )
    assert [(p["line"], p["name"]) for p in body["invalidParams"]] == [(4, "gemeente"), (5, "gemeente")]
    assert row_counts() == counts

    capacity = _assert_problem(
        amsterdam.post("capaciteit", csv_body(capacity_rows("Utrecht"), CAPACITY_COLUMNS), content_type="text/csv"),
        403,
    )
    assert "niet voor Utrecht" in capacity["invalidParams"][0]["reason"]


def test_an_organisation_that_is_no_municipality_delivers_nothing(api_for):
    body = _assert_problem(api_for(NGO).post("leveringen", amsterdam_rows()), 403)
    assert "is geen gemeente" in body["detail"]
    assert not Trajectory.objects.exists()


@pytest.mark.parametrize(
    "body, content_type, status, detail",
    [
        ("traject_id\nX\n", "text/plain", 415, "Lever aan als application/json"),
        ("[{", "application/json", 400, "De body is geen geldige JSON"),
        ('{"traject_id": "X"}', "application/json", 400, "De body moet een JSON-array van regels zijn"),
    ],
)
def test_a_body_that_is_no_delivery(amsterdam, body, content_type, status, detail):
    result = _assert_problem(amsterdam.post("leveringen", body, content_type=content_type), status)
    assert result["detail"].startswith(detail)


def test_elements_that_are_no_rows_are_faults(amsterdam):
    body = _assert_problem(amsterdam.post("leveringen", ["AMS-1", {}]), 400)
    assert [(p["line"], p["pointer"], p["reason"]) for p in body["invalidParams"]] == [
        (2, "/0", "moet een object zijn met de kolommen van het aanleverformaat als sleutels"),
        (3, "/1", "de regel is leeg"),
    ]


def test_query_parameters_are_checked_together(amsterdam):
    body = _assert_problem(amsterdam.post("leveringen", [], query="controleer=misschien&x=1"), 400)
    assert {(p["name"], p["reason"]) for p in body["invalidParams"]} == {
        ("x", "onbekende parameter"),
        ("controleer", "'misschien' is geen true of false"),
    }


@override_settings(LVV_API_MAX_BODY_BYTES=1000)
def test_a_body_too_large_is_413(amsterdam):
    body = _assert_problem(amsterdam.post("leveringen", amsterdam_rows()), 413)
    assert "lever in delen aan" in body["detail"]
    assert not Trajectory.objects.exists()


def test_an_empty_delivery_changes_nothing(amsterdam):
    response = amsterdam.post("leveringen", [])
    assert response.status_code == 200
    assert response.json()["regels"] == 0


def test_a_delivery_logs_a_write_of_every_delivered_person(amsterdam):
    amsterdam.post("leveringen", amsterdam_rows())
    entries = AccessLogEntry.objects.filter(action="wijzigen")
    assert sorted(entries.values_list("person_id", flat=True)) == sorted(Person.objects.values_list("pk", flat=True))
    assert entries.count() == 4
    entry = entries.first()
    key_id = amsterdam.token.split("_")[1].split(".")[0]
    assert (entry.username, entry.organisation, entry.role, entry.view_name) == (
        f"api.{key_id}",
        "Gemeente Amsterdam",
        "gemeente",
        "api:trajectory_delivery",
    )
    assert entry.processing_activity == "lvv-gegevensuitwisseling"


def test_a_refused_or_checked_delivery_logs_nothing(amsterdam):
    rows = amsterdam_rows()
    amsterdam.post("leveringen", rows, query="controleer=true")
    rows[0]["v_nummer"] = "1"
    amsterdam.post("leveringen", rows)
    assert not AccessLogEntry.objects.exists()


def test_a_value_with_a_line_break_is_a_fault(amsterdam):
    rows = amsterdam_rows()[:1]
    rows[0]["persoon_id"] = "A\n1"
    body = _assert_problem(amsterdam.post("leveringen", rows), 400)
    assert body["invalidParams"] == [
        {"name": "persoon_id", "reason": "mag geen regeleinde bevatten", "line": 2, "pointer": "/0/persoon_id"}
    ]


# Found by schemathesis / its follow-up probes (test_schemathesis.py): each was a 500.


def test_a_nul_character_in_a_json_value_is_a_fault(amsterdam):
    """PostgreSQL cannot store NUL in text: the write failed with a 500 instead of a 400."""
    rows = amsterdam_rows()[:1]
    rows[0]["traject_id"] = "AMS\x00-1"
    body = _assert_problem(amsterdam.post("leveringen", rows), 400)
    assert body["invalidParams"] == [
        {"name": "traject_id", "reason": "mag geen NUL-teken (\\u0000) bevatten", "line": 2, "pointer": "/0/traject_id"}
    ]
    assert not Trajectory.objects.exists()


def test_a_nul_character_in_a_csv_body_is_400_naming_the_line(amsterdam):
    text = csv_body(amsterdam_rows()[:2])
    header, first, second = text.splitlines()[:3]
    second = second.replace(",", "\x00,", 1)
    body = _assert_problem(amsterdam.post("leveringen", f"{header}\n{first}\n{second}\n", content_type="text/csv"), 400)
    assert body["invalidParams"][0]["line"] == 3
    assert "NUL-teken (regel 3)" in body["detail"]
    assert not Trajectory.objects.exists()


def test_json_nested_too_deep_is_400(amsterdam):
    """json.loads raised RecursionError (a 500) on [[[[…]]]]."""
    body = _assert_problem(amsterdam.post("leveringen", "[" * 100_000 + "]" * 100_000), 400)
    assert body["detail"].startswith("De body is te diep geneste JSON")
