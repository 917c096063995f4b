"""Writes on persons: create, update, aliases and the identity check at the kiosk."""

import datetime as dt
import uuid
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from lvv.accounts.models import Municipality, User
from lvv.audit.services import log_change
from lvv.core import clock
from lvv.core.concurrency import check_version, save_checked
from lvv.core.dates import require_past_date
from lvv.core.exceptions import ApplicationError
from lvv.trajectories.models import Stage, Trajectory
from lvv.trajectories.timeline import event_append

from .countries import is_valid_country
from .fingerprints import fingerprints_sync
from .models import Alias, IdentityCheck, KioskOutcome, Person, Sex

MSG_V_NUMBER_TAKEN = "Dit V-nummer is in deze gemeente al geregistreerd bij een andere persoon."
MSG_BIRTH_YEAR_MISMATCH = "Het geboortejaar past niet bij de geboortedatum."
MSG_BIRTH_YEAR_RANGE = "Het geboortejaar moet tussen 1900 en dit jaar liggen."
MSG_COUNTRY = "Kies een land uit de lijst (of staatloos / onbekend)."
MSG_NOT_TAKEN_REASON = "Geef de reden waarom de identiteitscontrole niet is afgenomen."
MSG_FAMILY_NAME = "De achternaam is verplicht."

PERSON_FIELDS = (
    "given_names",
    "family_name",
    "birth_date",
    "birth_year",
    "sex",
    "country_of_origin",
    "languages",
    "phone",
    "email",
    "address",
    "v_number",
)


class PersonFields(TypedDict, total=False):
    """A new person's details, as `person_create` takes them (its `person_key` and `PERSON_FIELDS`)."""

    person_key: str
    given_names: str
    family_name: str
    birth_date: dt.date | None
    birth_year: int | None
    sex: str
    country_of_origin: str
    languages: str
    phone: str
    email: str
    address: str
    v_number: str


def _field_label(name: str) -> str:
    field = Person._meta.get_field(name)
    assert isinstance(field, models.Field), "PERSON_FIELDS are columns of Person, not relations to it"
    return str(field.verbose_name)


def _clean_person(person: Person) -> None:

    person.family_name = (person.family_name or "").strip()
    person.given_names = (person.given_names or "").strip()
    person.v_number = (person.v_number or "").strip()
    if not person.family_name:
        raise ApplicationError(MSG_FAMILY_NAME, field="family_name")
    if person.birth_date is not None:
        require_past_date(person.birth_date, label="De geboortedatum", field="birth_date")
        if person.birth_year and person.birth_year != person.birth_date.year:
            raise ApplicationError(MSG_BIRTH_YEAR_MISMATCH, field="birth_year")
        person.birth_year = person.birth_date.year
    if person.birth_year is not None and not (1900 <= person.birth_year <= clock.today().year):
        raise ApplicationError(MSG_BIRTH_YEAR_RANGE, field="birth_year")
    if person.sex not in Sex.values:
        raise ApplicationError("Kies een geslacht.", field="sex")
    if not is_valid_country(person.country_of_origin):
        raise ApplicationError(MSG_COUNTRY, field="country_of_origin")
    try:
        person.full_clean(exclude=["municipality", "person_key"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(messages[0], field=field) from exc
    clash = Person.objects.filter(municipality_id=person.municipality_id, v_number=person.v_number)
    if person.v_number and clash.exclude(pk=person.pk).exists():
        raise ApplicationError(MSG_V_NUMBER_TAKEN, field="v_number")


def _set_aliases(person: Person, aliases: list[str]) -> None:
    names = [a.strip() for a in aliases if a and a.strip()]
    person.aliases.all().delete()
    Alias.objects.bulk_create([Alias(person=person, name=n) for n in dict.fromkeys(names)])


@transaction.atomic
def person_create(
    *, actor: User, municipality: Municipality, aliases: list[str] | None = None, person_key: str = "", **fields: object
) -> Person:
    person = Person(
        municipality=municipality,
        person_key=person_key or f"P-{uuid.uuid4().hex[:10].upper()}",
        **{k: v for k, v in fields.items() if k in PERSON_FIELDS},
    )
    _clean_person(person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise ApplicationError(MSG_V_NUMBER_TAKEN, field="v_number") from exc
    _set_aliases(person, aliases or [])
    fingerprints_sync([person.pk])
    log_change(actor=actor, person_ids=[person.pk])
    return person


@transaction.atomic
def person_update(
    *,
    actor: User,
    person: Person,
    aliases: list[str] | None = None,
    expected_version: int | None = None,
    **fields: object,
) -> Person:
    """`expected_version`: the version the edit form showed; a later write by someone else refuses."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    check_version(person, expected_version)
    before = {f: getattr(person, f) for f in PERSON_FIELDS}
    for key, value in fields.items():
        if key in PERSON_FIELDS:
            setattr(person, key, value if value is not None or key in ("birth_date", "birth_year") else "")
    _clean_person(person)
    changed = [_field_label(f) for f in PERSON_FIELDS if getattr(person, f) != before[f]]
    new_aliases = list(dict.fromkeys(a.strip() for a in (aliases or []) if a and a.strip()))
    if aliases is not None and sorted(new_aliases) != sorted(person.aliases.values_list("name", flat=True)):
        _set_aliases(person, new_aliases)
        changed.append("aliassen")
    if not changed:
        return person  # nothing changed: nothing written, nothing logged
    save_checked(person, expected_version)
    fingerprints_sync([person.pk])
    log_change(actor=actor, person_ids=[person.pk])
    open_trajectory = person.trajectories.exclude(stage__in=[Stage.UITGESTROOMD, Stage.GEWEIGERD]).first()
    target = open_trajectory or person.trajectories.order_by("-application_date", "-id").first()
    if target is not None:
        event_append(
            trajectory=target,
            kind="persoonsgegevens",
            actor=actor,
            description="Persoonsgegevens gewijzigd: " + ", ".join(changed),
        )
    return person


@transaction.atomic
def identity_check_record(
    *,
    actor: User,
    trajectory: Trajectory,
    performed_on: dt.date,
    outcome: str,
    not_taken_reason: str = "",
    **findings: bool,
) -> IdentityCheck:
    trajectory = Trajectory.objects.select_for_update().get(pk=trajectory.pk)
    require_past_date(performed_on, label="De datum van de identiteitscontrole", field="performed_on")
    if outcome not in KioskOutcome.values:
        raise ApplicationError("Kies de uitkomst van de identiteitscontrole.", field="outcome")
    if outcome == KioskOutcome.NOT_TAKEN and not not_taken_reason.strip():
        raise ApplicationError(MSG_NOT_TAKEN_REASON, field="not_taken_reason")
    if not trajectory.is_open:
        raise ApplicationError("Dit traject is afgesloten.")
    check = IdentityCheck.objects.create(
        trajectory=trajectory,
        performed_on=performed_on,
        outcome=outcome,
        not_taken_reason=not_taken_reason.strip(),
        recorded_by=actor,
        **{k: bool(v) for k, v in findings.items() if k in IdentityCheck.FINDINGS},
    )
    if trajectory.stage == Stage.AANGEMELD:
        trajectory.stage = Stage.IN_TOETSING
        save_checked(trajectory, None, ["stage", "updated_at"])
    found = ", ".join(check.findings()) or "geen bijzonderheden"
    log_change(actor=actor, person_ids=[trajectory.person_id])
    event_append(
        trajectory=trajectory,
        kind="identiteitscontrole",
        actor=actor,
        description=f"Identiteitscontrole aanmeldzuil: {KioskOutcome(outcome).label.lower()}; {found}",
    )
    return check
