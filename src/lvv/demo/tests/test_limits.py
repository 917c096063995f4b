"""Request bodies are capped before they are read whole (lvv.core.limits, docs/security.md §5.10).

The requests go through Django's WSGI handler with the full middleware chain (the test client's
`ClientHandler`, CSRF checks on), with a `wsgi.input` that makes its body as it is read and counts
every byte handed out: a 30 MB upload costs the test nothing unless the server reads it."""

from __future__ import annotations

import json
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.client import ClientHandler
from django.urls import reverse

from lvv.api.services import api_token_create
from lvv.core.limits import CHUNK, FORM_SLACK, MB, size_text
from lvv.demo import factories
from lvv.exchange.models import ChainExtract
from lvv.trajectories.documents import MAX_DOCUMENT_BYTES
from lvv.trajectories.models import Document

PDF = b"%PDF-1.4\n"
BOUNDARY = "lvv-grens-0123456789"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
THIRTY_MB = 30 * MB


class CountingBody:
    """A request body of `head` + `size` filler bytes + `tail`, made as it is read; `read_bytes`
    counts every byte handed out."""

    def __init__(self, head: bytes = b"", size: int = 0, tail: bytes = b""):
        self.head, self.size, self.tail = head, size, tail
        self.total = len(head) + size + len(tail)
        self.read_bytes = 0

    def _bytes(self, start: int, n: int) -> bytes:
        out = bytearray()
        end = start + n
        h, f = len(self.head), len(self.head) + self.size
        if start < h:
            out += self.head[start : min(end, h)]
        if end > h and start < f:
            out += b"x" * (min(end, f) - max(start, h))
        if end > f:
            out += self.tail[max(start, f) - f : end - f]
        return bytes(out)

    def read(self, n: int | None = -1) -> bytes:
        left = self.total - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        data = self._bytes(self.read_bytes, n)
        self.read_bytes += len(data)
        return data

    def readline(self, n: int | None = -1) -> bytes:
        left = self.total - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        data = self._bytes(self.read_bytes, n)
        if b"\n" in data:
            data = data[: data.index(b"\n") + 1]
        self.read_bytes += len(data)
        return data


def multipart_upload(field: str, filename: str, size: int, *, fields: dict[str, str], start: bytes = PDF):
    """A multipart body with `fields` and one file of `size` bytes (beginning with `start`)."""
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + start
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return CountingBody(head, size - len(start), tail)


def wsgi_post(
    path: str,
    body: CountingBody,
    *,
    content_type: str = MULTIPART,
    declared: int | None = ...,
    chunked: bool = False,
    cookie: str = "",
    headers: dict[str, str] | None = None,
    enforce_csrf: bool = True,
):
    """POST `body` through the WSGI handler and the whole middleware chain. `declared` is the
    Content-Length (default: the body's true length; None: no Content-Length)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if declared is ...:
        declared = body.total
    if declared is not None:
        environ["CONTENT_LENGTH"] = str(declared)
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True  # as gunicorn says: the input ends with the body
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return ClientHandler(enforce_csrf_checks=enforce_csrf)(environ)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def trajectory(gemeente_user, ngo, admitted_trajectory):
    from lvv.trajectories.services import trajectory_assign_organisations

    trajectory_assign_organisations(actor=gemeente_user, trajectory=admitted_trajectory, organisations=[ngo])
    return admitted_trajectory


def document_body(size: int) -> CountingBody:
    return multipart_upload("file", "groot.pdf", size, fields={"title": "Verklaring", "visibility": "organisatie"})


DOCUMENT_CAP = MAX_DOCUMENT_BYTES + FORM_SLACK


# --- the document upload (10 MB) -------------------------------------------------------------------


def test_a_30_mb_document_upload_is_refused_413_before_a_byte_is_read(trajectory, ngo_user):
    url = reverse("trajectories:document_new", args=[trajectory.pk])
    body = document_body(THIRTY_MB)

    response = wsgi_post(url, body, cookie=session_cookie(ngo_user))

    assert response.status_code == 413
    assert body.read_bytes == 0
    html = response.content.decode()
    assert "Het bestand is te groot: maximaal 10 MB." in html
    assert f'href="{url}"' in html  # back to the form
    assert "no-store" in response["Cache-Control"]
    assert not Document.objects.exists()


def test_a_30_mb_chunked_document_upload_is_refused_having_read_at_most_the_cap(trajectory, ngo_user):
    url = reverse("trajectories:document_new", args=[trajectory.pk])
    body = document_body(THIRTY_MB)

    response = wsgi_post(url, body, declared=None, chunked=True, cookie=session_cookie(ngo_user))

    assert response.status_code == 413
    assert "Het bestand is te groot: maximaal 10 MB." in response.content.decode()
    assert 0 < body.read_bytes <= DOCUMENT_CAP + 1 <= MAX_DOCUMENT_BYTES + CHUNK + 1
    assert not Document.objects.exists()


def test_a_content_length_that_lies_low_is_never_read_past(trajectory, ngo_user):
    url = reverse("trajectories:document_new", args=[trajectory.pk])
    body = document_body(THIRTY_MB)

    response = wsgi_post(url, body, declared=100_000, cookie=session_cookie(ngo_user), enforce_csrf=False)

    assert response.status_code < 500
    assert body.read_bytes <= 100_000
    assert not Document.objects.exists()


def test_a_small_chunked_document_upload_is_stored(trajectory, ngo_user):
    """The chunked path is no refusal by default: within the cap the body reaches the view whole."""
    url = reverse("trajectories:document_new", args=[trajectory.pk])
    body = multipart_upload(
        "file", "brief.pdf", 5000, fields={"title": "Brief", "visibility": "organisatie"}, start=PDF + b"INHOUD"
    )

    response = wsgi_post(url, body, declared=None, chunked=True, cookie=session_cookie(ngo_user), enforce_csrf=False)

    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.size == 5000 and bytes(document.content).startswith(PDF + b"INHOUD")


def test_a_document_of_exactly_10_mb_is_stored_and_one_just_over_gets_the_form_error(trajectory, ngo_user):
    client = Client()
    client.force_login(ngo_user)
    url = reverse("trajectories:document_new", args=[trajectory.pk])
    content = PDF + b"x" * (MAX_DOCUMENT_BYTES - len(PDF))

    response = client.post(
        url, {"title": "Groot", "visibility": "organisatie", "file": SimpleUploadedFile("groot.pdf", content)}
    )
    assert response.status_code == 302
    assert Document.objects.get().size == MAX_DOCUMENT_BYTES

    response = client.post(
        url,
        {"title": "Te groot", "visibility": "organisatie", "file": SimpleUploadedFile("groot.pdf", content + b"12345")},
    )
    # The margin for the other fields lets the form's own exact check speak for a file just over.
    assert response.status_code == 200
    assert "Het bestand is groter dan 10 MB." in response.content.decode()
    assert Document.objects.count() == 1


# --- a plain form ---------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_huge_multipart_post_to_a_plain_form_is_refused_early(gemeente_user, chunked):
    url = reverse("admissions:application_new")
    body = multipart_upload("bijlage", "groot.bin", THIRTY_MB, fields={"voornaam": "Test"})

    response = wsgi_post(
        url, body, declared=None if chunked else ..., chunked=chunked, cookie=session_cookie(gemeente_user)
    )

    assert response.status_code == 413
    assert f"Wat u verstuurde is te groot: maximaal {size_text(settings.LVV_MAX_REQUEST_BYTES)}." in (
        response.content.decode()
    )
    if chunked:
        assert body.read_bytes <= settings.LVV_MAX_REQUEST_BYTES + 1
    else:
        assert body.read_bytes == 0


def test_the_default_cap_is_django_s_in_memory_limit_and_plain_forms_still_work(gemeente_user):
    assert settings.LVV_MAX_REQUEST_BYTES == settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert size_text(settings.LVV_MAX_REQUEST_BYTES) == "2,5 MB"
    client = Client()
    client.force_login(gemeente_user)
    response = client.post(reverse("admissions:application_new"), {"voornaam": "x" * 100_000})
    assert response.status_code == 200  # the form with its own errors, not a refusal


# --- the chain partner's extract upload (50 MB) ------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_60_mb_extract_upload_is_refused_early(ind_user, chunked):
    url = reverse("exchange:extract_upload")
    body = multipart_upload("bestand", "extract.csv", 60 * MB, fields={"peildatum": "2024-01-01"}, start=b"v_nummer\n")

    response = wsgi_post(url, body, declared=None if chunked else ..., chunked=chunked, cookie=session_cookie(ind_user))

    assert response.status_code == 413
    assert "Het bestand is te groot: maximaal 50 MB." in response.content.decode()
    if chunked:
        assert 0 < body.read_bytes <= 50 * MB + FORM_SLACK + 1
    else:
        assert body.read_bytes == 0
    assert not ChainExtract.objects.exists()


# --- the API (problem details) ---------------------------------------------------------------------


@pytest.fixture
def token(reference_data):
    return api_token_create(organisation=factories.municipal_organisation("Amsterdam"), name="koppeling")[1]


def _assert_413_problem(response, mb: str):
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["API-Version"] == "1.0.0"
    problem = json.loads(response.content)
    assert problem["status"] == 413 and problem["type"] == "urn:lvv:api:probleem:te-groot"
    assert problem["detail"] == f"De body is groter dan {mb} MB; lever in delen aan."


def test_an_api_delivery_over_the_default_cap_is_refused_before_a_byte_is_read(token):
    body = CountingBody(b"traject_id,gemeente\n", 150 * MB)

    response = wsgi_post(
        "/api/v1/leveringen", body, content_type="text/csv", headers={"Authorization": f"Bearer {token}"}
    )

    _assert_413_problem(response, "100")
    assert body.read_bytes == 0


@override_settings(LVV_API_MAX_BODY_BYTES=5 * MB)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_30_mb_api_delivery_is_refused_as_a_problem(token, chunked):
    body = CountingBody(b"traject_id,gemeente\n", THIRTY_MB)

    response = wsgi_post(
        "/api/v1/capaciteit",
        body,
        content_type="text/csv",
        declared=None if chunked else ...,
        chunked=chunked,
        headers={"Authorization": f"Bearer {token}"},
    )

    _assert_413_problem(response, "5")
    assert body.read_bytes <= (5 * MB + 1 if chunked else 0)


def test_a_chunked_api_body_is_not_read_before_the_token_is_checked(reference_data):
    """The API's deliveries read their body themselves (`streamed`): a chunked body is handed over
    as it comes, not copied first, so a request without a valid token costs no reading."""
    body = CountingBody(b"traject_id,gemeente\n", THIRTY_MB)

    response = wsgi_post("/api/v1/leveringen", body, content_type="text/csv", declared=None, chunked=True)

    assert response.status_code == 401
    assert body.read_bytes == 0


def test_a_small_chunked_api_delivery_is_read_whole(token):
    from lvv.exchange.tests.helpers import SAMPLE_CAPACITY

    rows = [line for line in SAMPLE_CAPACITY.read_text(encoding="utf-8").splitlines() if "Amsterdam" in line]
    header = SAMPLE_CAPACITY.read_text(encoding="utf-8").splitlines()[0]
    body = CountingBody(("\n".join([header, *rows]) + "\n").encode())

    response = wsgi_post(
        "/api/v1/capaciteit?controleer=true",
        body,
        content_type="text/csv",
        declared=None,
        chunked=True,
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.content.decode()
    assert body.read_bytes == body.total


def test_the_api_s_own_streaming_cap_reads_at_most_the_cap_and_one_byte(tmp_path):
    """`_receive` stops as soon as the cap is passed, also when nothing declared the length."""
    from django.test import RequestFactory

    from lvv.api.deliveries import _receive
    from lvv.api.problems import Problem

    request = RequestFactory().post("/api/v1/leveringen", b"", content_type="text/csv")
    body = CountingBody(b"", THIRTY_MB)
    request._stream = body
    request.META["CONTENT_LENGTH"] = ""
    with override_settings(LVV_API_MAX_BODY_BYTES=MB), pytest.raises(Problem) as refused:
        _receive(request, tmp_path / "body")
    assert refused.value.status == 413
    assert body.read_bytes == MB + 1


def test_size_text_is_dutch():
    assert [size_text(n) for n in (10 * MB, 50 * MB, 2_621_440, 100 * MB, 1000)] == [
        "10 MB",
        "50 MB",
        "2,5 MB",
        "100 MB",
        "1 kB",
    ]
