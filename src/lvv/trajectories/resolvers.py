"""Resolving a trajectory named in a URL through the access rules, for the views of every app.

The resolver tells the access log which person the request is about (`audit.services.concerns`)
before it checks anything, so that a refusal — here or later in the view — leaves one refusal row
for that person (docs/logboek.md). A GET of a page that shows the person is a read; a POST is logged
by the service that changes something, and a POST that changes nothing leaves no row."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from lvv.accounts import access
from lvv.audit.services import concerns, record_read

from .models import Trajectory
from .selectors import trajectory_scope


def visible_trajectory(
    request: HttpRequest,
    pk: int,
    action: str | None = None,
    *,
    allowed: Callable[[Trajectory], bool] | None = None,
    log: bool = True,
) -> Trajectory:
    """The trajectory if the user may see it (else 404, so its existence is not revealed);
    403 if they may see it but not perform `action`, or when `allowed(trajectory)` says no (a rule of
    the calling page). `log=False`: the caller logs the read itself once it knows what it shows (a
    document, a note)."""
    concerns(request, lambda: Trajectory.objects.filter(pk=pk).values_list("person_id", flat=True))
    scope = trajectory_scope(request.user).select_related("person", "municipality", "location", "outcome")
    trajectory = scope.filter(pk=pk).first()
    if trajectory is None:
        raise Http404
    if action is not None and not access.can(request.user, action, trajectory):
        raise PermissionDenied
    if allowed is not None and not allowed(trajectory):
        raise PermissionDenied
    if log and request.method != "POST":
        record_read(request, trajectory.person_id)
    return trajectory


def refuse_item(request: HttpRequest, trajectory: Trajectory, *, status: int = 404) -> None:
    """A note or document on a visible trajectory that the user may not read (404) or not change
    (403): nothing is shown; the refusal row comes from the trajectory's resolver."""
    if status == 403:
        raise PermissionDenied
    raise Http404
