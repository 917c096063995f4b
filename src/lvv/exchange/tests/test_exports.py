"""`lvv export`: the registry in the delivery format. Export → import into an empty registry → the
same monitor; and export → import into the same registry changes nothing."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from lvv.admissions.services import admission_decide
from lvv.demo import factories
from lvv.exchange.delivery import TRAJECTORY_COLUMNS
from lvv.monitor.selectors import monitor_report
from lvv.people.models import Person
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.models import TimelineEvent, Trajectory
from lvv.trajectories.services import (
    ind_decision_record,
    instruments_update,
    outflow_register,
    perspective_record,
    placement_record,
)

from .helpers import SAMPLE, SAMPLE_CAPACITY, checksum, run_import

PEILDATA = [dt.date(2021, 6, 30), dt.date(2022, 7, 1), dt.date(2023, 1, 1), dt.date(2026, 1, 1)]


@pytest.fixture
def registry(gemeente_user, rotterdam_user):
    """The sample delivery plus trajectories registered through the web services."""
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    assert run_import(SAMPLE)[0] == 0
    ui = factories.admitted_trajectory(actor=gemeente_user, v_number="3000000001", sex="vrouw")
    placement_record(
        actor=gemeente_user, trajectory=ui, location=factories.location("Amsterdam"), shelter_form="decentraal",
        hours="24uur", start_date=dt.date(2022, 1, 11),
    )  # fmt: skip
    perspective_record(
        actor=gemeente_user, trajectory=ui, perspective="terugkeer", status="definitief", decided_on=dt.date(2022, 3, 1)
    )
    instruments_update(
        actor=gemeente_user, trajectory=ui,
        values={"activering": ("ja", dt.date(2022, 2, 1), None), "woonbegeleiding": ("ja", None, None)},
    )  # fmt: skip
    outflow_register(actor=gemeente_user, trajectory=ui, outflow_date=dt.date(2022, 9, 1), outcome_code="artikel_64")
    ind_decision_record(actor=gemeente_user, trajectory=ui, decision="afwijzing", decided_on=dt.date(2022, 12, 1))
    factories.refused_trajectory(actor=rotterdam_user, v_number="3000000002")
    exception = factories.consented_trajectory(actor=rotterdam_user, v_number="3000000003")
    admission_decide(
        actor=rotterdam_user, trajectory=exception, outcome="uitzondering", decided_on=dt.date(2022, 1, 10),
        exception_motivation="Kwetsbaar", lso_meeting_date=dt.date(2022, 1, 7),
        consent_exception_motivation="Het LSO laat toe zonder toestemming voor elke partij aan tafel.",
    )  # fmt: skip


def monitors() -> dict:
    return {(p, b): monitor_report(peildatum=p, basis=b) for p in PEILDATA for b in ("trajecten", "personen")}


def export(tmp_path, soort: str, file_format: str):
    path = tmp_path / f"{soort}.{file_format}"
    call_command("lvv_export", "--soort", soort, "--format", file_format, "--output", str(path), stderr=io.StringIO())
    return path


def empty_registry() -> None:
    TimelineEvent.objects.all().delete()
    Trajectory.objects.all().delete()
    Person.objects.all().delete()
    CapacityPeriod.objects.all().delete()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_registry_gives_the_same_monitor(registry, tmp_path, file_format):
    before = monitors()
    trajectories, capacity = export(tmp_path, "trajecten", file_format), export(tmp_path, "capaciteit", file_format)
    empty_registry()
    assert (Trajectory.objects.count(), Person.objects.count(), CapacityPeriod.objects.count()) == (0, 0, 0)

    for path in (capacity, trajectories):
        code, _, err = run_import(path)
        assert code == 0, err

    assert Trajectory.objects.count() == 16
    assert monitors() == before


def test_export_then_import_into_the_same_registry_changes_nothing(registry, tmp_path):
    trajectories, capacity = export(tmp_path, "trajecten", "csv"), export(tmp_path, "capaciteit", "csv")
    before = checksum()
    for path in (trajectories, capacity):
        code, out, err = run_import(path)
        assert code == 0, err
    assert "16 ongewijzigd" in run_import(trajectories)[1]
    assert checksum() == before


def test_the_export_of_the_sample_is_the_sample(reference_data):
    assert run_import(SAMPLE)[0] == 0
    out = io.StringIO()
    call_command("lvv_export", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(TRAJECTORY_COLUMNS)
    assert sorted(lines[1:]) == sorted(SAMPLE.read_text(encoding="utf-8").splitlines()[1:])


def test_export_of_one_municipality(reference_data):
    assert run_import(SAMPLE)[0] == 0
    out = io.StringIO()
    call_command("lvv_export", "--gemeente", "utrecht", stdout=out)
    assert [line.split(",")[0] for line in out.getvalue().splitlines()[1:]] == ["UTR-2", "UTR-4", "UTR-1", "UTR-3"]


def test_export_guards_user_text_against_formulas(gemeente_user):
    trajectory = factories.registered_trajectory(actor=gemeente_user)
    Trajectory.objects.filter(pk=trajectory.pk).update(external_id="=1+1")
    out = io.StringIO()
    call_command("lvv_export", stdout=out)
    assert out.getvalue().splitlines()[1].startswith("'=1+1,Amsterdam,")
