"""Reconciliation against the real registry: the sample delivery and the sample extracts, the
commands, the stored extracts, the duplicate report across municipalities, and the web pages with
who sees what (and the access log)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.demo import factories
from lvv.exchange.models import ChainExtract, ChainExtractRow
from lvv.exchange.reconcile import DTV, IND, extract_latest, extract_read, extract_store, registry_load, report_build
from lvv.people.models import Person
from lvv.people.services import person_create

from .helpers import EXAMPLES, SAMPLE, SAMPLE_CAPACITY, run_import

IND_SAMPLE = EXAMPLES / "ind-extract.csv"
DTV_SAMPLE = EXAMPLES / "dtv-extract.csv"
PEIL = dt.date(2022, 12, 31)
pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def sample():
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    assert run_import(SAMPLE)[0] == 0


def reconcile_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("lvv_reconcile", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def store(partner, path, user=None, peildatum=PEIL):
    reading = extract_read(path, partner=partner, peildatum=peildatum)
    assert reading.ok, [str(f) for f in reading.faults]
    return extract_store(actor=user, reading=reading, file_name=path.name)


def findings(report_json, municipality):
    found = report_json["per_gemeente"][municipality]["bevindingen"]
    return sorted(
        (c, f.get("soort", ""), f.get("traject_id", f["v_nummer"])) for c, rows in found.items() for f in rows
    )


# --- the commands --------------------------------------------------------------------------------------


def test_reconcile_command_on_the_samples(sample):
    code, out, err = reconcile_command(
        "--ind", str(IND_SAMPLE), "--dtv", str(DTV_SAMPLE), "--peildatum", "2022-12-31", "--format", "json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert (report["peildatum_ind"], report["peildatum_dtv"]) == ("2022-12-31", "2022-12-31")
    assert findings(report, "Amsterdam") == [("uitstroom_verschilt", "vertrek_niet_in_register", "AMS-4")]
    assert findings(report, "Rotterdam") == [
        ("aangemeld_na_uitstroom", "", "ROT-1"),
        ("onbekend_bij_dtv", "", "ROT-2"),
        ("uitstroom_verschilt", "besluit_ontbreekt_in_register", "ROT-1"),
        ("uitstroom_verschilt", "inwilliging_traject_open", "ROT-2"),
    ]
    assert findings(report, "Utrecht") == [
        ("uitstroom_verschilt", "inwilliging_onbekend_bij_ind", "UTR-2"),
        ("vermoedelijk_verkeerd_v_nummer", "", "1000000013"),
    ]
    mistyped = report["per_gemeente"]["Utrecht"]["bevindingen"]["vermoedelijk_verkeerd_v_nummer"][0]
    assert mistyped["kandidaten"] == [{"v_nummer": "1000000031", "reden": "twee cijfers verwisseld (posities 9 en 10)"}]
    national = report["landelijk"]
    assert national["uitstroom_verschilt"] == 4 and national["zonder_v_nummer"] == 2
    assert national["dubbel_ingeschreven_personen"] == 1
    (group,) = report["dubbele_inschrijvingen"]
    assert group["gemeenten"] == ["Amsterdam", "Rotterdam"] and group["grond"] == ["v_nummer"]
    assert [r["persoon_id"] for r in group["inschrijvingen"]] == ["A2", "R2"]


def test_reconcile_command_for_one_municipality_shows_other_lvvs_only_by_municipality_and_dates(sample):
    code, out, err = reconcile_command("--ind", str(IND_SAMPLE), "--peildatum", "2022-12-31", "--gemeente", "rotterdam")
    assert code == 0, err
    report = json.loads(out)
    assert list(report["per_gemeente"]) == ["Rotterdam"] and "dubbele_inschrijvingen" not in report
    assert report["per_gemeente"]["Rotterdam"]["aantallen"]["onbekend_bij_dtv"] is None  # no DT&V extract
    (group,) = report["per_gemeente"]["Rotterdam"]["dubbele_inschrijvingen"]
    amsterdam, rotterdam = group["inschrijvingen"]
    assert amsterdam == {
        "gemeente": "Amsterdam",
        "trajecten": [
            {"datum_aanmelding": "2021-02-01", "datum_toelating": "2021-02-05", "datum_uitstroom": "2021-12-01"}
        ],
    }
    assert rotterdam["persoon_id"] == "R2" and rotterdam["trajecten"][0]["traject_id"] == "ROT-2"


def test_reconcile_command_csv_and_xlsx(sample, tmp_path):
    code, out, _ = reconcile_command(
        "--ind", str(IND_SAMPLE), "--dtv", str(DTV_SAMPLE), "--peildatum", "2022-12-31", "--format", "csv"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "gemeente,categorie,soort,partner,v_nummer,persoon_id,traject_id,melding"
    assert len(lines) == 1 + 7 + 2  # seven findings, two registrations of the duplicate
    assert any(line.startswith("Rotterdam,dubbele_inschrijving,v_nummer,,1000000002,R2,ROT-2,") for line in lines)
    target = tmp_path / "r.xlsx"
    assert (
        reconcile_command(
            "--dtv", str(DTV_SAMPLE), "--peildatum", "2022-12-31", "--format", "xlsx", "--output", str(target)
        )[0]
        == 0
    )
    from openpyxl import load_workbook

    assert load_workbook(target).sheetnames == ["samenvatting", "bevindingen", "dubbele_inschrijvingen"]


def test_reconcile_command_refuses_a_faulty_extract_whole(sample, tmp_path):
    bad = tmp_path / "ind.csv"
    bad.write_text(IND_SAMPLE.read_text() + "123,hasa,in_behandeling,2022-01-01,,\n", encoding="utf-8")
    code, out, err = reconcile_command("--ind", str(bad), "--dtv", str(DTV_SAMPLE), "--peildatum", "2022-12-31")
    assert code == 1 and out == ""
    assert f"{bad}: regel 13: v_nummer: Een V-nummer bestaat uit precies 10 cijfers. (gevonden: '123')" in err
    assert "1 fout(en) in de extracten; er is niets vergeleken." in err
    assert reconcile_command()[0] == 1  # no extract at all


def test_duplicates_command(sample):
    out = io.StringIO()
    call_command("lvv_duplicates", "--gemeente", "Amsterdam", stdout=out)
    data = json.loads(out.getvalue())
    assert data["aantal_personen"] == 1
    assert data["per_gemeente"] == {"Amsterdam": {"ook_elders_ingeschreven": 1, "gelijktijdig": 0}}
    assert "persoon_id" not in data["groepen"][0]["inschrijvingen"][1]  # Rotterdam's registration


# --- the registry, duplicates across municipalities ------------------------------------------------------


def test_registry_load_takes_a_few_queries(sample, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        persons = registry_load(with_names=True)
    assert len(persons) == 12 and sum(len(p.trajectories) for p in persons) == 13
    # Delivered persons carry a placeholder name, never used for a name match.
    assert all(p.names == () for p in persons)


def test_duplicates_across_municipalities_in_the_registry(gemeente_user, rotterdam_user):
    utrecht_user = factories.UserFactory(organisation=factories.municipal_organisation("Utrecht"))
    birth = dt.date(1988, 3, 14)
    factories.admitted_trajectory(
        actor=gemeente_user, given_names="Samir", family_name="Haddad", birth_date=birth, v_number="4444444444"
    )
    factories.registered_trajectory(
        actor=rotterdam_user, given_names="Samir", family_name="Haddad", birth_date=birth, v_number="4444444444",
        application_date=dt.date(2022, 2, 1),
    )  # fmt: skip
    factories.registered_trajectory(actor=utrecht_user, given_names="Samier", family_name="Hadad", birth_date=birth)
    factories.registered_trajectory(actor=utrecht_user, given_names="Fatima", family_name="Yusuf", birth_date=birth)
    report = report_build(municipality="Utrecht")
    (group,) = report.duplicates
    assert group.municipalities == ["Amsterdam", "Rotterdam", "Utrecht"]
    assert group.grounds == {"v_nummer", "naam_en_geboortedatum"}
    assert group.simultaneous  # all three applications are still open
    data = report.as_dict()
    assert data["per_gemeente"]["Utrecht"]["aantallen"]["ook_elders_ingeschreven"] == 1
    utrecht_person = Person.objects.get(family_name="Hadad")
    assert report.person_ids() == [utrecht_person.pk]


# --- storing extracts ---------------------------------------------------------------------------------


def test_only_the_latest_extract_of_a_partner_is_kept(sample, ind_user):
    first = store(IND, IND_SAMPLE, ind_user, peildatum=dt.date(2022, 11, 30))
    store(DTV, DTV_SAMPLE)
    second = store(IND, IND_SAMPLE, ind_user)
    assert list(ChainExtract.objects.values_list("pk", flat=True).order_by("pk")) == [first.pk + 1, second.pk]
    assert not ChainExtractRow.objects.filter(extract_id=first.pk).exists()
    meta, extract = extract_latest(IND)
    assert meta == second and extract.peildatum == PEIL
    assert extract.records == extract_read(IND_SAMPLE, partner=IND, peildatum=PEIL).records  # round trip


# --- the web pages --------------------------------------------------------------------------------------


def _page_text(response) -> str:
    """The page without its CSRF token, a random string that may contain any short key by chance."""
    html = response.content.decode()
    for token in set(re.findall(r'csrfmiddlewaretoken" value="([^"]+)"', html)):
        html = html.replace(token, "")
    return html


@pytest.fixture
def stored(sample):
    store(IND, IND_SAMPLE)
    store(DTV, DTV_SAMPLE)


def test_municipality_sees_its_own_findings_and_the_reads_are_logged(client, stored, rotterdam_user):
    client.force_login(rotterdam_user)
    response = client.get(reverse("exchange:reconcile"))
    assert response.status_code == 200
    html = _page_text(response)
    for text in ("ROT-1", "ROT-2", "1000000006", "aangemeld op 2022-08-01", "andere LVV"):
        assert text in html
    for text in ("AMS-4", "1000000004", "UTR-2", "1000000013", "A2"):
        assert text not in html  # other municipalities' persons, also the duplicate's own key
    logged = set(AccessLogEntry.objects.filter(username=rotterdam_user.username).values_list("person_id", flat=True))
    assert logged == set(
        Person.objects.filter(person_key__in=["R1", "R2"], municipality__name="Rotterdam").values_list("pk", flat=True)
    )


def test_programmabureau_sees_counts_per_municipality_and_no_person(client, stored, programmabureau_user):
    logged_before = AccessLogEntry.objects.count()  # the import's own system entries
    client.force_login(programmabureau_user)
    response = client.get(reverse("exchange:reconcile"))
    assert response.status_code == 200
    html = _page_text(response)
    assert "Bevindingen per gemeente" in html and "Utrecht" in html
    for text in ("1000000", "ROT-", "AMS-", "UTR-", "R1", "A2"):
        assert text not in html
    download = client.get(reverse("exchange:reconcile_download"), {"formaat": "csv"})
    content = download.content.decode()
    assert content.splitlines()[0].startswith("gemeente,onbekend_bij_ind,ongeldig_v_nummer")
    assert "Rotterdam,0,0,0,1,1,2,1,0" in content and "1000000" not in content
    assert AccessLogEntry.objects.count() == logged_before  # counts only: no person was read


def test_municipality_download_holds_its_own_rows(client, stored, gemeente_user):
    client.force_login(gemeente_user)
    response = client.get(reverse("exchange:reconcile_download"), {"formaat": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="ketenreconciliatie-amsterdam-')
    rows = [r.split(",", 7) for r in response.content.decode().splitlines()[1:]]
    assert [r[:7] for r in rows] == [
        ["Amsterdam", "uitstroom_verschilt", "vertrek_niet_in_register", "dtv", "1000000004", "A4", "AMS-4"],
        ["Amsterdam", "dubbele_inschrijving", "v_nummer", "", "1000000002", "A2", "AMS-2"],
        # The other LVV's registration of the same person: its municipality and dates only.
        ["Rotterdam", "dubbele_inschrijving", "v_nummer", "", "", "", ""],
    ]
    assert rows[2][7] == '"aanmelding 2022-01-15, toelating 2022-01-20, uitstroom -"'
    logged = AccessLogEntry.objects.filter(username=gemeente_user.username, view_name="exchange:reconcile_download")
    expected = Person.objects.filter(municipality__name="Amsterdam", person_key__in=["A4", "A2"])
    assert set(logged.values_list("person_id", flat=True)) == set(expected.values_list("pk", flat=True))
    xlsx = client.get(reverse("exchange:reconcile_download"), {"formaat": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("fixture", ["ind_user", "dtv_user", "ngo_user", "avim_user"])
def test_chain_partners_and_ngos_get_no_report(client, sample, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("exchange:reconcile")).status_code == 403
    assert client.get(reverse("exchange:reconcile_download")).status_code == 403


def test_ind_uploads_its_extract(client, sample, ind_user):
    client.force_login(ind_user)
    upload = SimpleUploadedFile("ind.csv", IND_SAMPLE.read_bytes(), content_type="text/csv")
    with clock.frozen(dt.date(2023, 1, 15)):
        response = client.post(reverse("exchange:extract_upload"), {"peildatum": "2022-12-31", "bestand": upload})
    assert response.status_code == 302
    (extract,) = ChainExtract.objects.all()
    assert (extract.partner, extract.peildatum, extract.row_count, extract.uploaded_by) == ("ind", PEIL, 11, ind_user)
    page = client.get(reverse("exchange:extract_upload")).content.decode()
    assert "ind.csv (11 regels)" in page and "1000000" not in page


def test_a_faulty_upload_is_refused_whole_and_lists_every_fault(client, sample, dtv_user):
    store(DTV, DTV_SAMPLE)
    client.force_login(dtv_user)
    bad = DTV_SAMPLE.read_text() + "1000000099,lopend,2021-01-01,2021-02-01,zelfstandig\n1000000098,weg,2021-01-01,,\n"
    upload = SimpleUploadedFile("dtv.csv", bad.encode(), content_type="text/csv")
    response = client.post(reverse("exchange:extract_upload"), {"peildatum": "2022-12-31", "bestand": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Het extract is niet ingelezen: 2 fouten" in html
    assert "regel 10: dossier_status: een dossier met een vertrek is afgesloten" in html
    assert "regel 11: dossier_status: onbekende waarde" in html
    assert ChainExtract.objects.count() == 1 and ChainExtract.objects.get().row_count == 8  # the old one stays


def test_dtv_cannot_upload_an_ind_extract(client, sample, dtv_user):
    client.force_login(dtv_user)
    upload = SimpleUploadedFile("ind.csv", IND_SAMPLE.read_bytes(), content_type="text/csv")
    response = client.post(reverse("exchange:extract_upload"), {"peildatum": "2022-12-31", "bestand": upload})
    assert "de kolomnamen passen bij een IND-extract, niet bij een DT&amp;V-extract" in response.content.decode()
    assert not ChainExtract.objects.exists()


def test_upload_with_a_future_peildatum_is_refused(client, sample, ind_user):
    client.force_login(ind_user)
    upload = SimpleUploadedFile("ind.csv", IND_SAMPLE.read_bytes(), content_type="text/csv")
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(reverse("exchange:extract_upload"), {"peildatum": future, "bestand": upload})
    assert response.status_code == 200 and "De peildatum ligt in de toekomst." in response.content.decode()
    assert not ChainExtract.objects.exists()


def test_municipality_users_cannot_upload(client, gemeente_user, programmabureau_user):
    for user in (gemeente_user, programmabureau_user):
        client.force_login(user)
        assert client.get(reverse("exchange:extract_upload")).status_code == 403


def test_person_create_keeps_malformed_v_numbers_out_so_legacy_rows_are_reported(gemeente_user):
    """The services refuse a malformed V-nummer; a legacy row that has one is reported."""
    person = person_create(actor=gemeente_user, municipality=gemeente_user.municipality, family_name="Oud", v_number="")
    Person.objects.filter(pk=person.pk).update(v_number="12345 678")
    report = report_build(municipality="Amsterdam")
    (finding,) = report.findings
    assert (finding.category, finding.v_number) == ("ongeldig_v_nummer", "12345 678")
