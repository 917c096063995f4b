"""Response headers: Content-Security-Policy without inline scripts, no-store on every
page and download, and no template that could need an inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import lvv

SRC = Path(lvv.__file__).resolve().parent


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_every_page_has_a_strict_content_security_policy(client, gemeente_user):
    for response in (client.get(reverse("login")), _logged_in_get(client, gemeente_user, reverse("trajectories:list"))):
        policy = _csp(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no hosts
        assert policy["style-src"] == "'self' 'unsafe-inline'"  # inline SVG charts (docs/security.md)
        assert policy["img-src"] == "'self' data:"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["form-action"] == "'self'"
        assert policy["base-uri"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def _logged_in_get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("templates/**/*.html"))


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
HTMX_EVAL = re.compile(r"\shx-on[:-]|\shx-vars\s*=|\sjs:", re.IGNORECASE)
#: Templates rendered to PDF by WeasyPrint, never served to a browser: their <style> is fine.
PDF_TEMPLATE = re.compile(r"_pdf(_base)?\.html$")


def test_the_template_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and INLINE_SCRIPT.search("<SCRIPT type='module'>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert EVENT_HANDLER.search('<button class="x" onclick="go()">') and EVENT_HANDLER.search("<body\n onload=x>")
    assert not EVENT_HANDLER.search('<p class="one">online</p>')
    assert JS_URL.search('<a href="javascript:void(0)">') and HTMX_EVAL.search('<div hx-on:click="x()">')


def test_no_template_has_an_inline_script_event_handler_or_javascript_url():
    templates = _templates()
    assert len(templates) > 40  # the scan really sees the templates of every app
    found = []
    for path in templates:
        text = path.read_text()
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("on*= event handler", EVENT_HANDLER),
            ("javascript: URL", JS_URL),
            ("htmx code attribute", HTMX_EVAL),
        ):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(SRC)}:{line}: {name}: {match.group(0)[:60]!r}")
    assert not found, "Move this code into a static .js file (CSP script-src 'self'):\n" + "\n".join(found)


def test_style_blocks_only_in_pdf_templates():
    offenders = [
        str(p.relative_to(SRC)) for p in _templates() if "<style" in p.read_text() and not PDF_TEMPLATE.search(p.name)
    ]
    assert not offenders, offenders


# --- Cache-Control: no-store -------------------------------------------------------------------------


def _simple_url_names(resolver=None, namespace="") -> list[str]:
    """Every URL name without parameters (the pages one can open straight away)."""
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if "<" not in str(entry.pattern):
                names += _simple_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name and "<" not in str(entry.pattern):
            names.append(namespace + entry.name)
    return names


@pytest.mark.parametrize("fixture", ["gemeente_user", "programmabureau_user"])
def test_every_page_and_download_is_no_store(client, request, fixture, admitted_trajectory):
    client.force_login(request.getfixturevalue(fixture))
    urls = [reverse(name) for name in _simple_url_names() if name != "logout"]
    urls += [
        reverse("trajectories:detail", args=[admitted_trajectory.pk]),
        reverse("exchange:reconcile_download") + "?formaat=csv",
        reverse("exchange:reconcile_download") + "?formaat=xlsx",
    ]
    assert len(urls) > 15
    for url in urls:
        response = client.get(url)
        assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)
        assert "private" in response["Cache-Control"]


def test_static_files_may_be_cached(client):
    response = client.get("/static/web/css/lvv.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
