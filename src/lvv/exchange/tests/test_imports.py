"""`lvv import`: a delivery lands in the registry's own tables, all or nothing; the same file twice
changes nothing; a corrected file updates."""

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from lvv.admissions.models import AdmissionDecision
from lvv.demo import factories
from lvv.exchange.delivery import TRAJECTORY_COLUMNS
from lvv.exchange.imports import SYSTEM_USERNAME, delivery_import
from lvv.monitor.selectors import monitor_report
from lvv.people.models import Person
from lvv.shelter.models import CapacityPeriod, Location
from lvv.trajectories.models import InstrumentUse, Perspective, Placement, TimelineEvent, Trajectory

from .helpers import (
    SAMPLE,
    SAMPLE_CAPACITY,
    checksum,
    row_counts,
    run_import,
    sample_rows,
    write_capacity,
    write_delivery,
)

DATA = SAMPLE.parents[2] / "src" / "lvv" / "monitor" / "tests" / "data"
pytestmark = pytest.mark.usefixtures("reference_data")


def t(external_id: str) -> Trajectory:
    return Trajectory.objects.select_related("person").get(external_id=external_id)


@pytest.fixture
def sample():
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    code, out, err = run_import(SAMPLE)
    assert code == 0, err
    return out


def test_the_sample_delivery_lands_in_the_registry(sample):
    assert "13 nieuw, 0 bijgewerkt, 0 ongewijzigd; personen: 12 nieuw" in sample
    assert Trajectory.objects.count() == 13
    # The same V-nummer in Amsterdam and Rotterdam: two person records; a re-entry: one.
    assert Person.objects.filter(v_number="1000000002").count() == 2
    assert t("AMS-4").person == t("AMS-5").person
    assert t("AMS-3").person.v_number == "" and t("AMS-3").person.person_key == "A3"
    stages = {tr.external_id: tr.stage for tr in Trajectory.objects.all()}
    assert stages["AMS-3"] == "intake" and stages["AMS-5"] == "perspectief_bepaald"
    assert stages["ROT-4"] == "aangemeld" and stages["ROT-3"] == "uitgestroomd"

    decision = AdmissionDecision.objects.get(trajectory=t("AMS-2"))
    assert (decision.outcome, decision.decided_on, decision.lso_meeting_date) == (
        "uitzondering", dt.date(2021, 2, 5), dt.date(2021, 2, 5),
    )  # fmt: skip
    assert "motivering niet aangeleverd" in decision.exception_motivation
    assert t("AMS-2").is_exception
    assert not AdmissionDecision.objects.filter(trajectory=t("ROT-4")).exists()

    (placement,) = Placement.objects.filter(trajectory=t("ROT-1"))
    assert (placement.shelter_form, placement.hours, placement.location.name) == ("nachtopvang", "nacht", "Rotterdam")
    assert (placement.start_date, placement.end_date) == (dt.date(2021, 3, 5), dt.date(2022, 6, 30))
    (perspective,) = Perspective.objects.filter(trajectory=t("AMS-5"))
    assert (perspective.perspective, perspective.decided_on, perspective.status) == (
        "terugkeer", dt.date(2022, 8, 1), "definitief",
    )  # fmt: skip
    ams2 = dict(InstrumentUse.objects.filter(trajectory=t("AMS-2")).values_list("instrument_id", "value"))
    assert ams2 == {"juridische_screening": "ja", "juridische_begeleiding": "ja", "activering": "nvt",
                    "sociale_begeleiding": "ja", "terugkeerbegeleiding": "nvt"}  # fmt: skip
    assert (t("AMS-2").ind_decision, t("AMS-2").ind_decision_date) == ("inwilliging", dt.date(2022, 3, 1))

    events = TimelineEvent.objects.filter(kind="aanlevering")
    assert events.count() == 13
    assert (
        events.get(trajectory=t("ROT-2")).description
        == "Aangeleverd via bestand aanlevering.csv (regel 8): nieuw traject"
    )
    system = events.first().actor
    assert system.username == SYSTEM_USERNAME and not system.is_active and not system.has_usable_password()


@pytest.mark.parametrize("basis", ["trajecten", "personen"])
def test_the_imported_sample_gives_the_published_figures(sample, basis):
    expected = json.loads((DATA / f"monitor-voorbeeld-2022-07-01-{basis}.json").read_text(encoding="utf-8"))
    report = monitor_report(peildatum=dt.date(2022, 7, 1), basis=basis)
    assert report["landelijk"] == expected["landelijk"]
    for name, figures in expected["per_gemeente"].items():
        assert report["per_gemeente"][name] == figures


def test_importing_the_same_files_again_changes_nothing(sample):
    before = checksum()
    code, out, _ = run_import(SAMPLE)
    assert code == 0 and "0 nieuw, 0 bijgewerkt, 13 ongewijzigd" in out
    code, out, _ = run_import(SAMPLE_CAPACITY)
    assert code == 0 and "3 ongewijzigd" in out
    assert checksum() == before


def test_a_faulty_delivery_is_refused_whole_with_one_line_per_fault(sample, tmp_path):
    rows = sample_rows()
    rows[0]["v_nummer"] = "10000001"  # line 2
    rows[3]["datum_toelating"] = "2020-04-01"  # line 5: admitted before application
    rows[5]["uitstroomreden"] = ""  # line 7: a date without its reason
    rows[6]["gemeente"] = "Atlantis"  # line 8
    rows[9]["datum_aanmelding"] = "2021-02-30"  # line 11
    rows[10]["traject_id"] = "UTR-1"  # line 12: UTR-1 twice
    rows.append({**rows[2], "traject_id": "AMS-9", "persoon_id": "A9"})  # a good new row: not imported either
    path = write_delivery(tmp_path / "fout.csv", rows)
    counts, before = row_counts(), checksum()

    code, out, err = run_import(path)

    assert code == 1
    lines = err.splitlines()
    assert lines[:6] == [
        "regel 2: v_nummer: Een V-nummer bestaat uit precies 10 cijfers. (gevonden: '10000001')",
        "regel 5: datum_toelating: 2020-04-01 ligt vóór datum_aanmelding (2020-05-01)",
        "regel 7: uitstroomreden: is verplicht bij datum_uitstroom",
        "regel 8: gemeente: onbekende gemeente 'Atlantis'",
        "regel 11: datum_aanmelding: '2021-02-30' is geen bestaande datum in de vorm JJJJ-MM-DD",
        "regel 12: traject_id: traject_id 'UTR-1' staat ook in regel 11 (uniek per gemeente)",
    ]
    assert "6 fout(en)" in lines[6] and "niets ingelezen" in lines[6]
    assert row_counts() == counts
    assert checksum() == before


def test_a_corrected_file_updates_what_changed(sample, tmp_path):
    rows = sample_rows()
    ams5 = next(r for r in rows if r["traject_id"] == "AMS-5")
    ams5.update(perspectief="legalisering", datum_perspectief="2022-06-01", datum_uitstroom="2022-09-01",
                uitstroomreden="zelfstandig_vertrek", activering="nee")  # fmt: skip
    utr1 = next(r for r in rows if r["traject_id"] == "UTR-1")
    utr1.update(geslacht="anders", opvangvorm="centraal")
    path = write_delivery(tmp_path / "correctie.csv", rows)

    code, out, err = run_import(path)

    assert code == 0, err
    assert "0 nieuw, 2 bijgewerkt, 11 ongewijzigd; personen: 0 nieuw, 1 bijgewerkt" in out
    ams5_t = t("AMS-5")
    assert (ams5_t.stage, ams5_t.outflow_date, ams5_t.outcome_id) == (
        "uitgestroomd",
        dt.date(2022, 9, 1),
        "zelfstandig_vertrek",
    )
    assert list(ams5_t.perspectives.values_list("perspective", "decided_on")) == [("legalisering", dt.date(2022, 6, 1))]
    assert ams5_t.placements.get().end_date == dt.date(2022, 9, 1)
    assert ams5_t.instruments.get(instrument_id="activering").value == "nee"
    event = ams5_t.events.get(kind="aanlevering", description__contains="bijgewerkt")
    assert event.description == (
        "Aangeleverd via bestand correctie.csv (regel 6): bijgewerkt (perspectief, datum_perspectief, activering, "
        "datum_uitstroom, uitstroomreden, fase)"
    )
    utr1_t = t("UTR-1")
    assert utr1_t.person.sex == "anders"
    assert list(utr1_t.placements.values_list("shelter_form", flat=True)) == ["centraal"]
    assert utr1_t.events.get(kind="persoonsgegevens").description == (
        "Persoonsgegevens bijgewerkt via bestand correctie.csv: geslacht"
    )
    assert t("AMS-1").events.count() == 1  # untouched


def test_an_xlsx_delivery_is_read_like_csv(tmp_path):
    workbook = Workbook()
    workbook.active.append(list(TRAJECTORY_COLUMNS))
    for row in sample_rows():
        workbook.active.append([row[c] for c in TRAJECTORY_COLUMNS])
    workbook.save(tmp_path / "aanlevering.xlsx")
    code, out, err = run_import(tmp_path / "aanlevering.xlsx")
    assert code == 0, err
    assert Trajectory.objects.count() == 13


def test_controleer_checks_without_writing(tmp_path):
    before = checksum()
    code, out, _ = run_import(SAMPLE, "--controleer")
    assert code == 0 and "Geen fouten gevonden" in out and "13 nieuw" in out
    assert checksum() == before


def test_a_file_of_unknown_kind_is_refused(tmp_path):
    path = tmp_path / "iets.csv"
    path.write_text("naam,adres\nJan,Dorpsstraat 1\n", encoding="utf-8")
    code, _, err = run_import(path)
    assert code == 1 and err.startswith("regel 1: kopregel: de kolomnamen passen niet")
    code, _, err = run_import(tmp_path / "bestaat-niet.csv")
    assert code == 1 and err.startswith("regel 1: bestand: ")


# --- who is who ---------------------------------------------------------------------------------


def person_row(traject_id, persoon_id, v_nummer, application, admission="", outflow="", reason="", **extra):
    return {
        "traject_id": traject_id,
        "gemeente": extra.pop("gemeente", "Utrecht"),
        "persoon_id": persoon_id,
        "v_nummer": v_nummer,
        "datum_aanmelding": application,
        "datum_toelating": admission,
        "datum_uitstroom": outflow,
        "uitstroomreden": reason,
        **extra,
    }


def import_rows(tmp_path, *rows):
    return delivery_import(path=write_delivery(tmp_path / "personen.csv", list(rows)))


def faults(result):
    return [str(f) for f in result.faults]


def test_a_row_with_only_the_v_number_joins_the_person_with_that_v_number(tmp_path):
    result = import_rows(
        tmp_path,
        person_row("U-1", "P1", "2000000001", "2021-01-01", "2021-01-02", "2021-06-01", "mob"),
        person_row("U-2", "", "2000000001", "2021-07-01"),
    )
    assert result.ok, faults(result)
    assert Person.objects.filter(municipality__name="Utrecht").count() == 1
    assert t("U-2").person.person_key == "P1"


def test_one_persoon_id_with_two_v_numbers_is_a_fault(tmp_path):
    result = import_rows(
        tmp_path,
        person_row("U-1", "P1", "2000000001", "2021-01-01", "2021-01-02", "2021-06-01", "mob"),
        person_row("U-2", "P1", "2000000002", "2021-07-01"),
    )
    assert faults(result) == ["regel 3: v_nummer: persoon_id 'P1' heeft in regel 2 een ander V-nummer (2000000001)"]


def test_one_v_number_for_two_persoon_ids_in_one_municipality_is_a_fault(tmp_path):
    result = import_rows(
        tmp_path,
        person_row("U-1", "P1", "2000000001", "2021-01-01"),
        person_row("U-2", "P2", "2000000001", "2021-07-01"),
    )
    assert faults(result) == [
        "regel 3: v_nummer: V-nummer 2000000001 staat in regel 2 bij een andere persoon (persoon_id 'P1')"
    ]


def test_a_v_number_of_another_registered_person_is_a_fault(tmp_path):
    closed = {"admission": "2021-01-02", "outflow": "2021-02-01", "reason": "mob"}
    assert import_rows(
        tmp_path,
        person_row("U-1", "P1", "2000000001", "2021-01-01", **closed),
        person_row("U-2", "P2", "", "2021-01-01", **closed),
    ).ok
    result = import_rows(tmp_path, person_row("U-3", "P2", "2000000001", "2021-07-01"))
    assert faults(result) == [
        "regel 2: v_nummer: V-nummer 2000000001 hoort in Utrecht al bij een andere persoon (persoon_id 'P1')"
    ]


def test_two_delivered_persons_that_are_one_registered_person_is_a_fault(tmp_path):
    closed = {"admission": "2021-01-02", "outflow": "2021-02-01", "reason": "mob"}
    assert import_rows(tmp_path, person_row("U-1", "P1", "2000000001", "2021-01-01", **closed)).ok
    # P9 is found by its V-nummer (P1's), and P1 by its key: the same registered person twice.
    result = import_rows(
        tmp_path,
        person_row("U-1", "P1", "", "2021-01-01", **closed),
        person_row("U-2", "P9", "2000000001", "2021-07-01"),
    )
    assert faults(result) == [
        "regel 3: persoon_id: dit is dezelfde geregistreerde persoon als in regel 2 (V-nummer of persoon_id)"
    ]


def test_a_registered_person_found_by_v_number_takes_the_delivered_persoon_id(tmp_path, rotterdam_user):
    ui = factories.admitted_trajectory(actor=rotterdam_user, v_number="2000000009")
    outflow = dt.date(2022, 3, 1)
    from lvv.trajectories.services import outflow_register

    outflow_register(actor=rotterdam_user, trajectory=ui, outflow_date=outflow, outcome_code="mob")
    result = import_rows(tmp_path, person_row("R-9", "R-EIGEN", "2000000009", "2022-05-01", gemeente="Rotterdam"))
    assert result.ok, faults(result)
    person = Person.objects.get(pk=ui.person_id)
    assert person.person_key == "R-EIGEN"
    assert t("R-9").person == person
    assert person.family_name == ui.person.family_name  # the name registered in lvv stays


def test_two_open_trajectories_of_one_person_are_a_fault(tmp_path):
    result = import_rows(
        tmp_path,
        person_row("U-1", "P1", "", "2021-01-01", "2021-01-02"),
        person_row("U-2", "P1", "", "2021-07-01", "2021-07-02"),
    )
    assert faults(result) == [
        "regel 3: datum_aanmelding: valt binnen traject U-1 van dezelfde persoon (regel 2); een nieuw traject kan pas "
        "beginnen als het vorige is afgesloten"
    ]


def test_a_trajectory_within_the_previous_one_is_a_fault(tmp_path):
    result = import_rows(
        tmp_path,
        person_row("U-1", "P1", "", "2021-01-01", "2021-01-02", "2021-12-01", "mob"),
        person_row("U-2", "P1", "", "2021-07-01", "2021-07-02", "2021-08-01", "mob"),
    )
    assert [f.line for f in result.faults] == [3]


def test_an_application_never_admitted_is_closed_by_the_next_one(tmp_path):
    result = import_rows(
        tmp_path,
        person_row("U-1", "P1", "", "2021-01-01"),
        person_row("U-2", "P1", "", "2021-07-01", "2021-07-02"),
        person_row("U-3", "P2", "", "2021-07-01"),
    )
    assert result.ok, faults(result)
    assert (t("U-1").stage, t("U-2").stage, t("U-3").stage) == ("geweigerd", "toegelaten", "aangemeld")


def test_an_open_trajectory_registered_in_lvv_blocks_a_new_delivered_one(tmp_path, gemeente_user):
    factories.admitted_trajectory(actor=gemeente_user, v_number="2000000005")
    result = import_rows(tmp_path, person_row("A-9", "X", "2000000005", "2022-05-01", gemeente="Amsterdam"))
    assert len(result.faults) == 1 and "al in het register" in faults(result)[0]


# --- capacity -----------------------------------------------------------------------------------


def test_a_capacity_file_gives_the_register_of_each_location_it_names(tmp_path):
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    path = write_capacity(
        tmp_path / "capaciteit.csv",
        [
            {"gemeente": "Rotterdam", "locatie": "Rotterdam", "plaatsen": "117", "geldig_vanaf": "2019-01-01",
             "geldig_tot": "2022-03-31"},
            {"gemeente": "Rotterdam", "locatie": "Rotterdam", "plaatsen": "60", "geldig_vanaf": "2022-04-01"},
            {"gemeente": "Groningen", "locatie": "Assen", "plaatsen": "12", "geldig_vanaf": "2022-01-01"},
        ],
    )  # fmt: skip
    code, out, err = run_import(path)
    assert code == 0, err
    assert "2 nieuw of bijgewerkt (1 nieuwe locaties), 0 ongewijzigd" in out
    rotterdam = CapacityPeriod.objects.filter(location__name="Rotterdam").order_by("valid_from")
    assert [(p.places, p.valid_to) for p in rotterdam] == [(117, dt.date(2022, 3, 31)), (60, None)]
    assert CapacityPeriod.objects.get(location__name="Amsterdam").places == 360  # not named: untouched
    assert Location.objects.filter(municipality__name="Groningen").count() == 3
    report = monitor_report(peildatum=dt.date(2022, 3, 1))
    assert report["per_gemeente"]["Rotterdam"]["capaciteit"] == 117
    assert report["per_gemeente"]["Groningen"]["capaciteit"] == 12


def test_a_faulty_capacity_file_changes_nothing(tmp_path):
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    before = checksum()
    path = write_capacity(
        tmp_path / "capaciteit.csv",
        [
            {"gemeente": "Utrecht", "locatie": "Utrecht", "plaatsen": "250", "geldig_vanaf": "2019-01-01"},
            {"gemeente": "Rotterdam", "locatie": "Rotterdam", "plaatsen": "veel", "geldig_vanaf": "2019-01-01"},
        ],
    )
    code, _, err = run_import(path)
    assert code == 1 and err.startswith("regel 3: plaatsen: 'veel'")
    assert checksum() == before


def test_import_output_is_plain_text(sample):
    # The summary is one line on standard output.
    assert sample.count("\n") == 1


def test_the_command_can_also_read_from_a_path_with_spaces(tmp_path):
    path = tmp_path / "mijn aanlevering.csv"
    path.write_bytes(SAMPLE.read_bytes())
    assert run_import(path)[0] == 0
    assert TimelineEvent.objects.filter(description__contains="mijn aanlevering.csv").count() == 13


def test_the_lvv_command_exits_1_on_a_faulty_delivery(tmp_path, capsys, monkeypatch):
    from django.db import connections

    from lvv.cli import main

    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's transaction open
    rows = sample_rows()
    rows[0]["geslacht"] = "x"
    with pytest.raises(SystemExit) as exit_info:
        main(["import", str(write_delivery(tmp_path / "fout.csv", rows))])
    assert exit_info.value.code == 1
    assert "regel 2: geslacht: onbekende waarde 'x'" in capsys.readouterr().err
    assert Trajectory.objects.count() == 0


def test_imported_persons_are_found_by_the_duplicate_check_of_another_lvv(tmp_path, rotterdam):
    from lvv.people.duplicates import duplicate_check

    result = import_rows(tmp_path, person_row("U-1", "P1", "2000000001", "2021-01-01", "2021-01-02"))
    assert result.ok, faults(result)
    report = duplicate_check(municipality_id=rotterdam.pk, v_number="2000000001")
    assert [(o.municipality, o.signals) for o in report.other_lvv] == [("Utrecht", ("v_number",))]
    # A corrected V-number moves the fingerprint along.
    result = import_rows(tmp_path, person_row("U-1", "P1", "2000000002", "2021-01-01", "2021-01-02"))
    assert result.ok, faults(result)
    assert not duplicate_check(municipality_id=rotterdam.pk, v_number="2000000001").other_lvv
    assert duplicate_check(municipality_id=rotterdam.pk, v_number="2000000002").other_lvv


def test_the_import_logs_one_system_write_per_person_it_wrote(sample):
    """Every write of person data is in the access log, the command line's too: one
    `wijzigen` entry per person written, by the system, pseudonymised; a re-import that changes
    nothing logs nothing."""
    from lvv.audit.models import AccessLogEntry
    from lvv.audit.sealing import seal, verify

    entries = AccessLogEntry.objects.filter(view_name="lvv import")
    assert entries.count() == Person.objects.count() == 12
    assert set(entries.values_list("username", "action", "status")) == {("systeem", "wijzigen", "ok")}
    assert set(entries.values_list("person_id", flat=True)) == set(Person.objects.values_list("pk", flat=True))
    assert all(e.path == f"lvv import {SAMPLE.name}" for e in entries)
    assert "1000000002" not in " ".join(str(v) for e in entries.values() for v in e.values())
    seal()
    assert list(verify()) == []
    assert run_import(SAMPLE)[0] == 0
    assert AccessLogEntry.objects.filter(view_name="lvv import").count() == 12


def test_a_nul_character_refuses_the_file_whole_naming_its_line(tmp_path):
    """PostgreSQL cannot store NUL in text: the file is refused before any write, on every base."""
    rows = sample_rows()
    rows[1]["traject_id"] = "AMS-\x002"
    path = write_delivery(tmp_path / "nul.csv", rows)
    before = checksum()
    code, _, err = run_import(path)
    assert code == 1
    assert "regel 1: bestand: Het bestand bevat op regel 3 een NUL-teken" in err
    assert checksum() == before
