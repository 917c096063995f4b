"""Writing the access log (docs/logboek.md). Three kinds of rows, each with one way in:

- **A change of person data** — `log_change`, called by the service that makes the change, inside
  its `transaction.atomic()`: the row and the change commit together or not at all (Zulip's
  `do_*` actions and their audit rows). Views never log a change.
- **A read** — `record_read` / `record_reads`, called by the view that shows the data. The rows
  wait on the request and are added in one INSERT when the request ends (`audit.middleware`), and
  only when the answer is delivered (status below 400).
- **A refused request about an existing person** — resolvers say which persons a request concerns
  (`concerns`); when the answer is 403 or 404 the middleware adds one refusal row (status `error`)
  per person, after the request's own work and in a transaction of its own, so that it survives
  the rollback of whatever the request tried.

Commands that change person data (`lvv import`, `lvv retention`) call `log_system_writes` inside
their transaction. Optional arguments add what the caller knows: the processing activity
(`activity`, an id from `audit.activities`; by default the one of the page's app) and the fields
read or changed (`fields`, names only; for a change by default the names of the submitted form
fields). Paths are stored without their query string: a search term never enters the log."""

from __future__ import annotations

import contextvars
import datetime as dt
import re
import secrets
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db import connection, transaction

from lvv.core import clock

from . import records
from .activities import activity_for
from .models import AccessLogEntry
from .records import SUBJECT_ID_TYPE, subject_pseudonym

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from lvv.accounts.models import User

__all__ = [
    "PURPOSE_CASE_WORK",
    "PURPOSE_REFUSED",
    "concerns",
    "log_change",
    "log_system_writes",
    "record_read",
    "record_reads",
    "subject_pseudonym",
]

PURPOSE_CASE_WORK = "Uitvoering LVV: begeleiding en casusoverleg"
#: Purpose recorded for a refused request (status `error`): nothing was shown or changed.
PURPOSE_REFUSED = "Toegang geweigerd: geen grondslag (geen of ingetrokken toestemming, of niet toegewezen)"
SYSTEM_ROLE = "systeem"

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")
_NOT_FIELDS = {"csrfmiddlewaretoken"}


class LogOutsideTransactionError(RuntimeError):
    """A change must be logged inside the transaction that makes it."""


#: A read waiting for the end of its request: (person id, purpose, activity, fields).
ReadRow = tuple[int, str, str | None, tuple[str, ...]]
#: Persons a request is about: their ids, or a function that finds them.
Concerned = list[int | None] | Callable[[], Iterable[int | None]]


# --- the request being served ---------------------------------------------------------------------


@dataclass
class RequestAudit:
    """What the log needs to know of the request being served, and the rows waiting for its end."""

    request: HttpRequest
    path: str
    method: str | None
    trace_id: str
    started: dt.datetime
    view_name: str = ""
    span_id: str = field(default_factory=lambda: secrets.token_hex(8))
    #: (person id, purpose, activity, fields) of every read, in order, without repeats.
    reads: dict[ReadRow, None] = field(default_factory=dict)
    #: Persons the request is about (for the refusal rows of a 403 or 404): ids, or functions that
    #: find them, called only when the request is refused (so an allowed page pays no query).
    concerned: list[Concerned] = field(default_factory=list)

    @property
    def user(self) -> User | AnonymousUser | None:
        """The request's user as it is now (the API sets the token's account during the request)."""
        return getattr(self.request, "user", None)

    @property
    def posted_fields(self) -> tuple[str, ...]:
        """The names of the submitted form fields (never their values), read when a change is logged:
        by then the view has parsed the form."""
        request = self.request
        if request.method != "POST" or request.content_type not in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return ()
        return tuple(sorted(k for k in request.POST.keys() if k not in _NOT_FIELDS))


_current: contextvars.ContextVar[RequestAudit | None] = contextvars.ContextVar("lvv_request_audit", default=None)


def trace_id_of(request: HttpRequest) -> str:
    """The caller's W3C `traceparent` trace id if it sent one, else a new one."""
    match = _TRACEPARENT.match(request.headers.get("traceparent", "").strip().lower())
    return match.group(1) if match and match.group(1) != "0" * 32 else secrets.token_hex(16)


def begin_request(request: HttpRequest) -> contextvars.Token[RequestAudit | None]:
    """Called by the middleware when a request starts: the request's log context."""
    audit = RequestAudit(
        request=request,
        path=request.path,
        method=request.method,
        trace_id=trace_id_of(request),
        started=clock.now(),
    )
    vars(request)["_lvv_audit"] = audit  # request._lvv_audit: an attribute HttpRequest does not declare
    return _current.set(audit)


def end_request(token: contextvars.Token[RequestAudit | None]) -> None:
    _current.reset(token)


def current() -> RequestAudit | None:
    return _current.get()


def _audit_of(request: HttpRequest) -> RequestAudit | None:
    return getattr(request, "_lvv_audit", None)


def _fields_text(fields: Iterable[str] | None) -> str:
    return ",".join(dict.fromkeys(f for f in (fields or ()) if f and f not in _NOT_FIELDS))[:4000]


def _entry(
    *,
    user: User | None,
    person_id: int,
    action: str,
    path: str,
    view_name: str,
    purpose: str | None,
    activity: str | None,
    fields: Iterable[str] | None,
    trace: str,
    span: str,
    at: dt.datetime,
    status: str,
) -> AccessLogEntry:
    org = getattr(user, "organisation", None) if user is not None else None
    return AccessLogEntry(
        at=at,
        end_at=clock.now(),
        user=user if user is not None and getattr(user, "pk", None) else None,
        username=user.get_username() if user is not None else SYSTEM_ROLE,
        organisation=org.name if org else "",
        role=user.role if user is not None else SYSTEM_ROLE,
        action=action,
        subject_pseudonym=subject_pseudonym(person_id),
        subject_id_type=SUBJECT_ID_TYPE,
        person_id=person_id,
        path=path.split("?", 1)[0][:500],
        view_name=view_name[:200],
        purpose=(purpose or PURPOSE_CASE_WORK)[:200],
        processing_activity=activity_for(view_name, activity).id,
        fields=_fields_text(fields),
        trace_id=trace,
        span_id=span,
        status=status,
    )


def _require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise LogOutsideTransactionError(
            f"{what}: het toegangslog wordt geschreven in dezelfde transactie als de wijziging "
            "(roep dit aan binnen transaction.atomic van de dienst)."
        )


# --- changes --------------------------------------------------------------------------------------


def log_change(
    *,
    actor: User | None,
    person_ids: Iterable[int],
    purpose: str = PURPOSE_CASE_WORK,
    activity: str | None = None,
    fields: Iterable[str] | None = None,
) -> list[AccessLogEntry]:
    """One `wijzigen` row per person changed, inserted now, in the transaction of the change (the
    caller's `transaction.atomic()`; outside one this raises). The request's path, page and trace
    come from the request being served; `fields` defaults to the names of the submitted fields."""
    _require_transaction("log_change")
    audit = current()
    ids = list(dict.fromkeys(int(p) for p in person_ids if p is not None))
    if audit is not None and ids:
        # One row per person per request: a service that calls another (a new person and his
        # application; an LSO decision that records a perspective) logs the person once. Asked of
        # the database, so a row rolled back with a savepoint does not count.
        done = AccessLogEntry.objects.filter(
            person_id__in=ids, span_id=audit.span_id, action="wijzigen", status=AccessLogEntry.Status.OK
        ).values_list("person_id", flat=True)
        ids = [pid for pid in ids if pid not in set(done)]
    if not ids:
        return []
    now = clock.now()
    # Outside a request (a script, the demo data) the row names the service that made the change.
    operation = audit.view_name if audit else sys._getframe(1).f_code.co_name
    return records.insert(
        [
            _entry(
                user=actor,
                person_id=pid,
                action="wijzigen",
                path=audit.path if audit else "",
                view_name=operation,
                purpose=purpose,
                activity=activity,
                fields=fields if fields is not None else (audit.posted_fields if audit else ()),
                trace=audit.trace_id if audit else secrets.token_hex(16),
                span=audit.span_id if audit else secrets.token_hex(8),
                at=audit.started if audit else now,
                status=AccessLogEntry.Status.OK,
            )
            for pid in ids
        ]
    )


def log_system_writes(
    person_ids: Iterable[int],
    *,
    path: str,
    view_name: str,
    purpose: str,
    activity: str,
    fields: Iterable[str] = (),
) -> list[AccessLogEntry]:
    """Writes by the system itself (a command such as `lvv import` or `lvv retention`): one row per
    person, user `systeem`, in the transaction of the writes (outside one this raises)."""
    _require_transaction("log_system_writes")
    now, trace, span = clock.now(), secrets.token_hex(16), secrets.token_hex(8)
    return records.insert(
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
                status=AccessLogEntry.Status.OK,
            )
            for pid in dict.fromkeys(person_ids)
        ]
    )


# --- reads and refusals ---------------------------------------------------------------------------


def record_reads(
    request: HttpRequest,
    person_ids: Iterable[int],
    *,
    purpose: str = PURPOSE_CASE_WORK,
    activity: str | None = None,
    fields: Iterable[str] | None = None,
) -> None:
    """One `lezen` row per person shown (a list page: every person on it). The rows are added when
    the request ends, if the answer is delivered."""
    key_fields = tuple(dict.fromkeys(f for f in (fields or ()) if f))
    rows = list(dict.fromkeys((int(pid), purpose, activity, key_fields) for pid in person_ids if pid is not None))
    audit = _audit_of(request)
    if audit is None:  # not served through the middleware (a script): write at once
        _write_reads(request, rows)
        return
    for row in rows:
        audit.reads[row] = None


def record_read(
    request: HttpRequest,
    person_id: int,
    *,
    purpose: str = PURPOSE_CASE_WORK,
    activity: str | None = None,
    fields: Iterable[str] | None = None,
) -> None:
    record_reads(request, [person_id], purpose=purpose, activity=activity, fields=fields)


def concerns(request: HttpRequest, person_ids: Iterable[int | None] | Callable[[], Iterable[int | None]]) -> None:
    """This request is about these persons: if it is refused (403 or 404), each gets one refusal row.
    `person_ids` may be a function that finds them (called only on a refusal)."""
    audit = _audit_of(request)
    if audit is not None:
        audit.concerned.append(person_ids if callable(person_ids) else list(person_ids))


def _concerned_ids(audit: RequestAudit) -> list[int]:
    found: dict[int, None] = {}
    for item in audit.concerned:
        for pid in item() if callable(item) else item:
            if pid is not None:
                found[int(pid)] = None
    return list(found)


def _write_reads(request: HttpRequest, rows: Iterable[ReadRow]) -> None:
    match = getattr(request, "resolver_match", None)
    now, trace, span = clock.now(), trace_id_of(request), secrets.token_hex(8)
    user = request.user
    assert user.is_authenticated, "reads are recorded for a signed-in user"
    records.insert(
        [
            _entry(
                user=user,
                person_id=pid,
                action="lezen",
                path=request.path,
                view_name=match.view_name if match else "",
                purpose=purpose,
                activity=activity,
                fields=fields,
                trace=trace,
                span=span,
                at=now,
                status=AccessLogEntry.Status.OK,
            )
            for pid, purpose, activity, fields in rows
        ]
    )


class _Common(TypedDict):
    """What every row a request leaves shares (arguments of `_entry`)."""

    user: User
    path: str
    view_name: str
    trace: str
    span: str
    at: dt.datetime


def pending_entries(audit: RequestAudit, status_code: int) -> list[AccessLogEntry]:
    """The rows a request leaves when it ends with `status_code`: its reads if the answer was
    delivered; one refusal row per concerned person if it was refused (403, 404); else none."""
    user = audit.user
    if user is None or not user.is_authenticated:
        return []
    common: _Common = {
        "user": user,
        "path": audit.path,
        "view_name": audit.view_name,
        "trace": audit.trace_id,
        "span": audit.span_id,
        "at": audit.started,
    }
    if status_code in (403, 404):
        action = "lezen" if audit.method in ("GET", "HEAD") else "wijzigen"
        return [
            _entry(
                person_id=pid,
                action=action,
                purpose=PURPOSE_REFUSED,
                activity=None,
                fields=(),
                status=AccessLogEntry.Status.ERROR,
                **common,
            )
            for pid in _concerned_ids(audit)
        ]
    if status_code >= 400:
        return []
    return [
        _entry(
            person_id=pid,
            action="lezen",
            purpose=purpose,
            activity=activity,
            fields=fields,
            status=AccessLogEntry.Status.OK,
            **common,
        )
        for pid, purpose, activity, fields in audit.reads
    ]


def flush(audit: RequestAudit, status_code: int) -> list[AccessLogEntry]:
    """Add a finished request's rows: one INSERT, in a transaction of its own."""
    entries = pending_entries(audit, status_code)
    if not entries:
        return []
    with transaction.atomic():
        return records.insert(entries)
