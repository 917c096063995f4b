"""PDF rendering fetches no URL outside the application's own static files.

Every PDF goes through `lvv.core.pdf.render_pdf`, whose URL fetcher serves static files (through
the static-file finders) and data: URLs, and refuses everything else before anything is opened."""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path

import pytest
from pypdf import PdfReader

from lvv.core import pdf

SRC = Path(__file__).resolve().parents[3]


@pytest.fixture
def recorded(monkeypatch, settings, tmp_path):
    """A static file of our own, and a record of every URL the fetcher was asked for and of every
    URL anything tried to open through urllib."""
    static = tmp_path / "static-src"
    (static / "pdftest").mkdir(parents=True)
    (static / "pdftest" / "extra.css").write_text('p.s::after { content: " STATISCH-GELADEN"; }', encoding="utf-8")
    settings.STATICFILES_DIRS = [static]
    asked, served, opened = [], [], []
    fetch = pdf.fetch

    def recording_fetch(url):
        asked.append(url)
        result = fetch(url)
        served.append(url)
        return result

    monkeypatch.setattr(pdf, "fetch", recording_fetch)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda self, url, *a, **k: opened.append(url))
    return asked, served, opened


def _text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_outside_urls_are_refused_and_static_files_and_data_urls_served(recorded):
    asked, served, opened = recorded
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="https://example.org/x.css">'
        '<link rel="stylesheet" href="/static/pdftest/extra.css">'
        '<link rel="stylesheet" href="data:text/css,p.d::after%7Bcontent:%22%20DATA-GELADEN%22%7D">'
        '</head><body><p class="s">Hallo</p><p class="d">Daar</p>'
        '<img src="http://127.0.0.1:9/x.png" alt=""><img src="../../etc/hosts" alt="">'
        '<img src="/static/../../etc/hosts" alt=""></body></html>'
    )
    content = pdf.render_pdf(html)
    text = _text(content)
    assert "STATISCH-GELADEN" in text and "DATA-GELADEN" in text  # the static file and data: URL applied
    assert opened == []  # nothing went through urllib: no network, no file: opener
    refused = {url for url in asked if url not in served}
    assert refused == {
        "file:///etc/passwd",
        "https://example.org/x.css",
        "http://127.0.0.1:9/x.png",
        "file:///etc/hosts",  # both ways up out of the static files resolve to this
    }
    assert [u for u in served if not u.startswith("data:")] == ["file:///static/pdftest/extra.css"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/static/web/css/lvv.css",
        "file:///etc/passwd",
        "file://otherhost/static/web/css/lvv.css",
        "/static/../conf/base.py",
        "/static/",
        "ftp://example.org/x",
        "/etc/passwd",
    ],
)
def test_the_fetcher_refuses(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.fetch(url)


def test_the_fetcher_serves_a_static_file_through_the_finders():
    body, media_type, _ = pdf.fetch("/static/web/css/lvv.css")
    assert media_type == "text/css" and body  # the app's own stylesheet


def test_every_pdf_is_rendered_by_the_one_renderer():
    """No module but lvv/core/pdf.py calls WeasyPrint's write_pdf (so none can bypass the fetcher)."""
    callers = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "/tests/" not in path.as_posix() and "write_pdf(" in path.read_text(encoding="utf-8")
    ]
    assert callers == ["lvv/core/pdf.py"]
