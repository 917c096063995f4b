"""Writing the access log. The application only ever appends to it."""

import hashlib
import hmac

from django.conf import settings

from lvv.core import clock

from .models import AccessLogEntry

PURPOSE_CASE_WORK = "Uitvoering LVV: begeleiding en casusoverleg"


def subject_pseudonym(person_id: int) -> str:
    """Keyed hash of the person id: stable per deployment, meaningless without the key."""
    key = settings.LVV_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()


def access_log_append(
    *, user, person_id: int, action: str, path: str, view_name: str, purpose: str = PURPOSE_CASE_WORK
) -> AccessLogEntry:
    org = getattr(user, "organisation", None)
    return AccessLogEntry.objects.create(
        at=clock.now(),
        user=user,
        username=user.get_username(),
        organisation=org.name if org else "",
        role=user.role,
        action=action,
        subject_pseudonym=subject_pseudonym(person_id),
        person_id=person_id,
        path=path[:500],
        view_name=view_name[:200],
        purpose=purpose,
    )


def log_read(request, person_id: int) -> None:
    match = getattr(request, "resolver_match", None)
    access_log_append(
        user=request.user,
        person_id=person_id,
        action="lezen",
        path=request.get_full_path(),
        view_name=match.view_name if match else "",
    )


def log_write(request, person_id: int) -> None:
    match = getattr(request, "resolver_match", None)
    access_log_append(
        user=request.user,
        person_id=person_id,
        action="wijzigen",
        path=request.get_full_path(),
        view_name=match.view_name if match else "",
    )


def log_reads(request, person_ids, *, purpose: str = PURPOSE_CASE_WORK) -> None:
    """One read entry per person shown on a list page (work list, agenda, signals)."""
    match = getattr(request, "resolver_match", None)
    user, now = request.user, clock.now()
    org = getattr(user, "organisation", None)
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                at=now,
                user=user,
                username=user.get_username(),
                organisation=org.name if org else "",
                role=user.role,
                action="lezen",
                subject_pseudonym=subject_pseudonym(pid),
                person_id=pid,
                path=request.get_full_path()[:500],
                view_name=match.view_name if match else "",
                purpose=purpose,
            )
            for pid in dict.fromkeys(person_ids)
        ]
    )
