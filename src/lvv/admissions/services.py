"""Application, consent and the admission decision."""

import datetime as dt
import uuid

from django.db import IntegrityError, transaction

from lvv.accounts import access
from lvv.accounts.models import Municipality, User
from lvv.audit.services import log_change
from lvv.core.concurrency import check_version, save_checked
from lvv.core.dates import dutch_date as _d  # dates in stored texts: Dutch words
from lvv.core.dates import require_past_date
from lvv.core.exceptions import ApplicationError
from lvv.people.models import Person
from lvv.people.services import PersonFields, person_create
from lvv.shelter.models import Location
from lvv.trajectories.models import CLOSED_STAGES, Stage, Trajectory
from lvv.trajectories.stages import UNDECIDED_STAGES, StageEvent, stage_after
from lvv.trajectories.timeline import event_append

from .consent import consent_in_force, consent_in_force_refresh, covered_parties, parties_text
from .criteria import NOT_MET, criteria_check
from .models import PARTY_LABELS, AdmissionDecision, AdmissionOutcome, Application, Consent, CriterionRule
from .terms import stay_until

MSG_OPEN_TRAJECTORY = "Deze persoon heeft al een lopend traject ({ref}); sluit dat eerst af."
MSG_OTHER_MUNICIPALITY = "Deze persoon is geregistreerd bij een andere gemeente."
MSG_ALREADY_DECIDED = "Over deze aanmelding is al besloten."
MSG_NO_CONSENT = (
    "Toelating kan pas als de deelnemer voor deze aanmelding een toestemmingsverklaring heeft getekend "
    "die van kracht is en niet is ingetrokken."
)
MSG_CONSENT_NOT_COVERING = (
    "De toestemming die van kracht is, geldt niet voor {parties}, die aan tafel zitten bij het LSO van "
    "{municipality}. Laat de deelnemer een nieuwe verklaring tekenen, of leg het besluit van het LSO vast om "
    "toch toe te laten (motivering en datum van het LSO)."
)
MSG_CONSENT_EXCEPTION_MEETING = "Toelaten zonder volledige toestemming vraagt de datum van het LSO dat dit besloot."
MSG_CONSENT_AFTER_DECISION = "De toestemmingsverklaring is getekend na de datum van het besluit."
MSG_DECISION_BEFORE_APPLICATION = "De datum van het besluit ligt vóór de datum van aanmelding ({date})."
MSG_REFUSAL_REASON = "Geef de reden van de weigering."
MSG_EXCEPTION_MOTIVATION = "Een LSO-uitzondering vraagt een motivering."
MSG_EXCEPTION_MEETING = "Een LSO-uitzondering vraagt de datum van het LSO waarin zij is besloten."
MSG_EXCEPTION_MEETING_AFTER_DECISION = "De datum van het LSO ligt na de datum van het besluit."
MSG_CRITERIA_NOT_MET = (
    "Niet aan alle toelatingscriteria is voldaan ({labels}). Laat toe als LSO-uitzondering of weiger de aanmelding."
)
MSG_CONSENT_CLOSED = "Dit traject is afgesloten; leg geen nieuwe toestemming meer vast."
MSG_CONSENT_BEFORE_APPLICATION = "De toestemmingsverklaring is getekend vóór de aanmelding ({date})."
MSG_WITHDRAWN_BEFORE_SIGNED = "De datum van intrekking ligt vóór de datum van ondertekening."
MSG_PARTY_NOT_COVERED = "Deze verklaring geeft die partij geen toestemming (meer)."
MSG_ALREADY_WITHDRAWN = "Deze toestemming is al ingetrokken."

APPLICATION_FIELDS = (
    "has_regiobinding",
    "regiobinding_months",
    "regiobinding_description",
    "long_bbb_elsewhere",
    "willing_to_cooperate",
    "safe_country",
    "vulnerable",
    "first_application_type",
    "referred_by",
)


@transaction.atomic
def application_register(
    *,
    actor: User,
    person: Person,
    application_date: dt.date,
    external_id: str = "",
    location: Location | None = None,
    **facts: object,
) -> Trajectory:
    """Register an application (aanmelding): a new trajectory for an existing person."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_past_date(application_date, label="De datum van aanmelding", field="application_date")
    if location is not None and location.municipality_id != person.municipality_id:
        raise ApplicationError("Deze locatie hoort niet bij de gemeente.", field="location")
    open_one = person.trajectories.exclude(stage__in=CLOSED_STAGES).first()
    if open_one is not None:
        raise ApplicationError(MSG_OPEN_TRAJECTORY.format(ref=open_one.external_id))
    last = person.trajectories.order_by("-application_date").first()
    if last is not None and application_date < (last.outflow_date or last.application_date):
        raise ApplicationError(
            "De datum van aanmelding ligt vóór het einde van het vorige traject.", field="application_date"
        )
    trajectory = Trajectory(
        person=person,
        municipality_id=person.municipality_id,
        location=location,
        external_id=external_id or f"{person.municipality.name[:3].upper()}-{uuid.uuid4().hex[:8].upper()}",
        application_date=application_date,
        stage=Stage.AANGEMELD,
    )
    try:
        with transaction.atomic():
            trajectory.save()
    except IntegrityError as exc:
        raise ApplicationError("Dit trajectnummer bestaat al in deze gemeente.", field="external_id") from exc
    Application.objects.create(trajectory=trajectory, **{k: v for k, v in facts.items() if k in APPLICATION_FIELDS})
    reentry = " (herintreding)" if last is not None else ""
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="aanmelding",
        actor=actor,
        description=f"Aangemeld op {_d(application_date)}{reentry}",
    )
    return trajectory


@transaction.atomic
def application_update(
    *, actor: User, trajectory: Trajectory, expected_version: int | None = None, **facts: object
) -> Application:
    """`expected_version`: the trajectory's version the edit form showed; a later write refuses."""
    trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
    check_version(trajectory, expected_version)
    if trajectory.stage not in UNDECIDED_STAGES:
        raise ApplicationError(MSG_ALREADY_DECIDED)
    application, _ = Application.objects.get_or_create(trajectory=trajectory)
    for key, value in facts.items():
        if key in APPLICATION_FIELDS:
            setattr(application, key, value)
    application.save()
    save_checked(trajectory, expected_version, ["updated_at"])
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(trajectory=trajectory, kind="aanmelding", actor=actor, description="Aanmeldgegevens bijgewerkt")
    return application


@transaction.atomic
def consent_record(
    *,
    actor: User,
    trajectory: Trajectory,
    signed_on: dt.date,
    share_ngo: bool = True,
    share_ind: bool = False,
    share_dtv: bool = False,
    share_avim: bool = False,
) -> Consent:
    trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
    if trajectory.stage in CLOSED_STAGES:
        raise ApplicationError(MSG_CONSENT_CLOSED)
    require_past_date(signed_on, label="De datum van ondertekening", field="signed_on")
    if signed_on < trajectory.application_date:
        raise ApplicationError(
            MSG_CONSENT_BEFORE_APPLICATION.format(date=_d(trajectory.application_date)), field="signed_on"
        )
    today = signed_on
    # A new declaration replaces the active one (it is withdrawn on the day the new one is signed).
    for old in trajectory.consents.filter(withdrawn_on__isnull=True):
        old.withdrawn_on = max(today, old.signed_on)
        old.save(update_fields=["withdrawn_on"])
    consent = Consent.objects.create(
        trajectory=trajectory,
        person_id=trajectory.person_id,
        signed_on=signed_on,
        share_ngo=share_ngo,
        share_ind=share_ind,
        share_dtv=share_dtv,
        share_avim=share_avim,
        recorded_by=actor,
    )
    # The newest declaration of the person is the one in force, for all his trajectories.
    consent_in_force_refresh(trajectory.person_id)
    parties = ", ".join(p.upper() if p != "ngo" else "ngo's" for p in consent.party_types()) or "geen partijen"
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="toestemming",
        actor=actor,
        description=f"Toestemmingsverklaring getekend op {_d(signed_on)}; delen met: {parties}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, withdrawn_on: dt.date, party: str = "") -> Consent:
    """Withdraw a consent declaration: the whole of it (`party` empty), or for one party type only
    (ngo, ind, dtv, avim). Either way the party loses access at once — the access rules read the
    consent on every request, so sessions already open lose it too — and the timeline says so."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ApplicationError(MSG_ALREADY_WITHDRAWN)
    if party and party not in consent.party_types():
        raise ApplicationError(MSG_PARTY_NOT_COVERED, field="party")
    require_past_date(withdrawn_on, label="De datum van intrekking", field="withdrawn_on")
    if withdrawn_on < consent.signed_on:
        raise ApplicationError(MSG_WITHDRAWN_BEFORE_SIGNED, field="withdrawn_on")
    if party:
        setattr(consent, f"{party}_withdrawn_on", withdrawn_on)
        consent.save(update_fields=[f"{party}_withdrawn_on"])
        description = f"Toestemming voor {PARTY_LABELS[party]} ingetrokken op {_d(withdrawn_on)}"
    else:
        consent.withdrawn_on = withdrawn_on
        consent.save(update_fields=["withdrawn_on"])
        description = f"Toestemming ingetrokken op {_d(withdrawn_on)}"
    log_change(actor=actor, person_ids=[consent.trajectory.person_id])
    event_append(trajectory=consent.trajectory, kind="toestemming", actor=actor, description=description)
    return consent


@transaction.atomic
def admission_decide(
    *,
    actor: User,
    trajectory: Trajectory,
    outcome: str,
    decided_on: dt.date,
    refusal_reason: str = "",
    exception_motivation: str = "",
    lso_meeting_date: dt.date | None = None,
    consent_exception_motivation: str = "",
    expected_version: int | None = None,
) -> AdmissionDecision:
    """Admit or refuse. Admission needs the participant's declaration for this application, in force,
    covering every party at the municipality's LSO table — or the LSO's recorded decision to admit
    without the parties it leaves out (`consent_exception_motivation` and `lso_meeting_date`)."""
    trajectory = Trajectory.objects.select_for_update().select_related("municipality").get(pk=trajectory.pk)
    check_version(trajectory, expected_version)
    if trajectory.stage not in UNDECIDED_STAGES or hasattr(trajectory, "admission_decision"):
        raise ApplicationError(MSG_ALREADY_DECIDED)
    if outcome not in AdmissionOutcome.values:
        raise ApplicationError("Kies een besluit.", field="outcome")
    require_past_date(decided_on, label="De datum van het besluit", field="decided_on")
    if decided_on < trajectory.application_date:
        raise ApplicationError(
            MSG_DECISION_BEFORE_APPLICATION.format(date=_d(trajectory.application_date)), field="decided_on"
        )
    results = criteria_check(trajectory)
    refusal_reason, exception_motivation = refusal_reason.strip(), exception_motivation.strip()
    consent_exception_motivation = consent_exception_motivation.strip()
    missing: list[str] = []
    if outcome == AdmissionOutcome.GEWEIGERD:
        if not refusal_reason:
            raise ApplicationError(MSG_REFUSAL_REASON, field="refusal_reason")
    else:
        consent, missing = admission_consent(trajectory)
        if consent is None:
            raise ApplicationError(MSG_NO_CONSENT)
        if consent.signed_on > decided_on:
            raise ApplicationError(MSG_CONSENT_AFTER_DECISION, field="decided_on")
        if outcome == AdmissionOutcome.UITZONDERING:
            if not exception_motivation:
                raise ApplicationError(MSG_EXCEPTION_MOTIVATION, field="exception_motivation")
            if lso_meeting_date is None:
                raise ApplicationError(MSG_EXCEPTION_MEETING, field="lso_meeting_date")
            require_past_date(lso_meeting_date, label="De datum van het LSO", field="lso_meeting_date")
            if lso_meeting_date > decided_on:
                raise ApplicationError(MSG_EXCEPTION_MEETING_AFTER_DECISION, field="lso_meeting_date")
        else:
            failed = [r.label for r in results if r.status == NOT_MET]
            if failed:
                raise ApplicationError(MSG_CRITERIA_NOT_MET.format(labels="; ".join(failed)), field="outcome")
        # The criteria first (is he in the target group?), then who may see him once admitted.
        if missing:
            if not consent_exception_motivation:
                raise ApplicationError(
                    MSG_CONSENT_NOT_COVERING.format(
                        parties=parties_text(missing), municipality=trajectory.municipality.name
                    ),
                    field="consent_exception_motivation",
                )
            if lso_meeting_date is None:
                raise ApplicationError(MSG_CONSENT_EXCEPTION_MEETING, field="lso_meeting_date")
            require_past_date(lso_meeting_date, label="De datum van het LSO", field="lso_meeting_date")
            if lso_meeting_date > decided_on:
                raise ApplicationError(MSG_EXCEPTION_MEETING_AFTER_DECISION, field="lso_meeting_date")
    decision = AdmissionDecision.objects.create(
        trajectory=trajectory,
        outcome=outcome,
        decided_on=decided_on,
        refusal_reason=refusal_reason,
        exception_motivation=exception_motivation if outcome == AdmissionOutcome.UITZONDERING else "",
        lso_meeting_date=lso_meeting_date if outcome == AdmissionOutcome.UITZONDERING or missing else None,
        consent_missing=",".join(missing),
        consent_exception_motivation=consent_exception_motivation if missing else "",
        criteria_snapshot=[r.as_dict() for r in results],
        decided_by=actor,
    )
    if outcome == AdmissionOutcome.GEWEIGERD:
        trajectory.stage = stage_after(trajectory.stage, StageEvent.REFUSED)
        description = f"Aanmelding geweigerd op {_d(decided_on)}: {refusal_reason}"
    else:
        trajectory.stage = stage_after(trajectory.stage, StageEvent.ADMITTED)
        trajectory.admission_date = decided_on
        trajectory.stay_until = stay_until(trajectory, decided_on)
        trajectory.is_exception = outcome == AdmissionOutcome.UITZONDERING
        description = f"Toegelaten op {_d(decided_on)}"
        meeting = _d(lso_meeting_date) if lso_meeting_date else ""  # required above for both cases below
        if trajectory.is_exception:
            description += f" als LSO-uitzondering (LSO van {meeting})"
        if missing:
            description += f"; zonder toestemming voor {parties_text(missing)} (besluit LSO van {meeting})"
        if trajectory.stay_until:
            description += f"; verblijfstermijn tot en met {_d(trajectory.stay_until)}"
    save_checked(trajectory, expected_version, ["stage", "admission_date", "is_exception", "stay_until", "updated_at"])
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(trajectory=trajectory, kind="toelating", actor=actor, description=description)
    return decision


def admission_consent(trajectory: Trajectory) -> tuple[Consent | None, list[str]]:
    """(the declaration that can admit this application, the LSO table's parties it leaves out): the
    person's consent in force, if it was signed for this application and is not withdrawn as a
    whole; else (None, [])."""
    consent = consent_in_force(trajectory.person_id)
    if consent is None or consent.trajectory_id != trajectory.pk or consent.withdrawn_on is not None:
        return None, []
    covered = covered_parties(consent)
    return consent, [p for p in lso_table_parties(trajectory.municipality) if p not in covered]


def lso_table_parties(municipality: Municipality) -> list[str]:
    """The party types at the municipality's LSO table (all four unless its administrators say otherwise)."""
    return [p for p in (municipality.lso_parties or []) if p in PARTY_LABELS]


@transaction.atomic
def application_register_new_person(
    *,
    actor: User,
    municipality: Municipality,
    person_fields: PersonFields,
    aliases: list[str],
    application_date: dt.date,
    external_id: str = "",
    location: Location | None = None,
    **facts: object,
) -> Trajectory:
    """A first application: create the person and the trajectory together (all or nothing)."""

    person = person_create(actor=actor, municipality=municipality, aliases=aliases, **person_fields)
    return application_register(
        actor=actor,
        person=person,
        application_date=application_date,
        external_id=external_id,
        location=location,
        **facts,
    )


MSG_CRITERIA_NOT_ALLOWED = "U mag de toelatingscriteria van deze gemeente niet wijzigen."


@transaction.atomic
def criterion_rule_save(*, actor: User, rule: CriterionRule) -> CriterionRule:
    """Save an admission criterion (new or changed), if the actor may edit the rules it belongs to:
    a municipality's own functional administrators, or the programmabureau's for the national rules."""
    if not access.can_edit_criteria(actor, rule.municipality_id):
        raise ApplicationError(MSG_CRITERIA_NOT_ALLOWED)
    rule.full_clean()
    rule.save()
    return rule
