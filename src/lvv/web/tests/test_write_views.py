"""Every write view of person data against the access log and the database, from one table of cases.

The acceptance point this module checks (the contract):

    "For every write view: an invalid POST, a refused POST and a stale POST leave the access log and
    every table unchanged except for one refusal row where refused; a valid POST adds exactly one
    `wijzigen` row in the same transaction as the change (test by forcing a failure after the change
    inside the service: neither the change nor the row remains)."

`CASES` holds one `Case` per write view (URL name, actor, target, a valid and an invalid payload, who
may not post, and the optimistic-locking check where the form carries a `version`). For every case:

1. valid POST: the view's success answer (a redirect); exactly one new access-log row per person
   changed — `wijzigen`, status `ok`, the actor's username, the URL name as `view_name` — and no
   other row; the change is in its table.
2. failure after the change: `lvv.audit.records.insert` is wrapped so that it writes the rows and
   then raises. The service has then made its change and written its row inside its own
   transaction; the answer is a 500 and neither the change nor the row remains.
3. invalid POST (the form or the service refuses the input): 200 with the Dutch error; nothing
   changes and nothing is logged, not even a read.
4. refused POST (403 for who sees the object but may not write, 404 outside the user's scope):
   nothing changes; exactly one refusal row (`wijzigen`, status `error`) per person the URL is about.
5. stale POST (forms with the hidden `version`, `lvv.core.concurrency`): a colleague's save first,
   then the valid payload with the older version: 200 with the Dutch stale message; nothing changes,
   nothing is logged.

"Nothing changes" is a snapshot of every table (`apps.get_models(include_auto_created=True)`, so the
many-to-many tables too) except the sessions, django-axes and the access log, which is checked by
its ids. `test_every_post_view_is_covered` reads the URL configuration: every URL whose view accepts
a POST is a case here or is listed in `NOT_PERSON_DATA_WRITES` with the reason, so a new write view
cannot be forgotten. A view without any method restriction accepts a POST too; the pages among them
(`UNRESTRICTED_PAGES`) must answer it as their GET, with the same read rows, or refuse it.

The world (`world` fixture) is built per test through the real services, with the clock frozen at
`TODAY` for the building and for the requests."""

from __future__ import annotations

import datetime as dt
import html
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lvv.accounts.models import Organisation, OrganisationType
from lvv.admissions.models import AdmissionDecision, Application, Consent
from lvv.admissions.services import application_update
from lvv.audit import records
from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.core.concurrency import MSG_STALE
from lvv.demo import factories
from lvv.meetings import services as meetings
from lvv.meetings.models import AgendaItem, Decision, Escalation, Meeting, Minutes, ScenarioStep, StepTemplate
from lvv.meetings.signals import agenda_proposals
from lvv.people.models import IdentityCheck, Person
from lvv.people.services import person_update
from lvv.trajectories.documents import document_add
from lvv.trajectories.models import (
    Document,
    Instrument,
    InstrumentUse,
    Note,
    OutcomeCode,
    Perspective,
    Placement,
    Trajectory,
    VisibilityChange,
)
from lvv.trajectories.services import note_add, perspective_record, placement_record, trajectory_assign_organisations

#: The day of the world and of every request.
TODAY = dt.date(2023, 3, 1)
#: A day after TODAY: "in the future" for every date rule.
FUTURE = "2023-06-01"
#: The past LSO meeting with the admitted trajectory on its agenda (and an escalation to the MRT).
LSO_DATE = dt.date(2022, 11, 15)
#: The second meeting (the trajectory in toetsing on its agenda), and the date of the new meeting.
MEETING_DATE = dt.date(2023, 2, 1)
PDF = b"%PDF-1.4\n% lvv schrijftest\n%%EOF\n"
ALL_PARTIES = {"share_ngo": True, "share_ind": True, "share_dtv": True, "share_avim": True}

# --- the actors ----------------------------------------------------------------------------------

GEMEENTE = "gemeente"  # case worker, municipality of Amsterdam
CHAIR = "lso_voorzitter"  # chair of the Amsterdam LSO
NGO = "ngo"  # user of the Amsterdam NGO assigned to the trajectories
ROTTERDAM = "rotterdam"  # case worker, municipality of Rotterdam: outside the scope of everything here


@dataclass
class World:
    users: dict
    ngo: Organisation
    ngo2: Organisation  # a second Amsterdam NGO, not assigned (for assign_edit)
    gemeente_org: Organisation
    rotterdam_org: Organisation
    admitted: Trajectory  # consent for all four parties, NGO assigned, placement, perspective terugkeer
    pending: Trajectory  # in toetsing, consent for all four parties, NGO assigned
    outflowed: Trajectory  # outflowed with outcome hasa (NGO-only consent, NGO not assigned)
    consent: Consent  # the declaration of the admitted trajectory
    lso: Meeting  # LSO_DATE: the admitted trajectory on the agenda, an escalation decided
    lso_item: AgendaItem
    meeting: Meeting  # MEETING_DATE: the pending trajectory on the agenda
    meeting_item: AgendaItem
    step: ScenarioStep  # of the admitted trajectory, the NGO responsible, overdue since 2023-01-15
    escalation: Escalation
    note: Note  # by the NGO, class keten
    document: Document  # by the NGO, class keten

    def person(self, key: str) -> int:
        return getattr(self, key).person_id


def _build_world() -> World:
    amsterdam = factories.municipality("Amsterdam")
    gemeente_org = factories.municipal_organisation("Amsterdam")
    ngo = factories.OrganisationFactory(
        name="Stichting Schrijfproef", type=OrganisationType.NGO, municipality=amsterdam
    )
    ngo2 = factories.OrganisationFactory(
        name="Stichting Tweede Lijn", type=OrganisationType.NGO, municipality=amsterdam
    )
    make = factories.UserFactory
    users = {
        GEMEENTE: make(username="schrijf.gemeente", organisation=gemeente_org),
        CHAIR: make(username="schrijf.voorzitter", organisation=gemeente_org, is_lso_chair=True),
        NGO: make(username="schrijf.ngo", organisation=ngo),
        ROTTERDAM: make(username="schrijf.rotterdam", organisation=factories.municipal_organisation("Rotterdam")),
    }
    desk, chair, ngo_user = users[GEMEENTE], users[CHAIR], users[NGO]

    admitted = factories.admitted_trajectory(actor=desk, decided_by=chair, family_name="Schrijfwerk", **ALL_PARTIES)
    trajectory_assign_organisations(actor=desk, trajectory=admitted, organisations=[ngo])
    placement_record(
        actor=desk,
        trajectory=admitted,
        location=factories.location("Amsterdam"),
        shelter_form="centraal",
        hours="24uur",
        start_date=factories.ADMISSION_DATE,
    )
    perspective_record(
        actor=desk, trajectory=admitted, perspective="terugkeer", status="voorlopig", decided_on=dt.date(2022, 3, 1)
    )
    pending = factories.consented_trajectory(actor=desk, family_name="Toetsingsma", **ALL_PARTIES)
    trajectory_assign_organisations(actor=desk, trajectory=pending, organisations=[ngo])
    outflowed = factories.outflowed_trajectory(actor=desk, family_name="Uitstroomer", outcome_code="hasa")

    lso = meetings.meeting_create(
        actor=desk,
        municipality=amsterdam,
        kind="lso",
        date=LSO_DATE,
        chair=gemeente_org,
        present=[ngo],
        fill_agenda=False,
    )
    lso_item = meetings.agenda_add(actor=desk, meeting=lso, trajectory=admitted)
    step = meetings.step_add(
        actor=desk,
        trajectory=admitted,
        description="Geboorteakte opvragen",
        responsible=ngo,
        due_date=dt.date(2023, 1, 15),
    )
    decision = meetings.decision_record(
        actor=chair, item=lso_item, kind="escalatie", question="Welk perspectief adviseert het MRT?"
    )
    meeting = meetings.meeting_create(
        actor=desk,
        municipality=amsterdam,
        kind="lso",
        date=MEETING_DATE,
        chair=gemeente_org,
        present=[ngo],
        fill_agenda=False,
    )
    meeting_item = meetings.agenda_add(actor=desk, meeting=meeting, trajectory=pending)
    note = note_add(actor=ngo_user, trajectory=admitted, text="Intake gedaan met de deelnemer.", visibility="keten")
    document = document_add(
        actor=ngo_user,
        trajectory=admitted,
        title="Intakeverslag",
        filename="intake.pdf",
        content=PDF,
        visibility="keten",
    )
    return World(
        users=users,
        ngo=ngo,
        ngo2=ngo2,
        gemeente_org=gemeente_org,
        rotterdam_org=factories.municipal_organisation("Rotterdam"),
        admitted=Trajectory.objects.get(pk=admitted.pk),
        pending=Trajectory.objects.get(pk=pending.pk),
        outflowed=outflowed,
        consent=Consent.objects.get(trajectory=admitted),
        lso=lso,
        lso_item=lso_item,
        meeting=meeting,
        meeting_item=meeting_item,
        step=step,
        escalation=decision.escalation,
        note=note,
        document=document,
    )


@pytest.fixture
def world(reference_data):
    with clock.frozen(TODAY):
        yield _build_world()


# --- payload helpers -----------------------------------------------------------------------------


def _version(obj) -> int:
    return type(obj).objects.filter(pk=obj.pk).values_list("version", flat=True).get()


def _facts(**override) -> dict:
    """The application facts as the form posts them."""
    return {
        "has_regiobinding": "true",
        "regiobinding_months": "12",
        "regiobinding_description": "",
        "long_bbb_elsewhere": "false",
        "willing_to_cooperate": "true",
        "safe_country": "false",
        "vulnerable": "",
        "first_application_type": "onbekend",
        "referred_by": "",
        **override,
    }


def _person_fields(person: Person, **override) -> dict:
    return {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "aliases": "",
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "birth_year": person.birth_year or "",
        "sex": person.sex,
        "country_of_origin": person.country_of_origin,
        "languages": person.languages,
        "v_number": person.v_number,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        **override,
    }


def _instruments(**override) -> dict:
    data = {}
    for instrument in Instrument.objects.order_by("order", "pk"):
        data.update({instrument.code: "onbekend", f"{instrument.code}__start": "", f"{instrument.code}__end": ""})
    return {**data, **override}


def _first_instrument() -> Instrument:
    return Instrument.objects.order_by("order", "pk").first()


def _new_meeting(w: World) -> Meeting | None:
    return Meeting.objects.filter(date=MEETING_DATE).exclude(pk=w.meeting.pk).first()


def _bump_trajectory(key: str) -> Callable[[World], None]:
    """A colleague saves the trajectory meanwhile (the same NGOs again: only the version moves)."""

    def bump(w: World) -> None:
        trajectory = getattr(w, key)
        trajectory_assign_organisations(
            actor=w.users[CHAIR], trajectory=trajectory, organisations=list(trajectory.assigned_organisations.all())
        )

    return bump


def _bump_person(w: World) -> None:
    person_update(actor=w.users[CHAIR], person=w.admitted.person, languages="Farsi")


def _bump_application(w: World) -> None:
    application_update(actor=w.users[CHAIR], trajectory=w.pending, vulnerable=True)


# --- the cases -----------------------------------------------------------------------------------

#: `Case.persons` for a view that creates its person: the one person the request made.
NEW_PERSON = "new person"
#: Reasons for a case without a stale POST: the form carries no version.
APPENDS = "append-only: the form adds a new record and overwrites nothing it showed, so it has no version"


@dataclass(frozen=True)
class Case:
    """One write view.

    url_name, actor: the view and the user whose POST is valid.
    kwargs: the URL's arguments in the world.
    valid / invalid: the payloads (functions of the world, called just before the POST).
    invalid_says: the Dutch error (or page text) an invalid POST shows.
    changed: the change of a valid POST, asserted after it (the service wrote it).
    persons: the persons a valid POST changes (evaluated before it; NEW_PERSON: the person it makes).
    refusals: (actor, status) of POSTs that are refused.
    refused_persons: the persons a refused POST is about (one refusal row each); default `persons`.
    stale: a colleague's save that makes the form's version stale; None with `no_stale` saying why.
    """

    url_name: str
    actor: str
    kwargs: Callable[[World], dict]
    valid: Callable[[World], dict]
    invalid: Callable[[World], dict]
    invalid_says: str
    changed: Callable[[World], bool]
    persons: Callable[[World], list[int] | str]
    refusals: tuple[tuple[str, int], ...]
    refused_persons: Callable[[World], list[int]] | None = None
    stale: Callable[[World], None] | None = None
    no_stale: str = ""
    success_status: int = 302


def _on(key: str) -> Callable[[World], dict]:
    return lambda w: {"pk": getattr(w, key).pk}


def _person_of(key: str) -> Callable[[World], list[int]]:
    return lambda w: [w.person(key)]


CASES: list[Case] = [
    # --- trajectories ---
    Case(
        url_name="trajectories:placement_new",
        actor=GEMEENTE,
        kwargs=_on("admitted"),
        valid=lambda w: {
            "location": factories.location("Amsterdam").pk,
            "shelter_form": "decentraal",
            "hours": "nacht",
            "start_date": "2023-02-01",
            "version": _version(w.admitted),
        },
        invalid=lambda w: {
            "location": factories.location("Amsterdam").pk,
            "shelter_form": "decentraal",
            "hours": "nacht",
            "start_date": FUTURE,
            "version": _version(w.admitted),
        },
        invalid_says="De startdatum ligt in de toekomst",
        changed=lambda w: Placement.objects.filter(
            trajectory=w.admitted, start_date=dt.date(2023, 2, 1), shelter_form="decentraal"
        ).exists(),
        persons=_person_of("admitted"),
        refusals=((ROTTERDAM, 404),),  # the assigned NGO may place
        stale=_bump_trajectory("admitted"),
    ),
    Case(
        url_name="trajectories:perspective_new",
        actor=GEMEENTE,
        kwargs=_on("admitted"),
        valid=lambda w: {
            "perspective": "legalisering",
            "status": "voorlopig",
            "decided_on": "2023-02-01",
            "lso_meeting_date": "",
            "version": _version(w.admitted),
        },
        invalid=lambda w: {
            "perspective": "legalisering",
            "status": "voorlopig",
            "decided_on": FUTURE,
            "lso_meeting_date": "",
            "version": _version(w.admitted),
        },
        invalid_says="De datum van het perspectief ligt in de toekomst",
        changed=lambda w: Perspective.objects.filter(trajectory=w.admitted, perspective="legalisering").exists(),
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        stale=_bump_trajectory("admitted"),
    ),
    Case(
        url_name="trajectories:instruments_edit",
        actor=GEMEENTE,
        kwargs=_on("admitted"),
        valid=lambda w: _instruments(
            **{_first_instrument().code: "ja", f"{_first_instrument().code}__start": "2023-01-01"},
            version=_version(w.admitted),
        ),
        invalid=lambda w: _instruments(
            **{
                _first_instrument().code: "ja",
                f"{_first_instrument().code}__start": "2023-02-01",
                f"{_first_instrument().code}__end": "2023-01-01",
            },
            version=_version(w.admitted),
        ),
        invalid_says="ligt vóór de startdatum",
        changed=lambda w: InstrumentUse.objects.filter(
            trajectory=w.admitted, instrument=_first_instrument(), value="ja", start_date=dt.date(2023, 1, 1)
        ).exists(),
        persons=_person_of("admitted"),
        refusals=((ROTTERDAM, 404),),  # the assigned NGO may record instruments
        stale=_bump_trajectory("admitted"),
    ),
    Case(
        url_name="trajectories:outflow_new",
        actor=GEMEENTE,
        kwargs=_on("admitted"),
        valid=lambda w: {
            "outflow_date": "2023-02-15",
            "outcome": OutcomeCode.objects.get(code="hasa").pk,
            "version": _version(w.admitted),
        },
        invalid=lambda w: {
            "outflow_date": FUTURE,
            "outcome": OutcomeCode.objects.get(code="hasa").pk,
            "version": _version(w.admitted),
        },
        invalid_says="De datum van uitstroom ligt in de toekomst",
        changed=lambda w: Trajectory.objects.filter(
            pk=w.admitted.pk, stage="uitgestroomd", outflow_date=dt.date(2023, 2, 15)
        ).exists(),
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        stale=_bump_trajectory("admitted"),
    ),
    Case(
        url_name="trajectories:ind_decision_new",
        actor=GEMEENTE,
        kwargs=_on("outflowed"),
        valid=lambda w: {"decision": "inwilliging", "decided_on": "2022-08-01"},
        invalid=lambda w: {"decision": "inwilliging", "decided_on": "2022-05-01"},
        invalid_says="De datum van het besluit ligt vóór de datum van uitstroom",
        changed=lambda w: Trajectory.objects.filter(pk=w.outflowed.pk, ind_decision="inwilliging").exists(),
        persons=_person_of("outflowed"),
        refusals=((ROTTERDAM, 404),),  # the NGO is not assigned to it: 404 as well
        no_stale="the decision is recorded once on an outflowed trajectory; the form has no version",
    ),
    Case(
        url_name="trajectories:note_new",
        actor=NGO,
        kwargs=_on("admitted"),
        valid=lambda w: {"text": "Gesprek over terugkeer gevoerd.", "visibility": "lso"},
        invalid=lambda w: {"text": "", "visibility": "lso"},
        invalid_says="De notitie is leeg.",
        changed=lambda w: Note.objects.filter(trajectory=w.admitted, visibility="lso").exists(),
        persons=_person_of("admitted"),
        refusals=((ROTTERDAM, 404),),
        no_stale=APPENDS,
    ),
    Case(
        url_name="trajectories:note_visibility",
        actor=NGO,
        kwargs=lambda w: {"pk": w.admitted.pk, "note_pk": w.note.pk},
        valid=lambda w: {"visibility": "lso", "reason": "De deelnemer stemde ermee in.", "confirm": "on"},
        invalid=lambda w: {"visibility": "lso", "reason": "", "confirm": "on"},
        invalid_says="Geef de reden waarom meer partijen dit mogen lezen.",
        changed=lambda w: (
            Note.objects.filter(pk=w.note.pk, visibility="lso").exists()
            and VisibilityChange.objects.filter(note=w.note).exists()
        ),
        persons=_person_of("admitted"),
        # The municipality reads the NGO's keten note but may not change its class.
        refusals=((GEMEENTE, 403), (ROTTERDAM, 404)),
        no_stale="the service re-reads the item under a lock and refuses a class it already has",
    ),
    Case(
        url_name="trajectories:document_new",
        actor=NGO,
        kwargs=_on("admitted"),
        valid=lambda w: {
            "title": "Identiteitsbewijs",
            "file": SimpleUploadedFile("identiteit.pdf", PDF, content_type="application/pdf"),
            "visibility": "organisatie",
        },
        # The form accepts it; the service recognises the content is no PDF.
        invalid=lambda w: {
            "title": "Identiteitsbewijs",
            "file": SimpleUploadedFile("identiteit.pdf", b"geen pdf", content_type="application/pdf"),
            "visibility": "organisatie",
        },
        invalid_says="De inhoud van het bestand past niet bij een PDF-bestand.",
        changed=lambda w: Document.objects.filter(trajectory=w.admitted, title="Identiteitsbewijs").exists(),
        persons=_person_of("admitted"),
        refusals=((ROTTERDAM, 404),),
        no_stale=APPENDS,
    ),
    Case(
        url_name="trajectories:document_visibility",
        actor=NGO,
        kwargs=lambda w: {"pk": w.admitted.pk, "doc_pk": w.document.pk},
        valid=lambda w: {"visibility": "lso", "reason": "De deelnemer stemde ermee in.", "confirm": "on"},
        invalid=lambda w: {"visibility": "lso", "reason": "De deelnemer stemde ermee in.", "confirm": ""},
        invalid_says="Bevestig dat meer partijen dit mogen lezen.",
        changed=lambda w: (
            Document.objects.filter(pk=w.document.pk, visibility="lso").exists()
            and VisibilityChange.objects.filter(document=w.document).exists()
        ),
        persons=_person_of("admitted"),
        refusals=((GEMEENTE, 403), (ROTTERDAM, 404)),
        no_stale="the service re-reads the item under a lock and refuses a class it already has",
    ),
    Case(
        url_name="trajectories:assign_edit",
        actor=GEMEENTE,
        kwargs=_on("admitted"),
        valid=lambda w: {"organisations": [w.ngo.pk, w.ngo2.pk], "version": _version(w.admitted)},
        # Not an NGO of Amsterdam: not among the choices.
        invalid=lambda w: {"organisations": [w.rotterdam_org.pk], "version": _version(w.admitted)},
        invalid_says="Selecteer een geldige keuze",
        changed=lambda w: set(w.admitted.assigned_organisations.values_list("pk", flat=True)) == {w.ngo.pk, w.ngo2.pk},
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        stale=_bump_trajectory("admitted"),
    ),
    # --- people ---
    Case(
        url_name="people:edit",
        actor=GEMEENTE,
        kwargs=lambda w: {"pk": w.person("admitted")},
        valid=lambda w: {
            **_person_fields(Person.objects.get(pk=w.person("admitted")), family_name="Schrijfwerk-Nieuw"),
            "version": _version(w.admitted.person),
        },
        invalid=lambda w: {
            **_person_fields(Person.objects.get(pk=w.person("admitted")), birth_date="2024-01-01", birth_year=""),
            "version": _version(w.admitted.person),
        },
        invalid_says="De geboortedatum ligt in de toekomst",
        changed=lambda w: Person.objects.get(pk=w.person("admitted")).family_name == "Schrijfwerk-Nieuw",
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        stale=_bump_person,
    ),
    # --- admissions ---
    Case(
        url_name="admissions:application_new",
        actor=GEMEENTE,
        kwargs=lambda w: {},
        valid=lambda w: {
            "application_date": "2023-02-01",
            "given_names": "Nadia",
            "family_name": "Nieuwkomer",
            "aliases": "",
            "birth_date": "1985-02-02",
            "birth_year": "",
            "sex": "vrouw",
            "country_of_origin": "SY",
            "languages": "",
            "v_number": "",
            "phone": "",
            "email": "",
            "address": "",
            "confirm_duplicates": "",
            **_facts(),
        },
        # Valid for the form and the duplicate check; the service refuses the date after making the person.
        invalid=lambda w: {
            "application_date": FUTURE,
            "given_names": "Nadia",
            "family_name": "Nieuwkomer",
            "aliases": "",
            "birth_date": "1985-02-02",
            "birth_year": "",
            "sex": "vrouw",
            "country_of_origin": "SY",
            "languages": "",
            "v_number": "",
            "phone": "",
            "email": "",
            "address": "",
            "confirm_duplicates": "",
            **_facts(),
        },
        invalid_says="De datum van aanmelding ligt in de toekomst",
        changed=lambda w: Trajectory.objects.filter(
            person__family_name="Nieuwkomer", application_date=dt.date(2023, 2, 1)
        ).exists(),
        persons=lambda w: NEW_PERSON,
        refusals=((NGO, 403),),  # about no existing person: no refusal row
        refused_persons=lambda w: [],
        no_stale="creates a new person and trajectory: nothing shown could have been changed meanwhile",
    ),
    Case(
        url_name="admissions:application_reentry",
        actor=GEMEENTE,
        kwargs=lambda w: {"pk": w.person("outflowed")},
        valid=lambda w: {"application_date": "2023-01-15", **_facts()},
        invalid=lambda w: {"application_date": "2022-05-01", **_facts()},
        invalid_says="De datum van aanmelding ligt vóór het einde van het vorige traject.",
        changed=lambda w: Trajectory.objects.filter(person_id=w.person("outflowed")).count() == 2,
        persons=_person_of("outflowed"),
        refusals=((ROTTERDAM, 404),),  # the NGO is not assigned to the outflowed trajectory: 404 as well
        no_stale="a new application (trajectory); the service refuses it while another one is open",
    ),
    Case(
        url_name="admissions:application_edit",
        actor=GEMEENTE,
        kwargs=_on("pending"),
        valid=lambda w: {**_facts(referred_by="Vluchtelingenwerk"), "version": _version(w.pending)},
        invalid=lambda w: {**_facts(regiobinding_months="-1"), "version": _version(w.pending)},
        invalid_says="Het aantal maanden kan niet negatief zijn.",
        changed=lambda w: Application.objects.filter(trajectory=w.pending, referred_by="Vluchtelingenwerk").exists(),
        persons=_person_of("pending"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        stale=_bump_application,
    ),
    Case(
        url_name="admissions:identity_check_new",
        actor=GEMEENTE,
        kwargs=_on("pending"),
        valid=lambda w: {"performed_on": "2023-01-20", "outcome": "v_nummer", "not_taken_reason": ""},
        invalid=lambda w: {"performed_on": "2023-01-20", "outcome": "niet_afgenomen", "not_taken_reason": ""},
        invalid_says="Geef de reden waarom de identiteitscontrole niet is afgenomen.",
        changed=lambda w: IdentityCheck.objects.filter(trajectory=w.pending, outcome="v_nummer").exists(),
        persons=_person_of("pending"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        no_stale=APPENDS,
    ),
    Case(
        url_name="admissions:consent_new",
        actor=GEMEENTE,
        kwargs=_on("pending"),
        valid=lambda w: {"signed_on": "2023-01-20", "share_ngo": "on", "share_ind": "on"},
        invalid=lambda w: {"signed_on": "2021-12-01", "share_ngo": "on"},
        invalid_says="De toestemmingsverklaring is getekend vóór de aanmelding",
        changed=lambda w: Consent.objects.filter(
            trajectory=w.pending, signed_on=dt.date(2023, 1, 20), in_force=True
        ).exists(),
        persons=_person_of("pending"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        no_stale="a new declaration replaces the one in force (decided by date of signing), it edits nothing shown",
    ),
    Case(
        url_name="admissions:consent_withdraw",
        actor=GEMEENTE,
        kwargs=lambda w: {"pk": w.admitted.pk, "consent_pk": w.consent.pk},
        valid=lambda w: {"party": "avim", "withdrawn_on": "2023-02-01"},
        invalid=lambda w: {"party": "avim", "withdrawn_on": "2021-12-01"},
        invalid_says="De datum van intrekking ligt vóór de datum van ondertekening.",
        changed=lambda w: Consent.objects.filter(pk=w.consent.pk, avim_withdrawn_on=dt.date(2023, 2, 1)).exists(),
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        no_stale="a withdrawal happens once: the service re-reads the declaration under a lock and refuses a second",
    ),
    Case(
        url_name="admissions:admission_decide",
        actor=GEMEENTE,
        kwargs=_on("pending"),
        valid=lambda w: {
            "outcome": "toegelaten",
            "decided_on": "2023-02-01",
            "refusal_reason": "",
            "exception_motivation": "",
            "consent_exception_motivation": "",
            "lso_meeting_date": "",
            "version": _version(w.pending),
        },
        invalid=lambda w: {
            "outcome": "geweigerd",
            "decided_on": "2023-02-01",
            "refusal_reason": "",
            "exception_motivation": "",
            "consent_exception_motivation": "",
            "lso_meeting_date": "",
            "version": _version(w.pending),
        },
        invalid_says="Geef de reden van de weigering.",
        changed=lambda w: (
            AdmissionDecision.objects.filter(trajectory=w.pending, outcome="toegelaten").exists()
            and Trajectory.objects.filter(pk=w.pending.pk, stage="toegelaten").exists()
        ),
        persons=_person_of("pending"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        stale=_bump_trajectory("pending"),
    ),
    # --- meetings ---
    Case(
        url_name="meetings:new",
        actor=GEMEENTE,
        kwargs=lambda w: {},
        valid=lambda w: {
            "kind": "lso",
            "date": MEETING_DATE.isoformat(),
            "theme": "",
            "chair": w.gemeente_org.pk,
            "present": [w.ngo.pk],
        },
        invalid=lambda w: {
            "kind": "thematisch",
            "date": MEETING_DATE.isoformat(),
            "theme": "",
            "chair": w.gemeente_org.pk,
            "present": [w.ngo.pk],
        },
        invalid_says="Een thematisch overleg heeft een thema.",
        changed=lambda w: _new_meeting(w) is not None and _new_meeting(w).items.exists(),
        # Creating an LSO fills its agenda: one row per person put on it.
        persons=lambda w: [s.trajectory.person_id for s in agenda_proposals(w.admitted.municipality_id, MEETING_DATE)],
        refusals=((NGO, 403),),  # a new meeting is about no person yet: no refusal row
        refused_persons=lambda w: [],
        no_stale="creates a new meeting; nothing shown could have been changed meanwhile",
    ),
    Case(
        url_name="meetings:agenda_fill",
        actor=GEMEENTE,
        kwargs=_on("meeting"),
        valid=lambda w: {"bevestig": "1"},
        invalid=lambda w: {"bevestig": "0"},  # not confirmed: the confirmation page again
        invalid_says="Agenda aanvullen",
        changed=lambda w: AgendaItem.objects.filter(meeting=w.meeting, trajectory=w.admitted).exists(),
        persons=lambda w: [s.trajectory.person_id for s in agenda_proposals(w.admitted.municipality_id, MEETING_DATE)],
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        refused_persons=_person_of("pending"),  # the page is about the persons on its agenda
        no_stale="adds only what is missing on the meeting date; items already on the agenda stay",
    ),
    Case(
        url_name="meetings:agenda_add",
        actor=GEMEENTE,
        kwargs=_on("lso"),
        valid=lambda w: {"trajectory": w.pending.pk, "detail": "Bespreken bij de toelating."},
        invalid=lambda w: {"trajectory": "", "detail": "Bespreken bij de toelating."},
        invalid_says="Kies een traject.",
        changed=lambda w: AgendaItem.objects.filter(meeting=w.lso, trajectory=w.pending).exists(),
        persons=_person_of("pending"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        # The page is about the persons on its agenda, and the attempt about the person to be added.
        refused_persons=lambda w: [w.person("admitted"), w.person("pending")],
        no_stale="a trajectory is on an agenda once (unique constraint): a second add is refused",
    ),
    Case(
        url_name="meetings:item",
        actor=CHAIR,
        kwargs=lambda w: {"pk": w.lso.pk, "item_pk": w.lso_item.pk},
        valid=lambda w: {"kind": "scenario", "summary": "Scenario terugkeer vastgesteld."},
        invalid=lambda w: {"kind": "scenario", "summary": ""},
        invalid_says="Beschrijf het (gewijzigde) scenario.",
        changed=lambda w: Decision.objects.filter(agenda_item=w.lso_item, kind="scenario").exists(),
        persons=_person_of("admitted"),
        refusals=((GEMEENTE, 403), (ROTTERDAM, 404)),  # decisions: the LSO chair only
        no_stale=APPENDS,
    ),
    Case(
        url_name="meetings:minutes_add",
        actor=GEMEENTE,
        kwargs=lambda w: {"pk": w.lso.pk, "item_pk": w.lso_item.pk},
        valid=lambda w: {"verslag-text": "Besproken: de ambassade wordt gebeld.", "verslag-visibility": "lso"},
        invalid=lambda w: {"verslag-text": "", "verslag-visibility": "lso"},
        invalid_says="Het verslag is leeg.",
        changed=lambda w: Minutes.objects.filter(agenda_item=w.lso_item, visibility="lso").exists(),
        persons=_person_of("admitted"),
        refusals=((ROTTERDAM, 404),),  # every party at the table may write minutes
        no_stale=APPENDS,
    ),
    Case(
        url_name="meetings:agenda_remove",
        actor=GEMEENTE,
        kwargs=lambda w: {"pk": w.meeting.pk, "item_pk": w.meeting_item.pk},
        valid=lambda w: {"bevestig": "1"},
        invalid=lambda w: {"bevestig": "0"},  # not confirmed: the confirmation page again
        invalid_says="Van de agenda halen",
        changed=lambda w: not AgendaItem.objects.filter(pk=w.meeting_item.pk).exists(),
        persons=_person_of("pending"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        no_stale="removes the item once; a second removal finds no item (404)",
    ),
    # --- progress ---
    Case(
        url_name="progress:step_new",
        actor=GEMEENTE,
        kwargs=_on("admitted"),
        valid=lambda w: {"description": "Paspoort aanvragen", "responsible": w.ngo.pk, "due_date": "2023-04-01"},
        invalid=lambda w: {"description": "Paspoort aanvragen", "responsible": w.ngo.pk, "due_date": "2021-06-01"},
        invalid_says="De deeltermijn ligt vóór het begin van het traject",
        changed=lambda w: ScenarioStep.objects.filter(trajectory=w.admitted, description="Paspoort aanvragen").exists(),
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        no_stale=APPENDS,
    ),
    Case(
        url_name="progress:steps_from_template",
        actor=GEMEENTE,
        kwargs=_on("admitted"),
        valid=lambda w: {"start": "2023-02-01"},
        # The first template step would be due before the trajectory began: the service refuses.
        invalid=lambda w: {"start": "2021-01-01"},
        invalid_says="De deeltermijn ligt vóór het begin van het traject",
        changed=lambda w: (
            ScenarioStep.objects.filter(trajectory=w.admitted).count()
            == 1 + StepTemplate.objects.filter(perspective="terugkeer").count()
        ),
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        no_stale=APPENDS,
    ),
    Case(
        url_name="progress:step_done",
        actor=NGO,  # the organisation responsible for the step
        kwargs=lambda w: {"pk": w.admitted.pk, "step_pk": w.step.pk},
        valid=lambda w: {"done_on": "2023-01-10"},
        invalid=lambda w: {"done_on": FUTURE},
        invalid_says="De datum gereed ligt in de toekomst",
        changed=lambda w: ScenarioStep.objects.filter(pk=w.step.pk, status="gereed").exists(),
        persons=_person_of("admitted"),
        refusals=((ROTTERDAM, 404),),
        no_stale="a step is done once: the service re-reads it under a lock and refuses a closed step",
    ),
    Case(
        url_name="progress:escalation_advice",
        actor=GEMEENTE,
        kwargs=lambda w: {"pk": w.admitted.pk, "esc_pk": w.escalation.pk},
        valid=lambda w: {"advice": "Terugkeer met ondersteuning van IOM.", "advice_on": "2023-01-05", "follow_up": ""},
        invalid=lambda w: {
            "advice": "Terugkeer met ondersteuning van IOM.",
            "advice_on": "2022-11-01",
            "follow_up": "",
        },
        invalid_says="De datum van het advies ligt vóór de aanvraag",
        changed=lambda w: Escalation.objects.filter(pk=w.escalation.pk, advice_on=dt.date(2023, 1, 5)).exists(),
        persons=_person_of("admitted"),
        refusals=((NGO, 403), (ROTTERDAM, 404)),
        no_stale="the advice form has no version field (a later advice replaces the earlier one)",
    ),
]

#: URLs whose view accepts a POST but changes no person data (or is tested elsewhere): the reason.
NOT_PERSON_DATA_WRITES = {
    "meetings:close": "closes a meeting: no person data changes (decisions stop)",
    "progress:policy": "the municipality's progress settings: no person data",
    "admissions:criterion_new": "an admission criterion of a municipality: no person data",
    "admissions:criterion_edit": "an admission criterion of a municipality: no person data",
    "exchange:extract_upload": "a chain partner's extract for the reconciliation: no change to the registry",
    "login": "authentication",
    "logout": "authentication",
    "accounts:two_factor_verify": "the user's own second factor (see accounts/tests/test_two_factor.py)",
    "accounts:two_factor_setup": "the user's own TOTP device (see accounts/tests/test_two_factor.py)",
    "api:trajectory_delivery": "token-only API import; its access log is tested in api/tests/test_deliveries.py",
    "api:capacity_delivery": "token-only API: capacity figures, no person",
    "api:not_found": "token-only API: a 404 problem for every method",
    # Views without a method restriction: a POST is answered as a GET and writes nothing.
    "web:home": "no method restriction; a redirect or the programmabureau page, writes nothing",
    "admissions:criteria_list": "no method restriction; the criteria list, writes nothing",
}

CASE_BY_NAME = {case.url_name: case for case in CASES}
STALE_CASES = [case for case in CASES if case.stale is not None]
REFUSALS = [
    pytest.param(case, actor, status, id=f"{case.url_name}-{actor}")
    for case in CASES
    for actor, status in case.refusals
]


def _ids(case: Case) -> str:
    return case.url_name


# --- snapshots and requests ----------------------------------------------------------------------


def _not_watched(model) -> bool:
    meta = model._meta
    return meta.db_table == "django_session" or meta.app_label == "axes" or model is AccessLogEntry


def _plain(value):
    return bytes(value) if isinstance(value, memoryview) else value


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (the access log, sessions and django-axes apart)."""
    return {
        model._meta.label: [tuple(_plain(v) for v in row) for row in model._base_manager.order_by("pk").values_list()]
        for model in apps.get_models(include_auto_created=True)
        if not _not_watched(model)
    }


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def last_log_id() -> int:
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def new_log_rows(since: int) -> list[tuple]:
    return list(
        AccessLogEntry.objects.filter(id__gt=since)
        .order_by("person_id", "id")
        .values_list("person_id", "action", "status", "username", "view_name")
    )


#: One client for the module (a new client loads the middleware again, which is slow), and one that
#: answers an exception with a 500 instead of raising it.
_CLIENT = Client()
_FAILING_CLIENT = Client(raise_request_exception=False)


def _login(client: Client, user) -> Client:
    client.cookies.clear()
    client.force_login(user)  # before any snapshot: it sets the user's last_login
    return client


def _url(case: Case, w: World) -> str:
    return reverse(case.url_name, kwargs=case.kwargs(w))


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _expected_persons(case: Case, w: World):
    persons = case.persons(w)
    if persons != NEW_PERSON:
        assert persons, f"{case.url_name}: the world gives the valid POST no person to change"
    return persons


def _resolve_persons(persons, persons_before: set[int]) -> list[int]:
    if persons == NEW_PERSON:
        made = sorted(set(Person.objects.values_list("pk", flat=True)) - persons_before)
        assert len(made) == 1, f"expected one new person, got {made}"
        return made
    return sorted(set(persons))


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_valid_post_logs_one_change_per_person(world, case):
    user = world.users[case.actor]
    client = _login(_CLIENT, user)
    url = _url(case, world)
    persons = _expected_persons(case, world)
    payload = case.valid(world)
    persons_before = set(Person.objects.values_list("pk", flat=True))
    before, since = snapshot(), last_log_id()

    response = client.post(url, payload)

    assert response.status_code == case.success_status, (
        f"valid POST {url} as {case.actor}: {response.status_code}\n{_text(response)[:3000]}"
    )
    assert case.changed(world), f"{case.url_name}: the change is not in its table"
    assert changed_tables(before, snapshot()), f"{case.url_name}: nothing changed"
    expected = [
        (pid, "wijzigen", AccessLogEntry.Status.OK, user.username, case.url_name)
        for pid in _resolve_persons(persons, persons_before)
    ]
    assert new_log_rows(since) == expected


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_failure_after_the_change_leaves_neither_change_nor_row(world, case):
    """The row is written in the service's transaction: when the request fails after the service wrote
    its change and its row (here: right after the row's INSERT), both are gone."""
    client = _login(_FAILING_CLIENT, world.users[case.actor])
    url = _url(case, world)
    payload = case.valid(world)
    before, since = snapshot(), last_log_id()
    real_insert = records.insert
    inserted, written_before = [], []

    def insert_then_fail(entries):
        rows = real_insert(entries)
        inserted.extend((row.person_id, row.action, row.status) for row in rows)
        written_before.extend(changed_tables(before, snapshot()))  # the change, not yet committed
        raise RuntimeError("forced failure after the access-log row was written")

    with mock.patch.object(records, "insert", insert_then_fail):
        response = client.post(url, payload)

    assert inserted, f"{case.url_name}: the valid POST wrote no access-log row, so nothing failed"
    assert {(action, status) for _, action, status in inserted} == {("wijzigen", AccessLogEntry.Status.OK)}
    assert written_before, f"{case.url_name}: the row was written before any change"
    assert response.status_code == 500
    assert response.exc_info is not None and response.exc_info[0] is RuntimeError
    assert changed_tables(before, snapshot()) == [], f"{case.url_name}: the change outlived the failure"
    assert new_log_rows(since) == [], f"{case.url_name}: a log row outlived the failure"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_invalid_post_changes_and_logs_nothing(world, case):
    client = _login(_CLIENT, world.users[case.actor])
    url = _url(case, world)
    payload = case.invalid(world)
    before, since = snapshot(), last_log_id()

    response = client.post(url, payload)

    assert response.status_code == 200, f"invalid POST {url}: {response.status_code}"
    assert case.invalid_says in _text(response), f"{case.url_name}: the page does not say {case.invalid_says!r}"
    assert changed_tables(before, snapshot()) == [], f"{case.url_name}: an invalid POST changed data"
    assert new_log_rows(since) == [], f"{case.url_name}: an invalid POST was logged"


@pytest.mark.parametrize(("case", "actor", "status"), REFUSALS)
def test_refused_post_leaves_one_refusal_row(world, case, actor, status):
    user = world.users[actor]
    client = _login(_CLIENT, user)
    url = _url(case, world)
    payload = case.valid(world)
    refused = (case.refused_persons or case.persons)(world)
    before, since = snapshot(), last_log_id()

    response = client.post(url, payload)

    assert response.status_code == status, f"POST {url} as {actor}: {response.status_code}, expected {status}"
    assert changed_tables(before, snapshot()) == [], f"{case.url_name}: a refused POST changed data"
    expected = [
        (pid, "wijzigen", AccessLogEntry.Status.ERROR, user.username, case.url_name) for pid in sorted(set(refused))
    ]
    assert new_log_rows(since) == expected


@pytest.mark.parametrize("case", STALE_CASES, ids=_ids)
def test_stale_post_changes_and_logs_nothing(world, case):
    client = _login(_CLIENT, world.users[case.actor])
    url = _url(case, world)
    case.stale(world)  # a colleague saved meanwhile
    payload = case.valid(world)
    payload["version"] -= 1  # the form was opened before that save
    before, since = snapshot(), last_log_id()

    response = client.post(url, payload)

    assert response.status_code == 200, f"stale POST {url}: {response.status_code}"
    stale_start = MSG_STALE.split("{what}")[0]
    assert stale_start in _text(response) and "intussen gewijzigd" in _text(response), (
        f"{case.url_name}: no stale message"
    )
    assert changed_tables(before, snapshot()) == [], f"{case.url_name}: a stale POST changed data"
    assert new_log_rows(since) == [], f"{case.url_name}: a stale POST was logged"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_stale_case_exactly_where_the_form_has_a_version(world, case):
    """The versioned forms (hidden `version`) are exactly the cases with a stale POST."""
    response = _login(_CLIENT, world.users[case.actor]).get(_url(case, world))
    assert response.status_code == 200
    versioned = 'name="version"' in response.content.decode()
    assert versioned == (case.stale is not None), (
        f"{case.url_name}: form {'has' if versioned else 'has no'} version field, case "
        f"{'has' if case.stale else 'has no'} stale POST"
    )
    assert (case.stale is None) == bool(case.no_stale), f"{case.url_name}: say why no stale case applies"


# --- every write view is a case ------------------------------------------------------------------


def _url_patterns(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _url_patterns(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else f"<unnamed: {p.pattern}>"), p.callback


def allowed_methods(view) -> tuple[str, ...] | None:
    """The HTTP methods a view answers, read from its decorators: `require_http_methods` (and
    `require_GET`), the API's `endpoint(...)`, a class-based view's handlers. None: no method
    restriction at all (every method, POST included, reaches the view)."""
    if hasattr(view, "view_class"):
        return tuple(m.upper() for m in view.view_class.http_method_names if hasattr(view.view_class, m))
    func = view
    while func is not None:
        try:
            names = inspect.getclosurevars(func).nonlocals
        except TypeError:
            names = {}
        if "request_method_list" in names:
            return tuple(names["request_method_list"])
        if isinstance(names.get("methods"), tuple) and "view" in names:  # lvv.api.views.endpoint
            return names["methods"] or None
        func = getattr(func, "__wrapped__", None)
    return None


def _views() -> dict[str, object]:
    return dict(_url_patterns(get_resolver().url_patterns))


def post_urls() -> set[str]:
    """Every URL whose view accepts a POST (a view without a method restriction does)."""
    return {name for name, view in _views().items() if "POST" in (allowed_methods(view) or ("POST",))}


def test_every_post_view_is_covered():
    missing = sorted(post_urls() - set(CASE_BY_NAME) - set(NOT_PERSON_DATA_WRITES))
    assert not missing, (
        "URLs that accept a POST without a case in this module (add a Case to CASES, or to "
        f"NOT_PERSON_DATA_WRITES with the reason when it changes no person data): {missing}"
    )


def test_case_table_names_only_post_urls():
    posts = post_urls()
    assert len(CASE_BY_NAME) == len(CASES), "one case per write view"
    assert set(CASE_BY_NAME) <= posts, sorted(set(CASE_BY_NAME) - posts)
    assert set(NOT_PERSON_DATA_WRITES) <= posts, sorted(set(NOT_PERSON_DATA_WRITES) - posts)
    assert not set(CASE_BY_NAME) & set(NOT_PERSON_DATA_WRITES)
    # The detector itself: a GET-only view is not a write view, a form view is.
    assert "trajectories:document_download" not in posts and "meetings:detail" not in posts
    assert "trajectories:placement_new" in posts
    # The pages without a method restriction are exactly those of UNRESTRICTED_PAGES (and the
    # second login step, whose POST is its own form).
    views = _views()
    unrestricted = {name for name, view in views.items() if allowed_methods(view) is None}
    assert unrestricted - TWO_FACTOR == set(UNRESTRICTED_PAGES) | {"api:not_found"}


#: The second login step: its views take any method and their POST is their own form.
TWO_FACTOR = {"accounts:two_factor_verify", "accounts:two_factor_setup"}
#: Pages whose view has no method restriction, with their arguments in the world.
UNRESTRICTED_PAGES: dict[str, Callable[[World], dict]] = {
    "web:home": lambda w: {},
    "admissions:criteria_list": lambda w: {},
}
#: Pages that show person data and answer only GET: a POST is refused (405) and logs nothing.
GET_ONLY_PERSON_PAGES: dict[str, Callable[[World], dict]] = {
    "trajectories:list": lambda w: {},
    "trajectories:detail": lambda w: {"pk": w.admitted.pk},
    "people:detail": lambda w: {"pk": w.person("admitted")},
}


@pytest.mark.parametrize("url_name", sorted(GET_ONLY_PERSON_PAGES))
def test_a_post_to_a_person_page_is_refused_and_logs_nothing(world, url_name):
    """A POST to the work list, the trajectory page or the person page would show person data; these
    pages accept GET only, so a POST is 405 and leaves no row (a GET of them logs its read)."""
    user = world.users[GEMEENTE]
    url = reverse(url_name, kwargs=GET_ONLY_PERSON_PAGES[url_name](world))
    client = _login(_CLIENT, user)
    before, since = snapshot(), last_log_id()
    assert client.post(url).status_code == 405
    assert changed_tables(before, snapshot()) == [] and new_log_rows(since) == []
    assert client.get(url).status_code == 200 and new_log_rows(since), f"GET {url} logged no read"


@pytest.mark.parametrize("url_name", sorted(UNRESTRICTED_PAGES))
def test_a_post_to_a_page_without_method_restriction_is_answered_as_its_get(world, url_name):
    """`NOT_PERSON_DATA_WRITES` leaves these pages out because a POST to them is answered as a GET
    and writes nothing. Then it must also log what the GET logs: a POST that shows the same person
    data without its read row would be an unlogged read (or the view refuses the POST: 405)."""
    user = world.users[GEMEENTE]
    url = reverse(url_name, kwargs=UNRESTRICTED_PAGES[url_name](world))
    answers = {}
    for method in ("get", "post"):
        client = _login(_CLIENT, user)
        before, since = snapshot(), last_log_id()
        response = getattr(client, method)(url)
        assert changed_tables(before, snapshot()) == [], f"{method.upper()} {url} changed data"
        answers[method] = (response.status_code, new_log_rows(since))
    assert answers["post"][0] == 405 or answers["post"] == answers["get"], (
        f"POST {url} ({url_name}) answers {answers['post'][0]} like a GET but logs {answers['post'][1]}, "
        f"the GET logs {answers['get'][1]}"
    )
