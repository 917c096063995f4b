"""Locust scenario of the load test (issue 7 §5); run by benchmarks/load_test.py, which explains it.

Every simulated user logs in through the login form (CSRF token from the form, and for the roles with
a second factor the TOTP code computed from its own authenticator key), then works through the pages
of its role with a think time of `LVV_LOAD_THINK_MIN`–`LVV_LOAD_THINK_MAX` seconds (default 3–10)
between pages. Accounts come from the JSON file in `LVV_LOAD_USERS` (made by the driver): one
account per simulated user, so sessions and second factors are not shared.

Writes: municipal and NGO users add guidance notes through the note form. Each note carries a unique
marker; every note is recorded as attempted before it is sent, and as acknowledged when the server
answers with the redirect to the trajectory page. At the end both lists, and the name, time and
outcome of every request, go to `LVV_LOAD_RESULTS` (JSON) so the driver can count the writes in the database and
compute exact percentiles.

Request names (the rows of the statistics) are the page types, e.g. `werklijst`, `trajectpagina`,
`persoonspagina`, `notitie (formulier)`, `notitie (opslaan)`, `monitor`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
import uuid

from locust import HttpUser, between, events, task

USERS = (
    json.loads(open(os.environ["LVV_LOAD_USERS"], encoding="utf-8").read()) if os.environ.get("LVV_LOAD_USERS") else {}
)
THINK = between(float(os.environ.get("LVV_LOAD_THINK_MIN", "3")), float(os.environ.get("LVV_LOAD_THINK_MAX", "10")))
RUN_ID = os.environ.get("LVV_LOAD_RUN_ID") or uuid.uuid4().hex[:8]
#: The mix is given for 200 users; `LVV_LOAD_TOTAL` (the driver's --users) scales it.
SCALE = int(os.environ.get("LVV_LOAD_TOTAL", "200")) / 200
#: LVV_LOAD_MONITOR=0: a run without the monitor (the programmabureau's users become case workers).
MONITOR = os.environ.get("LVV_LOAD_MONITOR", "1") == "1"
#: LVV_LOAD_SIGNALS=0: a run without the signals dashboard (to see what it costs the other pages).
SIGNALS = os.environ.get("LVV_LOAD_SIGNALS", "1") == "1"
PEILDATA = ["2025-12-31", "2025-09-30", "2025-06-30", "2024-12-31", "2023-12-31", "2022-06-30"]

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TRAJECTORY_RE = re.compile(r'href="/trajecten/(\d+)/"')
PERSON_RE = re.compile(r'href="/personen/(\d+)/"')
MEETING_RE = re.compile(r'href="/overleggen/(\d+)/"')
ITEM_RE = re.compile(r'href="/overleggen/(\d+)/punten/(\d+)/')
TOTAL_RE = re.compile(r"\d+–\d+ van (\d+)")

REQUESTS: list[tuple[str, float, bool]] = []
ATTEMPTED: list[dict] = []
ACKNOWLEDGED: list[dict] = []
_accounts: dict[str, itertools.count] = {}
_user_ids = itertools.count(1)


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HMAC-SHA1), as django-otp's TOTPDevice computes it."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def _next_account(group: str) -> dict:
    counter = _accounts.setdefault(group, itertools.count())
    accounts = USERS[group]
    return accounts[next(counter) % len(accounts)]


class LvvUser(HttpUser):
    abstract = True
    wait_time = THINK
    group = ""

    def on_start(self):
        self.account = _next_account(self.group)
        self.uid = next(_user_ids)  # unique per simulated user (two may share an account)
        self.trajectories: list[int] = []
        self.persons: list[int] = []
        self.writes = 0
        self.pages = 1
        self.login()

    # --- helpers ---------------------------------------------------------------------------------

    def get(self, url: str, name: str, *, expect: str | None = None):
        """GET a page; a redirect to the login page or a missing expected text is a failure."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code} {getattr(response, 'error', '')!r}"[:300])
            elif "/inloggen/" in response.url and "/inloggen/" not in url:
                response.failure("sent back to the login page")
            elif expect and expect not in response.text:
                response.failure(f"text {expect!r} missing")
            else:
                response.success()
            return response

    def login(self) -> None:
        page = self.get("/inloggen/", "inloggen (formulier)")
        token = CSRF_RE.search(page.text)
        data = {
            "username": self.account["username"],
            "password": self.account["password"],
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        with self.client.post(
            "/inloggen/", data=data, name="inloggen (versturen)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: status {response.status_code}")
                return
            response.success()
        if self.account.get("totp_key"):  # the roles with a second factor: the code of their own key
            page = self.get("/inloggen/tweede-stap/", "tweede stap (formulier)")
            token = CSRF_RE.search(page.text)
            data = {"token": totp(self.account["totp_key"]), "csrfmiddlewaretoken": token.group(1) if token else ""}
            with self.client.post(
                "/inloggen/tweede-stap/",
                data=data,
                name="tweede stap (versturen)",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"TOTP refused: status {response.status_code}")
                    return
                response.success()
        self.get("/", "startpagina")

    def worklist(self, query: str = "") -> None:
        # Half of the visits open a random page of the list (the view reads `pagina`).
        page = random.randint(1, self.pages) if (random.random() < 0.5 and not query) else 1
        url = "/trajecten/?" + (f"pagina={page}" if page > 1 else "") + query
        response = self.get(url, "werklijst" + (" (zoeken/filter)" if query else ""), expect="Werklijst")
        total = TOTAL_RE.search(response.text)
        if total and not query:
            self.pages = max(1, -(-int(total.group(1)) // 50))
        found = [int(pk) for pk in TRAJECTORY_RE.findall(response.text)]
        if found:
            self.trajectories = found

    def trajectory(self) -> int | None:
        if not self.trajectories:
            self.worklist()
        if not self.trajectories:
            return None
        pk = random.choice(self.trajectories)
        response = self.get(f"/trajecten/{pk}/", "trajectpagina")
        self.persons = [int(p) for p in PERSON_RE.findall(response.text)] or self.persons
        return pk

    def person(self) -> None:
        if not self.persons:
            self.trajectory()
        if self.persons:
            self.get(f"/personen/{random.choice(self.persons)}/", "persoonspagina")

    def note(self) -> None:
        """Open the note form of a trajectory and save a note with a unique marker."""
        pk = self.trajectory()
        if pk is None:
            return
        form = self.get(f"/trajecten/{pk}/notitie/", "notitie (formulier)")
        token = CSRF_RE.search(form.text)
        if not token:
            return
        self.writes += 1
        marker = f"LT-{RUN_ID}-u{self.uid}-{self.account['username']}-{self.writes}"
        write = {"marker": marker, "trajectory": pk, "user": self.account["username"]}
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "text": f"Belastingtest {marker}: gesprek gevoerd over de voortgang; vervolgafspraak gemaakt.",
            "visibility": random.choice(["organisatie", "keten", "lso"]),
        }
        ATTEMPTED.append(write)  # before sending: a request still in flight when the test stops counts too
        with self.client.post(
            f"/trajecten/{pk}/notitie/",
            data=data,
            name="notitie (opslaan)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.status_code == 302 else ""
            if location.rstrip("/").endswith(f"/trajecten/{pk}"):
                response.success()
                ACKNOWLEDGED.append(write)
            else:
                response.failure(f"note not saved: status {response.status_code}")
                return
        self.get(f"/trajecten/{pk}/", "trajectpagina", expect=marker)

    def search(self) -> None:
        term = random.choice(["a", "ro", "Persoon", "de", "AMS", "ma"])
        self.worklist(f"&q={term}&stage=alle")

    def monitor(self, name: str = "monitor") -> None:
        peildatum = random.choice(PEILDATA)
        basis = random.choice(["trajecten", "personen"])
        self.get(f"/monitor/?peildatum={peildatum}&basis={basis}", name)


class Gemeente(LvvUser):
    """Municipal case worker: work list, trajectory and person pages, notes, signals."""

    group = "gemeente"
    fixed_count = max(1, round((70 if MONITOR else 85) * SCALE))

    @task(6)
    def t_worklist(self):
        self.worklist()

    @task(2)
    def t_search(self):
        self.search()

    @task(8)
    def t_trajectory(self):
        self.trajectory()

    @task(4)
    def t_person(self):
        self.person()

    @task(3)
    def t_note(self):
        self.note()

    @task(1)
    def t_signals(self):
        if SIGNALS:
            self.get("/signalen/", "signalen")

    @task(1)
    def t_home(self):
        self.get("/", "startpagina")


class Voorzitter(Gemeente):
    """LSO chair: as a case worker, plus the LSO agenda (meeting list, meeting, agenda item)."""

    group = "voorzitter"
    fixed_count = max(1, round(25 * SCALE))

    def on_start(self):
        super().on_start()
        self.meetings: list[int] = []
        self.items: list[tuple[int, int]] = []

    @task(3)
    def t_meetings(self):
        response = self.get("/overleggen/", "overleggen (lijst)")
        self.meetings = [int(pk) for pk in MEETING_RE.findall(response.text)][:5] or self.meetings

    @task(5)
    def t_meeting(self):
        if not self.meetings:
            self.t_meetings()
        if self.meetings:
            response = self.get(f"/overleggen/{random.choice(self.meetings[:3])}/", "overleg (agenda)")
            self.items = [(int(m), int(i)) for m, i in ITEM_RE.findall(response.text)] or self.items

    @task(2)
    def t_item(self):
        if self.items:
            meeting, item = random.choice(self.items)
            self.get(f"/overleggen/{meeting}/punten/{item}/", "agendapunt")

    @task(1)
    def t_monitor(self):
        if MONITOR:
            self.monitor("monitor (gemeente)")


class Ngo(LvvUser):
    """NGO worker: their work list, trajectory pages, notes."""

    group = "ngo"
    fixed_count = max(1, round(50 * SCALE))

    @task(5)
    def t_worklist(self):
        self.worklist()

    @task(8)
    def t_trajectory(self):
        self.trajectory()

    @task(3)
    def t_person(self):
        self.person()

    @task(3)
    def t_note(self):
        self.note()


class Keten(LvvUser):
    """Chain partners (IND, DT&V, AVIM): their list and the person and trajectory pages."""

    group = "keten"
    fixed_count = max(1, round(40 * SCALE))

    @task(4)
    def t_worklist(self):
        self.worklist()

    @task(1)
    def t_search(self):
        self.search()

    @task(6)
    def t_trajectory(self):
        self.trajectory()

    @task(4)
    def t_person(self):
        self.person()


class Programmabureau(LvvUser):
    """Programmabureau: the national monitor at a peildatum, and its definitions."""

    group = "programmabureau"
    abstract = not MONITOR
    fixed_count = max(1, round(15 * SCALE))

    @task(6)
    def t_monitor(self):
        self.monitor()

    @task(1)
    def t_definitions(self):
        self.get("/monitor/definities/", "monitor (definities)")

    @task(1)
    def t_home(self):
        self.get("/", "startpagina")


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    REQUESTS.append((name, response_time, exception is None))


@events.test_stop.add_listener
def _write_results(environment, **kwargs):
    path = os.environ.get("LVV_LOAD_RESULTS")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            results = {"attempted": ATTEMPTED, "acknowledged": ACKNOWLEDGED, "requests": REQUESTS}
            json.dump({"run_id": RUN_ID, **results}, f)
