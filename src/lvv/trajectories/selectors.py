"""Reads on trajectories, always narrowed to what the actor may see (accounts.access)."""

import datetime as dt
from typing import TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from lvv.accounts import access
from lvv.accounts.models import User
from lvv.core import clock
from lvv.shelter.models import Location

from .models import ADMITTED_STAGES, CLOSED_STAGES, Perspective, Placement, TimelineEvent, Trajectory


class WorklistFilters(TypedDict, total=False):
    """The work list's filters (the cleaned data of `WorklistFilterForm`); each may be left out."""

    q: str
    stage: str
    perspective: str
    location: Location | None
    shelter_form: str
    exception: str
    no_perspective_weeks: int | str | None


def trajectory_scope(user: User) -> QuerySet[Trajectory]:
    """All trajectories the user may see (`access.trajectory_q`)."""
    return Trajectory.objects.filter(access.trajectory_q(user))


def trajectory_list(*, actor: User, filters: WorklistFilters | None = None) -> QuerySet[Trajectory]:
    """The work list: visible trajectories with their current perspective and shelter form."""
    filters = filters or {}
    latest_perspective = Perspective.objects.filter(trajectory=OuterRef("pk")).order_by("-decided_on", "-id")
    current_placement = Placement.objects.filter(trajectory=OuterRef("pk"), end_date__isnull=True).order_by(
        "-start_date", "-id"
    )
    qs = (
        trajectory_scope(actor)
        .select_related("person", "municipality", "location", "outcome")
        .annotate(
            perspective_now=Subquery(latest_perspective.values("perspective")[:1]),
            perspective_status=Subquery(latest_perspective.values("status")[:1]),
            shelter_form_now=Subquery(current_placement.values("shelter_form")[:1]),
        )
    )
    stage = filters.get("stage") or ""
    if stage == "":
        qs = qs.exclude(stage__in=CLOSED_STAGES)
    elif stage != "alle":
        qs = qs.filter(stage=stage)
    if q := (filters.get("q") or "").strip():
        digits = q.replace(" ", "")
        name_q = Q()
        for word in q.split():
            name_q &= (
                Q(person__given_names__icontains=word)
                | Q(person__family_name__icontains=word)
                | Q(person__aliases__name__icontains=word)
            )
        qs = qs.filter(name_q | Q(person__v_number=digits) | Q(external_id__iexact=q)).distinct()
    if perspective := filters.get("perspective"):
        qs = (
            qs.filter(perspective_now__isnull=True) if perspective == "geen" else qs.filter(perspective_now=perspective)
        )
    if location := filters.get("location"):
        qs = qs.filter(location=location)
    if shelter_form := filters.get("shelter_form"):
        qs = qs.filter(shelter_form_now=shelter_form)
    if exception := filters.get("exception"):
        qs = qs.filter(is_exception=exception == "ja")
    weeks = filters.get("no_perspective_weeks")
    if weeks is not None and weeks != "":
        cutoff = clock.today() - dt.timedelta(weeks=int(weeks))
        qs = qs.filter(stage__in=ADMITTED_STAGES, admission_date__lte=cutoff).exclude(
            Exists(Perspective.objects.filter(trajectory=OuterRef("pk")))
        )
    return qs.order_by("-application_date", "-id")


def timeline_for(*, actor: User, trajectory: Trajectory) -> QuerySet[TimelineEvent]:
    """Timeline events the actor may see: those shared at the LSO table, and their own organisation's."""
    return trajectory.events.select_related("actor", "actor_organisation").filter(
        Q(shared=True) | Q(actor_organisation=actor.organisation_id)
    )
