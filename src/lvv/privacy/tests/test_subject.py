"""The data subject's right of access: the report lists exactly
the accesses made in a scripted session, the copy holds all data about the person, both only for a
stated request, and the proof shows the person's rows are in the sealed log."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from lvv.audit import merkle, sealing
from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.demo import factories
from lvv.meetings import services as meetings
from lvv.trajectories.documents import document_add
from lvv.trajectories.services import note_add, trajectory_assign_organisations


@pytest.fixture
def admin_user(reference_data):
    """A functional administrator of the municipality of Amsterdam (answers art. 15 requests)."""
    return factories.UserFactory(
        username="beheerder.amsterdam",
        first_name="Bea",
        last_name="Beheer",
        is_functional_admin=True,
        organisation=factories.municipal_organisation("Amsterdam"),
    )


@pytest.fixture
def world(gemeente_user, ngo_user, ngo, admin_user):
    trajectory = factories.admitted_trajectory(
        actor=gemeente_user, family_name="Inzagelaar", v_number="1234567890", phone="06-11112222"
    )
    trajectory_assign_organisations(actor=gemeente_user, trajectory=trajectory, organisations=[ngo])
    other = factories.admitted_trajectory(actor=gemeente_user, family_name="Anderman")
    return trajectory, other


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


#: The stated request every art. 15 page needs (reason from the closed list, the request's kenmerk).
REQUEST = {"reden": "betrokkene", "kenmerk": "AVG-2026-17"}


def _csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_report_lists_exactly_the_accesses_of_a_scripted_session(
    world, gemeente_user, ngo_user, rotterdam_user, ind_user, admin_user
):
    trajectory, other = world
    person = trajectory.person
    # Registering the person (through the services) wrote his first rows: changes, by the case worker.
    registered = AccessLogEntry.objects.for_person(person.pk).count()
    assert registered and set(AccessLogEntry.objects.for_person(person.pk).values_list("action", flat=True)) == {
        "wijzigen"
    }

    case_worker, ngo_worker = _as(gemeente_user), _as(ngo_user)
    expected = []  # (username, action, view name) in order
    assert case_worker.get(reverse("people:detail", args=[person.pk])).status_code == 200
    expected.append((gemeente_user.username, "Ingezien", "people:detail"))
    assert ngo_worker.get(reverse("trajectories:detail", args=[trajectory.pk])).status_code == 200
    expected.append((ngo_user.username, "Ingezien", "trajectories:detail"))
    assert case_worker.get(reverse("trajectories:list")).status_code == 200  # both people on the list
    expected.append((gemeente_user.username, "Ingezien", "trajectories:list"))
    response = ngo_worker.post(
        reverse("trajectories:note_new", args=[trajectory.pk]), {"text": "Gesprek gehad.", "visibility": "lso"}
    )
    assert response.status_code == 302
    expected.append((ngo_user.username, "Gewijzigd", "trajectories:note_new"))
    # Not about this person: not in the report.
    assert case_worker.get(reverse("people:detail", args=[other.person.pk])).status_code == 200
    # Refused (outside their scope): in the report as a refused attempt, nothing was shown.
    assert _as(rotterdam_user).get(reverse("people:detail", args=[person.pk])).status_code == 404
    expected.append((rotterdam_user.username, "Geweigerd", "people:detail"))
    assert _as(ind_user).get(reverse("trajectories:detail", args=[trajectory.pk])).status_code == 404
    expected.append((ind_user.username, "Geweigerd", "trajectories:detail"))

    admin = _as(admin_user)
    rows = _csv_rows(admin.get(reverse("privacy:access_report_csv", args=[person.pk]), REQUEST))[registered:]
    got = [(r["gebruiker"].rsplit("(", 1)[-1].rstrip(")"), r["handeling"], r["wat"].split(" – ")[0]) for r in rows]
    assert got == expected
    assert rows[0]["organisatie"] == gemeente_user.organisation.name and rows[0]["rol"] == "Medewerker gemeente"
    assert rows[1]["organisatie"] == ngo_user.organisation.name and rows[1]["rol"] == "Medewerker ngo"
    assert rows[1]["verwerkingsactiviteit"] == "Opvang en begeleiding (lvv-begeleiding)"
    assert rows[3]["velden"] == "text, visibility"
    assert all(r["tijdstip"] for r in rows)

    # The HTML page shows the same accesses, plus the CSV download it came after.
    html = admin.get(reverse("privacy:access_report", args=[person.pk]), REQUEST).content.decode()
    assert html.count('<tr class="utrecht-table__row">') == 1 + registered + len(expected) + 1
    assert "Rechten van de betrokkene (lvv-rechten-betrokkene)" in html
    assert "Inzagelaar" in html and "Anderman" not in html

    # A later report lists the earlier openings of the report too: they were accesses as well.
    rows = _csv_rows(admin.get(reverse("privacy:access_report_csv", args=[person.pk]), REQUEST))
    assert [r["wat"].split(" – ")[0] for r in rows[registered + len(expected) :]] == [
        "privacy:access_report_csv",
        "privacy:access_report",
    ]


def test_the_log_never_holds_the_v_number_or_name(world, gemeente_user):
    trajectory, _ = world
    _as(gemeente_user).get(reverse("people:detail", args=[trajectory.person.pk]))
    entry = AccessLogEntry.objects.for_person(trajectory.person.pk).filter(view_name="people:detail").get()
    values = " ".join(str(v) for v in AccessLogEntry.objects.filter(pk=entry.pk).values().get().values())
    assert "1234567890" not in values and "Inzagelaar" not in values


def test_only_the_municipalitys_functional_administrator_answers(world, gemeente_user, ngo_user, admin_user):
    person = world[0].person
    url = reverse("privacy:access_report", args=[person.pk])
    assert _as(gemeente_user).get(url).status_code == 403
    assert _as(ngo_user).get(url).status_code == 403
    rotterdam_admin = factories.UserFactory(
        is_functional_admin=True, organisation=factories.municipal_organisation("Rotterdam")
    )
    assert _as(rotterdam_admin).get(url).status_code == 404
    assert _as(admin_user).get(url).status_code == 200
    page = _as(admin_user).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert url in page  # the person page links to it for the administrator
    assert url not in _as(gemeente_user).get(reverse("people:detail", args=[person.pk])).content.decode()


def test_copy_of_the_data_in_json_and_readable_form(world, gemeente_user, ngo_user, ngo, admin_user):
    """Issue 11, acceptance 6: the copy made by the municipality's administrator holds every note,
    document and minute about the person — also what the NGO keeps to itself, which the administrator
    never sees on his own pages — and the JSON copy holds the documents' files."""
    trajectory, _ = world
    person = trajectory.person
    note_add(actor=gemeente_user, trajectory=trajectory, text="Notitie van de gemeente.", visibility="organisatie")
    note_add(actor=ngo_user, trajectory=trajectory, text="Gedeelde ngo-notitie.", visibility="lso")
    note_add(actor=ngo_user, trajectory=trajectory, text="Alleen voor de ngo.", visibility="organisatie")
    pdf_file = b"%PDF-1.4\n% Verklaring arts, alleen voor de ngo\n%%EOF\n"
    document_add(
        actor=ngo_user,
        trajectory=trajectory,
        title="Medische verklaring (ngo)",
        filename="verklaring.pdf",
        content=pdf_file,
        visibility="organisatie",
    )
    with clock.frozen(dt.date(2022, 11, 15)):
        meeting = meetings.meeting_create(
            actor=gemeente_user,
            municipality=trajectory.municipality,
            kind="lso",
            date=dt.date(2022, 11, 15),
            chair=gemeente_user.organisation,
            present=[ngo],
            fill_agenda=False,
        )
        item = meetings.agenda_add(actor=gemeente_user, meeting=meeting, trajectory=trajectory)
        meetings.minutes_add(actor=ngo_user, item=item, text="Verslag alleen voor de ngo.", visibility="organisatie")
    admin = _as(admin_user)
    # On his own pages the administrator sees none of the NGO's own items.
    page = admin.get(reverse("trajectories:detail", args=[trajectory.pk])).content.decode()
    assert "Alleen voor de ngo." not in page and "Medische verklaring (ngo)" not in page

    response = admin.get(reverse("privacy:data_copy_json", args=[person.pk]), REQUEST)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    record = data["persoon"]
    assert data["kenmerk_verzoek"] == REQUEST["kenmerk"]
    assert record["achternaam"] == "Inzagelaar" and record["V-nummer"] == "1234567890"
    assert record["telefoonnummer"] == "06-11112222"
    assert record["land van herkomst"].endswith("(IR)")
    [traject] = record["trajecten"]
    assert traject["trajectnummer"] == trajectory.external_id
    assert {n["notitie"] for n in traject["notities"]} == {
        "Notitie van de gemeente.",
        "Gedeelde ngo-notitie.",
        "Alleen voor de ngo.",
    }
    [document] = traject["documenten"]
    assert document["titel"] == "Medische verklaring (ngo)"
    assert base64.b64decode(document["inhoud (base64)"]) == pdf_file
    [agenda_item] = traject["agendapunten"]
    assert [m["verslag"] for m in agenda_item["verslagen"]] == ["Verslag alleen voor de ngo."]
    assert traject["betrokken ngo's"] == [ngo.name]

    readable = {
        "html": admin.get(reverse("privacy:data_copy", args=[person.pk]), REQUEST).content.decode(),
        "pdf": _pdf_text(admin.get(reverse("privacy:data_copy_pdf", args=[person.pk]), REQUEST)),
    }
    for kind, text in readable.items():
        for expected in (
            "Inzagelaar",
            "Alleen voor de ngo.",
            "Medische verklaring (ngo)",
            "Verslag alleen voor de ngo.",
        ):
            assert expected in text, f"{expected} missing from the {kind} copy"

    logged = AccessLogEntry.objects.for_person(person.pk).filter(username=admin_user.username)
    assert list(
        logged.filter(view_name__startswith="privacy:").order_by("id").values_list("view_name", "processing_activity")
    ) == [
        ("privacy:data_copy_json", "lvv-rechten-betrokkene"),
        ("privacy:data_copy", "lvv-rechten-betrokkene"),
        ("privacy:data_copy_pdf", "lvv-rechten-betrokkene"),
    ]
    # Each opening carries the request it was made for.
    purposes = logged.filter(view_name__startswith="privacy:").values_list("purpose", flat=True)
    assert all("kenmerk AVG-2026-17" in purpose for purpose in purposes)


def _pdf_text(response) -> str:
    from pypdf import PdfReader

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())


def test_nothing_is_produced_without_a_stated_request(world, admin_user):
    person = world[0].person
    admin = _as(admin_user)
    form = admin.get(reverse("privacy:access_report", args=[person.pk]))
    assert form.status_code == 200 and "Kenmerk van het verzoek" in form.content.decode()
    assert "privacy:access_report" in AccessLogEntry.objects.filter(username=admin_user.username).values_list(
        "view_name", flat=True
    )
    for name in ("access_report_csv", "access_proof_json", "data_copy", "data_copy_json", "data_copy_pdf"):
        response = admin.get(reverse(f"privacy:{name}", args=[person.pk]))
        assert response.status_code == 302 and response["Location"] == reverse(
            "privacy:access_report", args=[person.pk]
        ), name
    # A kenmerk that is a V-nummer or a name is refused: the log may hold neither.
    for kenmerk in ("1234567890", "Inzagelaar de Vries", ""):
        response = admin.get(
            reverse("privacy:access_report", args=[person.pk]), {"reden": "betrokkene", "kenmerk": kenmerk}
        )
        assert "Geef het kenmerk van het verzoek" in response.content.decode(), kenmerk
    assert not AccessLogEntry.objects.filter(purpose__contains="1234567890").exists()
    assert not AccessLogEntry.objects.filter(view_name__in=["privacy:data_copy", "privacy:data_copy_json"]).exists()


def test_the_proof_shows_the_persons_rows_are_in_the_sealed_log(world, gemeente_user, admin_user):
    person = world[0].person
    _as(gemeente_user).get(reverse("people:detail", args=[person.pk]))
    sealing.seal()
    response = _as(admin_user).get(reverse("privacy:access_proof_json", args=[person.pk]), REQUEST)
    assert response.status_code == 200
    proof = json.loads(response.content)
    rows = proof["regels"]
    assert len(rows) == AccessLogEntry.objects.for_person(person.pk).filter(seq__isnull=False).count() >= 2
    root, size = bytes.fromhex(proof["zegel"]["wortel"]), proof["zegel"]["aantal_regels"]
    for row in rows:
        leaf = merkle.leaf_hash(row["inhoud"].encode("utf-8"))
        path = [bytes.fromhex(h) for h in row["pad"]]
        assert merkle.verify_inclusion(leaf, row["volgnummer"] - 1, size, path, root)
