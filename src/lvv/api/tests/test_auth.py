"""Token authentication: a token per organisation, only its hash stored, revocable; without a
token, with a malformed or unknown one, or a revoked one, every endpoint but the OpenAPI document
answers 401 problem details."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lvv.accounts.models import User
from lvv.api.models import ApiToken
from lvv.api.services import api_token_authenticate, api_token_create, api_token_revoke, token_hash
from lvv.core.exceptions import ApplicationError

from .conftest import GEMEENTE, PROGRAMMABUREAU, Api, organisation

pytestmark = pytest.mark.usefixtures("reference_data")


def test_only_a_hash_of_the_token_is_stored():
    token, clear = api_token_create(organisation=organisation(GEMEENTE), name="Suite")
    assert clear.startswith(f"lvv_{token.key_id}.") and len(clear) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert clear not in {str(v) for v in stored.values()}
    assert stored["token_hash"] == token_hash(clear)
    assert api_token_authenticate(clear) == token


def test_a_token_acts_as_an_account_that_cannot_log_in():
    token, _ = api_token_create(organisation=organisation(GEMEENTE), name="Suite")
    user = User.objects.get(pk=token.user_id)
    assert user.username == f"api.{token.key_id}" and user.organisation == organisation(GEMEENTE)
    assert user.role == "gemeente" and not user.has_usable_password()


def test_a_name_is_unique_per_organisation():
    api_token_create(organisation=organisation(GEMEENTE), name="Suite")
    with pytest.raises(ApplicationError, match="al een token met de naam"):
        api_token_create(organisation=organisation(GEMEENTE), name="suite")
    api_token_create(organisation=organisation(PROGRAMMABUREAU), name="Suite")  # another organisation


def _assert_401(response, detail: str):
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["API-Version"] == "1.0.0"
    assert response["WWW-Authenticate"].startswith('Bearer realm="lvv-api"')
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Niet geauthenticeerd" and detail in body["detail"]


def test_without_a_token_the_answer_is_401():
    _assert_401(Api().get("gemeenten"), "Authorization: Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer lvv_00000000.verzonnen", "Bearer ", "Token lvv_x", "lvv_x", "Basic ZGVtbzpkZW1v"],
)
def test_a_bad_token_is_401(header):
    response = Api().client.get("/api/v1/gemeenten", headers={"Authorization": header})
    _assert_401(response, "onbekend of ingetrokken")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_revoked_token_is_401_at_once():
    token, clear = api_token_create(organisation=organisation(GEMEENTE), name="Suite")
    assert Api(clear).get("gemeenten").status_code == 200
    api_token_revoke(token=token)
    _assert_401(Api(clear).get("gemeenten"), "onbekend of ingetrokken")
    assert not User.objects.get(pk=token.user_id).is_active
    with pytest.raises(ApplicationError):
        api_token_revoke(token=token)


def test_a_session_login_is_no_api_authentication(gemeente_user):
    api = Api()
    api.client.force_login(gemeente_user)
    _assert_401(api.get("gemeenten"), "Authorization: Bearer")


def _command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("lvv_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_makes_lists_and_revokes_tokens():
    out, err = _command("--organisatie", "gemeente amsterdam", "--naam", "Zaaksysteem")
    clear = out.strip()
    assert "Bewaar haar nu" in err
    token = ApiToken.objects.get(name="Zaaksysteem")
    assert token.organisation.name == "Gemeente Amsterdam" and token.token_hash == token_hash(clear)
    assert Api(clear).get("gemeenten").status_code == 200

    listing, _ = _command("--lijst")
    assert f"Gemeente Amsterdam\tZaaksysteem\tlvv_{token.key_id}…" in listing and "actief" in listing
    assert clear not in listing

    out, _ = _command("--organisatie", "Gemeente Amsterdam", "--naam", "zaaksysteem", "--intrekken")
    assert "is ingetrokken" in out
    assert Api(clear).get("gemeenten").status_code == 401
    assert "ingetrokken 20" in _command("--lijst", "--organisatie", "Gemeente Amsterdam")[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--organisatie", "Gemeente Atlantis", "--naam", "X"], "Onbekende organisatie"),
        (["--organisatie", "Gemeente Amsterdam"], "Geef --organisatie en --naam op"),
        (["--organisatie", "Gemeente Amsterdam", "--naam", "X", "--intrekken"], "geen token met de naam"),
    ],
)
def test_the_command_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        _command(*args)
    assert not ApiToken.objects.exists()


def test_a_token_whose_account_was_deactivated_is_401():
    token, clear = api_token_create(organisation=organisation(GEMEENTE), name="Suite")
    User.objects.filter(pk=token.user_id).update(is_active=False)
    _assert_401(Api(clear).get("gemeenten"), "onbekend of ingetrokken")
