"""Writes on a trajectory after admission: placement, perspective, instruments, outflow, the later
IND decision, notes and NGO assignment. Each service checks its rules, writes in one transaction
and appends the timeline event; an impossible state raises ApplicationError and saves nothing."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from lvv.accounts.models import Organisation, OrganisationType, User
from lvv.audit.services import log_change
from lvv.core import clock
from lvv.core.concurrency import check_version, save_checked
from lvv.core.dates import dutch_date as _d  # dates in stored texts: Dutch words
from lvv.core.dates import require_past_date
from lvv.core.exceptions import ApplicationError
from lvv.shelter.models import Location

from .models import (
    ADMITTED_STAGES,
    ITEM_CLASSES,
    Document,
    Instrument,
    InstrumentUse,
    InstrumentValue,
    Note,
    NoteVisibility,
    OutcomeCode,
    Perspective,
    PerspectiveKind,
    PerspectiveStatus,
    Placement,
    ShelterForm,
    ShelterHours,
    Stage,
    Trajectory,
    Visibility,
    VisibilityChange,
    is_downgrade,
)
from .perspectives import perspective_status_allowed
from .stages import StageEvent, stage_after
from .timeline import event_append

MSG_NOT_ADMITTED = "Dit traject is niet (meer) toegelaten; {what} kan alleen bij een lopend, toegelaten traject."
MSG_BEFORE_ADMISSION = "{label} ligt vóór de datum van toelating ({admission})."
MSG_LOCATION_OTHER_MUNICIPALITY = "Deze locatie hoort niet bij de gemeente van het traject."
MSG_PLACEMENT_BEFORE_CURRENT = "De nieuwe plaatsing begint vóór de huidige plaatsing ({start})."
MSG_DEFINITIVE_NEEDS_V_NUMBER = "Een definitief perspectief kan pas worden vastgelegd als het V-nummer bekend is."
MSG_UNKNOWN_OUTCOME = "Onbekende uitstroomreden."
MSG_NO_IND_DECISION = "Een IND-besluit na uitstroom hoort alleen bij uitstroom met HASA of artikel 64."
MSG_DECISION_BEFORE_OUTFLOW = "De datum van het besluit ligt vóór de datum van uitstroom ({outflow})."
MSG_NOT_OUTFLOWED = "Het traject is nog niet uitgestroomd."
MSG_UNKNOWN_DECISION = "Kies inwilliging of afwijzing."
MSG_INSTRUMENT_DATES = "De einddatum van {instrument} ligt vóór de startdatum."
MSG_INSTRUMENTS_NOT_ADMITTED = "Begeleidingsinstrumenten horen bij een toegelaten traject."
MSG_EMPTY_NOTE = "De notitie is leeg."
MSG_CHOOSE_CLASS = "Kies wie dit mag lezen."
MSG_SAME_CLASS = "Dit heeft die zichtbaarheid al."
MSG_DOWNGRADE_REASON = "Geef de reden waarom meer partijen dit mogen lezen."
MSG_DOWNGRADE_CONFIRM = "Bevestig dat meer partijen dit mogen lezen."
MSG_NOT_AUTHOR_ORGANISATION = "Alleen de organisatie die dit schreef, kan de zichtbaarheid wijzigen."
MSG_LSO_MEETING_FUTURE = "De datum van het LSO ligt in de toekomst."


def _require_admitted(trajectory: Trajectory, what: str) -> None:
    if trajectory.stage not in ADMITTED_STAGES or trajectory.admission_date is None:
        raise ApplicationError(MSG_NOT_ADMITTED.format(what=what))


def _not_before_admission(trajectory: Trajectory, value: dt.date, *, label: str, field: str) -> None:
    admission = trajectory.admission_date
    assert admission is not None, "_require_admitted ran first"
    if value < admission:
        raise ApplicationError(MSG_BEFORE_ADMISSION.format(label=label, admission=_d(admission)), field=field)


def _lock(trajectory: Trajectory, expected_version: int | None = None) -> Trajectory:
    """Re-read the trajectory inside the transaction (row lock on PostgreSQL); refuse when it is no
    longer at the version the form showed (None: no check)."""
    locked = Trajectory.objects.select_for_update().select_related("person").get(pk=trajectory.pk)
    check_version(locked, expected_version)
    return locked


@transaction.atomic
def placement_record(
    *,
    actor: User,
    trajectory: Trajectory,
    location: Location,
    shelter_form: str,
    hours: str,
    start_date: dt.date,
    expected_version: int | None = None,
) -> Placement:
    trajectory = _lock(trajectory, expected_version)
    _require_admitted(trajectory, "een plaatsing")
    require_past_date(start_date, label="De startdatum", field="start_date")
    _not_before_admission(trajectory, start_date, label="De startdatum", field="start_date")
    if location.municipality_id != trajectory.municipality_id:
        raise ApplicationError(MSG_LOCATION_OTHER_MUNICIPALITY, field="location")
    if shelter_form not in ShelterForm.values:
        raise ApplicationError("Onbekende opvangvorm.", field="shelter_form")
    if hours not in ShelterHours.values:
        raise ApplicationError("Kies 24-uursopvang of alleen nacht.", field="hours")
    current = trajectory.current_placement()
    if current is not None:
        if start_date < current.start_date:
            raise ApplicationError(
                MSG_PLACEMENT_BEFORE_CURRENT.format(start=_d(current.start_date)), field="start_date"
            )
        current.end_date = start_date
        current.save(update_fields=["end_date"])
    placement = Placement.objects.create(
        trajectory=trajectory,
        location=location,
        shelter_form=shelter_form,
        hours=hours,
        start_date=start_date,
        recorded_by=actor,
    )
    trajectory.location = location
    trajectory.stage = stage_after(trajectory.stage, StageEvent.PLACED)
    save_checked(trajectory, expected_version, ["location", "stage", "updated_at"])
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="plaatsing",
        actor=actor,
        description=f"Geplaatst op {location} ({ShelterForm(shelter_form).label.lower()}, "
        f"{ShelterHours(hours).label.lower()}) vanaf {_d(start_date)}",
    )
    return placement


@transaction.atomic
def perspective_record(
    *,
    actor: User,
    trajectory: Trajectory,
    perspective: str,
    status: str,
    decided_on: dt.date,
    lso_meeting_date: dt.date | None = None,
    expected_version: int | None = None,
) -> Perspective:
    trajectory = _lock(trajectory, expected_version)
    _require_admitted(trajectory, "een perspectief")
    require_past_date(decided_on, label="De datum van het perspectief", field="decided_on")
    _not_before_admission(trajectory, decided_on, label="De datum van het perspectief", field="decided_on")
    if perspective not in PerspectiveKind.values:
        raise ApplicationError("Kies terugkeer, legalisering of doormigratie.", field="perspective")
    if status not in PerspectiveStatus.values:
        raise ApplicationError("Kies voorlopig of definitief.", field="status")
    if lso_meeting_date and lso_meeting_date > decided_on:
        raise ApplicationError("De datum van het LSO ligt na de datum van het besluit.", field="lso_meeting_date")
    if not perspective_status_allowed(status, v_number=trajectory.person.v_number):
        raise ApplicationError(MSG_DEFINITIVE_NEEDS_V_NUMBER, field="status")
    record = Perspective.objects.create(
        trajectory=trajectory,
        perspective=perspective,
        status=status,
        decided_on=decided_on,
        lso_meeting_date=lso_meeting_date,
        recorded_by=actor,
    )
    trajectory.stage = stage_after(trajectory.stage, StageEvent.PERSPECTIVE_RECORDED)
    save_checked(trajectory, expected_version, ["stage", "updated_at"])
    meeting = f" in het LSO van {_d(lso_meeting_date)}" if lso_meeting_date else ""
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="perspectief",
        actor=actor,
        description=f"Perspectief {PerspectiveStatus(status).label.lower()}: "
        f"{PerspectiveKind(perspective).label.lower()} (besloten {_d(decided_on)}{meeting})",
    )
    return record


@transaction.atomic
def instruments_update(
    *,
    actor: User,
    trajectory: Trajectory,
    values: dict[str, tuple[str, dt.date | None, dt.date | None]],
    expected_version: int | None = None,
) -> None:
    """Set the guidance instruments: {code: (ja/nee/nvt/onbekend, start, end)}."""
    trajectory = _lock(trajectory, expected_version)
    if trajectory.admission_date is None:
        raise ApplicationError(MSG_INSTRUMENTS_NOT_ADMITTED)
    known = {i.code: i for i in Instrument.objects.all()}
    changes = []
    for code, (value, start, end) in values.items():
        if code not in known:
            raise ApplicationError(f"Onbekend instrument: {code}.")
        if value not in InstrumentValue.values:
            raise ApplicationError(f"Ongeldige waarde voor {known[code].label}.", field=code)
        for d, label in ((start, "startdatum"), (end, "einddatum")):
            if d is not None:
                require_past_date(d, label=f"De {label} van {known[code].label.lower()}", field=code)
        if start and end and end < start:
            raise ApplicationError(MSG_INSTRUMENT_DATES.format(instrument=known[code].label.lower()), field=code)
        use, created = InstrumentUse.objects.get_or_create(
            trajectory=trajectory,
            instrument=known[code],
            defaults={"value": value, "start_date": start, "end_date": end},
        )
        changed = not created and (use.value, use.start_date, use.end_date) != (value, start, end)
        if changed:
            use.value, use.start_date, use.end_date = value, start, end
            use.save()
        if created or changed:
            changes.append(f"{known[code].label.lower()}: {InstrumentValue(value).label.lower()}")
    if changes:
        save_checked(trajectory, expected_version, ["updated_at"])
        log_change(actor=actor, person_ids=[trajectory.person_id])
        event_append(
            trajectory=trajectory,
            kind="instrumenten",
            actor=actor,
            description="Begeleiding bijgewerkt: " + "; ".join(changes),
        )


@transaction.atomic
def outflow_register(
    *,
    actor: User,
    trajectory: Trajectory,
    outflow_date: dt.date,
    outcome_code: str,
    expected_version: int | None = None,
) -> Trajectory:
    trajectory = _lock(trajectory, expected_version)
    _require_admitted(trajectory, "uitstroom")
    require_past_date(outflow_date, label="De datum van uitstroom", field="outflow_date")
    _not_before_admission(trajectory, outflow_date, label="De datum van uitstroom", field="outflow_date")
    outcome = OutcomeCode.objects.filter(code=outcome_code).first()
    if outcome is None:
        raise ApplicationError(MSG_UNKNOWN_OUTCOME, field="outcome")
    current = trajectory.current_placement()
    if current is not None:
        if outflow_date < current.start_date:
            raise ApplicationError(
                f"De datum van uitstroom ligt vóór het begin van de huidige plaatsing ({_d(current.start_date)}).",
                field="outflow_date",
            )
        current.end_date = outflow_date
        current.save(update_fields=["end_date"])
    trajectory.outflow_date = outflow_date
    trajectory.outcome = outcome
    trajectory.stage = stage_after(trajectory.stage, StageEvent.LEFT)
    save_checked(trajectory, expected_version, ["outflow_date", "outcome", "stage", "updated_at"])
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="uitstroom",
        actor=actor,
        description=f"Uitgestroomd op {_d(outflow_date)}: {outcome.label} ({outcome.get_category_display().lower()})",
    )
    return trajectory


@transaction.atomic
def ind_decision_record(*, actor: User, trajectory: Trajectory, decision: str, decided_on: dt.date) -> Trajectory:
    trajectory = _lock(trajectory)
    if trajectory.stage != Stage.UITGESTROOMD or trajectory.outflow_date is None:
        raise ApplicationError(MSG_NOT_OUTFLOWED)
    if trajectory.outcome is None or not trajectory.outcome.has_ind_decision:
        raise ApplicationError(MSG_NO_IND_DECISION)
    if decision not in ("inwilliging", "afwijzing"):
        raise ApplicationError(MSG_UNKNOWN_DECISION, field="decision")
    require_past_date(decided_on, label="De datum van het besluit", field="decided_on")
    if decided_on < trajectory.outflow_date:
        raise ApplicationError(
            MSG_DECISION_BEFORE_OUTFLOW.format(outflow=_d(trajectory.outflow_date)), field="decided_on"
        )
    trajectory.ind_decision = decision
    trajectory.ind_decision_date = decided_on
    save_checked(trajectory, None, ["ind_decision", "ind_decision_date", "updated_at"])
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="besluit_ind",
        actor=actor,
        description=f"IND-besluit op {trajectory.outcome.label}: {decision} ({_d(decided_on)})",
    )
    return trajectory


def require_item_class(visibility: str) -> None:
    """Notes and documents are of class organisatie, keten or lso (never aggregaat: free text)."""
    if visibility not in ITEM_CLASSES:
        raise ApplicationError(MSG_CHOOSE_CLASS, field="visibility")


def class_label(visibility: str) -> str:
    return str(Visibility(visibility).label).lower()


@transaction.atomic
def note_add(*, actor: User, trajectory: Trajectory, text: str, visibility: str) -> Note:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(MSG_EMPTY_NOTE, field="text")
    require_item_class(visibility)
    organisation = actor.organisation
    assert organisation is not None, "a user without an organisation may write nothing (accounts.access)"
    note = Note.objects.create(
        trajectory=trajectory, text=text, visibility=visibility, author=actor, organisation=organisation
    )
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="notitie",
        actor=actor,
        description=f"Notitie toegevoegd ({class_label(visibility)})",
        shared=visibility != NoteVisibility.ORGANISATIE,
    )
    return note


@transaction.atomic
def item_visibility_change(
    *, actor: User, item: Note | Document, visibility: str, reason: str = "", confirm: bool = False
) -> Note | Document:
    """Change the class of a note or document: an explicit act of the authoring organisation, kept
    as a VisibilityChange row and a timeline event. Widening it (a downgrade: organisatie → keten →
    lso) needs a reason and a confirmation; narrowing it needs neither."""
    item = type(item).objects.select_for_update().get(pk=item.pk)
    if item.organisation_id != actor.organisation_id:
        raise ApplicationError(MSG_NOT_AUTHOR_ORGANISATION)
    require_item_class(visibility)
    if visibility == item.visibility:
        raise ApplicationError(MSG_SAME_CLASS, field="visibility")
    reason = (reason or "").strip()
    downgrade = is_downgrade(item.visibility, visibility)
    if downgrade and not reason:
        raise ApplicationError(MSG_DOWNGRADE_REASON, field="reason")
    if downgrade and not confirm:
        raise ApplicationError(MSG_DOWNGRADE_CONFIRM, field="confirm")

    old = item.visibility
    VisibilityChange.objects.create(
        **{"note" if isinstance(item, Note) else "document": item},
        old_visibility=old,
        new_visibility=visibility,
        reason=reason,
        actor=actor,
        organisation_id=item.organisation_id,  # the actor's: checked above
        at=clock.now(),
    )
    item.visibility = visibility
    item.save(update_fields=["visibility"])
    what = "Notitie" if isinstance(item, Note) else "Document"
    verb = "verruimd" if downgrade else "beperkt"
    log_change(actor=actor, person_ids=[item.trajectory.person_id])
    event_append(
        trajectory=item.trajectory,
        kind="zichtbaarheid",
        actor=actor,
        description=f"{what} {item.pk}: zichtbaarheid {verb} van {class_label(old)} naar {class_label(visibility)}",
        # Who could read the item before and after may know of the change; the reason stays with the item.
        shared=old != NoteVisibility.ORGANISATIE and visibility != NoteVisibility.ORGANISATIE,
    )
    return item


@transaction.atomic
def trajectory_assign_organisations(
    *, actor: User, trajectory: Trajectory, organisations: Iterable[Organisation], expected_version: int | None = None
) -> None:

    trajectory = _lock(trajectory, expected_version)
    organisations = list(organisations)
    for org in organisations:
        if org.type != OrganisationType.NGO or org.municipality_id != trajectory.municipality_id:
            raise ApplicationError(f"{org} is geen ngo van deze gemeente.", field="organisations")
    trajectory.assigned_organisations.set(organisations)
    save_checked(trajectory, expected_version, ["updated_at"])
    names = ", ".join(o.name for o in organisations) or "geen"
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(trajectory=trajectory, kind="toewijzing", actor=actor, description=f"Betrokken ngo's: {names}")
