"""The analysis page and its downloads: who gets what (acceptance 5, next to the access matrix),
the municipality scope, the access log of the dataset download, and Dutch errors."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.exchange.imports import delivery_import
from lvv.people.models import Person

from .simulation import simulate, write_delivery

P = "2024-01-01"


@pytest.fixture
def delivered(reference_data, tmp_path):
    rows = simulate(400, seed=5)
    for row in rows[:30]:
        row["datum_uitstroom"] = row["uitstroomreden"] = ""  # still in the LVV
    with clock.frozen(dt.date(2024, 6, 1)):
        result = delivery_import(path=write_delivery(tmp_path / "levering.csv", rows))
    assert result.ok, result.faults[:3]
    return rows


def get(client, user, name, **params):
    client.force_login(user)
    with clock.frozen(dt.date(2024, 6, 1)):
        return client.get(reverse(f"analytics:{name}"), params)


def test_municipality_user_sees_only_their_municipality(client, delivered, gemeente_user):
    response = get(client, gemeente_user, "home", peildatum=P, gemeente="Rotterdam")
    assert response.status_code == 200
    report = response.context["report"]
    assert report["gemeente"] == "Amsterdam"
    assert list(report["verblijfsduur"]["per_gemeente"]) == ["Amsterdam"]
    assert "gemeente" not in response.context["form"].fields
    html = response.content.decode()
    assert "Evaluatiestatistiek: Amsterdam" in html and "Gepseudonimiseerde analysedataset" in html
    assert 'aria-current="page">Analyse</a>' in html


def test_programmabureau_chooses_a_municipality_and_gets_no_dataset(client, delivered, programmabureau_user):
    response = get(client, programmabureau_user, "home", peildatum=P)
    assert response.context["report"]["gemeente"] is None
    assert set(response.context["report"]["modellen"]["oplossing"]["coefficienten"]) >= {"gemeente_Amsterdam"}
    assert "Gepseudonimiseerde analysedataset" not in response.content.decode()
    assert (
        get(client, programmabureau_user, "home", peildatum=P, gemeente="Utrecht").context["report"]["gemeente"]
        == "Utrecht"
    )
    assert get(client, programmabureau_user, "dataset_csv", peildatum=P).status_code == 403
    pdf = get(client, programmabureau_user, "report_pdf", peildatum=P, gemeente="Utrecht")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="lvv-analyse-2024-01-01-utrecht.pdf"' in pdf["Content-Disposition"]


def test_ngo_and_chain_partners_are_refused(client, delivered, ngo_user, ind_user):
    for user in (ngo_user, ind_user):
        for name in ("home", "report_pdf", "report_xlsx", "dataset_csv"):
            assert get(client, user, name, peildatum=P).status_code == 403


def test_dataset_download_logs_every_outflowed_person_of_the_municipality(client, delivered, gemeente_user):
    before = AccessLogEntry.objects.count()
    response = get(client, gemeente_user, "dataset_csv", peildatum=P, onderdrukken="5")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    amsterdam_outflowed = [r for r in delivered[30:] if r["gemeente"] == "Amsterdam"]
    assert len(rows) == len(amsterdam_outflowed) and {r["gemeente"] for r in rows} == {"Amsterdam"}
    logged = AccessLogEntry.objects.order_by("pk")[before:]
    assert len(logged) == len(rows)
    persons = set(
        Person.objects.filter(person_key__in=[r["persoon_id"] for r in amsterdam_outflowed]).values_list(
            "pk", flat=True
        )
    )
    assert {e.person_id for e in logged} == persons
    assert {e.purpose for e in logged} == {"Evaluatieonderzoek LVV: gepseudonimiseerde analysedataset"}
    assert {e.username for e in logged} == {gemeente_user.username}
    text = response.content.decode()
    assert "300000" not in text and "SIM-" not in text

    xlsx = get(client, gemeente_user, "dataset_xlsx", peildatum=P)
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True)["dataset"]
    assert [c.value for c in next(sheet.iter_rows())][:2] == ["rij_id", "gemeente"]


def test_errors_are_dutch_and_change_nothing(client, delivered, gemeente_user):
    response = get(client, gemeente_user, "home", peildatum="2024-13-01")
    assert response.status_code == 400 and "vul een geldige datum in" in response.content.decode()
    response = get(client, gemeente_user, "home", peildatum="2030-01-01")
    assert response.status_code == 400 and "ligt na vandaag" in response.content.decode()
    response = get(
        client,
        gemeente_user,
        "home",
        peildatum=P,
        uitkomst="oplossing",
        predictoren="gemeente",
        referentie_gemeente="Utrecht",
    )
    # Amsterdam's own data hold no Utrecht: the reference is checked against the data.
    assert response.status_code == 400
    assert (
        "Referentiecategorie &#x27;Utrecht&#x27; van gemeente komt in de gegevens niet voor"
        in response.content.decode()
    )
    response = get(
        client, gemeente_user, "home", peildatum=P, uitkomst="reden_hasa", predictoren=["gemeente", "geslacht"]
    )
    assert response.status_code == 200  # one municipality: gemeente is left out, and the page says so
    own = response.context["report"]["modellen"]["eigen_model"]
    assert set(own["coefficienten"]) == {"constant", "geslacht_vrouw"}
    assert "Met één gemeente in de gegevens is gemeente geen predictor" in response.content.decode()
    response = get(client, gemeente_user, "home", peildatum=P, uitkomst="oplossing", landen="XX")
    assert response.status_code == 400 and "Onbekende landcode" in response.content.decode()
    assert get(client, gemeente_user, "dataset_csv", peildatum=P, onderdrukken="1").status_code == 400


def test_navigation_item(client, delivered, gemeente_user, ngo_user, programmabureau_user):
    client.force_login(ngo_user)
    assert ">Analyse</a>" not in client.get(reverse("trajectories:list")).content.decode()
    client.force_login(gemeente_user)
    assert ">Analyse</a>" in client.get(reverse("trajectories:list")).content.decode()
