"""schemathesis against the served OpenAPI document: every operation, with generated valid
and invalid requests, as a municipality, as the programmabureau and without a token. Checks: no 5xx,
the response conforms to the document (status code, content type, headers, schema), and every
error is `application/problem+json` with `status` and `title` and carries `API-Version`.

The requests go through the real WSGI application (lvv.conf.wsgi, all middleware) in the test's
thread, so they use pytest-django's test database and transaction. Derandomized, a handful of
examples per operation: fast and repeatable in CI."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lvv.api.openapi import openapi_document
from lvv.api.problems import API_VERSION, PROBLEM_CONTENT_TYPE
from lvv.conf.wsgi import application

from .conftest import GEMEENTE, PROGRAMMABUREAU

_PATHS = openapi_document()["paths"]
#: (method, path, mode): invalid requests only where there is something to make invalid.
OPERATIONS = [
    (method.upper(), path, mode)
    for path, item in _PATHS.items()
    for method, operation in item.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or operation.get("parameters") or operation.get("requestBody")
]
MAX_EXAMPLES = 25


def problem_json(ctx, response, case) -> bool | None:
    """Every 4xx/5xx is problem details with `status` (the response's) and `title`; every response
    carries API-Version."""
    version = response.headers.get("api-version")
    if version != [API_VERSION]:
        raise AssertionError(f"API-Version is {version!r}, expected [{API_VERSION!r}]")
    if response.status_code < 400:
        return True
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.split(";")[0].strip() != PROBLEM_CONTENT_TYPE:
        raise AssertionError(f"an error of {response.status_code} has Content-Type {content_type!r}")
    body = json.loads(response.content)
    if body.get("status") != response.status_code or not body.get("title"):
        raise AssertionError(f"problem details without matching status and title: {body!r}")
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    problem_json,
]


@pytest.fixture
def served_schema(db):
    """The document as the API serves it, loaded through the WSGI application.

    As Django's own test client does, the WSGI requests must not close the database connection at
    their end (`close_old_connections`): it holds the test's transaction (PostgreSQL would lose it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _run(schema, method: str, path: str, mode: GenerationMode, headers: dict[str, str]) -> int:
    operation = schema.find_operation_by_label(f"{method} {path}")
    seen = []

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)
        seen.append(case)

    run()
    return len(seen)


@pytest.mark.parametrize(("method", "path", "mode"), OPERATIONS, ids=[f"{m} {p} {g.value}" for m, p, g in OPERATIONS])
@pytest.mark.parametrize("kind", [GEMEENTE, PROGRAMMABUREAU, None], ids=["gemeente", "programmabureau", "anoniem"])
def test_schemathesis(served_schema, tokens, kind, method, path, mode):
    headers = {"Authorization": f"Bearer {tokens[kind]}"} if kind else {}
    assert _run(served_schema, method, path, mode, headers) > 0


def test_served_document_is_the_built_one(served_schema):
    assert served_schema.raw_schema == openapi_document()


def test_problem_check_rejects_an_html_error():
    """The custom check is not vacuous: an HTML 404 without API-Version fails it."""
    from schemathesis import Response

    response = Response(
        status_code=404,
        headers={"content-type": ["text/html"], "api-version": [API_VERSION]},
        content=b"<h1>Not found</h1>",
        request=None,
        elapsed=0.0,
        verify=True,
    )
    with pytest.raises(AssertionError, match="Content-Type"):
        problem_json(None, response, None)
    response.headers.pop("api-version")
    with pytest.raises(AssertionError, match="API-Version"):
        problem_json(None, response, None)
