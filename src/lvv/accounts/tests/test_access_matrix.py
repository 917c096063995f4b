"""The access matrix: every URL that shows or changes person data × every role, allowed or refused.

The URLs are read from the URL configuration (`get_resolver()`), so a page added without a rule in
`RULES` fails `test_every_url_has_a_rule`. For every rule, every actor and every method the rule
covers (GET, plus POST for write URLs) one case checks:

- allowed: GET answers 200 (or the documented redirect); POST answers 200 — the form is shown
  again, because an empty POST is never a valid submission (the views bind `request.POST or None`,
  so an empty body gives an unbound form and nothing is written);
- refused: 404 when the target is not visible to the user (its existence is not revealed), 403 when
  it is visible but the action is not theirs (`lvv.web.utils`), and for an anonymous visitor a
  redirect to the login page;
- no request of the matrix changes anything (counts and the trajectories' rows before and after);
- an allowed request about a person wrote an access-log entry for that person, with the user's
  name and the view name; a refused one wrote none for that person.

The world is built once per module (through the real services, inside a transaction that is rolled
back at the end) and every test runs in its own savepoint on top of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from lvv.accounts.models import OrganisationType
from lvv.admissions.models import AdmissionDecision, Application, Consent, CriterionRule
from lvv.admissions.services import admission_decide, application_register, consent_record, consent_withdraw
from lvv.audit.models import AccessLogEntry
from lvv.core import clock
from lvv.demo import factories
from lvv.demo.reference_data import load_reference_data
from lvv.meetings.models import AgendaItem, Decision, Escalation, Meeting, Minutes, ProgressPolicy, ScenarioStep
from lvv.people.models import Alias, IdentityCheck, Person
from lvv.people.services import identity_check_record, person_create
from lvv.trajectories.models import (
    Document,
    InstrumentUse,
    Note,
    Perspective,
    Placement,
    TimelineEvent,
    Trajectory,
    VisibilityChange,
)
from lvv.trajectories.services import outflow_register, placement_record, trajectory_assign_organisations

# --- the actors ----------------------------------------------------------------------------------

GEMEENTE = "gemeente"  # case worker, municipality of Amsterdam (the trajectory's own municipality)
LSO_VOORZITTER = "lso_voorzitter"  # chair of the Amsterdam LSO
FUNCTIONAL_ADMIN = "functional_admin"  # Amsterdam municipality user with is_functional_admin
NGO_ASSIGNED = "ngo_assigned"  # user of the Amsterdam NGO assigned to the trajectory
NGO_OTHER = "ngo_other"  # user of a Rotterdam NGO
GEMEENTE_OTHER = "gemeente_other"  # case worker, municipality of Rotterdam
IND = "ind"
DTV = "dtv"
AVIM = "avim"  # a chain partner the participant did NOT consent to
PROGRAMMABUREAU = "programmabureau"
PROGRAMMABUREAU_ADMIN = "programmabureau_admin"  # programmabureau user with is_functional_admin
ANONYMOUS = "anonymous"

ACTORS = [
    GEMEENTE,
    LSO_VOORZITTER,
    FUNCTIONAL_ADMIN,
    NGO_ASSIGNED,
    NGO_OTHER,
    GEMEENTE_OTHER,
    IND,
    DTV,
    AVIM,
    PROGRAMMABUREAU,
    PROGRAMMABUREAU_ADMIN,
    ANONYMOUS,
]

MUNICIPAL = frozenset({GEMEENTE, LSO_VOORZITTER, FUNCTIONAL_ADMIN})
#: Municipality users of any municipality (they register new people in their own one).
ANY_MUNICIPALITY = MUNICIPAL | {GEMEENTE_OTHER}
#: Who may see the Amsterdam trajectories of the world (consent: ngo + IND + DT&V; assigned NGO).
VIEWERS = MUNICIPAL | {NGO_ASSIGNED, IND, DTV}
#: The municipality and the assigned NGO: placement, instruments and notes.
NGO_WRITERS = MUNICIPAL | {NGO_ASSIGNED}
#: Roles that work with person data at all (the work list opens for them, narrowed to their scope).
PERSON_DATA_ROLES = MUNICIPAL | {NGO_ASSIGNED, NGO_OTHER, GEMEENTE_OTHER, IND, DTV, AVIM}
#: Functional administrators: Amsterdam's (own rules) and the programmabureau's (national rules).
CRITERIA_ADMINS = frozenset({FUNCTIONAL_ADMIN, PROGRAMMABUREAU_ADMIN})
AUTHENTICATED = frozenset(ACTORS) - {ANONYMOUS}
NOBODY: frozenset[str] = frozenset()

#: Who can see each target of the world: a refusal is a 403 for them and a 404 for everyone else.
SEES = {
    "trajectory": VIEWERS,
    "outflowed": VIEWERS,
    "person": VIEWERS,
    "consent": VIEWERS,
    # Case progress: the Amsterdam LSO meeting (NGO and IND at the table, DT&V and AVIM not) and its
    # agenda item; the step and the escalation belong to the Amsterdam trajectory.
    "meeting": MUNICIPAL | {NGO_ASSIGNED, IND},
    "item": MUNICIPAL | {NGO_ASSIGNED, IND},
    "step": VIEWERS,
    "escalation": VIEWERS,
}

# --- visibility classes ----------------------------------------------------------------
#: Who reads an item (note, document) of the Amsterdam trajectory by its class (docs/delen.md):
#: the NGO wrote one of each class, the municipality one of class organisatie.
READERS = {
    "ngo_organisatie": frozenset({NGO_ASSIGNED}),
    "ngo_keten": MUNICIPAL | {NGO_ASSIGNED, IND, DTV},
    "ngo_lso": VIEWERS,
    "gemeente_organisatie": MUNICIPAL,
}
#: Who may change an item's class: its authoring organisation.
AUTHORS = {
    "ngo_organisatie": frozenset({NGO_ASSIGNED}),
    "ngo_keten": frozenset({NGO_ASSIGNED}),
    "ngo_lso": frozenset({NGO_ASSIGNED}),
    "gemeente_organisatie": MUNICIPAL,
}
for _item, _readers in READERS.items():
    # A refusal on an item is a 403 for who reads it (but may not change it), else a 404.
    SEES[f"note_{_item}"] = _readers
    SEES[f"doc_{_item}"] = _readers


def note_marker(item: str) -> str:
    """The unique text of the matrix note `item`: long and upper case, never part of a random token."""
    return f"MATRIXNOTITIE{item.upper().replace('_', '')}QX"


def doc_marker(item: str) -> str:
    return f"MATRIXDOCUMENT{item.upper().replace('_', '')}QX"


# --- the rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Who may do what on one URL.

    target: which object of the world the URL is about (its kwargs and, if any, its person).
    get / post: actors allowed to GET / POST (post None: not a write URL, POST is not tested).
    person_data: an allowed request reads or writes data of the target person (access log).
    shown_to: for a list, the actors to whom the target person is shown (default: all allowed).
    refused: how a refusal looks: "visibility" (403 if the target is visible to the actor, else
        404), or a fixed status.
    redirect_get: actors for whom an allowed GET is a redirect to `redirect_to`.
    shows_name: the page shows the target person's family name exactly to `shown_to` (default: `get`).
    """

    target: str | None
    get: frozenset[str]
    post: frozenset[str] | None = None
    person_data: bool = True
    shown_to: frozenset[str] | None = None
    refused: str | int = "visibility"
    redirect_get: frozenset[str] = NOBODY
    redirect_to: str | None = None
    shows_name: bool = False

    def allowed(self, actor: str, method: str) -> bool:
        return actor in (self.get if method == "GET" else self.post)

    def methods(self) -> tuple[str, ...]:
        return ("GET",) if self.post is None else ("GET", "POST")


def _write(target: str | None, allowed: frozenset[str] | set[str], **kwargs) -> Rule:
    """A form page: the same actors may open it and submit it."""
    return Rule(target=target, get=frozenset(allowed), post=frozenset(allowed), **kwargs)


#: url name → {variant: Rule}. A variant is the same URL aimed at a different object.
RULES: dict[str, dict[str, Rule]] = {
    # Home: not person data; the programmabureau gets a page, everyone else the work list.
    "web:home": {
        "": Rule(
            target=None,
            get=AUTHENTICATED,
            person_data=False,
            refused=403,
            redirect_get=AUTHENTICATED - {PROGRAMMABUREAU, PROGRAMMABUREAU_ADMIN},
            redirect_to="trajectories:list",
        )
    },
    # The work list opens for every person-data role but shows only what the user may see.
    "trajectories:list": {
        "": Rule(target="worklist", get=PERSON_DATA_ROLES, shown_to=VIEWERS, refused=404, shows_name=True)
    },
    "trajectories:detail": {"": Rule(target="trajectory", get=VIEWERS, shows_name=True)},
    "trajectories:placement_new": {"": _write("trajectory", NGO_WRITERS)},
    "trajectories:perspective_new": {"": _write("trajectory", MUNICIPAL)},
    "trajectories:instruments_edit": {"": _write("trajectory", NGO_WRITERS)},
    "trajectories:outflow_new": {"": _write("trajectory", MUNICIPAL)},
    "trajectories:ind_decision_new": {"": _write("outflowed", MUNICIPAL)},
    "trajectories:note_new": {"": _write("trajectory", NGO_WRITERS)},
    "trajectories:document_new": {"": _write("trajectory", NGO_WRITERS)},
    # A document: opened by who reads its class (everyone else: 404, also who sees the trajectory);
    # its class (and a note's) changed only by the authoring organisation.
    "trajectories:document_download": {
        item: Rule(target=f"doc_{item}", get=readers, refused=404) for item, readers in READERS.items()
    },
    "trajectories:note_visibility": {item: _write(f"note_{item}", AUTHORS[item]) for item in READERS},
    "trajectories:document_visibility": {item: _write(f"doc_{item}", AUTHORS[item]) for item in READERS},
    "trajectories:assign_edit": {"": _write("trajectory", MUNICIPAL)},
    "people:detail": {"": Rule(target="person", get=VIEWERS, shows_name=True)},
    "people:edit": {"": _write("person", MUNICIPAL)},
    # A new person for the user's own municipality (any municipality user): the empty form holds no
    # person data.
    "admissions:application_new": {"": _write(None, ANY_MUNICIPALITY, person_data=False, refused=403)},
    "admissions:application_reentry": {"": _write("person", MUNICIPAL)},
    "admissions:application_edit": {"": _write("trajectory", MUNICIPAL)},
    "admissions:identity_check_new": {"": _write("trajectory", MUNICIPAL)},
    "admissions:consent_new": {"": _write("trajectory", MUNICIPAL)},
    "admissions:consent_withdraw": {"": _write("consent", MUNICIPAL)},
    "admissions:admission_decide": {"": _write("trajectory", MUNICIPAL)},
    # Criteria: functional administrators only; national rules only the programmabureau's.
    "admissions:criteria_list": {"": Rule(target=None, get=CRITERIA_ADMINS, person_data=False, refused=403)},
    "admissions:criterion_new": {"": _write(None, CRITERIA_ADMINS, person_data=False, refused=403)},
    "admissions:criterion_edit": {
        "amsterdam": _write("criterion_amsterdam", {FUNCTIONAL_ADMIN}, person_data=False, refused=403),
        "rotterdam": _write("criterion_rotterdam", NOBODY, person_data=False, refused=403),
        "national": _write("criterion_national", {PROGRAMMABUREAU_ADMIN}, person_data=False, refused=403),
    },
    # --- case progress ---
    # Meetings: the municipality's users see its meetings, other parties only those they attended and
    # there only the items their consent covers; the programmabureau sees none. Planning and editing
    # the agenda: the municipality; decisions: the LSO chair. Filling the agenda, closing the meeting
    # and removing an item need `bevestig=1`, so an empty POST only asks again.
    "meetings:list": {"": Rule(target=None, get=PERSON_DATA_ROLES, person_data=False, refused=404)},
    "meetings:new": {"": _write(None, ANY_MUNICIPALITY, person_data=False, refused=403)},
    "meetings:detail": {"": Rule(target="meeting", get=SEES["meeting"], shows_name=True)},
    "meetings:agenda_fill": {"": _write("meeting", MUNICIPAL, person_data=False)},
    # The choice list leaves out what is already on the agenda (the target person is).
    "meetings:agenda_add": {"": _write("meeting", MUNICIPAL, shown_to=NOBODY)},
    "meetings:close": {"": _write("meeting", MUNICIPAL, person_data=False)},
    "meetings:agenda_pdf": {"": Rule(target="meeting", get=SEES["meeting"])},
    "meetings:decisions_pdf": {"": Rule(target="meeting", get=SEES["meeting"])},
    "meetings:item": {"": Rule(target="item", get=SEES["item"], post=frozenset({LSO_VOORZITTER}), shows_name=True)},
    "meetings:minutes_add": {"": _write("item", SEES["item"], shows_name=True)},
    "meetings:agenda_remove": {"": _write("item", MUNICIPAL, shows_name=True)},
    # Signals and the stuck report: the municipality's own users (each sees its own municipality);
    # the national stuck report of the programmabureau has counts only, no person.
    "progress:dashboard": {
        "": Rule(target="worklist", get=ANY_MUNICIPALITY, shown_to=MUNICIPAL, refused=403, shows_name=True)
    },
    "progress:stuck": {
        "": Rule(
            target="worklist",
            get=ANY_MUNICIPALITY | {PROGRAMMABUREAU, PROGRAMMABUREAU_ADMIN},
            shown_to=MUNICIPAL,
            refused=403,
            shows_name=True,
        )
    },
    "progress:policy": {"": _write(None, {FUNCTIONAL_ADMIN}, person_data=False, refused=403)},
    "progress:step_new": {"": _write("trajectory", MUNICIPAL)},
    "progress:steps_from_template": {"": _write("trajectory", MUNICIPAL)},
    # The step's responsible organisation (the assigned NGO) may report it done.
    "progress:step_done": {"": _write("step", MUNICIPAL | {NGO_ASSIGNED})},
    "progress:escalation_advice": {"": _write("escalation", MUNICIPAL)},
    # --- reconciliation ---
    # Municipality users: their own municipality's findings (person level, logged); the programmabureau:
    # counts only. The world has no extracts and no duplicate, so the page shows no person of it.
    "exchange:reconcile": {
        "": Rule(
            target="worklist",
            get=ANY_MUNICIPALITY | {PROGRAMMABUREAU, PROGRAMMABUREAU_ADMIN},
            shown_to=NOBODY,
            refused=403,
        )
    },
    "exchange:reconcile_download": {
        "": Rule(
            target="worklist",
            get=ANY_MUNICIPALITY | {PROGRAMMABUREAU, PROGRAMMABUREAU_ADMIN},
            shown_to=NOBODY,
            refused=403,
        )
    },
    # IND and DT&V upload their own extract; an empty POST shows the form again and stores nothing.
    "exchange:extract_upload": {"": _write(None, {IND, DTV}, person_data=False, refused=403)},
    # --- privacy ---
    # AVG art. 15 (access report, copy of the data): the functional administrators of the person's
    # municipality; 403 for others who can see the person, 404 for the rest. The report page first asks
    # the request's reason and kenmerk (a read: it names the person); the downloads and the copy
    # without them send the administrator there. Each opening is logged with the request.
    "privacy:access_report": {"": Rule(target="person", get=frozenset({FUNCTIONAL_ADMIN}), shows_name=True)},
    **{
        f"privacy:{name}": {
            "": Rule(
                target="person",
                get=frozenset({FUNCTIONAL_ADMIN}),
                redirect_get=frozenset({FUNCTIONAL_ADMIN}),
                redirect_to="privacy:access_report",
            )
        }
        for name in ("access_report_csv", "access_proof_json", "data_copy", "data_copy_json", "data_copy_pdf")
    },
    # --- monitor ---
    # Aggregates only (nothing logged): the programmabureau (every municipality) and municipality users
    # (their own municipality and the national figures); NGOs and chain partners are refused.
    **{
        f"monitor:{name}": {
            "": Rule(
                target=None,
                get=ANY_MUNICIPALITY | {PROGRAMMABUREAU, PROGRAMMABUREAU_ADMIN},
                person_data=False,
                refused=403,
            )
        }
        for name in ("index", "definitions", "download_xlsx", "download_csv", "download_pdf")
    },
    # --- analytics ---
    # Aggregates (page, PDF, XLSX) as for the monitor: the programmabureau (whole country) and
    # municipality users (their own municipality); NGOs and chain partners are refused. The
    # pseudonymised person-level dataset: municipality users only, their own municipality. It holds
    # the outflowed participants only: each of them is logged with the research purpose (tested in
    # src/lvv/analytics/tests/test_views.py); the target here, the Amsterdam person still in the LVV,
    # is in no dataset, so no request may log them (shown_to=NOBODY).
    **{
        f"analytics:{name}": {
            "": Rule(
                target=None,
                get=ANY_MUNICIPALITY | {PROGRAMMABUREAU, PROGRAMMABUREAU_ADMIN},
                person_data=False,
                refused=403,
            )
        }
        for name in ("home", "report_pdf", "report_xlsx")
    },
    **{
        f"analytics:{name}": {"": Rule(target="worklist", get=ANY_MUNICIPALITY, shown_to=NOBODY, refused=403)}
        for name in ("dataset_csv", "dataset_xlsx")
    },
}

#: URLs that show or change no person data and need no rule. Nothing else may be left out.
EXCLUDED = {
    "login": "the login page",
    "logout": "logging out",
    # Second login step: the user's own authenticator only; tested in test_two_factor.py.
    "accounts:two_factor_verify": "second login step (own TOTP device only), see test_two_factor.py",
    "accounts:two_factor_setup": "second login step set-up (own TOTP device only), see test_two_factor.py",
    # --- API ---
    # Token-only (no session login): the API's own matrix, every endpoint × every organisation type
    # × no token, is src/lvv/api/tests/test_token_matrix.py.
    **{
        f"api:{name}": "API, token-only: see src/lvv/api/tests/test_token_matrix.py"
        for name in (
            "openapi",
            "trajectory_delivery",
            "capacity_delivery",
            "monitor",
            "municipalities",
            "indicator_definitions",
            "not_found",
        )
    },
}
EXCLUDED_ROUTE_PREFIXES = tuple(
    p.lstrip("/") for p in (settings.STATIC_URL, getattr(settings, "MEDIA_URL", "")) if p and p.strip("/")
)

#: The work list per actor: which people of the world it shows (outflowed trajectories are closed
#: and not on the default list). None: the work list is refused.
WORKLIST_SHOWS: dict[str, set[str] | None] = {
    GEMEENTE: {"amsterdam"},
    LSO_VOORZITTER: {"amsterdam"},
    FUNCTIONAL_ADMIN: {"amsterdam"},
    NGO_ASSIGNED: {"amsterdam"},
    IND: {"amsterdam"},
    DTV: {"amsterdam"},
    NGO_OTHER: {"rotterdam"},
    GEMEENTE_OTHER: {"rotterdam"},
    AVIM: {"rotterdam"},
    PROGRAMMABUREAU: None,
    PROGRAMMABUREAU_ADMIN: None,
    ANONYMOUS: None,
}


# --- expectations, derived from the rules ---------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    status: int
    allowed: bool
    redirect_to: str | None = None  # a URL name
    to_login: bool = False


def expectation(rule: Rule, actor: str, method: str) -> Expectation:
    if actor == ANONYMOUS:
        return Expectation(status=302, allowed=False, to_login=True)
    if rule.allowed(actor, method):
        if method == "GET" and actor in rule.redirect_get:
            return Expectation(status=302, allowed=True, redirect_to=rule.redirect_to)
        return Expectation(status=200, allowed=True)
    if rule.refused == "visibility":
        return Expectation(status=403 if actor in SEES[rule.target] else 404, allowed=False)
    return Expectation(status=int(rule.refused), allowed=False)


def must_log(rule: Rule, actor: str, method: str) -> bool:
    """Must this request leave an access-log entry for the target person (read for GET, write for POST)?"""
    if not (rule.person_data and rule.allowed(actor, method)) or actor == ANONYMOUS:
        return False
    if method == "GET" and actor in rule.redirect_get:
        return False  # a redirect shows nothing
    return rule.shown_to is None or actor in rule.shown_to


def refusal_concerns_person(rule: Rule, target: Target) -> bool:
    """A refused request leaves one refusal row when its URL is about one existing person (a
    trajectory, a person, an agenda item, a meeting whose agenda holds the person …), not for a list
    or a page about no person."""
    return target.person is not None and rule.target not in (None, "worklist")


CASES = [
    pytest.param(name, variant, actor, method, id=f"{name}{f'[{variant}]' if variant else ''}-{actor}-{method}")
    for name, variants in RULES.items()
    for variant, rule in variants.items()
    for method in rule.methods()
    for actor in ACTORS
]


# --- the world -----------------------------------------------------------------------------------

AMSTERDAM_NAME = "Matrixowska"
OUTFLOWED_NAME = "Uitstroomova"
ROTTERDAM_NAME = "Rijnmondian"


@dataclass
class Target:
    kwargs: dict
    person: Person | None


@dataclass
class History:
    """A person with two trajectories and two declarations (`HISTORIES`)."""

    person: Person
    old: Trajectory
    new: Trajectory
    item_kwargs: dict


@dataclass
class World:
    users: dict
    targets: dict[str, Target]
    persons: dict[str, Person] = field(default_factory=dict)
    history: dict[str, History] = field(default_factory=dict)
    history_meeting: int | None = None


#: Contact details of the Amsterdam person: not shared at the LSO table, so never shown to a chain partner.
CONTACT = {"phone": "06-98765432", "email": "matrix.contact@example.org", "address": "Matrixstraat 17"}
CONTACT_SHOWN_TO = MUNICIPAL | {NGO_ASSIGNED}


def _admitted(
    *, desk, chair, municipality, family_name, ngo, share_avim=False, share_ind=True, share_dtv=True, **person_fields
):
    """Application → kiosk → consent → admission → NGO assigned → placement, through the services."""
    person = person_create(
        actor=desk,
        municipality=municipality,
        given_names="Testpersoon",
        family_name=family_name,
        birth_date=dt.date(1990, 5, 1),
        country_of_origin="IR",
        **person_fields,
    )
    trajectory = application_register(
        actor=desk, person=person, application_date=dt.date(2022, 1, 3), **factories.GOOD_FACTS
    )
    identity_check_record(
        actor=desk, trajectory=trajectory, performed_on=dt.date(2022, 1, 4), outcome="vingerafdrukken"
    )
    consent = consent_record(
        actor=desk,
        trajectory=trajectory,
        signed_on=dt.date(2022, 1, 5),
        share_ngo=True,
        share_ind=share_ind,
        share_dtv=share_dtv,
        share_avim=share_avim,
    )
    admission_decide(
        actor=chair,
        trajectory=trajectory,
        outcome="toegelaten",
        decided_on=dt.date(2022, 1, 10),
        **factories.lso_consent_exception(trajectory, dt.date(2022, 1, 10)),
    )
    trajectory_assign_organisations(actor=desk, trajectory=trajectory, organisations=[ngo])
    placement_record(
        actor=desk,
        trajectory=trajectory,
        location=factories.location(municipality.name),
        shelter_form="centraal",
        hours="24uur",
        start_date=dt.date(2022, 1, 10),
    )
    return Trajectory.objects.get(pk=trajectory.pk), person, consent


#: Minutes an NGO wrote for itself only: never shown to another organisation.
NGO_OWN_MINUTES = "Matrixverslag alleen voor de eigen ngo"


def _case_progress_world(users, trajectory, person, ngo) -> dict[str, Target]:
    """Issue 4: an Amsterdam LSO (NGO and IND at the table) with the trajectory on its agenda, minutes
    the NGO keeps to itself, a step the NGO is responsible for and an escalation to the MRT."""
    from lvv.meetings import services as meetings

    day = dt.date(2022, 11, 15)
    with clock.frozen(day):
        meeting = meetings.meeting_create(
            actor=users[GEMEENTE],
            municipality=trajectory.municipality,
            kind="lso",
            date=day,
            chair=users[LSO_VOORZITTER].organisation,
            present=[ngo, users[IND].organisation],
            fill_agenda=False,
        )
        item = meetings.agenda_add(actor=users[GEMEENTE], meeting=meeting, trajectory=trajectory)
        meetings.minutes_add(actor=users[NGO_ASSIGNED], item=item, text=NGO_OWN_MINUTES, visibility="organisatie")
        step = meetings.step_add(
            actor=users[GEMEENTE],
            trajectory=trajectory,
            description="Geboorteakte opvragen",
            responsible=ngo,
            due_date=dt.date(2023, 1, 15),
        )
        decision = meetings.decision_record(
            actor=users[LSO_VOORZITTER], item=item, kind="escalatie", question="Welk perspectief adviseert het MRT?"
        )
    return {
        "meeting": Target({"pk": meeting.pk}, person),
        "item": Target({"pk": meeting.pk, "item_pk": item.pk}, person),
        "step": Target({"pk": trajectory.pk, "step_pk": step.pk}, person),
        "escalation": Target({"pk": trajectory.pk, "esc_pk": decision.escalation.pk}, person),
    }


def _items_world(users, trajectory, person) -> dict[str, Target]:
    """Issue 7 §1: a note and a document of every class by the assigned NGO, and one of class
    organisatie by the municipality, each with its own marker text (READERS says who reads which)."""

    targets = {}
    with clock.frozen(dt.date(2022, 2, 1)):  # early in the trajectory: its later progress is unchanged
        targets.update(_items(users, trajectory, person))
    return targets


def _items(users, trajectory, person) -> dict[str, Target]:
    from lvv.trajectories.documents import document_add
    from lvv.trajectories.services import note_add

    targets = {}
    for item in READERS:
        author = users[NGO_ASSIGNED] if item.startswith("ngo_") else users[GEMEENTE]
        visibility = item.split("_", 1)[1]
        note = note_add(actor=author, trajectory=trajectory, text=note_marker(item), visibility=visibility)
        document = document_add(
            actor=author,
            trajectory=trajectory,
            title=doc_marker(item),
            filename=f"{doc_marker(item)}.pdf",
            content=b"%PDF-1.4\n% " + doc_marker(item).encode() + b" inhoud\n%%EOF\n",
            visibility=visibility,
        )
        targets[f"note_{item}"] = Target({"pk": trajectory.pk, "note_pk": note.pk}, person)
        targets[f"doc_{item}"] = Target({"pk": trajectory.pk, "doc_pk": document.pk}, person)
    return targets


# --- the consent in force -----------------------------------------------------------
#: Persons with an old trajectory (outflowed) and a new one, each with its own declaration: the latest
#: declaration, with its withdrawals, decides who sees the person and BOTH trajectories, whatever the
#: older declaration said. key: (family name, parties of declaration 1, parties of declaration 2,
#: withdrawal on declaration 2: a party type, "geheel" for the whole declaration, or None).
ALL_PARTIES = ("ngo", "ind", "dtv", "avim")
HISTORIES = {
    "withdrawn_for_dtv": ("Ingetrokkenova", ALL_PARTIES, ALL_PARTIES, "dtv"),
    "withdrawn_for_ngo": ("Ngoloosdottir", ALL_PARTIES, ALL_PARTIES, "ngo"),
    "narrowed": ("Versmaldian", ALL_PARTIES, ("ngo", "dtv"), None),
    "renewed": ("Hernieuwdsen", ("ngo",), ALL_PARTIES, None),
    "withdrawn_whole": ("Teruggetrokko", ALL_PARTIES, ALL_PARTIES, "geheel"),
}
PARTY_ACTOR = {"ngo": NGO_ASSIGNED, "ind": IND, "dtv": DTV, "avim": AVIM}


def in_force_parties(key: str) -> set[str]:
    _, _, latest, withdrawal = HISTORIES[key]
    if withdrawal == "geheel":
        return set()
    return set(latest) - {withdrawal}


def history_sees(key: str) -> frozenset[str]:
    """Who sees the history person `key` (and both his trajectories): his municipality, and every
    party whose type his declaration in force covers (the NGO is assigned to both trajectories)."""
    return frozenset(MUNICIPAL | {PARTY_ACTOR[p] for p in in_force_parties(key)})


# The history persons' new trajectories are running: on the work list of whoever sees them.
for _actor, _shows in WORKLIST_SHOWS.items():
    if _shows is not None:
        _shows.update(f"history_{key}" for key in HISTORIES if _actor in history_sees(key))


def _history_trajectory(*, desk, chair, person, ngo, start: dt.date, parties, withdrawal=None):
    trajectory = application_register(actor=desk, person=person, application_date=start, **factories.GOOD_FACTS)
    identity_check_record(actor=desk, trajectory=trajectory, performed_on=start, outcome="vingerafdrukken")
    consent = consent_record(
        actor=desk, trajectory=trajectory, signed_on=start, **{f"share_{p}": p in parties for p in ALL_PARTIES}
    )
    admitted = start + dt.timedelta(days=3)
    admission_decide(
        actor=chair,
        trajectory=trajectory,
        outcome="toegelaten",
        decided_on=admitted,
        **factories.lso_consent_exception(trajectory, admitted),
    )
    trajectory_assign_organisations(actor=desk, trajectory=trajectory, organisations=[ngo])
    if withdrawal:
        consent_withdraw(
            actor=desk,
            consent=consent,
            withdrawn_on=admitted + dt.timedelta(days=30),
            party="" if withdrawal == "geheel" else withdrawal,
        )
    return Trajectory.objects.get(pk=trajectory.pk)


def _history_world(users, ngo, amsterdam) -> tuple[dict[str, History], int]:
    """The persons of `HISTORIES`, and an LSO (every party at the table) with their new trajectories
    on its agenda."""
    from lvv.meetings import services as meetings

    desk, chair = users[GEMEENTE], users[LSO_VOORZITTER]
    built = {}
    for n, (key, (name, first, latest, withdrawal)) in enumerate(HISTORIES.items(), start=1):
        person = person_create(
            actor=desk,
            municipality=amsterdam,
            given_names="Historie",
            family_name=name,
            birth_date=dt.date(1985, 3, n),
            country_of_origin="ER",
            v_number=f"70000000{n:02d}",
        )
        old = _history_trajectory(
            desk=desk, chair=chair, person=person, ngo=ngo, start=dt.date(2021, 1, 4), parties=first
        )
        outflow_register(actor=desk, trajectory=old, outflow_date=dt.date(2021, 6, 30), outcome_code="hasa")
        new = _history_trajectory(
            desk=desk,
            chair=chair,
            person=person,
            ngo=ngo,
            start=dt.date(2021, 9, 1),
            parties=latest,
            withdrawal=withdrawal,
        )
        built[key] = History(person=person, old=Trajectory.objects.get(pk=old.pk), new=new, item_kwargs={})
    day = dt.date(2022, 11, 20)
    with clock.frozen(day):
        meeting = meetings.meeting_create(
            actor=desk,
            municipality=amsterdam,
            kind="lso",
            date=day,
            chair=chair.organisation,
            present=[ngo, *(users[a].organisation for a in (IND, DTV, AVIM))],
            fill_agenda=False,
        )
        for case in built.values():
            item = meetings.agenda_add(actor=desk, meeting=meeting, trajectory=case.new)
            case.item_kwargs = {"pk": meeting.pk, "item_pk": item.pk}
    return built, meeting.pk


def _build_world() -> World:
    load_reference_data()
    amsterdam, rotterdam = factories.municipality("Amsterdam"), factories.municipality("Rotterdam")
    ngo_ams = factories.OrganisationFactory(
        name="Matrix Opvang Amsterdam", type=OrganisationType.NGO, municipality=amsterdam
    )
    ngo_rot = factories.OrganisationFactory(
        name="Matrix Opvang Rotterdam", type=OrganisationType.NGO, municipality=rotterdam
    )
    municipal_ams = factories.municipal_organisation("Amsterdam")
    municipal_rot = factories.municipal_organisation("Rotterdam")
    make = factories.UserFactory
    national = factories.national_organisation
    users = {
        GEMEENTE: make(username="matrix.gemeente", organisation=municipal_ams),
        LSO_VOORZITTER: make(username="matrix.voorzitter", organisation=municipal_ams, is_lso_chair=True),
        FUNCTIONAL_ADMIN: make(username="matrix.beheerder", organisation=municipal_ams, is_functional_admin=True),
        NGO_ASSIGNED: make(username="matrix.ngo", organisation=ngo_ams),
        NGO_OTHER: make(username="matrix.ngo.rotterdam", organisation=ngo_rot),
        GEMEENTE_OTHER: make(username="matrix.gemeente.rotterdam", organisation=municipal_rot),
        IND: make(username="matrix.ind", organisation=national(OrganisationType.IND)),
        DTV: make(username="matrix.dtv", organisation=national(OrganisationType.DTV)),
        AVIM: make(username="matrix.avim", organisation=national(OrganisationType.AVIM)),
        PROGRAMMABUREAU: make(username="matrix.pb", organisation=national(OrganisationType.PROGRAMMABUREAU)),
        PROGRAMMABUREAU_ADMIN: make(
            username="matrix.pb.beheer",
            is_functional_admin=True,
            organisation=national(OrganisationType.PROGRAMMABUREAU),
        ),
    }
    with clock.frozen(dt.date(2022, 12, 1)):
        desk, chair = users[GEMEENTE], users[LSO_VOORZITTER]
        trajectory, person, consent = _admitted(
            desk=desk, chair=chair, municipality=amsterdam, family_name=AMSTERDAM_NAME, ngo=ngo_ams, **CONTACT
        )
        outflowed, outflowed_person, _ = _admitted(
            desk=desk, chair=chair, municipality=amsterdam, family_name=OUTFLOWED_NAME, ngo=ngo_ams
        )
        outflowed = outflow_register(
            actor=desk, trajectory=outflowed, outflow_date=dt.date(2022, 6, 1), outcome_code="hasa"
        )
        # Rotterdam: its own NGO, and consent for AVIM (so the work list of AVIM is not just empty).
        rot_desk = users[GEMEENTE_OTHER]
        _, rotterdam_person, _ = _admitted(
            desk=rot_desk,
            chair=rot_desk,
            municipality=rotterdam,
            family_name=ROTTERDAM_NAME,
            ngo=ngo_rot,
            share_ind=False,
            share_dtv=False,
            share_avim=True,
        )

    def criterion(municipality):
        return CriterionRule.objects.filter(municipality=municipality).order_by("pk").first()

    targets = {
        None: Target({}, None),
        "worklist": Target({}, person),
        "trajectory": Target({"pk": trajectory.pk}, person),
        "outflowed": Target({"pk": outflowed.pk}, outflowed_person),
        "person": Target({"pk": person.pk}, person),
        "consent": Target({"pk": trajectory.pk, "consent_pk": consent.pk}, person),
        "criterion_amsterdam": Target({"pk": criterion(amsterdam).pk}, None),
        "criterion_rotterdam": Target({"pk": criterion(rotterdam).pk}, None),
        "criterion_national": Target({"pk": criterion(None).pk}, None),
        **_case_progress_world(users, trajectory, person, ngo_ams),
        **_items_world(users, trajectory, person),
    }
    with clock.frozen(dt.date(2022, 12, 1)):
        history, history_meeting = _history_world(users, ngo_ams, amsterdam)
    return World(
        users=users,
        targets=targets,
        persons={
            "amsterdam": person,
            "outflowed": outflowed_person,
            "rotterdam": rotterdam_person,
            **{f"history_{key}": case.person for key, case in history.items()},
        },
        history=history,
        history_meeting=history_meeting,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back afterwards; each test's
    `db` fixture adds a savepoint on top, so the tests cannot disturb each other either."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


#: One test client for the module: a new one loads the middleware again (WhiteNoise then rescans
#: the static files), which is slow. Its cookies are cleared before every use.
_CLIENT = Client()


def _client(world: World, actor: str) -> Client:
    _CLIENT.cookies.clear()
    if actor != ANONYMOUS:
        _CLIENT.force_login(world.users[actor])
    return _CLIENT


CHANGE_WATCH = [
    Person,
    Alias,
    Trajectory,
    TimelineEvent,
    Application,
    IdentityCheck,
    Consent,
    AdmissionDecision,
    Placement,
    Perspective,
    InstrumentUse,
    Note,
    Document,
    VisibilityChange,
    CriterionRule,
    # case progress
    Meeting,
    AgendaItem,
    Decision,
    Minutes,
    ScenarioStep,
    Escalation,
    ProgressPolicy,
]


def _snapshot():
    """Everything a matrix request could change: row counts, and the mutable state of the rows."""
    return (
        {m.__name__: m.objects.count() for m in CHANGE_WATCH},
        list(
            Trajectory.objects.order_by("pk").values_list(
                "pk", "stage", "updated_at", "location_id", "outflow_date", "ind_decision"
            )
        ),
        list(Trajectory.assigned_organisations.through.objects.order_by("pk").values_list("pk", flat=True)),
        list(Consent.objects.order_by("pk").values_list("pk", "withdrawn_on", "dtv_withdrawn_on", "ind_withdrawn_on")),
        list(Note.objects.order_by("pk").values_list("pk", "visibility")),
        list(Document.objects.order_by("pk").values_list("pk", "visibility")),
        list(Person.objects.order_by("pk").values_list("pk", "family_name", "given_names", "v_number")),
        list(CriterionRule.objects.order_by("pk").values_list("pk", "label", "active", "params")),
        list(Meeting.objects.order_by("pk").values_list("pk", "closed")),
        list(ScenarioStep.objects.order_by("pk").values_list("pk", "status", "due_date", "last_reviewed_on")),
        list(Escalation.objects.order_by("pk").values_list("pk", "advice", "advice_on")),
    )


def response_text(response) -> str:
    """Everything an answer carries, as text: the raw bytes, and the text inside a PDF or a zipped
    Office file (XLSX, DOCX), so a marker cannot hide in compressed streams."""
    import io
    import zipfile

    content = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [content.decode("utf-8", "replace")]
    if content.startswith(b"%PDF-"):
        from pypdf import PdfReader

        try:
            parts += [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
        except Exception:  # noqa: BLE001 - a marker document is a minimal PDF with no pages
            pass
    elif content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return " ".join(" ".join(parts).split())


# --- the tests -----------------------------------------------------------------------------------


def _url_patterns(patterns, namespace="", route=""):
    """(name with namespaces, route) for every URL pattern, recursively."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _url_patterns(p.url_patterns, ns, route + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else None), route + str(p.pattern)


def _configured_urls() -> dict[str, str]:
    """Every URL that needs a rule: name → route (unnamed patterns are keyed by their route)."""
    found = {}
    for name, route in _url_patterns(get_resolver().url_patterns):
        if name in EXCLUDED or (EXCLUDED_ROUTE_PREFIXES and route.startswith(EXCLUDED_ROUTE_PREFIXES)):
            continue
        found[name or f"<unnamed: {route}>"] = route
    return found


def test_every_url_has_a_rule():
    missing = sorted(set(_configured_urls()) - set(RULES))
    assert not missing, (
        "URLs without an access rule (add them to RULES in this module, or to EXCLUDED if they show "
        f"and change no person data): {missing}"
    )


def test_every_rule_names_a_configured_url():
    stale = sorted(set(RULES) - set(_configured_urls()))
    assert not stale, f"Rules for URLs that no longer exist: {stale}"


def test_rules_mention_only_known_actors_and_targets():
    known = set(ACTORS)
    for name, variants in RULES.items():
        for variant, rule in variants.items():
            for allowed in (rule.get, rule.post or NOBODY, rule.shown_to or NOBODY, rule.redirect_get):
                assert allowed <= known, (name, variant, allowed - known)
            assert ANONYMOUS not in rule.get | (rule.post or NOBODY), (name, variant)
            if rule.refused == "visibility":
                assert rule.target in SEES, (name, variant)


def test_matrix_is_complete():
    """Every rule × every actor × GET (and POST for a write URL) is a case of the matrix."""
    cases = {tuple(p.values) for p in CASES}
    expected = {
        (name, variant, actor, method)
        for name, variants in RULES.items()
        for variant, rule in variants.items()
        for actor in ACTORS
        for method in rule.methods()
    }
    assert cases == expected
    assert len(CASES) == len(expected)


@pytest.mark.parametrize(("url_name", "variant", "actor", "method"), CASES)
def test_access(world, db, url_name, variant, actor, method):
    rule = RULES[url_name][variant]
    target = world.targets[rule.target]
    expect = expectation(rule, actor, method)
    url = reverse(url_name, kwargs=target.kwargs)
    client = _client(world, actor)
    person = target.person
    user = world.users.get(actor)

    before = _snapshot()
    last_id = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    response = client.get(url) if method == "GET" else client.post(url, {})

    got = response.status_code
    assert got == expect.status, f"{method} {url} ({url_name}) as {actor}: expected {expect.status}, got {got}"
    if expect.to_login:
        assert response["Location"].startswith(f"{reverse('login')}?next="), response["Location"]
    if expect.redirect_to:
        try:
            assert response["Location"] == reverse(expect.redirect_to)
        except NoReverseMatch:  # a page of the same object
            assert response["Location"] == reverse(expect.redirect_to, kwargs=target.kwargs)

    assert _snapshot() == before, f"{method} {url} as {actor} changed data"

    # The access log: a read for every allowed GET that shows the person; nothing for a
    # POST that changed nothing (the matrix's empty POST is never valid); exactly one refusal row, for
    # the person the URL is about, for every refused request; nothing for an anonymous visitor.
    new = AccessLogEntry.objects.filter(id__gt=last_id)
    ok, error = AccessLogEntry.Status.OK, AccessLogEntry.Status.ERROR
    if actor == ANONYMOUS:
        assert not new.exists(), f"{method} {url} by an anonymous visitor was logged"
    elif expect.allowed:
        assert not new.filter(status=error).exists(), f"{method} {url} as {actor}: allowed, yet a refusal row"
        if method == "POST":
            assert not new.exists(), f"POST {url} as {actor} changed nothing, yet left {new.count()} row(s)"
        elif must_log(rule, actor, method):
            entries = new.filter(
                person_id=person.pk, username=user.username, view_name=url_name, action="lezen", status=ok
            )
            assert entries.exists(), f"{method} {url} as {actor} wrote no access-log entry for the person"
        elif person is not None:
            assert not new.filter(person_id=person.pk).exists(), f"{method} {url} as {actor} logged the person"
        if not rule.person_data:
            assert not new.filter(status=ok).exists(), f"{method} {url} shows no person data, yet logged a read"
    else:
        rows = list(new.values_list("person_id", "status", "username", "action"))
        if refusal_concerns_person(rule, target):
            action = "lezen" if method == "GET" else "wijzigen"
            assert rows == [(person.pk, error, user.username, action)], (
                f"{method} {url} as {actor} refused: expected one refusal row for the person, got {rows}"
            )
        else:
            assert rows == [], f"{method} {url} as {actor} refused, about no one person: got {rows}"

    # Every visibility class on every URL: an item the actor may not read
    # is in no answer — page, export (PDF, XLSX, CSV), download or error page.
    text = response_text(response)
    for item, readers in READERS.items():
        if actor not in readers:
            for marker in (note_marker(item), doc_marker(item)):
                assert marker not in text, f"{method} {url} as {actor} shows {item} ({marker})"
        elif url_name == "trajectories:detail":
            assert note_marker(item) in text and doc_marker(item) in text, f"{url} as {actor}: {item} missing"

    if rule.shows_name and got == 200:
        shown = person.family_name in response.content.decode()
        assert shown == (actor in (rule.shown_to or rule.get)), (
            f"{url_name} as {actor}: family name {'shown' if shown else 'not shown'}"
        )


@pytest.mark.parametrize("actor", ACTORS)
def test_worklist_shows_only_people_in_scope(world, db, actor):
    response = _client(world, actor).get(reverse("trajectories:list"))
    expected = WORKLIST_SHOWS[actor]
    if expected is None:
        assert response.status_code == (302 if actor == ANONYMOUS else 404)
        return
    assert response.status_code == 200
    html = response.content.decode()
    shown = {key for key, p in world.persons.items() if p.family_name in html}
    assert shown == expected
    entries = AccessLogEntry.objects.filter(username=world.users[actor].username, view_name="trajectories:list")
    logged = set(entries.values_list("person_id", flat=True))
    assert logged == {world.persons[key].pk for key in expected}


def test_worklist_table_covers_every_actor():
    assert set(WORKLIST_SHOWS) == set(ACTORS)
    opens = {a for a, shows in WORKLIST_SHOWS.items() if shows is not None}
    assert opens == RULES["trajectories:list"][""].get


@pytest.mark.parametrize("url_name", ["trajectories:detail", "people:detail"])
@pytest.mark.parametrize("actor", sorted(VIEWERS))
def test_contact_details_only_for_municipality_and_ngo(world, db, url_name, actor):
    target = world.targets[RULES[url_name][""].target]
    response = _client(world, actor).get(reverse(url_name, kwargs=target.kwargs))
    assert response.status_code == 200
    html = response.content.decode()
    shown = {key for key, value in CONTACT.items() if value in html}
    if actor in CONTACT_SHOWN_TO:
        assert "phone" in shown, f"{url_name} as {actor}: phone number missing"
    else:
        assert not shown, f"{url_name} as {actor} shows contact details: {sorted(shown)}"


#: Every page and export of the meeting that a party at the table may open.
MEETING_READS = ["meetings:detail", "meetings:item", "meetings:minutes_add", "meetings:decisions_pdf"]


@pytest.mark.parametrize("url_name", MEETING_READS)
@pytest.mark.parametrize("actor", sorted(SEES["meeting"]))
def test_minutes_for_one_organisation_stay_with_it_by_url_and_by_export(world, db, url_name, actor):
    """The NGO's own minutes: the NGO reads them on every page and in the PDF; the IND and the
    municipality, at the same table, never do."""
    import io

    from pypdf import PdfReader

    target = world.targets[RULES[url_name][""].target]
    response = _client(world, actor).get(reverse(url_name, kwargs=target.kwargs))
    assert response.status_code == 200
    if response["Content-Type"] == "application/pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert AMSTERDAM_NAME in text  # the export does hold the agenda item
    else:
        text = response.content.decode()
    shown = NGO_OWN_MINUTES in " ".join(text.split())
    assert shown == (actor == NGO_ASSIGNED), (
        f"{url_name} as {actor}: NGO-only minutes {'shown' if shown else 'missing'}"
    )


# --- the consent in force on every page --------------------------------


def _shown(response, name: str) -> bool:
    return response.status_code == 200 and name in response_text(response)


@pytest.mark.parametrize("key", HISTORIES)
@pytest.mark.parametrize("actor", sorted(AUTHENTICATED))
def test_the_consent_in_force_decides_on_every_page(world, db, key, actor):
    """A participant whose latest declaration (or a withdrawal on it) leaves out a party: no user of
    that party finds him or any trajectory of his — by page, list, search (name, V-nummer, also among
    closed trajectories), agenda, agenda item or PDF — whatever his older declaration said; and the
    party his latest declaration covers sees both trajectories. Every refused request about him is in
    the log as one refusal row; nothing is logged as read."""
    case = world.history[key]
    person, name = case.person, case.person.family_name
    sees = actor in history_sees(key)
    client = _client(world, actor)
    user = world.users[actor]
    last_id = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    pages = [
        reverse("trajectories:detail", kwargs={"pk": case.old.pk}),
        reverse("trajectories:detail", kwargs={"pk": case.new.pk}),
        reverse("people:detail", kwargs={"pk": person.pk}),
    ]
    at_table = actor in MUNICIPAL | {NGO_ASSIGNED, IND, DTV, AVIM}
    if at_table:
        pages.append(reverse("meetings:item", kwargs=case.item_kwargs))
    for url in pages:
        response = client.get(url)
        assert response.status_code == (200 if sees else 404), f"{url} as {actor} for {key}"
        assert _shown(response, name) == sees, f"{url} as {actor} for {key}"

    if actor in PERSON_DATA_ROLES:
        # The work list and its search (which echoes the search term): a row links to the trajectory.
        work = reverse("trajectories:list")
        links = [f'href="{reverse("trajectories:detail", kwargs={"pk": t.pk})}"' for t in (case.old, case.new)]
        for url, expect_old in (
            (work, False),
            (f"{work}?q={name}", False),
            (f"{work}?q={person.v_number}", False),
            (f"{work}?q={name}&stage=alle", True),  # closed trajectories too
        ):
            html = client.get(url).content.decode()
            assert (links[1] in html) == sees, f"{url} as {actor} for {key}"
            assert (links[0] in html) == (sees and expect_old), f"{url} as {actor} for {key} (old trajectory)"
    if at_table:
        meeting = {"pk": world.history_meeting}
        for n in ("detail", "agenda_pdf", "decisions_pdf"):
            url = reverse(f"meetings:{n}", kwargs=meeting)
            assert _shown(client.get(url), name) == sees, f"{url} as {actor} for {key}"

    new = AccessLogEntry.objects.filter(id__gt=last_id, person_id=person.pk)
    if sees:
        assert not new.filter(status="error").exists()
        assert new.filter(username=user.username, action="lezen", status="ok").exists()
    else:
        assert not new.filter(status="ok").exists(), f"{actor} was logged as reading {key}"
        assert new.filter(status="error").count() == len(pages), f"{actor}: one refusal row per refused page"


@pytest.mark.parametrize("key", HISTORIES)
def test_the_older_declaration_would_have_allowed_what_the_latest_withholds(world, key):
    """The cases are the ones the rule is about: for every excluded party the first declaration
    either covered it (so an 'any declaration' rule would leak) or the latest one adds it."""
    _, first, latest, _ = HISTORIES[key]
    excluded = set(ALL_PARTIES) - in_force_parties(key)
    assert excluded <= set(first) or set(latest) > set(first)
    assert {PARTY_ACTOR[p] for p in ALL_PARTIES} - history_sees(key) == {PARTY_ACTOR[p] for p in excluded}
