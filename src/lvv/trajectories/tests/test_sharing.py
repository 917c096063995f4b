"""Sharing by consent and by purpose: visibility classes of notes and documents, the
explicit downgrade, consent withdrawn for one party type, and the refused request that follows it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from lvv.accounts.access import document_scope, note_scope
from lvv.admissions.models import Consent
from lvv.admissions.services import consent_record, consent_withdraw
from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.core.exceptions import ApplicationError
from lvv.trajectories.documents import document_add
from lvv.trajectories.models import Document, Note, TimelineEvent, VisibilityChange
from lvv.trajectories.selectors import trajectory_scope
from lvv.trajectories.services import item_visibility_change, note_add, trajectory_assign_organisations

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def shared(gemeente_user, ngo, admitted_trajectory):
    """The admitted Amsterdam trajectory with a new consent for ngo + IND + DT&V, assigned to the NGO."""
    consent_record(
        actor=gemeente_user,
        trajectory=admitted_trajectory,
        signed_on=dt.date(2022, 2, 1),
        share_ngo=True,
        share_ind=True,
        share_dtv=True,
    )
    trajectory_assign_organisations(actor=gemeente_user, trajectory=admitted_trajectory, organisations=[ngo])
    return admitted_trajectory


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- classes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "readers"),
    [
        ("organisatie", {"ngo_user"}),
        ("keten", {"ngo_user", "gemeente_user", "ind_user", "dtv_user"}),
        ("lso", {"ngo_user", "gemeente_user", "ind_user", "dtv_user", "second_ngo_user"}),
    ],
)
def test_a_class_decides_who_reads_a_note_and_a_document(request, shared, ngo_user, visibility, readers):
    from lvv.demo import factories

    # A second NGO at the same table: it reads `lso` items, never `keten` ones.
    second = factories.OrganisationFactory(name="Tweede Ngo", type="ngo", municipality=shared.municipality)
    trajectory_assign_organisations(
        actor=request.getfixturevalue("gemeente_user"), trajectory=shared, organisations=[ngo_user.organisation, second]
    )
    request.node.second_ngo_user = factories.UserFactory(username="tweede.ngo", organisation=second)
    note = note_add(actor=ngo_user, trajectory=shared, text="Inhoud", visibility=visibility)
    document = document_add(
        actor=ngo_user, trajectory=shared, title="Brief", filename="brief.pdf", content=PDF, visibility=visibility
    )
    users = {
        name: request.getfixturevalue(name)
        for name in ("ngo_user", "gemeente_user", "ind_user", "dtv_user", "avim_user", "rotterdam_user")
    }
    users["second_ngo_user"] = request.node.second_ngo_user
    for name, user in users.items():
        reads = name in readers
        assert note_scope(user, shared).filter(pk=note.pk).exists() == reads, (name, visibility)
        assert document_scope(user, shared).filter(pk=document.pk).exists() == reads, (name, visibility)


def test_aggregaat_is_no_class_for_free_text(shared, ngo_user):
    with pytest.raises(ApplicationError, match="Kies wie dit mag lezen"):
        note_add(actor=ngo_user, trajectory=shared, text="Inhoud", visibility="aggregaat")
    assert not Note.objects.filter(trajectory=shared).exists()


# --- documents -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("brief.pdf", b"", "Het bestand is leeg."),
        ("brief.exe", b"MZ\x90\x00", "Alleen PDF, PNG, JPEG en Word"),
        ("brief.pdf", b"<html><script>alert(1)</script>", "past niet bij een PDF-bestand"),
        ("foto.png", b"%PDF-1.4", "past niet bij een PNG-bestand"),
        ("groot.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "groter dan 10 MB"),
    ],
)
def test_a_bad_document_is_refused_in_dutch_and_nothing_is_written(shared, ngo_user, filename, content, message):
    events = TimelineEvent.objects.count()
    with pytest.raises(ApplicationError, match=message):
        document_add(
            actor=ngo_user, trajectory=shared, title="Brief", filename=filename, content=content, visibility="lso"
        )
    assert not Document.objects.exists()
    assert TimelineEvent.objects.count() == events


def test_document_upload_and_download_through_the_pages(shared, ngo_user, ind_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ngo = _client(ngo_user)
    upload = SimpleUploadedFile("../../etc/verklaring arts.pdf", PDF + b"MEDISCH", content_type="text/html")
    response = ngo.post(
        reverse("trajectories:document_new", args=[shared.pk]),
        {"title": "Verklaring arts", "file": upload, "visibility": "organisatie"},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    # The name is stripped of folders; the type comes from the content, not from the browser.
    assert document.filename == "verklaring arts.pdf"
    assert document.content_type == "application/pdf"
    assert bytes(document.content) == PDF + b"MEDISCH"
    url = reverse("trajectories:document_download", args=[shared.pk, document.pk])
    response = ngo.get(url)
    assert response.status_code == 200 and response.content == PDF + b"MEDISCH"
    assert response["Content-Disposition"] == 'attachment; filename="verklaring arts.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    # The IND sees the trajectory, but not this document: 404, and the attempt is logged.
    before = AccessLogEntry.objects.count()
    assert _client(ind_user).get(url).status_code == 404
    refused = AccessLogEntry.objects.order_by("-id").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert (refused.username, refused.status) == (ind_user.username, "error")


def test_a_document_is_encrypted_in_the_database(shared, ngo_user):
    from django.db import connection

    document_add(
        actor=ngo_user,
        trajectory=shared,
        title="Brief",
        filename="brief.pdf",
        content=PDF + b"STRAFBLADGEHEIM",
        visibility="organisatie",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM trajectories_document")
        raw = bytes(cursor.fetchone()[0])
    assert raw.startswith(b"fernet:") and b"STRAFBLADGEHEIM" not in raw


# --- downgrade ---------------------------------------------------------------------------------------


def test_downgrading_needs_a_reason_and_a_confirmation_and_is_recorded(shared, ngo_user, ind_user):
    note = note_add(actor=ngo_user, trajectory=shared, text="Terugkeer besproken", visibility="organisatie")
    with pytest.raises(ApplicationError, match="Geef de reden"):
        item_visibility_change(actor=ngo_user, item=note, visibility="keten", confirm=True)
    with pytest.raises(ApplicationError, match="Bevestig"):
        item_visibility_change(actor=ngo_user, item=note, visibility="keten", reason="Deelnemer stemde in")
    note.refresh_from_db()
    assert note.visibility == "organisatie" and not VisibilityChange.objects.exists()
    assert not note_scope(ind_user, shared).filter(pk=note.pk).exists()

    with clock.frozen(dt.datetime(2022, 3, 1, 10, 0)):
        item_visibility_change(
            actor=ngo_user, item=note, visibility="keten", reason="Deelnemer stemde in op 1 maart", confirm=True
        )
    note.refresh_from_db()
    assert note.visibility == "keten"
    change = VisibilityChange.objects.get()
    assert (change.old_visibility, change.new_visibility, change.actor, change.reason) == (
        "organisatie",
        "keten",
        ngo_user,
        "Deelnemer stemde in op 1 maart",
    )
    assert note_scope(ind_user, shared).filter(pk=note.pk).exists()
    event = TimelineEvent.objects.filter(kind="zichtbaarheid").get()
    assert "verruimd van alleen eigen organisatie naar gemeente en ketenpartners" in event.description
    # Narrowing again needs no reason, and is recorded too.
    item_visibility_change(actor=ngo_user, item=note, visibility="organisatie")
    assert VisibilityChange.objects.count() == 2


def test_only_the_authoring_organisation_changes_the_class(shared, ngo_user, gemeente_user):
    note = note_add(actor=ngo_user, trajectory=shared, text="Gesprek", visibility="lso")
    with pytest.raises(ApplicationError, match="Alleen de organisatie die dit schreef"):
        item_visibility_change(actor=gemeente_user, item=note, visibility="organisatie")
    url = reverse("trajectories:note_visibility", args=[shared.pk, note.pk])
    assert _client(gemeente_user).post(url, {"visibility": "organisatie"}).status_code == 403
    note.refresh_from_db()
    assert note.visibility == "lso"


def test_downgrade_through_the_page(shared, ngo_user):
    note = note_add(actor=ngo_user, trajectory=shared, text="Gesprek", visibility="organisatie")
    url = reverse("trajectories:note_visibility", args=[shared.pk, note.pk])
    client = _client(ngo_user)
    response = client.post(url, {"visibility": "lso", "reason": ""})
    assert response.status_code == 200
    assert "Geef de reden waarom meer partijen dit mogen lezen." in response.content.decode()
    response = client.post(url, {"visibility": "lso", "reason": "Op verzoek van de deelnemer", "confirm": "on"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.visibility == "lso"
    # Only the submission that changed something is a write in the access log; the refused one
    # (no reason given) changed nothing and left no row.
    entries = AccessLogEntry.objects.filter(view_name="trajectories:note_visibility", action="wijzigen")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.username == ngo_user.username and "confirm,reason,visibility" in entry.fields


# --- consent per party type ----------------------------------------------------------------------------


def test_consent_withdrawn_for_one_party_keeps_the_others(shared, gemeente_user, ind_user, dtv_user, ngo_user):
    consent = shared.consents.get(withdrawn_on__isnull=True)
    consent_withdraw(actor=gemeente_user, consent=consent, withdrawn_on=dt.date(2022, 3, 1), party="dtv")
    consent.refresh_from_db()
    assert consent.party_types() == ["ngo", "ind"]
    assert consent.withdrawn_parties() == [("DT&V", dt.date(2022, 3, 1))]
    assert not trajectory_scope(dtv_user).filter(pk=shared.pk).exists()
    assert trajectory_scope(ind_user).filter(pk=shared.pk).exists()
    assert trajectory_scope(ngo_user).filter(pk=shared.pk).exists()
    assert shared.events.filter(description="Toestemming voor DT&V ingetrokken op 1 maart 2022").exists()
    with pytest.raises(ApplicationError, match="geen toestemming"):
        consent_withdraw(actor=gemeente_user, consent=consent, withdrawn_on=dt.date(2022, 3, 2), party="dtv")


def test_after_withdrawal_for_dtv_the_next_request_of_a_logged_in_dtv_user_is_refused_and_logged(
    shared, gemeente_user, dtv_user
):
    """Issue 7, acceptance 3. The DT&V user is logged in and has the person open; the municipality
    records the withdrawal through its form; the DT&V user's next request, in the same session, is
    refused (404: the person is no longer in their scope) and is in the access log."""
    dtv = _client(dtv_user)
    person_url = reverse("people:detail", args=[shared.person_id])
    trajectory_url = reverse("trajectories:detail", args=[shared.pk])
    assert dtv.get(person_url).status_code == 200
    assert dtv.get(trajectory_url).status_code == 200

    consent = shared.consents.get(withdrawn_on__isnull=True)
    response = _client(gemeente_user).post(
        reverse("admissions:consent_withdraw", args=[shared.pk, consent.pk]),
        {"party": "dtv", "withdrawn_on": clock.today().isoformat()},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.dtv_withdrawn_on == clock.today() and consent.withdrawn_on is None

    for url in (person_url, trajectory_url):
        before = AccessLogEntry.objects.for_person(shared.person_id).filter(username=dtv_user.username).count()
        assert dtv.get(url).status_code == 404
        entries = AccessLogEntry.objects.for_person(shared.person_id).filter(username=dtv_user.username)
        assert entries.count() == before + 1
        refused = entries.order_by("-id").first()
        assert refused.status == "error" and refused.path == url
        assert refused.purpose.startswith("Toegang geweigerd")
    # The trajectory shows that it happened.
    html = _client(gemeente_user).get(trajectory_url).content.decode()
    assert "Toestemming voor DT&amp;V ingetrokken op" in html
    assert Consent.objects.get(pk=consent.pk).party_types() == ["ngo", "ind"]


def test_a_file_name_outside_ascii_is_kept_in_the_download_header(shared, ngo_user):
    document = document_add(
        actor=ngo_user, trajectory=shared, title="Brief", filename="verklaring café.pdf", content=PDF, visibility="lso"
    )
    response = _client(ngo_user).get(reverse("trajectories:document_download", args=[shared.pk, document.pk]))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''verklaring%20caf%C3%A9.pdf"
    assert (
        _client(ngo_user).post(reverse("trajectories:document_download", args=[shared.pk, document.pk])).status_code
        == 405
    )
