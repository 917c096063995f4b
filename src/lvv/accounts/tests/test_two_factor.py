"""Two-factor authentication (TOTP, django-otp) for chain partners, programmabureau and
administrators. The unit-test settings switch it off for other features' tests; here
it is on, as in every deployment."""

from __future__ import annotations

import base64
import importlib.util
import logging
import re
import time
import urllib.parse
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lvv.accounts import security
from lvv.demo import data as demo
from lvv.demo import factories

VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.LVV_TWO_FACTOR_REQUIRED = True


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=steps_ahead):06d}"


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


@pytest.mark.parametrize("fixture", ["ind_user", "dtv_user", "avim_user", "programmabureau_user", "functional_admin"])
def test_who_needs_a_second_factor(request, fixture, gemeente_user, lso_chair, ngo_user, settings):
    if fixture == "functional_admin":
        user = factories.UserFactory(
            username="beheer.amsterdam", is_functional_admin=True, organisation=gemeente_user.organisation
        )
    else:
        user = request.getfixturevalue(fixture)
    assert security.requires_two_factor(user)
    for other in (gemeente_user, lso_chair, ngo_user):
        assert not security.requires_two_factor(other)


def test_an_unverified_chain_partner_reaches_nothing_but_the_second_step(client, ind_user):
    _device(ind_user)
    client.force_login(ind_user)
    for url in (reverse("web:home"), reverse("trajectories:list"), reverse("exchange:reconcile")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{VERIFY}?next={urllib.parse.quote(url)}"
    assert client.get(VERIFY).status_code == 200
    assert client.post(reverse("logout")).status_code == 302  # logging out is always possible


def test_a_municipality_user_needs_no_second_factor(client, gemeente_user):
    client.force_login(gemeente_user)
    assert client.get(reverse("trajectories:list")).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("web:home")


def test_the_right_code_completes_the_login_and_goes_to_next(client, dtv_user, caplog):
    caplog.set_level(logging.INFO, logger="lvv.security")
    device = _device(dtv_user)
    client.force_login(dtv_user)
    session_key = client.session.session_key
    page = client.get(VERIFY, {"next": "/trajecten/"}).content.decode()
    assert "Tweede stap van het inloggen" in page and 'autocomplete="one-time-code"' in page
    response = client.post(VERIFY, {"token": _code(device), "next": "/trajecten/"})
    assert response.status_code == 302 and response["Location"] == "/trajecten/"
    assert client.session.session_key != session_key  # a new session id after the second step
    assert client.get(reverse("trajectories:list")).status_code == 200
    assert any(r.getMessage().startswith("two-factor verified: user=medewerker.dtv") for r in caplog.records)


def test_a_wrong_code_is_refused_with_a_dutch_message_and_logged(client, dtv_user, caplog):
    caplog.set_level(logging.INFO, logger="lvv.security")
    device = _device(dtv_user)
    client.force_login(dtv_user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    page = client.post(VERIFY, {"token": wrong}).content.decode()
    assert "Deze code klopt niet" in page
    assert client.get(reverse("trajectories:list")).status_code == 302
    page = client.post(VERIFY, {"token": "12ab"}).content.decode()
    assert "Vul de code van zes cijfers in" in page
    assert any(r.getMessage().startswith("two-factor failed: user=medewerker.dtv") for r in caplog.records)


def test_after_a_failure_the_device_is_throttled(client, dtv_user):
    device = _device(dtv_user)
    client.force_login(dtv_user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    client.post(VERIFY, {"token": wrong})
    # Straight after a failure even the right code waits (django-otp's exponential back-off).
    page = client.post(VERIFY, {"token": _code(device)}).content.decode()
    assert "te veel onjuiste codes" in page
    assert client.get(reverse("trajectories:list")).status_code == 302


def test_a_code_is_accepted_only_once(client, avim_user):
    device = _device(avim_user)
    code = _code(device)
    client.force_login(avim_user)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.post(reverse("logout"))
    client.force_login(avim_user)
    assert "Deze code klopt niet" in client.post(VERIFY, {"token": code}).content.decode()


def test_a_user_without_device_sets_one_up_with_a_qr_code(client, programmabureau_user, caplog):
    caplog.set_level(logging.INFO, logger="lvv.security")
    client.force_login(programmabureau_user)
    response = client.get(VERIFY, {"next": "/"})
    assert response["Location"] == f"{SETUP}?next=%2F"
    page = client.get(SETUP).content.decode()
    assert "Tweestapsverificatie instellen" in page
    assert re.search(r'<img src="data:image/svg\+xml;charset=utf-8,[^"]+" alt="QR-code', page)
    secret = re.search(r'<code class="lvv-qr__secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=programmabureau_user)
    assert not device.confirmed and base64.b32decode(secret) == device.bin_key
    assert client.get(SETUP).content.decode().count(secret[:4]) >= 1  # the same secret on reload
    assert TOTPDevice.objects.filter(user=programmabureau_user).count() == 1
    # Until a code is entered the account is not set up and nothing else is reachable.
    assert client.get(reverse("web:home")).status_code == 302
    response = client.post(SETUP, {"token": _code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("web:home")).status_code == 200
    assert any(r.getMessage().startswith("two-factor enrolled") for r in caplog.records)
    # With a device, set-up is closed: nobody can add a second device with only the password.
    client.post(reverse("logout"))
    client.force_login(programmabureau_user)
    assert client.get(SETUP)["Location"].startswith(VERIFY)


def test_next_may_not_lead_off_site(client, ind_user):
    device = _device(ind_user)
    client.force_login(ind_user)
    response = client.post(VERIFY, {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:home")


def test_the_token_api_is_not_behind_the_second_step(client, ind_user):
    _device(ind_user)
    client.force_login(ind_user)
    response = client.get("/api/v1/gemeenten")
    assert response.status_code == 401  # the API's own token check answers, no redirect to the 2FA page


def test_demo_users_get_the_documented_demo_device(db, reference_data):
    org = factories.national_organisation("ind")
    ind = factories.UserFactory(username="ind", organisation=org)
    gemeente = factories.UserFactory(
        username="gemeente.amsterdam", organisation=factories.municipal_organisation("Amsterdam")
    )
    demo._create_demo_totp_devices()
    device = TOTPDevice.objects.get(user=ind)
    assert device.confirmed and base64.b32encode(device.bin_key).decode() == demo.DEMO_TOTP_SECRET
    assert not TOTPDevice.objects.filter(user=gemeente).exists()
    # The browser tests' login() computes the same codes as django-otp does for the demo device.
    e2e_conftest = _load_e2e_conftest()
    for step in (0, 1, 59_000_000, int(time.time()) // 30):
        reference = TOTP(device.bin_key, step=30, digits=6)
        reference.time = step * 30
        assert e2e_conftest.totp_code(demo.DEMO_TOTP_SECRET, step) == f"{reference.token():06d}"


def _load_e2e_conftest():
    path = Path(__file__).resolve().parents[4] / "tests" / "e2e" / "conftest.py"
    spec = importlib.util.spec_from_file_location("lvv_e2e_conftest_copy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
