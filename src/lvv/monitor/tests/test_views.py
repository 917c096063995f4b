"""The monitor pages: who may open them, the choices (with Dutch errors), the charts with their
text alternatives, the downloads (XLSX sheets, CSV, PDF), and no person anywhere."""

import csv
import datetime as dt
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from lvv.audit.models import AccessLogEntry
from lvv.demo import factories
from lvv.monitor.forms import MSG_DATE, default_peildatum
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.services import outflow_register

P = "2022-12-31"
NAMES = ("Grafiekowska", "Tabelmans", "Rijnmondiaan")
V_NUMBERS = ("2000000001", "2000000002", "2000000003")
#: The other pilot municipalities with an LVV: listed, with zeros.
ZERO_TOWNS = ("Eindhoven", "Groningen", "Utrecht")


@pytest.fixture
def registry(gemeente_user, rotterdam_user):
    """Amsterdam: two admitted (one left with hasa in June 2022); Rotterdam: one admitted.
    Capacity: Amsterdam 10, Rotterdam 5. Small counts everywhere, as in a new LVV."""
    first = factories.admitted_trajectory(actor=gemeente_user, family_name=NAMES[0], v_number=V_NUMBERS[0])
    factories.admitted_trajectory(actor=gemeente_user, family_name=NAMES[1], v_number=V_NUMBERS[1])
    outflow_register(actor=gemeente_user, trajectory=first, outflow_date=dt.date(2022, 6, 1), outcome_code="hasa")
    factories.admitted_trajectory(actor=rotterdam_user, family_name=NAMES[2], v_number=V_NUMBERS[2])
    CapacityPeriod.objects.create(location=factories.location("Amsterdam"), places=10, valid_from=dt.date(2020, 1, 1))
    CapacityPeriod.objects.create(location=factories.location("Rotterdam"), places=5, valid_from=dt.date(2020, 1, 1))


def _assert_no_person(text: str):
    for value in (*NAMES, *V_NUMBERS):
        assert value not in text, f"person data in the monitor: {value}"


def _get(client, user, name="monitor:index", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["ngo_user", "ind_user", "dtv_user", "avim_user"])
def test_ngos_and_chain_partners_are_refused(client, request, role, registry):
    user = request.getfixturevalue(role)
    for name in ("monitor:index", "monitor:definitions", "monitor:download_xlsx", "monitor:download_pdf"):
        assert _get(client, user, name, peildatum=P).status_code == 403


def test_anonymous_goes_to_the_login_page(client, db):
    response = client.get(reverse("monitor:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_nav_shows_the_monitor_to_those_who_may_open_it(client, programmabureau_user, gemeente_user, ngo_user):
    for user, shown in ((programmabureau_user, True), (gemeente_user, True), (ngo_user, False)):
        client.force_login(user)
        html = client.get(reverse("monitor:definitions") if shown else reverse("trajectories:list")).content.decode()
        assert (f'href="{reverse("monitor:index")}"' in html) == shown, user


# --- the page ----------------------------------------------------------------------------------


def test_programmabureau_sees_every_municipality_in_tables_and_charts(client, programmabureau_user, registry):
    response = _get(client, programmabureau_user, peildatum=P, kwartalen=4)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stand op 2022-12-31" in html
    assert html.count('<svg role="img"') == 5
    for key in ("bezetting", "uitstroommix", "doorlooptijd", "perspectief", "besluiten"):
        assert f'aria-labelledby="{key}-caption"' in html
        assert f'id="{key}-caption"' in html  # the caption is the text alternative
    assert "Gegevens bij de grafiek" in html
    for name in ("Amsterdam", "Rotterdam", "Landelijk"):
        assert f'<th class="utrecht-table__cell" scope="row">{name}</th>' in html
    assert f"{reverse('monitor:definitions')}#def-in_lvv" in html
    _assert_no_person(html)
    assert not AccessLogEntry.objects.filter(view_name__startswith="monitor:").exists()


def test_the_figures_are_those_of_the_registry(client, programmabureau_user, registry):
    response = _get(client, programmabureau_user, peildatum=P)
    core = next(t for t in response.context["content"].tables if t.key == "kerncijfers")
    in_lvv = core.values("in_lvv")
    assert in_lvv == {("Amsterdam",): 1, ("Rotterdam",): 1, ("Landelijk",): 2, **{(m,): 0 for m in ZERO_TOWNS}}
    assert core.values("uitstroom")[("Landelijk",)] == 1
    assert core.values("capaciteit")[("Landelijk",)] == 15


def test_a_municipality_sees_its_own_figures_and_the_national_ones(client, gemeente_user, registry):
    response = _get(client, gemeente_user, peildatum=P)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Monitor LVV: Amsterdam" in html
    assert "Rotterdam" not in html
    assert 'name="gemeente"' not in html  # no choice of municipality
    core = next(t for t in response.context["content"].tables if t.key == "kerncijfers")
    assert [r.labels[0] for r in core.rows] == ["Amsterdam", "Landelijk"]
    _assert_no_person(html)


def test_programmabureau_can_pick_one_municipality(client, programmabureau_user, registry):
    response = _get(client, programmabureau_user, peildatum=P, gemeente="Rotterdam")
    core = next(t for t in response.context["content"].tables if t.key == "kerncijfers")
    assert [r.labels[0] for r in core.rows] == ["Rotterdam", "Landelijk"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"peildatum": "2022-13-45"}, MSG_DATE),
        ({"peildatum": "gisteren"}, MSG_DATE),
        ({"peildatum": "2099-01-01"}, "De peildatum ligt na vandaag"),
        ({"peildatum": P, "kwartalen": "99"}, "Kies een aantal kwartalen van 1 tot en met 40."),
        ({"peildatum": P, "basis": "mensen"}, "Selecteer een geldige keuze"),
        ({"peildatum": P, "gemeente": "Atlantis"}, "Selecteer een geldige keuze"),
    ],
)
def test_bad_choices_get_a_dutch_message_and_no_figures(client, programmabureau_user, registry, params, message):
    response = _get(client, programmabureau_user, **params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "<svg" not in html and "Stand op" not in html
    download = _get(client, programmabureau_user, "monitor:download_xlsx", **params)
    assert download.status_code == 400 and message in download.content.decode()


def test_without_choices_the_last_quarter_end_is_shown(client, programmabureau_user, registry):
    response = _get(client, programmabureau_user)
    assert response.status_code == 200
    assert response.context["content"].peildatum == default_peildatum()
    assert default_peildatum(dt.date(2026, 12, 2)) == dt.date(2026, 9, 30)
    assert default_peildatum(dt.date(2026, 9, 30)) == dt.date(2026, 9, 30)


# --- downloads ---------------------------------------------------------------------------------

SHEETS = [
    "toelichting",
    "kerncijfers",
    "uitstroom",
    "uitstroom_per_reden",
    "perspectief",
    "besluiten",
    "instrumenten",
    "verloop",
]


def _sheet_rows(sheet):
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def test_xlsx_has_one_sheet_per_table_and_hides_small_counts(client, programmabureau_user, registry):
    response = _get(client, programmabureau_user, "monitor:download_xlsx", peildatum=P, weergave="publicatie")
    assert response.status_code == 200
    assert "lvv-monitor-2022-12-31-trajecten-publicatie.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == SHEETS
    rows = _sheet_rows(workbook["kerncijfers"])
    header = rows[3]
    assert header[:3] == ["Gemeente", "Aanmeldingen", "Instroom"]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[4:]}
    assert set(by_name) == {"Amsterdam", "Rotterdam", "Landelijk", *ZERO_TOWNS}
    assert by_name["Utrecht"]["In de LVV"] == 0  # zero is never hidden
    # Every count here is 1 to 4: hidden. Capacity is places, not people: shown.
    assert by_name["Amsterdam"]["In de LVV"] == "<5"
    assert by_name["Landelijk"]["Instroom"] == "<5"
    assert by_name["Landelijk"]["Capaciteit"] == 15
    texts = " ".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row)
    _assert_no_person(texts)
    about = dict((r[0], r[1]) for r in _sheet_rows(workbook["toelichting"]) if r[0])
    assert about["Peildatum"] == P


def test_xlsx_exact_version_shows_the_counts(client, programmabureau_user, registry):
    response = _get(client, programmabureau_user, "monitor:download_xlsx", peildatum=P, weergave="intern")
    rows = _sheet_rows(load_workbook(io.BytesIO(response.content))["kerncijfers"])
    header = rows[3]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows[4:]}
    assert by_name["Landelijk"]["In de LVV"] == 2
    assert by_name["Landelijk"]["Bezettingsgraad"] == pytest.approx(0.133)


def _csv_in_lvv(client, user):
    response = _get(client, user, "monitor:download_csv", peildatum=P, weergave="publicatie")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    return {r["rij"]: r["waarde"] for r in lines if r["tabel"] == "kerncijfers" and r["indicator"] == "in_lvv"}


def test_the_threshold_is_a_setting(client, programmabureau_user, registry):
    assert _csv_in_lvv(client, programmabureau_user)["Amsterdam"] == "<5"
    with override_settings(LVV_SUPPRESSION_THRESHOLD=10):
        assert _csv_in_lvv(client, programmabureau_user)["Amsterdam"] == "<10"
    with override_settings(LVV_SUPPRESSION_THRESHOLD=1):  # nothing is below 1: nothing hidden
        assert _csv_in_lvv(client, programmabureau_user) == {
            "Amsterdam": "1", "Rotterdam": "1", "Landelijk": "2", **dict.fromkeys(ZERO_TOWNS, "0")
        }  # fmt: skip


def test_csv_lists_every_cell_in_long_form(client, gemeente_user, registry):
    response = _get(client, gemeente_user, "monitor:download_csv", peildatum=P)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    lines = list(csv.DictReader(io.StringIO(text)))
    assert set(lines[0]) == {"peildatum", "basis", "weergave", "tabel", "rij", "indicator", "kolom", "waarde"}
    assert {r["tabel"] for r in lines} == set(SHEETS[1:])
    in_lvv = {r["rij"]: r["waarde"] for r in lines if r["tabel"] == "kerncijfers" and r["indicator"] == "in_lvv"}
    assert in_lvv == {"Amsterdam": "1", "Landelijk": "2"}  # a municipality: its own row and the country
    assert "Rotterdam" not in text
    _assert_no_person(text)


def test_pdf_report_has_peildatum_definitions_and_charts(client, programmabureau_user, registry):
    response = _get(client, programmabureau_user, "monitor:download_pdf", peildatum=P, weergave="publicatie")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    first = reader.pages[0].extract_text()
    assert "Peildatum" in first and P in first
    assert "Definities" in first and "Bezettingsgraad" in first
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Bezetting tegenover capaciteit" in text and "Besluiten na hasa en artikel 64" in text
    assert len(reader.pages) >= 6  # page 1, five charts, the tables
    _assert_no_person(text)
