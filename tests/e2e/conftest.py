"""Fixtures for the browser tests (Playwright driving Debian's chromium, axe-core for accessibility).

The tests talk to a real `lvv serve` in a child process, on its own SQLite file with the demo data,
so they behave the same whether the rest of the suite runs on SQLite or on PostgreSQL. They never
touch the database in-process: while Playwright runs, an asyncio loop is active in the test thread
and Django refuses synchronous ORM calls there.

    from tests.e2e.conftest import assert_accessible, login

    def test_worklist(page, live_app):
        login(page, live_app, "gemeente.amsterdam")
        page.goto("/trajecten/")          # relative to live_app: the context has it as base_url
        assert_accessible(page)

Every test under tests/e2e gets the `e2e` marker (deselect with -m "not e2e") and runs after all other
tests of the session. Without /usr/bin/chromium the tests are skipped, or fail when CI is set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = os.environ.get("LVV_DEMO_PASSWORD", "demo-lvv-2026")
LOGIN_PATH = "/inloggen/"
TWO_FACTOR_PATH = "/inloggen/tweede-stap/"
TOTP_STEP = 30  # seconds
#: axe-core impact levels that fail a test; "minor" and "moderate" are reported by axe but tolerated.
BLOCKING_IMPACTS = {"serious", "critical"}
SERVER_START_TIMEOUT = 60  # seconds


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/e2e as `e2e` and move those tests to the end of the session.

    tryfirst: the marker must be on the items before `-m` deselects. Moving them last keeps the
    session-scoped browser (and its running event loop) away from the in-process database tests.
    """
    e2e, others = [], []
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            e2e.append(item)
        else:
            others.append(item)
    items[:] = others + e2e


def _lvv_command() -> list[str]:
    """The `lvv` console script of the running interpreter's environment."""
    script = Path(sys.executable).with_name("lvv")
    if script.exists():
        return [str(script)]
    found = shutil.which("lvv")
    if found:
        return [found]
    return [sys.executable, "-m", "lvv.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_step(args: list[str], env: dict[str, str], cwd: Path, what: str) -> None:
    result = subprocess.run(
        args, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        pytest.fail(
            f"{what} failed (exit code {result.returncode}): {' '.join(args)}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}",
            pytrace=False,
        )


def _wait_until_answering(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"lvv serve stopped with exit code {server.returncode} before answering:\n"
                f"{log_path.read_text(errors='replace')[-4000:]}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer (even an error page) means the server is up
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.25)
    pytest.fail(
        f"lvv serve did not answer {url} within {SERVER_START_TIMEOUT}s:\n"
        f"{log_path.read_text(errors='replace')[-4000:]}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def live_app() -> Iterator[str]:
    """A running lvv with demo data on its own SQLite file; yields the base URL (no trailing slash).

    The environment is set for the child processes only, never in the pytest process, so the
    PostgreSQL run of the suite does not leak into (or get changed by) the browser tests.
    """
    tmp = Path(tempfile.mkdtemp(prefix="lvv-e2e-"))
    env = os.environ.copy()
    env.update(
        {
            "LVV_VAR_DIR": str(tmp),
            "LVV_DATABASE_URL": f"sqlite:///{tmp / 'e2e.sqlite3'}",
            "LVV_DEMO_PASSWORD": DEMO_PASSWORD,
            # The settings a deployment uses (not the test settings pytest-django put in our environment).
            "DJANGO_SETTINGS_MODULE": "lvv.conf.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("LVV_DEBUG", None)
    lvv = _lvv_command()
    server = None
    try:
        _run_step([*lvv, "migrate"], env, tmp, "lvv migrate")
        _run_step([*lvv, "manage", "lvv_demo_data"], env, tmp, "lvv manage lvv_demo_data")

        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        log_path = tmp / "serve.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [*lvv, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                env=env,
                cwd=tmp,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stopping it also stops gunicorn's workers
            )
        _wait_until_answering(base_url + LOGIN_PATH, server, log_path)
        yield base_url
    finally:
        if server is not None:
            _stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, 15)  # SIGTERM: gunicorn shuts its workers down gracefully
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)
        server.wait(timeout=5)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium, shared by all browser tests of the session."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_app):
    """A fresh browser context per test (no shared cookies), Dutch locale and Amsterdam time.

    `page.goto("/pad/")` is relative to the running app. Any answer of the app with a 5xx status
    fails the test, so no check (axe included) can pass on an error page unnoticed.
    """
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", base_url=live_app)
    context.set_default_timeout(15_000)
    page = context.new_page()
    server_errors: list[str] = []
    page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    try:
        yield page
    finally:
        context.close()
    if server_errors:
        pytest.fail("The app answered with a server error: " + "; ".join(server_errors), pytrace=False)


def login(page, base_url: str, username: str, password: str = DEMO_PASSWORD):
    """Log in through the login form as a demo user; returns the response of the page it lands on.

    Demo users who need a second factor (chain partners, programmabureau, functional administrators)
    land on the second login step; the code is computed from the demo TOTP secret, as an
    authenticator app would. Fails the test when the login page (or the second step) is still shown
    afterwards (wrong name, password or code).
    """
    page.context.clear_cookies()  # log out whoever was logged in; the login page redirects them
    page.goto(base_url.rstrip("/") + LOGIN_PATH)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    with page.expect_navigation() as navigation:
        page.locator('form button[type="submit"]').first.click()
    if page.url.split("?")[0].endswith(LOGIN_PATH):
        pytest.fail(f"Login as {username!r} failed; still on {page.url}", pytrace=False)
    if page.url.split("?")[0].endswith(TWO_FACTOR_PATH):
        return _enter_totp(page, username)
    return navigation.value


#: The last TOTP time step used per user: django-otp accepts every code only once.
_last_totp_step: dict[str, int] = {}


def totp_code(secret_base32: str, step: int) -> str:
    """RFC 6238 TOTP (HMAC-SHA1, 6 digits) for a time step, as an authenticator app computes it."""
    digest = hmac.new(base64.b32decode(secret_base32), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def _enter_totp(page, username: str):
    from lvv.demo.data import DEMO_TOTP_SECRET

    now_step = int(time.time()) // TOTP_STEP
    step = max(now_step, _last_totp_step.get(username, -1) + 1)
    if step > now_step + 1:  # the server accepts one step either side of its clock
        time.sleep(max(0.0, (step - 1) * TOTP_STEP - time.time()) + 0.2)  # wait for a fresh code
    _last_totp_step[username] = step
    page.fill('input[name="token"]', totp_code(DEMO_TOTP_SECRET, step))
    with page.expect_navigation() as navigation:
        page.locator('main form button[type="submit"]').first.click()  # not the header's logout button
    if page.url.split("?")[0].endswith(TWO_FACTOR_PATH):
        pytest.fail(f"Second login step as {username!r} failed; still on {page.url}", pytrace=False)
    return navigation.value


def assert_accessible(page, *, context=None, ignore: tuple[str, ...] = ()) -> None:
    """Run axe-core on the current page; fail on any serious or critical violation.

    `context` narrows the check to part of the page (an axe context, e.g. "main"); `ignore` lists
    axe rule ids to leave out — use it only with a comment that says why.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    blocking = [
        v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS and v["id"] not in ignore
    ]
    if not blocking:
        return
    lines = [f"{len(blocking)} serious/critical accessibility violation(s) on {page.url}:"]
    for violation in blocking:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            target = ", ".join(map(str, node["target"]))
            lines.append(f"    {target}: {node.get('failureSummary', '').strip()}")
            lines.append(f"      {node.get('html', '')[:200]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    report = "\n".join(lines)
    print(report)
    pytest.fail(report, pytrace=False)
