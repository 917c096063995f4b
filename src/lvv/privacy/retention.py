"""Retention: anonymise persons whose trajectories all ended longer ago than the retention period.

A trajectory has ended at its outflow date (`uitgestroomd`) or at the refusal of the application
(`geweigerd`). A person is due when every trajectory of theirs has ended on or before the cut-off
(today minus `LVV_RETENTION_YEARS` years).

Anonymising keeps what the monitor and the statistics use — the municipality, birth year, sex,
country of origin, every date, stage, code, perspective and instrument — and removes the rest:
names, aliases, contact details, languages, the municipality's own person number, the exact birth
date, free text about the person (notes, minutes, reasons, timeline descriptions) and the uploaded
documents.

The monitor counts a person by V-nummer across municipalities (`monitor.indicators.person_key`).
So that its historic figures do not change, the V-nummer is replaced by a keyed token of itself
(`X` + 9 characters, never a valid V-nummer) — every record of the same V-nummer gets the same
token — and records that share a V-nummer are anonymised together: while any of them is not yet
due (say the person is still in another LVV), all of them wait."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction

from lvv.admissions.models import AdmissionDecision
from lvv.audit.activities import RETENTION
from lvv.audit.services import log_system_writes
from lvv.core import clock
from lvv.core.concurrency import save_checked
from lvv.people.fingerprints import fingerprints_sync
from lvv.people.models import Alias, Person
from lvv.trajectories.models import Document, Trajectory

ANONYMOUS_NAME = "Geanonimiseerd"
ANONYMOUS_KEY_PREFIX = "anon-"
REMOVED = "[verwijderd na bewaartermijn]"
#: Free-text CharFields (TextFields are all free text) in the records hanging off a person.
FREE_TEXT_CHARFIELDS = {"not_taken_reason", "description", "reason"}
SKIPPED_APPS = {"audit"}
CLOSED = ("uitgestroomd", "geweigerd")
HELD_SHARED_V_NUMBER = "hetzelfde V-nummer is elders nog niet aan de beurt (de monitor telt het als één persoon)"


@dataclass
class Candidate:
    person_id: int
    municipality: str
    ended_on: dt.date
    v_number: str = field(repr=False, default="")
    held_because: str = ""


@dataclass
class Plan:
    cutoff: dt.date
    due: list[Candidate]
    held: list[Candidate]


def cutoff_date(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def v_number_token(v_number: str) -> str:
    """A stable keyed stand-in for a V-nummer: the same for every record of it, useless without the
    key, and never a valid V-nummer (it starts with a letter). 45 bits: collisions are negligible."""
    digest = hmac.new(settings.LVV_PSEUDONYM_KEY.encode(), f"v-nummer:{v_number}".encode(), hashlib.sha256).digest()
    return "X" + base64.b32encode(digest).decode()[:9]


def _end_dates() -> dict[int, list[dt.date | None]]:
    """Per person, the end of each of their trajectories (None: not ended)."""
    refused_on = dict(
        AdmissionDecision.objects.filter(outcome="geweigerd")
        .values("trajectory_id")
        .annotate(last=models.Max("decided_on"))
        .values_list("trajectory_id", "last")
    )
    ends: dict[int, list[dt.date | None]] = defaultdict(list)
    for pk, person_id, stage, outflow in Trajectory.objects.values_list("pk", "person_id", "stage", "outflow_date"):
        end = outflow if stage == "uitgestroomd" else refused_on.get(pk) if stage == "geweigerd" else None
        ends[person_id].append(end)
    return ends


def plan(*, today: dt.date | None = None, years: int | None = None) -> Plan:
    """Who would be anonymised now, and who waits (without changing anything)."""
    years = settings.LVV_RETENTION_YEARS if years is None else years
    cutoff = cutoff_date(today or clock.today(), years)
    ends = _end_dates()
    persons = Person.objects.exclude(person_key__startswith=ANONYMOUS_KEY_PREFIX).values_list(
        "pk", "municipality__name", "v_number"
    )
    due_ids, info = set(), {}
    for pk, municipality, v_number in persons:
        info[pk] = (municipality, v_number)
        person_ends = ends.get(pk, [])
        if person_ends and all(e is not None and e <= cutoff for e in person_ends):
            due_ids.add(pk)
    by_v_number: dict[str, list[int]] = defaultdict(list)
    for pk, (_, v_number) in info.items():
        if v_number:
            by_v_number[v_number].append(pk)
    due, held = [], []
    for pk in sorted(due_ids):
        municipality, v_number = info[pk]
        candidate = Candidate(pk, municipality, max(ends[pk]), v_number)
        if v_number and not all(other in due_ids for other in by_v_number[v_number]):
            candidate.held_because = HELD_SHARED_V_NUMBER
            held.append(candidate)
        else:
            due.append(candidate)
    return Plan(cutoff=cutoff, due=due, held=held)


def _related_querysets(model, pks, depth: int):
    """(model, queryset) for every record hanging off the given rows, following reverse relations."""
    if depth <= 0 or not pks:
        return
    for rel in model._meta.related_objects:
        related = rel.related_model
        if rel.many_to_many or related._meta.app_label in SKIPPED_APPS:
            continue
        qs = related._default_manager.filter(**{f"{rel.field.name}__in": pks})
        yield related, qs
        yield from _related_querysets(related, list(qs.values_list("pk", flat=True)), depth - 1)


def _remove_free_text(person_ids: list[int]) -> None:
    """Replace every non-empty free text hanging off the persons. Row by row in Python (not one
    UPDATE … WHERE field <> ''), so that fields encrypted at rest are compared on their plain text."""
    for model, qs in _related_querysets(Person, person_ids, depth=3):
        if model is Alias:
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.TextField) or (isinstance(f, models.CharField) and f.name in FREE_TEXT_CHARFIELDS)
        ]
        if not names:
            continue
        for row in qs.only("pk", *names):
            changes = {name: REMOVED for name in names if getattr(row, name)}
            if changes:
                model._default_manager.filter(pk=row.pk).update(**changes)


def anonymise(candidates: list[Candidate]) -> int:
    """Anonymise the planned persons in one transaction; each gets a system entry in the access log."""
    ids = [c.person_id for c in candidates]
    with transaction.atomic():
        _remove_free_text(ids)
        Alias.objects.filter(person_id__in=ids).delete()
        # Uploaded documents (letters, medical statements, identity papers) cannot be anonymised:
        # they go, with the record of their class changes.
        Document.objects.filter(trajectory__person_id__in=ids).delete()
        for person in Person.objects.select_for_update().filter(pk__in=ids):
            person.birth_year = person.known_birth_year
            person.birth_date = None
            person.given_names = ""
            person.family_name = ANONYMOUS_NAME
            person.languages = person.phone = person.email = person.address = ""
            person.v_number = v_number_token(person.v_number) if person.v_number else ""
            person.person_key = f"{ANONYMOUS_KEY_PREFIX}{person.pk}"
            save_checked(person, None)  # bumps the version: a form opened before cannot overwrite it
        log_system_writes(
            ids,
            path="lvv_retention",
            view_name="lvv_retention",
            purpose="Bewaartermijn verstreken: persoon geanonimiseerd",
            activity=RETENTION.id,
            fields=[
                "given_names",
                "family_name",
                "aliases",
                "birth_date",
                "languages",
                "phone",
                "email",
                "address",
                "v_number",
                "person_key",
                "vrije tekst",
            ],
        )
        # The national duplicate check's keyed hashes of name, birth date and V-nummer go too (an
        # anonymised person takes no part in it any more: `people.fingerprints.person_identity`).
        fingerprints_sync(ids)
    return len(ids)
