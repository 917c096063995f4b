"""Small helpers shared by the views: resolving objects through the access rules and turning
domain errors into form errors.

The resolvers tell the access log which person a request is about (`audit.services.concerns`) before
they check anything, so that a refusal — here or later in the view — leaves one refusal row for that
person (docs/logboek.md). A GET of a page that shows the person is a read; a POST is logged by the
service that changes something, and a POST that changes nothing leaves no row."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from lvv.accounts import access
from lvv.audit.services import concerns, record_read


def visible_trajectory(request, pk: int, action: str | None = None, *, log: bool = True):
    """The trajectory if the user may see it (else 404, so its existence is not revealed);
    403 if they may see it but not perform `action`. `log=False`: the caller logs the read itself
    once it knows what it shows (a document, a note)."""
    from lvv.trajectories.models import Trajectory

    concerns(request, lambda: Trajectory.objects.filter(pk=pk).values_list("person_id", flat=True))
    scope = access.trajectory_scope(request.user).select_related("person", "municipality", "location", "outcome")
    trajectory = scope.filter(pk=pk).first()
    if trajectory is None:
        raise Http404
    if action is not None and not access.can(request.user, action, trajectory):
        raise PermissionDenied
    if log and request.method != "POST":
        record_read(request, trajectory.person_id)
    return trajectory


def refuse_item(request, trajectory, *, status: int = 404):
    """A note or document on a visible trajectory that the user may not read (404) or not change
    (403): nothing is shown; the refusal row comes from the trajectory's resolver."""
    if status == 403:
        raise PermissionDenied
    raise Http404


def visible_person(request, pk: int, *, edit: bool = False):
    from lvv.people.models import Person

    concerns(request, lambda: Person.objects.filter(pk=pk).values_list("pk", flat=True))
    person = access.person_scope(request.user).select_related("municipality").filter(pk=pk).first()
    if person is None:
        raise Http404
    if edit and not access.can_register_in(request.user, person.municipality_id):
        raise PermissionDenied
    if request.method != "POST":
        record_read(request, person.pk)
    return person


def require_person_data_role(request) -> None:
    if not access.can_see_person_data(request.user):
        raise Http404
