"""Fixtures of the API tests: a token per kind of organisation, and a client that sends it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lvv.accounts.models import Organisation, OrganisationType
from lvv.api.services import api_token_create
from lvv.demo import factories

#: The organisations of the token matrix: one per organisation type (two municipalities).
GEMEENTE = "gemeente"  # Gemeente Amsterdam
GEMEENTE_OTHER = "gemeente_other"  # Gemeente Rotterdam
NGO = "ngo"
IND = "ind"
DTV = "dtv"
AVIM = "avim"
PROGRAMMABUREAU = "programmabureau"
ORGANISATIONS = (GEMEENTE, GEMEENTE_OTHER, NGO, IND, DTV, AVIM, PROGRAMMABUREAU)


def organisation(kind: str) -> Organisation:
    if kind == GEMEENTE:
        return factories.municipal_organisation("Amsterdam")
    if kind == GEMEENTE_OTHER:
        return factories.municipal_organisation("Rotterdam")
    if kind == NGO:
        return Organisation.objects.get_or_create(
            name="Stichting Opvang Amsterdam",
            defaults={"type": OrganisationType.NGO, "municipality": factories.municipality("Amsterdam")},
        )[0]
    return factories.national_organisation(kind)


class Api:
    """A test client for /api/v1 with a bearer token (or none)."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, token):
        token = self.token if token is ... else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, params=None, *, token=...):
        return self.client.get(f"/api/v1/{path}", params or {}, headers=self._headers(token))

    def post(self, path: str, body, *, content_type="application/json", token=..., query: str = ""):
        data = json.dumps(body) if content_type == "application/json" and not isinstance(body, (str, bytes)) else body
        url = f"/api/v1/{path}" + (f"?{query}" if query else "")
        return self.client.post(url, data, content_type=content_type, headers=self._headers(token))

    def request(self, method: str, path: str, *, token=...):
        return self.client.generic(method, f"/api/v1/{path}", headers=self._headers(token))


@pytest.fixture
def tokens(reference_data) -> dict[str, str]:
    """A token in clear per organisation of the matrix."""
    return {kind: api_token_create(organisation=organisation(kind), name="koppeling")[1] for kind in ORGANISATIONS}


@pytest.fixture
def api_for(tokens):
    return lambda kind: Api(tokens[kind] if kind else None)
