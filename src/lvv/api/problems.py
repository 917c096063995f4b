"""Errors as RFC 9457 problem details (`application/problem+json`), the NL API Design Rules'
error format. A validation problem lists every fault of the request at once in `invalidParams`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.http import HttpResponse

API_VERSION = "1.0.0"
PROBLEM_CONTENT_TYPE = "application/problem+json"

#: Problem types (URNs: stable names, documented in docs/api.md).
TYPE_INVALID = "urn:lvv:api:probleem:ongeldige-invoer"
TYPE_UNAUTHORIZED = "urn:lvv:api:probleem:niet-geauthenticeerd"
TYPE_FORBIDDEN = "urn:lvv:api:probleem:geen-toegang"
TYPE_NOT_FOUND = "urn:lvv:api:probleem:niet-gevonden"
TYPE_METHOD = "urn:lvv:api:probleem:methode-niet-toegestaan"
TYPE_MEDIA_TYPE = "urn:lvv:api:probleem:formaat-niet-ondersteund"
TYPE_TOO_LARGE = "urn:lvv:api:probleem:te-groot"
TYPE_SERVER = "urn:lvv:api:probleem:serverfout"

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet geauthenticeerd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    413: "Verzoek te groot",
    415: "Formaat niet ondersteund",
    500: "Interne fout",
}
TYPES = {
    400: TYPE_INVALID,
    401: TYPE_UNAUTHORIZED,
    403: TYPE_FORBIDDEN,
    404: TYPE_NOT_FOUND,
    405: TYPE_METHOD,
    413: TYPE_TOO_LARGE,
    415: TYPE_MEDIA_TYPE,
    500: TYPE_SERVER,
}


@dataclass(frozen=True)
class InvalidParam:
    """One fault: `name` is the column or parameter, `reason` the Dutch message; `line` the line of
    the delivery (header = 1; for a JSON array, element i is line i + 2), `pointer` a JSON Pointer
    into a JSON body."""

    name: str
    reason: str
    line: int | None = None
    pointer: str | None = None

    def as_dict(self) -> dict:
        data = {"name": self.name, "reason": self.reason}
        if self.line is not None:
            data["line"] = self.line
        if self.pointer is not None:
            data["pointer"] = self.pointer
        return data


@dataclass
class Problem(Exception):
    """Raised by a view; the endpoint wrapper turns it into the response."""

    status: int
    detail: str
    invalid_params: list[InvalidParam] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def with_version(response: HttpResponse) -> HttpResponse:
    response["API-Version"] = API_VERSION
    return response


def problem_response(problem: Problem, *, instance: str) -> HttpResponse:
    body = {
        "type": TYPES[problem.status],
        "title": TITLES[problem.status],
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
    }
    if problem.invalid_params:
        body["invalidParams"] = [p.as_dict() for p in problem.invalid_params]
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2) + "\n",
        status=problem.status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in problem.headers.items():
        response[name] = value
    response["Content-Language"] = "nl"
    return with_version(response)
