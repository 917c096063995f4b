"""The data subject's right of access (AVG art. 15): who accessed a person's data, and a copy of all
the data lvv holds about the person in a readable form.

Both are answered by the municipality that registered the person (`access.can_answer_subject_request`),
for all of lvv: the copy holds **everything** about the person — also notes, documents and minutes of
class `organisatie` of another organisation, and timeline events not shared — whatever the producing
administrator may see on his own pages. Art. 15 gives the data subject a right to all his data; lvv
is one system with one controller per person. Producing it needs a stated request (`privacy.forms`)
and is logged with it."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from lvv.accounts.models import Role
from lvv.audit.activities import ACTIVITIES
from lvv.audit.models import AccessLogEntry
from lvv.people.countries import country_name

ACTION_LABELS = {"lezen": "Ingezien", "wijzigen": "Gewijzigd"}
#: Depth of related records followed from the person (person → trajectory → item → minutes).
DEPTH = 3
SKIPPED_APPS = {"audit", "sessions", "admin", "contenttypes"}
#: Records derived from data already in the copy (keyed hashes for the duplicate check): left out.
SKIPPED_MODELS = {"people.personfingerprint"}


# --- who accessed the data -------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessRow:
    seq: int | None  # empty until the row is sealed
    at: dt.datetime
    user: str
    organisation: str
    role: str
    action: str
    what: str
    fields: str
    activity: str
    purpose: str

    CSV_HEADER = (
        "volgnummer",
        "tijdstip",
        "gebruiker",
        "organisatie",
        "rol",
        "handeling",
        "wat",
        "velden",
        "verwerkingsactiviteit",
        "doel",
    )

    def csv_cells(self) -> list:
        at = timezone.localtime(self.at).isoformat(timespec="seconds")
        return [
            self.seq if self.seq is not None else "",
            at,
            self.user,
            self.organisation,
            self.role,
            self.action,
            self.what,
            self.fields,
            self.activity,
            self.purpose,
        ]


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def access_report(person_id: int) -> list[AccessRow]:
    """Every access-log entry about the person, oldest first (found by the person's pseudonym)."""
    rows = []
    for e in AccessLogEntry.objects.for_person(person_id).select_related("user").order_by("at", "id"):
        name = e.user.get_full_name() if e.user else ""
        activity = ACTIVITIES.get(e.processing_activity)
        rows.append(
            AccessRow(
                seq=e.seq,
                at=e.at,
                user=f"{name} ({e.username})" if name else e.username,
                organisation=e.organisation,
                role=_role_label(e.role),
                # A refused attempt (status `error`): nothing was shown or changed.
                action="Geweigerd"
                if e.status == AccessLogEntry.Status.ERROR
                else ACTION_LABELS.get(e.action, e.action),
                what=f"{e.view_name} – {e.path}" if e.view_name else e.path,
                fields=e.fields.replace(",", ", "),
                activity=f"{activity.name} ({activity.id})" if activity else e.processing_activity,
                purpose=e.purpose,
            )
        )
    return rows


# --- a copy of the data ----------------------------------------------------------------------------


#: Dutch labels for fields and models that have no verbose name of their own.
LABELS = {
    "created_at": "aangemaakt op",
    "updated_at": "laatst gewijzigd op",
    "recorded_at": "vastgelegd op",
    "recorded_by": "vastgelegd door",
    "decided_by": "besloten door",
    "author": "auteur",
    "organisation": "organisatie",
    "actor": "door",
    "actor_organisation": "organisatie",
    "shared": "gedeeld met ketenpartners",
    "criteria_snapshot": "getoetste criteria",
    "trajectory": "traject",
    "person": "persoon",
    "meeting": "overleg",
    "application": "aanmelding",
    "location": "locatie",
}


def _label(name: str, verbose_name) -> str:
    text = str(verbose_name)
    return LABELS.get(name, text) if text == name.replace("_", " ") else text


def _value(obj, field):
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        return str(related) if related is not None else None
    value = getattr(obj, field.attname)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(field, models.JSONField) or isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _record(obj, depth: int, parent=None, *, with_files: bool = False) -> dict:
    data: dict = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name.endswith("_hash"):
            continue
        if isinstance(field, models.BinaryField):
            # A document's file: the readable copy names it (title, file name, size); the JSON copy
            # holds the file itself, base64-encoded.
            if with_files:
                data["inhoud (base64)"] = base64.b64encode(bytes(getattr(obj, field.attname) or b"")).decode("ascii")
            continue
        if parent is not None and isinstance(field, models.ForeignKey) and field.related_model is parent:
            continue  # the record it hangs under
        data[_label(field.name, field.verbose_name)] = _value(obj, field)
    for field in obj._meta.many_to_many:
        data[_label(field.name, field.verbose_name)] = [str(o) for o in getattr(obj, field.name).all()]
    if depth <= 0:
        return data
    for rel in obj._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many or model._meta.app_label in SKIPPED_APPS or model._meta.label_lower in SKIPPED_MODELS:
            continue
        if rel.one_to_one:
            related = getattr(obj, rel.get_accessor_name(), None)
            if related is not None:
                data[_label(model._meta.model_name, model._meta.verbose_name)] = _record(
                    related, depth - 1, type(obj), with_files=with_files
                )
            continue
        qs = getattr(obj, rel.get_accessor_name()).all().order_by("pk")
        rows = [_record(child, depth - 1, type(obj), with_files=with_files) for child in qs]
        if rows:
            data[_label(model._meta.model_name, model._meta.verbose_name_plural)] = rows
    return data


def person_data(person, *, kenmerk: str = "", with_files: bool = False) -> dict:
    """Everything lvv holds about the person, readable: labels as on the screens, dates in ISO 8601,
    related records nested under their kind. `with_files`: documents with their content (base64)."""
    record = _record(person, DEPTH, with_files=with_files)
    country_label = str(person._meta.get_field("country_of_origin").verbose_name)
    record[country_label] = f"{country_name(person.country_of_origin)} ({person.country_of_origin})"
    return {
        "persoon": record,
        "opgesteld_op": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "opgesteld_door": person.municipality.name,
        "kenmerk_verzoek": kenmerk,
        "toelichting": (
            "Alle gegevens die de LVV-registratie over deze persoon bewaart: ook notities, documenten en "
            "verslagen die een organisatie alleen voor zichzelf vastlegde, en tijdlijnregels die niet "
            "met andere partijen gedeeld zijn. Wie deze gegevens wanneer inzag, staat in het overzicht "
            "van het toegangslog."
        ),
    }


def json_bytes(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
