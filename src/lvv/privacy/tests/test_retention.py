"""Retention: persons are anonymised after the period, and the monitor's figures stay the same."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from lvv.admissions.models import AdmissionDecision
from lvv.audit import sealing
from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.demo import factories
from lvv.monitor.indicators import BASIS_PERSONEN, BASIS_TRAJECTEN
from lvv.monitor.selectors import monitor_report
from lvv.people.models import Alias, Person, PersonFingerprint
from lvv.privacy import retention
from lvv.trajectories.documents import document_add
from lvv.trajectories.models import Document, Note, TimelineEvent, VisibilityChange
from lvv.trajectories.services import item_visibility_change, note_add

TODAY = dt.date(2026, 11, 1)  # 7 years: trajectories ended on or before 2019-11-01 are due
PEILDATUMS = [dt.date(2016, 3, 1), dt.date(2016, 12, 31), dt.date(2017, 12, 31), dt.date(2025, 12, 31), TODAY]


def _flow(actor, *, year: int, outflow: dt.date | None = None, refused: bool = False, **kwargs):
    dates = {
        "application_date": dt.date(year, 1, 3),
        "kiosk_date": dt.date(year, 1, 4),
    }
    if refused:
        return factories.refused_trajectory(actor=actor, decided_on=dt.date(year, 1, 20), **dates, **kwargs)
    dates |= {"consent_date": dt.date(year, 1, 5), "admission_date": dt.date(year, 1, 10)}
    if outflow:
        return factories.outflowed_trajectory(actor=actor, outflow_date=outflow, **dates, **kwargs)
    return factories.admitted_trajectory(actor=actor, **dates, **kwargs)


def _user(city: str):
    return factories.UserFactory(organisation=factories.municipal_organisation(city))


@pytest.fixture
def registry(reference_data):
    ams, rot, utr = _user("Amsterdam"), _user("Rotterdam"), _user("Utrecht")
    with clock.frozen(TODAY):
        people = {
            # The same V-nummer in two LVVs, both long ended: anonymised together.
            "shared_ams": _flow(
                ams,
                year=2016,
                outflow=dt.date(2016, 6, 1),
                v_number="1111111111",
                family_name="Eerstevan",
                phone="06-1",
                address="Straat 1",
                languages="Farsi",
            ),
            "shared_rot": _flow(
                rot, year=2017, outflow=dt.date(2017, 5, 1), v_number="1111111111", family_name="Tweedevan"
            ),
            # Ended long ago in Amsterdam, but still in Utrecht: waits.
            "held_ams": _flow(
                ams, year=2016, outflow=dt.date(2016, 9, 1), v_number="2222222222", family_name="Wachter"
            ),
            "held_utr": _flow(utr, year=2025, v_number="2222222222", family_name="Wachter"),
            # No V-nummer, and a refused application: anonymised.
            "no_v": _flow(ams, year=2015, outflow=dt.date(2015, 8, 1), family_name="Zondernummer"),
            "refused": _flow(rot, year=2016, refused=True, v_number="3333333333", family_name="Geweigerdsma"),
            # Ended recently: not due.
            "recent": _flow(ams, year=2023, outflow=dt.date(2024, 2, 1), v_number="4444444444", family_name="Recentia"),
        }
        first = people["shared_ams"]
        Alias.objects.create(person=first.person, name="Alias Eerstevan")
        note = note_add(actor=ams, trajectory=first, text="Vertelde over zijn familie.", visibility="organisatie")
        item_visibility_change(actor=ams, item=note, visibility="lso", reason="Met de naam Eerstevan", confirm=True)
        document_add(
            actor=ams,
            trajectory=first,
            title="Verklaring arts",
            filename="verklaring.pdf",
            content=b"%PDF-1.4 Eerstevan",
            visibility="organisatie",
        )
    return {k: Person.objects.get(pk=t.person_id) for k, t in people.items()}


def _figures():
    return json.dumps(
        [monitor_report(peildatum=p, basis=b) for p in PEILDATUMS for b in (BASIS_TRAJECTEN, BASIS_PERSONEN)],
        sort_keys=True,
        default=str,
    )


def _run(*args) -> str:
    out = io.StringIO()
    with clock.frozen(TODAY):
        call_command("lvv_retention", *args, stdout=out)
    return out.getvalue()


def test_dry_run_shows_and_changes_nothing(registry):
    before = list(Person.objects.order_by("pk").values())
    logged = AccessLogEntry.objects.count()
    output = _run("--dry-run")
    assert "trajecten beëindigd op of vóór 2019-11-01" in output
    for key in ("shared_ams", "shared_rot", "no_v", "refused"):
        assert f"persoon id {registry[key].pk} " in output and "zou worden geanonimiseerd" in output
    assert f"persoon id {registry['held_ams'].pk} (Amsterdam) wacht" in output
    assert (
        f"persoon id {registry['recent'].pk} " not in output and f"persoon id {registry['held_utr'].pk} " not in output
    )
    assert "Proefdraai: 4 persoon/personen zou(den) worden geanonimiseerd, 1 wacht(en)." in output
    assert "Eerstevan" not in output and "1111111111" not in output  # no names, no V-numbers
    assert list(Person.objects.order_by("pk").values()) == before
    assert AccessLogEntry.objects.count() == logged


def test_anonymising_keeps_the_monitor_figures(registry):
    before = _figures()
    output = _run()
    assert "4 persoon/personen geanonimiseerd, 1 wacht(en)." in output
    assert _figures() == before

    first = Person.objects.get(pk=registry["shared_ams"].pk)
    assert (first.given_names, first.family_name, first.phone, first.address, first.languages) == (
        "",
        "Geanonimiseerd",
        "",
        "",
        "",
    )
    assert (first.birth_date, first.birth_year, first.sex, first.country_of_origin) == (None, 1990, "onbekend", "IR")
    assert first.person_key == f"anon-{first.pk}"
    assert first.v_number.startswith("X") and len(first.v_number) == 10 and "1111111111" != first.v_number
    assert Person.objects.get(pk=registry["shared_rot"].pk).v_number == first.v_number  # one token per V-nummer
    assert not Alias.objects.filter(person=first).exists()
    assert not PersonFingerprint.objects.filter(person__in=[first, registry["refused"]]).exists()
    assert PersonFingerprint.objects.filter(person=registry["held_ams"]).exists()
    assert set(Note.objects.filter(trajectory__person=first).values_list("text", flat=True)) == {retention.REMOVED}
    assert set(VisibilityChange.objects.filter(note__trajectory__person=first).values_list("reason", flat=True)) == {
        retention.REMOVED
    }
    assert not Document.objects.filter(trajectory__person=first).exists()
    refused = registry["refused"]
    assert set(
        AdmissionDecision.objects.filter(trajectory__person=refused).values_list("refusal_reason", flat=True)
    ) == {retention.REMOVED}
    assert set(TimelineEvent.objects.filter(trajectory__person=refused).values_list("description", flat=True)) == {
        retention.REMOVED
    }
    assert Person.objects.get(pk=registry["held_ams"].pk).family_name == "Wachter"
    assert (
        TimelineEvent.objects.filter(trajectory__person=registry["held_ams"])
        .exclude(description=retention.REMOVED)
        .exists()
    )
    assert Person.objects.get(pk=registry["recent"].pk).v_number == "4444444444"

    logged = AccessLogEntry.objects.filter(view_name="lvv_retention")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(
        registry[k].pk for k in ("shared_ams", "shared_rot", "no_v", "refused")
    )
    assert set(logged.values_list("processing_activity", "username", "action")) == {
        ("lvv-bewaartermijn", "systeem", "wijzigen")
    }
    sealing.seal()
    assert list(sealing.verify()) == []
    # Nothing left to do the second time.
    assert "0 persoon/personen geanonimiseerd, 1 wacht(en)." in _run()


def test_holding_back_a_shared_v_number_is_what_keeps_the_figures(registry):
    """Anonymising one of two records of a V-nummer on its own would split one person in two."""
    before = _figures()
    with clock.frozen(TODAY):
        plan = retention.plan()
    retention.anonymise(plan.held)
    assert _figures() != before


def test_a_period_can_be_set_per_run(registry):
    output = _run("--dry-run", "--jaren", "1")
    assert "op of vóór 2025-11-01" in output
    assert f"persoon id {registry['recent'].pk} " in output


def _log_text() -> str:
    """Every value of every access-log row, as one text."""
    return " ".join(str(v) for row in AccessLogEntry.objects.values() for v in row.values())


def test_searching_and_retention_leave_no_identifying_value_in_the_log(registry, client):
    """Issue 11, acceptance 3: a search for a V-nummer or a name leaves neither in the access log (the
    path is stored without its query string), and after retention nothing in the log names the
    anonymised persons: no V-nummer, name or birth date."""
    person = registry["recent"]
    user = factories.UserFactory(organisation=factories.municipal_organisation("Amsterdam"))
    client.force_login(user)
    with clock.frozen(TODAY):
        for term in (person.v_number, person.family_name, f"{person.given_names} {person.family_name}"):
            response = client.get("/trajecten/", {"q": term, "stage": "alle"})
            assert response.status_code == 200 and person.family_name in response.content.decode()
        assert client.get(f"/personen/{person.pk}/", {"zoek": person.v_number}).status_code == 200
    searched = AccessLogEntry.objects.filter(username=user.username)
    assert searched.filter(person_id=person.pk).count() >= 4  # the searches were logged, as reads
    assert set(searched.values_list("path", flat=True)) == {"/trajecten/", f"/personen/{person.pk}/"}
    text = _log_text()
    for value in (person.v_number, person.family_name, person.given_names):
        assert value not in text, f"{value!r} is in the access log"

    due = {k: registry[k] for k in ("shared_ams", "shared_rot", "no_v", "refused")}
    identifying = [
        v
        for p in due.values()
        for v in (p.v_number, p.family_name, p.given_names, p.birth_date and p.birth_date.isoformat())
        if v
    ]
    _run()
    text = _log_text()
    assert AccessLogEntry.objects.filter(view_name="lvv_retention").count() == len(due)
    for value in identifying:
        assert value not in text, f"{value!r} is still in the access log after retention"
