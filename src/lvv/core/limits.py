"""Caps on request bodies, enforced before anything reads the body (docs/security.md §5.10).

Every request body is capped. A view that takes an upload declares its cap with one decorator line,
`@body_limit(10 * MB)`; every other view gets `settings.LVV_MAX_REQUEST_BYTES` (plain forms, the
API's GET endpoints). `BodyLimitMiddleware` sits before `CsrfViewMiddleware` (which reads
`request.POST` and so parses the whole body) and:

- answers 413 at once, without reading a byte of the body, when `Content-Length` exceeds the cap:
  a Dutch page for the browser (`413.html`), the API's problem details under `/api/`;
- for a body without `Content-Length` (`Transfer-Encoding: chunked`), copies it to a spooled
  temporary file, reading at most cap + 1 bytes, and answers 413 once the cap is passed; a body
  within the cap then reaches the view as an ordinary body of known length (the form parser needs
  one). A view declared `streamed` (it reads the body itself in chunks and refuses more than its
  cap, like the API's deliveries) gets such a body as it comes instead, cut off after cap + 1
  bytes: nothing is read before the view has checked who is asking. Both only when the server
  says its input ends with the body (`wsgi.input_terminated`, as gunicorn does); without that,
  Django reads no body without a length at all, and that stays so.

A body whose `Content-Length` is lower than what is sent is never read past `Content-Length`:
Django's `LimitedStream` stops there. The views keep their own exact checks (10 MB for a document,
50 MB for an extract, the API's streaming cap): the cap here is the same figure plus `FORM_SLACK`
for the other form fields and the multipart framing, so the exact check still speaks for a file
just over its limit, and the middleware for anything far over it."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string

MB = 1024 * 1024
#: Room, on top of an upload's own limit, for the other form fields and the multipart framing.
FORM_SLACK = 64 * 1024
#: The cap of a view without `@body_limit` (Django's DATA_UPLOAD_MAX_MEMORY_SIZE: 2.5 MB).
DEFAULT_MAX_REQUEST_BYTES = 2_621_440
CHUNK = 64 * 1024

MSG_FILE_TOO_LARGE = "Het bestand is te groot: maximaal {size}."
MSG_REQUEST_TOO_LARGE = "Wat u verstuurde is te groot: maximaal {size}."

ATTRIBUTE = "lvv_body_limit"


class Limit(NamedTuple):
    """The limit of one request: `limit` is named in the refusal, `cap` is enforced."""

    limit: int
    cap: int
    upload: bool = False  # declared by the view (an upload): "Het bestand is te groot"
    streamed: bool = False


def body_limit(max_bytes: int | Callable[[], int], *, slack: int = FORM_SLACK, streamed: bool = False):
    """View decorator: the view accepts a body of `max_bytes` (an int, or a callable read on each
    request, e.g. from a setting) plus `slack` bytes; the refusal names `max_bytes`. `streamed`:
    the view reads the body itself in chunks and refuses more than `max_bytes + slack` itself."""

    def decorate(view):
        setattr(view, ATTRIBUTE, (max_bytes, slack, streamed))
        return view

    return decorate


def mb_number(n: int) -> str:
    """Megabytes with at most one decimal, Dutch decimal comma: `10`, `2,5`."""
    return f"{n / MB:.1f}".removesuffix(".0").replace(".", ",")


def size_text(n: int) -> str:
    """`10 MB`, `2,5 MB`; below a megabyte in kB."""
    return f"{max(1, round(n / 1024))} kB" if n < MB else f"{mb_number(n)} MB"


def request_limit(request) -> Limit:
    """The limit of the view the request's URL resolves to, else `LVV_MAX_REQUEST_BYTES`."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        match = None
    declared = getattr(match.func, ATTRIBUTE, None) if match else None
    if declared is None:
        limit = int(getattr(settings, "LVV_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES))
        return Limit(limit, limit)
    max_bytes, slack, streamed = declared
    max_bytes = int(max_bytes() if callable(max_bytes) else max_bytes)
    return Limit(max_bytes, max_bytes + slack, upload=True, streamed=streamed)


def too_large_response(request, limit: int, *, upload: bool):
    """413: the Dutch page with a link back; under a path prefix of `LVV_TOO_LARGE_RESPONSES` (the
    API: its problem details) the function named there. The settings name it, so this ground-floor
    module imports no app above it."""
    for prefix, dotted in getattr(settings, "LVV_TOO_LARGE_RESPONSES", {}).items():
        if request.path_info.startswith(prefix):
            return import_string(dotted)(request, limit)
    message = (MSG_FILE_TOO_LARGE if upload else MSG_REQUEST_TOO_LARGE).format(size=size_text(limit))
    response = render(request, "413.html", {"message": message, "back_url": request.get_full_path()}, status=413)
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def _declared_length(meta) -> int | None:
    value = meta.get("CONTENT_LENGTH")
    if value in (None, ""):
        return None
    try:
        return max(int(value), 0)
    except ValueError:
        return 0  # Django reads no body then either


def _is_chunked(meta) -> bool:
    return "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()


def spool_body(stream, cap: int):
    """Copy `stream` to a spooled temporary file, reading at most `cap` + 1 bytes. Returns (file,
    size), or None (the file closed) when the body is longer than `cap`."""
    spool = tempfile.SpooledTemporaryFile(
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    size = 0
    while chunk := stream.read(min(CHUNK, cap + 1 - size)):
        size += len(chunk)
        if size > cap:
            spool.close()
            return None
        spool.write(chunk)
    spool.seek(0)
    return spool, size


class BodyLimitMiddleware:
    """Refuses a body over the view's cap before CSRF, the form parser or the view read it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        length = _declared_length(meta)
        chunked = length is None and _is_chunked(meta)
        if not length and not chunked:
            return self.get_response(request)
        limit = request_limit(request)
        if length is not None:
            if length > limit.cap:
                return too_large_response(request, limit.limit, upload=limit.upload)
            return self.get_response(request)
        if not meta.get("wsgi.input_terminated"):
            return self.get_response(request)  # Django reads no body without a length
        if limit.streamed:
            request._stream = LimitedStream(meta["wsgi.input"], limit.cap + 1)
            return self.get_response(request)
        spooled = spool_body(meta["wsgi.input"], limit.cap)
        if spooled is None:
            return too_large_response(request, limit.limit, upload=limit.upload)
        spool, size = spooled
        try:
            # From here on an ordinary body of known length (the multipart parser needs it).
            meta["CONTENT_LENGTH"] = str(size)
            request._stream = LimitedStream(spool, size)
            return self.get_response(request)
        finally:
            spool.close()
