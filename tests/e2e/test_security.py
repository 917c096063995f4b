"""Login hardening in the browser: the second login step for the roles that need it,
its accessibility, and no Content-Security-Policy violation on the pages with inline charts."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, LOGIN_PATH, TWO_FACTOR_PATH, assert_accessible, login


def test_the_second_step_page_is_accessible_and_asked_before_anything_else(page, live_app):
    page.goto(LOGIN_PATH)
    page.fill('input[name="username"]', "dtv")
    page.fill('input[name="password"]', DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').click()
    assert page.url.split("?")[0].endswith(TWO_FACTOR_PATH)
    assert page.locator("h1").inner_text() == "Tweede stap van het inloggen"
    assert page.locator("nav").count() == 0  # no menu before the second step
    assert_accessible(page)
    page.goto("/trajecten/")
    assert page.url.split("?")[0].endswith(TWO_FACTOR_PATH)  # deny by default


@pytest.mark.parametrize("username", ["ind", "beheer.amsterdam"])
def test_demo_users_with_two_factor_log_in_with_the_demo_authenticator(page, live_app, username):
    response = login(page, live_app, username)
    assert response.ok
    assert not page.url.split("?")[0].endswith((LOGIN_PATH, TWO_FACTOR_PATH))
    assert page.locator(".lvv-header__name").count() == 1


def test_no_csp_violation_on_the_monitor(page, live_app):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    login(page, live_app, "gemeente.amsterdam")
    response = page.goto("/monitor/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("svg").count() > 0  # the inline charts are on the page
    page.goto("/trajecten/")
    assert violations == []
