"""Resolving a person named in a URL through the access rules, for the views of every app (the
logging rules of `trajectories.resolvers` hold here too)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from lvv.accounts import access
from lvv.audit.services import concerns, record_read

from .models import Person
from .selectors import person_scope


def visible_person(request: HttpRequest, pk: int, *, edit: bool = False) -> Person:
    """The person if the user may see him (else 404); 403 for `edit` outside the user's municipality."""
    concerns(request, lambda: Person.objects.filter(pk=pk).values_list("pk", flat=True))
    person = person_scope(request.user).select_related("municipality").filter(pk=pk).first()
    if person is None:
        raise Http404
    if edit and not access.can_register_in(request.user, person.municipality_id):
        raise PermissionDenied
    if request.method != "POST":
        record_read(request, person.pk)
    return person
