"""The one place that decides who may see or change what (deny unless allowed).

The sharing rules (docs/delen.md, docs/access.md):
- municipality users (gemeente, LSO chair): the trajectories and persons of their own municipality;
- NGO users: the trajectories their organisation is assigned to, while the participant's consent
  in force covers NGOs;
- IND, DT&V and AVIM users: every trajectory of a person whose consent in force covers their party
  type, and then only the fields of the keten table in docs/delen.md (no contact details, no notes
  or documents of class `organisatie`).

The consent in force is the person's latest declaration over all his trajectories, with its
withdrawals (`admissions.consent`): an older declaration never grants what a newer one withholds.
- notes, documents and minutes by visibility class: `visibility_q`;
- programmabureau users: no person-level data at all (aggregates only).

This module imports no domain app: its rules are SQL conditions over lookup paths (`trajectory_q`,
`person_q`, `meeting_q`, `visibility_q`) and checks asked of the instances it is given. The apps'
selectors apply the conditions (`trajectories.selectors.trajectory_scope`,
`people.selectors.person_scope`, `meetings.selectors.meeting_scope`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Model, Q, QuerySet

from lvv.accounts.models import CONSENT_PARTY_TYPES, Role

if TYPE_CHECKING:
    from lvv.accounts.models import User

MUNICIPAL_ROLES = {Role.GEMEENTE, Role.LSO_VOORZITTER}
CHAIN_ROLES = {Role.IND, Role.DTV, Role.AVIM}


class Action:
    """What a user may do to a trajectory (writes)."""

    REGISTER = "register"  # new application, identity check, person details
    ADMIT = "admit"  # criteria decision
    CONSENT = "consent"
    PLACE = "place"
    PERSPECTIVE = "perspective"
    INSTRUMENTS = "instruments"
    OUTFLOW = "outflow"
    NOTE = "note"
    ASSIGN = "assign"


#: Which role may perform which action on a trajectory it can see.
ACTIONS_BY_ROLE: dict[str, set[str]] = {
    Role.GEMEENTE: {
        Action.REGISTER,
        Action.ADMIT,
        Action.CONSENT,
        Action.PLACE,
        Action.PERSPECTIVE,
        Action.INSTRUMENTS,
        Action.OUTFLOW,
        Action.NOTE,
        Action.ASSIGN,
    },
    Role.NGO: {Action.INSTRUMENTS, Action.NOTE, Action.PLACE},
}
ACTIONS_BY_ROLE[Role.LSO_VOORZITTER] = ACTIONS_BY_ROLE[Role.GEMEENTE]


def _exists(obj: Model, condition: Q) -> bool:
    """Does `obj` meet `condition`? Asked of the instance's own table, so that this module needs no
    domain model."""
    return type(obj)._default_manager.filter(condition, pk=obj.pk).exists()


def _role(user: User) -> str:
    return user.role if user.is_authenticated else Role.GEEN


NOTHING = Q(pk__in=[])


def consent_covers_q(party: str, person: str = "person") -> Q:
    """SQL condition: the consent in force of the person at lookup path `person` ("" on a person)
    covers `party`. A person has at most one declaration in force (a partial unique index), so the
    join adds no rows (admissions.consent keeps `in_force`)."""
    if party not in CONSENT_PARTY_TYPES:
        raise ValueError(f"Onbekende partij: {party}")
    prefix = f"{person}__consents__" if person else "consents__"
    return Q(
        **{
            f"{prefix}in_force": True,
            f"{prefix}withdrawn_on__isnull": True,
            f"{prefix}share_{party}": True,
            f"{prefix}{party}_withdrawn_on__isnull": True,
        }
    )


def trajectory_q(user: User, path: str = "") -> Q:
    """SQL condition on a trajectory (at lookup path `path`, e.g. "trajectory__"): the user may see it.
    `trajectories.selectors.trajectory_scope` applies it."""
    role = _role(user)
    if role in MUNICIPAL_ROLES:
        return Q(**{f"{path}municipality_id": user.organisation.municipality_id})
    if role == Role.NGO:
        return Q(**{f"{path}assigned_organisations": user.organisation_id}) & consent_covers_q(
            "ngo", person=f"{path}person"
        )
    if role in CHAIN_ROLES:
        return consent_covers_q(str(role), person=f"{path}person")
    return NOTHING


def sees_persons_through_trajectories(user: User) -> bool:
    """NGOs see a person only through a trajectory they see (assignment and consent);
    `people.selectors.person_scope` asks this, else it applies `person_q`."""
    return _role(user) == Role.NGO


def person_q(user: User) -> Q:
    """SQL condition on a person for every role that does not see persons through trajectories."""
    role = _role(user)
    if role in MUNICIPAL_ROLES:
        return Q(municipality_id=user.organisation.municipality_id)
    if role in CHAIN_ROLES:
        return consent_covers_q(str(role), person="")
    return NOTHING


def can_view_trajectory(user: User, trajectory: Model) -> bool:
    return _exists(trajectory, trajectory_q(user))


def can_view_person(user: User, person: Model) -> bool:
    if sees_persons_through_trajectories(user):
        return person.trajectories.filter(trajectory_q(user)).exists()
    return _exists(person, person_q(user))


def can(user: User, action: str, trajectory: Model) -> bool:
    """May the user perform `action` on this trajectory?"""
    return action in ACTIONS_BY_ROLE.get(user.role, set()) and can_view_trajectory(user, trajectory)


def allowed_actions(user: User, trajectory: Model) -> dict[str, bool]:
    """For templates: {action: allowed} for every action (one visibility query)."""
    visible = can_view_trajectory(user, trajectory)
    granted = ACTIONS_BY_ROLE.get(user.role, set()) if visible else set()
    return {value: value in granted for name, value in vars(Action).items() if not name.startswith("_")}


#: The roles that log in with a second factor (TOTP) after the password.
TWO_FACTOR_ROLES = {Role.IND, Role.DTV, Role.AVIM, Role.PROGRAMMABUREAU}


def needs_second_factor(user: User) -> bool:
    """Chain partners, programmabureau and every administrator (functional admin, staff, superuser)."""
    if not user.is_authenticated:
        return False
    return user.role in TWO_FACTOR_ROLES or user.is_functional_admin or user.is_staff or user.is_superuser


def can_register(user: User) -> bool:
    """Register new applications (in the user's own municipality): the municipality's users."""
    return _role(user) in MUNICIPAL_ROLES


def sees_duplicate_check(user: User) -> bool:
    """The duplicate check across municipalities: the municipality's users, who register."""
    return _role(user) in MUNICIPAL_ROLES


def lands_on_overview(user: User) -> bool:
    """The programmabureau starts on the overview of aggregates; everyone else on the work list."""
    return _role(user) == Role.PROGRAMMABUREAU


def can_register_in(user: User, municipality_id: int | None) -> bool:
    return user.role in MUNICIPAL_ROLES and user.organisation.municipality_id == municipality_id


def sees_contact_details(user: User) -> bool:
    """Contact details are not shared at the LSO table: chain partners never see them."""
    return user.role in MUNICIPAL_ROLES | {Role.NGO}


def can_see_person_data(user: User) -> bool:
    return user.role in MUNICIPAL_ROLES | CHAIN_ROLES | {Role.NGO}


def visibility_q(user: User, *, organisation_field: str = "organisation") -> Q:
    """Which items (notes, documents, minutes) of a trajectory the user may read, by visibility class
    (docs/delen.md), for a trajectory the user can already see (consent and assignment are checked
    by `trajectory_q`):

    - their own organisation's items, whatever the class;
    - `lso` items: every party that sees the trajectory;
    - `keten` items: the municipality and the chain partners; not the other NGOs;
    - `organisatie` and `aggregaat` items of another organisation: nobody.
    """
    own = Q(**{f"{organisation_field}_id": user.organisation_id})
    role = user.role if user.is_authenticated else Role.GEEN
    if role in MUNICIPAL_ROLES | CHAIN_ROLES:
        return own | Q(visibility__in=["lso", "keten"])
    if role == Role.NGO:
        return own | Q(visibility="lso")
    return Q(pk__in=[])


def note_scope(user: User, trajectory: Model):
    """Notes the user may read on this trajectory."""
    if not can_view_trajectory(user, trajectory):
        return trajectory.notes.none()
    return trajectory.notes.filter(visibility_q(user))


def document_scope(user: User, trajectory: Model):
    """Uploaded documents the user may open on this trajectory (same rule as notes)."""
    if not can_view_trajectory(user, trajectory):
        return trajectory.documents.none()
    return trajectory.documents.filter(visibility_q(user))


def can_change_visibility(user: User, item) -> bool:
    """Only the authoring organisation changes the class of its note or document (and only while it
    may still see the trajectory)."""
    return (
        user.is_authenticated
        and item.organisation_id == user.organisation_id
        and can(user, Action.NOTE, item.trajectory)
    )


def can_edit_criteria(user: User, municipality_id: int | None) -> bool:
    """Functional administrators edit their own municipality's rules; national rules only the
    programmabureau's functional administrators."""
    if not user.is_authenticated or not user.is_functional_admin:
        return False
    if municipality_id is None:
        return user.role == Role.PROGRAMMABUREAU
    return user.role in MUNICIPAL_ROLES and user.organisation.municipality_id == municipality_id


# --- LSO meetings (case progress) ----------------------------------------------------------------


def meeting_q(user: User) -> Q:
    """SQL condition on a meeting the user may open (`meetings.selectors.meeting_scope`): the
    municipality's users see their municipality's meetings; other parties only meetings their
    organisation attended (and there only the items they may see)."""
    role = _role(user)
    if role in MUNICIPAL_ROLES:
        return Q(municipality_id=user.organisation.municipality_id)
    if role in CHAIN_ROLES | {Role.NGO}:
        return Q(present=user.organisation_id)
    return NOTHING


def agenda_scope(user: User, meeting: Model) -> QuerySet[Model]:
    """Agenda items of a meeting the user may see: those whose trajectory is in their scope."""
    return meeting.items.filter(trajectory_q(user, path="trajectory__")).select_related(
        "trajectory__person", "trajectory__location"
    )


def can_manage_meetings(user: User, municipality_id: int) -> bool:
    """Plan meetings and edit agendas: the municipality's own users."""
    return user.role in MUNICIPAL_ROLES and user.organisation.municipality_id == municipality_id


def can_decide(user: User, meeting) -> bool:
    """Record decisions: the LSO chair of the meeting's municipality (or of the NGO regiegroep that
    chairs it, as in Amsterdam)."""
    if user.role == Role.LSO_VOORZITTER and user.organisation.municipality_id == meeting.municipality_id:
        return True
    return user.is_lso_chair and user.organisation_id == meeting.chair_id


def minutes_scope(user: User, item):
    """Minutes of an agenda item: the author's organisation always; `lso` minutes for everyone who may
    see the item. Never another organisation's `organisatie` minutes (by page or by export)."""
    return item.minutes.filter(visibility_q(user)).select_related("author", "organisation")


def can_write_minutes(user: User, meeting: Model) -> bool:
    return _exists(meeting, meeting_q(user))


def can_edit_steps(user: User, trajectory) -> bool:
    """Add steps to the guidance scenario outside a meeting: the municipality."""
    return user.role in MUNICIPAL_ROLES and can_view_trajectory(user, trajectory)


def can_complete_step(user: User, step) -> bool:
    """Mark a step done: the municipality, or the organisation responsible for the step."""
    if not can_view_trajectory(user, step.trajectory):
        return False
    return user.role in MUNICIPAL_ROLES or step.responsible_id == user.organisation_id


def sees_national_stuck_report(user: User) -> bool:
    """The stuck-cases report over every municipality (counts only): the programmabureau."""
    return _role(user) == Role.PROGRAMMABUREAU


def sees_criteria_admin(user: User) -> bool:
    """The admission criteria pages: functional administrators (what they may change there is
    `can_edit_criteria`)."""
    return user.is_authenticated and user.is_functional_admin


def changeable_items(user: User, items: Iterable[Model], actions: dict[str, bool]) -> set[int]:
    """The notes or documents among `items` whose class the user may change (the rule of
    `can_change_visibility`), given `actions`, the `allowed_actions` of their trajectory."""
    if not actions.get(Action.NOTE):
        return set()
    return {item.pk for item in items if item.organisation_id == user.organisation_id}


def takes_part_in_meetings(user: User) -> bool:
    """The parties at the LSO table: they have the meetings list (and see there what `meeting_q`
    allows)."""
    return _role(user) in MUNICIPAL_ROLES | CHAIN_ROLES | {Role.NGO}


def sees_own_progress_signals(user: User) -> bool:
    """The signals dashboard of the user's own municipality: the municipality's users."""
    return _role(user) in MUNICIPAL_ROLES


def sees_progress_signals(user: User, municipality_id: int | None) -> bool:
    """The LSO chair's dashboard: the municipality's users."""
    return user.role in MUNICIPAL_ROLES and user.organisation.municipality_id == municipality_id


# --- reconciliation with the chain partners (docs/ketenreconciliatie.md) --------------------------

RECONCILIATION_MUNICIPAL = "gemeente"
RECONCILIATION_NATIONAL = "landelijk"


def reconciliation_view(user: User) -> str | None:
    """Which reconciliation report the user gets: the municipality's users their own municipality's
    findings (person level), the programmabureau counts per municipality only; nobody else any."""
    role = user.role if user.is_authenticated else Role.GEEN
    if role in MUNICIPAL_ROLES:
        return RECONCILIATION_MUNICIPAL
    if role == Role.PROGRAMMABUREAU:
        return RECONCILIATION_NATIONAL
    return None


def chain_extract_partner(user: User) -> str | None:
    """The partner whose extract the user may upload: IND users the IND's, DT&V users DT&V's."""
    role = user.role if user.is_authenticated else Role.GEEN
    return {Role.IND: "ind", Role.DTV: "dtv"}.get(role)


# --- the data subject's rights (AVG art. 15, docs/logboek.md) -------------------------------------


def can_answer_subject_request(user: User, person: Model) -> bool:
    """Requests under AVG art. 15 (who accessed the data, a copy of the data) are answered by the
    functional administrators of the municipality that registered the person: it is the controller."""
    return (
        user.is_authenticated
        and user.is_functional_admin
        and user.role in MUNICIPAL_ROLES
        and user.organisation.municipality_id == person.municipality_id
    )


# --- the national monitor (aggregates only, docs/access.md) ---------------------------------------


def can_view_monitor(user: User) -> bool:
    """The monitor (aggregates only): the programmabureau, and the municipalities' own users for
    their municipality next to the national figures. NGOs and chain partners: not (yet)."""
    if not user.is_authenticated:
        return False
    role = getattr(user, "role", Role.GEEN)
    return role == Role.PROGRAMMABUREAU or (role in MUNICIPAL_ROLES and getattr(user, "municipality", None) is not None)


def monitor_sees_all_municipalities(user: User) -> bool:
    """The programmabureau sees every municipality's figures; a municipality only its own."""
    return user.is_authenticated and user.role == Role.PROGRAMMABUREAU


# --- evaluation analytics (docs/analyse.md) -------------------------------------------------------


def can_view_analytics(user: User) -> bool:
    """The analyses (aggregates: tables, models, survival) as for the monitor: the programmabureau
    for the whole country, a municipality's own users for their municipality only."""
    return can_view_monitor(user)


def analytics_municipality_id(user: User) -> int | None:
    """The municipality the user's analyses are narrowed to (None: the whole country)."""
    return None if user.role == Role.PROGRAMMABUREAU else user.organisation.municipality_id


def can_export_analysis_dataset(user: User) -> bool:
    """The pseudonymised person-level dataset: only a municipality's own users, of their own
    municipality's participants (the programmabureau gets aggregates only)."""
    return user.is_authenticated and user.role in MUNICIPAL_ROLES and user.municipality is not None
