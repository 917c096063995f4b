"""The API's endpoints: thin. Each checks the request, asks `permissions`, calls the exchange or
monitor code and answers JSON; every answer — errors and the OpenAPI document included — carries
`API-Version`, and every error is problem details (`problems.py`)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lvv.accounts.models import Municipality
from lvv.core.limits import body_limit
from lvv.exchange.delivery import KIND_CAPACITY, KIND_TRAJECTORIES, MSG_DATE
from lvv.monitor.indicators import BASES, BASIS_TRAJECTEN
from lvv.monitor.reports import report_bytes
from lvv.monitor.selectors import monitor_report

from . import definitions
from .deliveries import delivery_process, max_body_bytes
from .openapi import openapi_document
from .permissions import may_deliver, may_read_monitor, monitor_municipality
from .problems import InvalidParam, Problem, problem_response, with_version
from .services import api_token_authenticate

logger = logging.getLogger(__name__)

REALM = 'Bearer realm="lvv-api"'
MSG_NO_TOKEN = "Geef een API-token mee in de header Authorization: Bearer <token>."
MSG_BAD_TOKEN = "De API-token is onbekend of ingetrokken."
MSG_METHOD = "Dit pad kent alleen {methods}."
MSG_NOT_FOUND = "Op dit pad is niets. De paden staan in /api/v1/openapi.json."
MSG_TRAILING_SLASH = "Op dit pad is niets: paden eindigen niet op een slash. Bedoelt u {path}?"
MSG_SERVER_ERROR = "Er ging iets mis; er is niets veranderd. Probeer het later opnieuw."
MSG_INVALID_QUERY = "De parameters hebben {count} fout(en)."
MSG_UNKNOWN_PARAMETER = "onbekende parameter"
MSG_REQUIRED = "is verplicht"
MSG_CHOICE = "onbekende waarde '{value}'; kies uit: {options}"
MSG_MUNICIPALITY = "onbekende gemeente '{value}'"
MSG_BOOLEAN = "'{value}' is geen true of false"
MSG_NUL = "mag geen NUL-teken (\\u0000) bevatten"
MSG_NO_DELIVERY = "Alleen een gemeente levert aan, en alleen voor de eigen gemeente; {organisation} is geen gemeente."
MSG_NO_MONITOR = "De monitor is er voor het programmabureau en de gemeenten; {organisation} heeft er geen toegang toe."
MSG_OTHER_MUNICIPALITY = "{organisation} ziet in de monitor alleen de landelijke cijfers en die van {own}."


def _authenticate(request) -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if not header:
        raise Problem(401, MSG_NO_TOKEN, headers={"WWW-Authenticate": REALM})
    token = api_token_authenticate(credentials.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise Problem(401, MSG_BAD_TOKEN, headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    request.api_token = token
    request.user = token.user  # the access log names the token's account


def endpoint(*methods: str, public: bool = False):
    """An API view: token (unless public), allowed methods (none given: any), problem details,
    API-Version."""

    def decorate(view):
        @csrf_exempt  # no cookies: the token authenticates every request
        @login_not_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if methods and request.method not in methods:
                    raise Problem(
                        405, MSG_METHOD.format(methods=", ".join(methods)), headers={"Allow": ", ".join(methods)}
                    )
                if not public:
                    _authenticate(request)
                response = view(request, *args, **kwargs)
            except Problem as problem:
                response = problem_response(problem, instance=request.path)
            except Exception:
                logger.exception("API error on %s %s", request.method, request.path)
                response = problem_response(Problem(500, MSG_SERVER_ERROR), instance=request.path)
            return with_version(response)

        return wrapper

    return decorate


def _json(data, status: int = 200) -> HttpResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 2})


def _query(request, allowed: tuple[str, ...]) -> tuple[dict[str, str], list[InvalidParam]]:
    faults = [InvalidParam(name, MSG_UNKNOWN_PARAMETER) for name in request.GET if name not in allowed]
    params = {}
    for name in allowed:
        if name in request.GET:
            if "\x00" in request.GET[name]:  # PostgreSQL cannot compare with it: a 400, not a 500
                faults.append(InvalidParam(name, MSG_NUL))
            else:
                params[name] = request.GET[name].strip()
    return params, faults


def _flag(value: str | None, name: str, faults: list[InvalidParam]) -> bool:
    if value is None or value.lower() in ("false", "0", ""):
        return False
    if value.lower() in ("true", "1"):
        return True
    faults.append(InvalidParam(name, MSG_BOOLEAN.format(value=value)))
    return False


# --- endpoints ------------------------------------------------------------------------------------


@endpoint("GET", public=True)
def openapi(request):
    return _json(openapi_document())


def _delivery(request, kind: str):
    organisation = request.api_token.organisation
    if not may_deliver(organisation):
        raise Problem(403, MSG_NO_DELIVERY.format(organisation=organisation.name))
    params, faults = _query(request, ("controleer",))
    dry_run = _flag(params.get("controleer"), "controleer", faults)
    if faults:
        raise Problem(400, MSG_INVALID_QUERY.format(count=len(faults)), faults)
    with tempfile.TemporaryDirectory(prefix="lvv-api-") as folder:
        return _json(delivery_process(request, kind=kind, folder=Path(folder), dry_run=dry_run))


@body_limit(max_body_bytes, slack=0, streamed=True)  # the body is the file; `_receive` streams it
@endpoint("POST")
def trajectory_delivery(request):
    return _delivery(request, KIND_TRAJECTORIES)


@body_limit(max_body_bytes, slack=0, streamed=True)
@endpoint("POST")
def capacity_delivery(request):
    return _delivery(request, KIND_CAPACITY)


@endpoint("GET")
def monitor(request):
    organisation = request.api_token.organisation
    if not may_read_monitor(organisation):
        raise Problem(403, MSG_NO_MONITOR.format(organisation=organisation.name))
    params, faults = _query(request, ("peildatum", "basis", "gemeente"))
    peildatum = None
    if not params.get("peildatum"):
        if "peildatum" not in {fault.name for fault in faults}:  # not again after a NUL fault
            faults.append(InvalidParam("peildatum", f"{MSG_REQUIRED} (JJJJ-MM-DD)"))
    else:
        try:
            if len(params["peildatum"]) != 10:
                raise ValueError(params["peildatum"])
            peildatum = dt.date.fromisoformat(params["peildatum"])
        except ValueError:
            faults.append(InvalidParam("peildatum", MSG_DATE.format(value=params["peildatum"])))
    basis = params.get("basis") or BASIS_TRAJECTEN
    if basis not in BASES:
        faults.append(InvalidParam("basis", MSG_CHOICE.format(value=basis, options=", ".join(BASES))))
    municipality = None
    if params.get("gemeente"):
        municipality = (
            Municipality.objects.filter(name__iexact=params["gemeente"]).values_list("name", flat=True).first()
        )
        if municipality is None:
            faults.append(InvalidParam("gemeente", MSG_MUNICIPALITY.format(value=params["gemeente"])))
    if faults:
        raise Problem(400, MSG_INVALID_QUERY.format(count=len(faults)), faults)
    own = monitor_municipality(organisation)
    if own is not None:
        if municipality is not None and municipality != own:
            raise Problem(403, MSG_OTHER_MUNICIPALITY.format(organisation=organisation.name, own=own))
        municipality = own
    report = monitor_report(peildatum=peildatum, basis=basis, municipality=municipality)
    # The very bytes of `lvv monitor --format json`.
    return HttpResponse(report_bytes(report, "json"), content_type="application/json; charset=utf-8")


@endpoint("GET")
def municipalities(request):
    return _json(
        [
            {"naam": name, "regio": region, "heeft_lvv": has_lvv}
            for name, region, has_lvv in Municipality.objects.order_by("name").values_list(
                "name", "region__name", "has_lvv"
            )
        ]
    )


@endpoint("GET")
def indicator_definitions(request):
    return _json(
        {
            "bases": [{"naam": name, "omschrijving": text} for name, text in definitions.BASES.items()],
            "indicatoren": [{"naam": name, "omschrijving": text} for name, text in definitions.INDICATORS.items()],
        }
    )


@endpoint(public=True)
def not_found(request, rest: str = ""):
    if rest.endswith("/") and rest.strip("/"):
        raise Problem(404, MSG_TRAILING_SLASH.format(path=request.path.rstrip("/")))
    raise Problem(404, MSG_NOT_FOUND)
