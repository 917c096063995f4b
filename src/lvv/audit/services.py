"""Writing the access log. The application only ever appends to it (see `audit.chain`).

`log_read` / `log_write` / `log_reads` are called by every view that shows or changes person data.
Optional arguments add what the caller knows: the processing activity (`activity`, an id from
`audit.activities`; by default the one of the page's app) and the fields read or changed (`fields`;
for a write, by default the names of the submitted form fields)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from django.conf import settings

from lvv.core import clock

from . import chain
from .activities import activity_for
from .models import AccessLogEntry

PURPOSE_CASE_WORK = "Uitvoering LVV: begeleiding en casusoverleg"
SUBJECT_ID_TYPE = "lvv-persoon-hmac-sha256"
SYSTEM_ROLE = "systeem"

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_NOT_FIELDS = {"csrfmiddlewaretoken"}


def subject_pseudonym(person_id: int) -> str:
    """Keyed hash of the person id: stable per deployment, meaningless without the key."""
    key = settings.LVV_PSEUDONYM_KEY.encode()
    return hmac.new(key, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()


def trace_id(request) -> str:
    """One trace id per request: the caller's W3C `traceparent` trace id if it sent one, else new."""
    found = getattr(request, "_lvv_trace_id", None)
    if found is None:
        match = _TRACEPARENT.match(request.headers.get("traceparent", "").strip().lower())
        found = match.group(1) if match and match.group(1) != "0" * 32 else secrets.token_hex(16)
        request._lvv_trace_id = found
    return found


def _fields_text(fields: Iterable[str] | None) -> str:
    return ",".join(dict.fromkeys(f for f in (fields or ()) if f and f not in _NOT_FIELDS))[:4000]


def _entry(*, user, person_id, action, path, view_name, purpose, activity, fields, trace, span, at, status="ok"):
    org = getattr(user, "organisation", None) if user is not None else None
    return AccessLogEntry(
        at=at,
        end_at=clock.now(),
        user=user,
        username=user.get_username() if user is not None else SYSTEM_ROLE,
        organisation=org.name if org else "",
        role=user.role if user is not None else SYSTEM_ROLE,
        action=action,
        subject_pseudonym=subject_pseudonym(person_id),
        subject_id_type=SUBJECT_ID_TYPE,
        person_id=person_id,
        path=path[:500],
        view_name=view_name[:200],
        purpose=(purpose or PURPOSE_CASE_WORK)[:200],
        processing_activity=activity_for(view_name, activity).id,
        fields=_fields_text(fields),
        trace_id=trace,
        span_id=span,
        status=status,
    )


def access_log_append(
    *,
    user,
    person_id: int,
    action: str,
    path: str,
    view_name: str,
    purpose: str = PURPOSE_CASE_WORK,
    activity: str | None = None,
    fields: Iterable[str] | None = None,
    trace: str = "",
) -> AccessLogEntry:
    """One entry. `user` None means the system itself (a command such as the retention run)."""
    now = clock.now()
    entry = _entry(
        user=user,
        person_id=person_id,
        action=action,
        path=path,
        view_name=view_name,
        purpose=purpose,
        activity=activity,
        fields=fields,
        trace=trace or secrets.token_hex(16),
        span=secrets.token_hex(8),
        at=now,
    )
    return chain.append([entry])[0]


def _request_entries(request, person_ids, *, action, purpose, activity, fields, status="ok"):
    match = getattr(request, "resolver_match", None)
    now, span, trace = clock.now(), secrets.token_hex(8), trace_id(request)
    return [
        _entry(
            user=request.user,
            person_id=pid,
            action=action,
            path=request.get_full_path(),
            view_name=match.view_name if match else "",
            purpose=purpose,
            activity=activity,
            fields=fields,
            trace=trace,
            span=span,
            at=now,
            status=status,
        )
        for pid in dict.fromkeys(person_ids)
    ]


def log_read(
    request, person_id: int, *, purpose: str = PURPOSE_CASE_WORK, activity: str | None = None, fields=None
) -> None:
    chain.append(
        _request_entries(request, [person_id], action="lezen", purpose=purpose, activity=activity, fields=fields)
    )


def log_write(
    request, person_id: int, *, purpose: str = PURPOSE_CASE_WORK, activity: str | None = None, fields=None
) -> None:
    if fields is None and request.method == "POST":
        fields = sorted(request.POST.keys())
    chain.append(
        _request_entries(request, [person_id], action="wijzigen", purpose=purpose, activity=activity, fields=fields)
    )


def log_system_writes(
    person_ids, *, path: str, view_name: str, purpose: str, activity: str, fields: Iterable[str] = ()
) -> None:
    """Writes by the system itself (a command such as `lvv import`): one entry per person, user
    `systeem`, appended in one go (call it inside the transaction of the writes)."""
    now, trace, span = clock.now(), secrets.token_hex(16), secrets.token_hex(8)
    chain.append(
        [
            _entry(
                user=None,
                person_id=pid,
                action="wijzigen",
                path=path,
                view_name=view_name,
                purpose=purpose,
                activity=activity,
                fields=fields,
                trace=trace,
                span=span,
                at=now,
            )
            for pid in dict.fromkeys(person_ids)
        ]
    )


#: Purpose recorded for a refused request (status `error`): nothing was shown or changed.
PURPOSE_REFUSED = "Toegang geweigerd: geen grondslag (geen of ingetrokken toestemming, of niet toegewezen)"


def log_refused(request, person_id: int) -> None:
    """A request about an existing person that the access rules refused (404 or 403): an entry with
    status `error`, so the person's access report shows the attempt too (e.g. a chain partner's
    next request after the participant withdrew consent)."""
    action = "wijzigen" if request.method == "POST" else "lezen"
    chain.append(
        _request_entries(
            request,
            [person_id],
            action=action,
            purpose=PURPOSE_REFUSED,
            activity=None,
            fields=(),
            status=AccessLogEntry.Status.ERROR,
        )
    )


def log_reads(
    request, person_ids, *, purpose: str = PURPOSE_CASE_WORK, activity: str | None = None, fields=None
) -> None:
    """One read entry per person shown on a list page (work list, agenda, signals)."""
    chain.append(
        _request_entries(request, person_ids, action="lezen", purpose=purpose, activity=activity, fields=fields)
    )


def log_writes(
    request, person_ids, *, purpose: str = PURPOSE_CASE_WORK, activity: str | None = None, fields=None
) -> None:
    """One write entry per person changed by one request (a delivery or an import), in one append."""
    chain.append(
        _request_entries(request, person_ids, action="wijzigen", purpose=purpose, activity=activity, fields=fields)
    )
