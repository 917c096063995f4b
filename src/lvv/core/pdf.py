"""One URL fetcher for every PDF WeasyPrint renders (docs/security.md §5.5): a PDF may load the
application's own static files and data: URLs, and nothing else — no http(s), no file outside the
static files, whatever a crafted value or a later template change puts in the HTML.

A static file is asked for as ``/static/<path>`` (what ``{% static %}`` gives). Documents are
rendered with the base URL ``file:///static/``, so that and relative URLs become
``file:///static/<path>``; that path is never opened as such but looked up through the static-file
finders (in production: the collected files under ``STATIC_ROOT``). Every other URL raises
`RefusedURL` before anything is opened; WeasyPrint then leaves the resource out and logs a warning.
WeasyPrint is imported inside the functions, so the application starts without it."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders


class RefusedURL(ValueError):
    """The PDF asked for a URL that is not one of the application's static files."""


def _static_prefix() -> str:
    return settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL


def base_url() -> str:
    """The base URL of every rendered document: relative URLs resolve to the static files."""
    return "file://" + _static_prefix()


def _relative_static_path(path: str) -> str | None:
    """The path under the static files: of ``/static/<path>`` or of a path under ``STATIC_ROOT``."""
    prefix = _static_prefix()
    if path.startswith(prefix):
        return path[len(prefix) :]
    if settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = Path(path).resolve()
        if candidate.is_relative_to(root) and candidate != root:
            return candidate.relative_to(root).as_posix()
    return None


def static_file(url: str) -> Path:
    """The static file a URL names (``/static/css/x.css``, ``file:///static/css/x.css`` or
    a ``file:`` URL under ``STATIC_ROOT``), or `RefusedURL`."""
    parsed = urlparse(url)
    if parsed.scheme.lower() not in ("", "file") or parsed.netloc not in ("", "localhost"):
        raise RefusedURL(f"De pdf haalt geen externe bronnen op: {url}")
    path = unquote(parsed.path)
    relative = _relative_static_path(path)
    if relative is None:
        raise RefusedURL(f"De pdf haalt alleen statische bestanden op: {url}")
    if not relative or any(part in ("..", "") for part in relative.split("/")) or "\\" in relative:
        raise RefusedURL(f"De pdf haalt alleen statische bestanden op: {url}")
    found = finders.find(relative)
    if not found and settings.STATIC_ROOT:
        root = Path(settings.STATIC_ROOT).resolve()
        candidate = (root / relative).resolve()
        found = candidate if candidate.is_relative_to(root) else None
    if not found or not Path(found).is_file():
        raise RefusedURL(f"Statisch bestand niet gevonden: {url}")
    return Path(found)


def _data(url: str) -> tuple[bytes, str]:
    """Body and media type of a data: URL (RFC 2397)."""
    meta, sep, payload = url[len("data:") :].partition(",")
    if not sep:
        raise RefusedURL("Ongeldige data:-URL in de pdf.")
    is_base64 = meta.endswith(";base64")
    media_type = (meta.removesuffix(";base64").split(";")[0] or "text/plain").strip()
    body = base64.b64decode(unquote_to_bytes(payload)) if is_base64 else unquote_to_bytes(payload)
    return body, media_type


def fetch(url: str) -> tuple[bytes, str, str]:
    """(body, media type, URL) of what the PDF may load; `RefusedURL` for everything else. No
    network, no file outside the static files."""
    if url.lower().startswith("data:"):
        body, media_type = _data(url)
        return body, media_type, url
    path = static_file(url)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return path.read_bytes(), media_type, url


def safe_url_fetcher():
    """A WeasyPrint URL fetcher that serves only `fetch` (WeasyPrint >= 66, see pyproject)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=())  # the inherited opener never opens anything

        def fetch(self, url, headers=None):
            body, media_type, final = fetch(url)
            return URLFetcherResponse(final, body, headers={"Content-Type": media_type})

    return SafeURLFetcher()


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML document, with `safe_url_fetcher`."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url(), url_fetcher=safe_url_fetcher()).write_pdf()
