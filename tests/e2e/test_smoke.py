"""Smoke test: the app starts, the login page is accessible and a demo user can log in."""

from tests.e2e.conftest import LOGIN_PATH, assert_accessible, login


def test_login_page_loads_and_is_accessible(page, live_app):
    response = page.goto(LOGIN_PATH)

    assert response is not None and response.status == 200
    assert page.locator('input[name="username"]').is_visible()
    assert page.locator('input[name="password"]').is_visible()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert_accessible(page)


def test_municipality_user_logs_in_and_lands_on_a_page(page, live_app):
    response = login(page, live_app, "gemeente.amsterdam")

    assert response is not None, "no page after logging in"
    assert response.status == 200, f"{page.url} answered {response.status}"
    assert not page.url.split("?")[0].endswith(LOGIN_PATH)
    assert page.locator("h1").first.is_visible()
