"""Small helpers shared by the views: resolving objects through the access rules and turning
domain errors into form errors."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from lvv.accounts import access
from lvv.audit.services import log_read, log_refused, log_write
from lvv.core.exceptions import ApplicationError


def visible_trajectory(request, pk: int, action: str | None = None, *, log: bool = True):
    """The trajectory if the user may see it (else 404, so its existence is not revealed);
    403 if they may see it but not perform `action`. `log=False`: the caller logs the access itself
    once it knows what it shows (a document, a note), so a refusal further on is not logged as a read."""

    from lvv.trajectories.models import Trajectory

    scope = access.trajectory_scope(request.user).select_related("person", "municipality", "location", "outcome")
    trajectory = scope.filter(pk=pk).first()
    if trajectory is None:
        _refuse(request, Trajectory.objects.filter(pk=pk).values_list("person_id", flat=True).first())
    if action is not None and not access.can(request.user, action, trajectory):
        log_refused(request, trajectory.person_id)
        raise PermissionDenied
    if not log:
        return trajectory
    if request.method == "POST" and action is not None:
        log_write(request, trajectory.person_id)
    else:
        log_read(request, trajectory.person_id)
    return trajectory


def refuse_item(request, trajectory, *, status: int = 404):
    """A note or document on a visible trajectory that the user may not read (404) or not change
    (403): the attempt is logged under the person's pseudonym, and nothing is shown."""
    log_refused(request, trajectory.person_id)
    if status == 403:
        raise PermissionDenied
    raise Http404


def visible_person(request, pk: int, *, edit: bool = False):
    from lvv.people.models import Person

    person = access.person_scope(request.user).select_related("municipality").filter(pk=pk).first()
    if person is None:
        _refuse(request, Person.objects.filter(pk=pk).values_list("pk", flat=True).first())
    if edit and not access.can_register_in(request.user, person.municipality_id):
        log_refused(request, person.pk)
        raise PermissionDenied
    (log_write if request.method == "POST" and edit else log_read)(request, person.pk)
    return person


def _refuse(request, person_id: int | None):
    """404 for a trajectory or person outside the user's scope. If it exists, the attempt is
    written to the access log (status `error`) under that person's pseudonym."""
    if person_id is not None and request.user.is_authenticated:
        log_refused(request, person_id)
    raise Http404


def require_person_data_role(request) -> None:
    if not access.can_see_person_data(request.user):
        raise Http404


def apply_error(form, exc: ApplicationError) -> None:
    """Show a domain refusal on the form: on its field when the form has it, else at the top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
