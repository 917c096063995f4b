"""Small helpers of the web layer's own views."""

from django.http import Http404, HttpRequest

from lvv.accounts import access


def require_person_data_role(request: HttpRequest) -> None:
    if not access.can_see_person_data(request.user):
        raise Http404
