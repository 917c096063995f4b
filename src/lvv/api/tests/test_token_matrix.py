"""The API's access matrix: every endpoint × every kind of organisation × no token. The API is
token-only (the session-based matrix in accounts/tests/test_access_matrix.py excludes its URLs and
points here). Also: every answer under /api/v1/ carries API-Version, and nothing redirects."""

from __future__ import annotations

import pytest

from lvv.api import urls
from lvv.trajectories.models import Trajectory

from .conftest import AVIM, DTV, GEMEENTE, GEMEENTE_OTHER, IND, NGO, ORGANISATIONS, PROGRAMMABUREAU

NONE = None  # no token
EVERYONE = frozenset(ORGANISATIONS)
MUNICIPALITIES = frozenset({GEMEENTE, GEMEENTE_OTHER})

#: url name → (method, path, body, who gets 200; the other organisations get 403, no token 401).
ENDPOINTS = {
    "api:trajectory_delivery": ("POST", "leveringen", [], MUNICIPALITIES),
    "api:capacity_delivery": ("POST", "capaciteit", [], MUNICIPALITIES),
    "api:monitor": ("GET", "monitor?peildatum=2022-07-01", None, MUNICIPALITIES | {PROGRAMMABUREAU}),
    "api:municipalities": ("GET", "gemeenten", None, EVERYONE),
    "api:indicator_definitions": ("GET", "indicatoren", None, EVERYONE),
    "api:openapi": ("GET", "openapi.json", None, EVERYONE | {NONE}),  # public
}
ACTORS = (*ORGANISATIONS, NONE)


def test_every_api_url_is_in_the_matrix():
    names = {f"api:{p.name}" for p in urls.urlpatterns if p.name != "not_found"}
    assert names == set(ENDPOINTS)


def _call(api, method: str, path: str, body):
    if method == "POST":
        return api.post(path, body)
    return api.client.get(f"/api/v1/{path}", headers=api._headers(...))


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a or "geen_token")
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_token_matrix(api_for, name, actor):
    method, path, body, allowed = ENDPOINTS[name]
    response = _call(api_for(actor), method, path, body)
    expected = 200 if actor in allowed else (401 if actor is None else 403)
    assert response.status_code == expected, (name, actor, response.content[:300])
    assert response["API-Version"] == "1.0.0"
    if expected != 200:
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["status"] == expected
    assert not Trajectory.objects.exists()  # an empty delivery writes nothing


def test_the_matrix_covers_every_kind_of_organisation():
    assert {IND, DTV, AVIM, NGO, PROGRAMMABUREAU, GEMEENTE} <= set(ORGANISATIONS)


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "gemeenten/", 404),  # a trailing slash: no redirect, a problem
        ("GET", "monitor/", 404),
        ("POST", "leveringen/", 404),
        ("GET", "openapi.json/", 404),
        ("GET", "", 404),
        ("GET", "bestaat-niet", 404),
        ("DELETE", "gemeenten", 405),
        ("PUT", "leveringen", 405),
        ("GET", "leveringen", 405),
        ("POST", "openapi.json", 405),
    ],
)
def test_every_answer_is_a_versioned_problem_never_a_redirect_or_a_page(api_for, method, path, status):
    response = api_for(GEMEENTE).request(method, path)
    assert response.status_code == status
    assert response["API-Version"] == "1.0.0"
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == status
    if status == 405:
        assert response["Allow"] in ("GET", "POST")
    if path.endswith("/") and path:
        assert f"Bedoelt u /api/v1/{path.rstrip('/')}?" in response.json()["detail"]


def test_paths_without_a_trailing_slash_do_not_redirect(api_for):
    api = api_for(PROGRAMMABUREAU)
    for path in ("gemeenten", "indicatoren", "openapi.json", "monitor?peildatum=2022-07-01"):
        assert api.client.get(f"/api/v1/{path}", headers=api._headers(...)).status_code == 200


def test_an_unexpected_error_is_a_versioned_500_problem(api_for, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("kapot")

    monkeypatch.setattr("lvv.api.views.monitor_report", broken)
    response = api_for(PROGRAMMABUREAU).get("monitor", {"peildatum": "2022-07-01"})
    assert response.status_code == 500
    assert response["API-Version"] == "1.0.0"
    assert response["Content-Type"].startswith("application/problem+json")
    assert "kapot" not in response.content.decode()  # no internals in the answer


def test_no_api_answer_carries_notes_documents_or_names_of_any_class(api_for, admitted_trajectory, gemeente_user):
    """Every visibility class × every GET endpoint × every organisation:
    the API gives aggregates and definitions only, so a note or document of any class — and the
    person's name — is in no answer, for any token."""
    from lvv.demo import factories
    from lvv.trajectories.documents import document_add
    from lvv.trajectories.services import note_add, trajectory_assign_organisations

    from .conftest import organisation

    ngo_user = factories.UserFactory(username="api.ngo", organisation=organisation(NGO))
    trajectory_assign_organisations(
        actor=gemeente_user, trajectory=admitted_trajectory, organisations=[ngo_user.organisation]
    )
    markers = []
    for visibility in ("organisatie", "keten", "lso"):
        marker = f"APIMATRIX{visibility.upper()}QX"
        note_add(actor=ngo_user, trajectory=admitted_trajectory, text=marker + "N", visibility=visibility)
        document_add(
            actor=ngo_user,
            trajectory=admitted_trajectory,
            title=marker + "D",
            filename="a.pdf",
            content=b"%PDF-1.4 " + marker.encode(),
            visibility=visibility,
        )
        markers += [marker + "N", marker + "D", marker]
    name = admitted_trajectory.person.family_name
    for endpoint, (method, path, _, _) in ENDPOINTS.items():
        if method != "GET":
            continue
        for actor in ACTORS:
            text = _call(api_for(actor), method, path, None).content.decode()
            for secret in (*markers, name):
                assert secret not in text, (endpoint, actor, secret)
