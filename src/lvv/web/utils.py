"""Small helpers shared by the views: resolving objects through the access rules and turning
domain errors into form errors."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from lvv.accounts import access
from lvv.audit.services import log_read, log_write
from lvv.core.exceptions import ApplicationError


def visible_trajectory(request, pk: int, action: str | None = None):
    """The trajectory if the user may see it (else 404, so its existence is not revealed);
    403 if they may see it but not perform `action`."""

    trajectory = get_object_or_404(
        access.trajectory_scope(request.user).select_related("person", "municipality", "location", "outcome"),
        pk=pk,
    )
    if action is not None and not access.can(request.user, action, trajectory):
        raise PermissionDenied
    if request.method == "POST" and action is not None:
        log_write(request, trajectory.person_id)
    else:
        log_read(request, trajectory.person_id)
    return trajectory


def visible_person(request, pk: int, *, edit: bool = False):
    person = get_object_or_404(access.person_scope(request.user).select_related("municipality"), pk=pk)
    if edit and not access.can_register_in(request.user, person.municipality_id):
        raise PermissionDenied
    (log_write if request.method == "POST" and edit else log_read)(request, person.pk)
    return person


def require_person_data_role(request) -> None:
    if not access.can_see_person_data(request.user):
        raise Http404


def apply_error(form, exc: ApplicationError) -> None:
    """Show a domain refusal on the form: on its field when the form has it, else at the top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
