"""Login hardening: lockout after failed logins, the security log, session lifetime
(idle, absolute, logout, deactivation, password change)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from lvv.accounts import security
from lvv.core import clock

PASSWORD = "een-lang-testwachtwoord-2026"
HOME = "/"


@pytest.fixture
def user(gemeente_user):
    gemeente_user.set_password(PASSWORD)
    gemeente_user.save()
    return gemeente_user


def _post_login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    response = client.get(reverse("trajectories:list"))
    return response.status_code == 200


# --- lockout (django-axes) --------------------------------------------------------------------------


def test_five_failures_lock_the_username_at_that_address_also_for_the_right_password(client, user, caplog):
    caplog.set_level(logging.INFO, logger="lvv.security")
    for _ in range(4):
        response = _post_login(client, user.username, "fout")
        assert response.status_code == 200 and "Inloggen" in response.content.decode()
    response = _post_login(client, user.username, "fout")  # the fifth failure locks
    assert response.status_code == 429
    page = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in page and "Probeer het over 15 minuten opnieuw" in page
    response = _post_login(client, user.username, PASSWORD)
    assert response.status_code == 429 and not _logged_in(client)
    messages = [r.getMessage() for r in caplog.records if r.name == "lvv.security"]
    assert sum("login failed: username='medewerker.amsterdam' ip=10.0.0.1" in m for m in messages) >= 5
    assert any("login locked out: username='medewerker.amsterdam' ip=10.0.0.1" in m for m in messages)
    assert not any(PASSWORD in m or "'fout'" in m for m in messages)  # no password in the log


def test_the_lockout_is_per_username_and_address(client, user, rotterdam_user):
    rotterdam_user.set_password(PASSWORD)
    rotterdam_user.save()
    for _ in range(5):
        _post_login(client, user.username, "fout", ip="10.0.0.1")
    assert _post_login(client, user.username, PASSWORD, ip="10.0.0.1").status_code == 429
    # Another user from that address, and the same user from another address, can still log in.
    assert _post_login(client, rotterdam_user.username, PASSWORD, ip="10.0.0.1").status_code == 302
    client.logout()
    assert _post_login(client, user.username, PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lockout_ends_after_fifteen_minutes(client, user):
    for _ in range(5):
        _post_login(client, user.username, "fout")
    assert _post_login(client, user.username, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert _post_login(client, user.username, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count_and_is_logged(client, user, caplog):
    caplog.set_level(logging.INFO, logger="lvv.security")
    for _ in range(4):
        _post_login(client, user.username, "fout")
    assert _post_login(client, user.username, PASSWORD).status_code == 302
    assert any(
        r.getMessage().startswith(f"login ok: user={user.username} (id {user.pk}) ip=10.0.0.1") for r in caplog.records
    )
    client.logout()
    for _ in range(4):
        assert _post_login(client, user.username, "fout").status_code == 200
    assert _post_login(client, user.username, PASSWORD).status_code == 302


# --- refused accesses --------------------------------------------------------------------------------


def test_refused_accesses_of_logged_in_users_are_logged(client, ind_user, gemeente_user, caplog):
    caplog.set_level(logging.INFO, logger="lvv.security")
    client.force_login(ind_user)
    assert client.get(reverse("exchange:reconcile")).status_code == 403
    assert client.get(reverse("trajectories:detail", args=[999999])).status_code == 404
    messages = [r.getMessage() for r in caplog.records if r.name == "lvv.security"]
    assert any(
        m.startswith("access refused 403: user=medewerker.ind") and "GET /ketenreconciliatie/" in m for m in messages
    )
    assert any(m.startswith("access refused 404: user=medewerker.ind") and "/trajecten/999999/" in m for m in messages)


# --- session lifetime --------------------------------------------------------------------------------


class FakeWallClock:
    def __init__(self, monkeypatch):
        self.now = 1_800_000_000.0
        monkeypatch.setattr(security, "wall_clock", lambda: self.now)

    def at(self, **delta) -> FakeWallClock:
        self.now = 1_800_000_000.0 + dt.timedelta(**delta).total_seconds()
        return self


def test_a_session_ends_after_thirty_minutes_idle(client, user, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="lvv.security")
    wall = FakeWallClock(monkeypatch)
    client.force_login(user)
    wall.at(minutes=29)
    assert _logged_in(client)  # activity moves the idle deadline
    wall.at(minutes=58)
    assert _logged_in(client)
    wall.at(minutes=88, seconds=1)
    response = client.get(reverse("trajectories:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/trajecten/&sessie=verlopen"
    assert "uw sessie is verlopen" in client.get(response["Location"]).content.decode()
    assert not _logged_in(client)  # the session is gone, not just this one request
    assert any("session ended (idle)" in r.getMessage() for r in caplog.records)


def test_a_session_ends_twelve_hours_after_login_however_active(client, user, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="lvv.security")
    wall = FakeWallClock(monkeypatch)
    client.force_login(user)
    for minutes in range(20, 12 * 60, 20):
        wall.at(minutes=minutes)
        assert _logged_in(client), minutes
    wall.at(hours=12, seconds=1)
    assert not _logged_in(client)
    assert any("session ended (absolute lifetime)" in r.getMessage() for r in caplog.records)


def test_the_business_clock_does_not_touch_sessions(client, user):
    """Tests and the demo freeze lvv.core.clock on business dates; sessions follow the real time."""
    client.force_login(user)
    with clock.frozen(dt.date(2021, 1, 1)):
        assert _logged_in(client)
    assert _logged_in(client)


def test_a_session_without_login_time_is_ended(client, user):
    client.force_login(user)
    session = client.session
    del session[security.SESSION_LOGIN_AT]
    session.save()
    assert not _logged_in(client)


def test_the_idle_and_absolute_limits_are_the_asvs_values(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.LVV_SESSION_MAX_AGE == 12 * 3600


def test_logout_ends_the_session_on_the_server(client, user):
    client.force_login(user)
    old_cookie = client.cookies["sessionid"].value
    assert client.post(reverse("logout")).status_code == 302
    client.cookies["sessionid"] = old_cookie  # replaying the old cookie does not bring it back
    assert not _logged_in(client)


def test_deactivation_ends_existing_sessions(client, user):
    client.force_login(user)
    assert _logged_in(client)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not _logged_in(client)


def test_a_password_change_ends_existing_sessions(client, user):
    client.force_login(user)
    assert _logged_in(client)
    user.set_password("een-ander-wachtwoord-2027")
    user.save()
    assert not _logged_in(client)


def test_the_session_cookie_ends_when_the_browser_closes(client, user, settings):
    """SESSION_EXPIRE_AT_BROWSER_CLOSE: the session cookie carries no Expires and no Max-Age."""
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.force_login(user)
    response = client.get(reverse("trajectories:list"))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]


# --- CSRF -------------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(user):
    """The test client skips CSRF checks unless asked; a browser-like client without the token gets 403
    and nothing happens (here: the logout is refused, the session lives on)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("logout")).status_code == 403
    assert _logged_in(client)
