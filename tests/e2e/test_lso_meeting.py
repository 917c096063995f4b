"""Acceptance walk of case progress, as users would do it in the browser.

The demo data give every municipality an open LSO on the day they are generated (today), its agenda
filled with what is due. The Rotterdam chair opens it: the agenda already holds a trajectory whose
sub-deadline passed and one whose term of stay runs out (or ran out). The chair records a definitive
perspective and two new steps for the first, extends the stay of the second and escalates a third case
to the MRT. The three trajectory pages then show exactly those changes in their timeline and stage, and
the decision list (PDF, downloaded and read with pypdf) names them. Every page visited is checked with
axe-core."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import assert_accessible, login

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
STEP_DUE = "Deeltermijn verlopen: evaluatie"
TERM_REASONS = ("Verblijfstermijn loopt af", "Verblijfstermijn verlopen zonder besluit")
STEP_ONE = ("Laissez-passer aanvragen bij de ambassade", "Dienst Terugkeer en Vertrek (DT&V)", 42)
STEP_TWO = ("Terugkeergesprek met de deelnemer voeren", "Stichting Havenbaken Rotterdam", 70)
QUESTION = "De ambassade reageert niet op de aanvraag van een reisdocument. Kan het MRT bemiddelen?"


def today() -> dt.date:
    """The server's today: the demo data and the live server run on the real clock, in Amsterdam time."""
    return dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def dutch(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass
class Item:
    """One agenda item as the meeting page shows it."""

    url: str
    name: str
    reason: str
    stage: str


def agenda(page) -> list[Item]:
    items = []
    for li in page.locator("li.lvv-agenda__item").all():
        link = li.get_by_role("link", name=re.compile("^(Besluit vastleggen|Agendapunt openen)"))
        items.append(
            Item(
                url=link.get_attribute("href").split("#")[0],
                name=li.locator("h3 a").inner_text().strip(),
                reason=li.locator(".lvv-agenda__reason strong").inner_text().strip(),
                stage=li.locator(".lvv-agenda__head").inner_text(),
            )
        )
    return items


def field(page, label: str):
    return page.get_by_label(label, exact=True)


def record(page, kind: str, **fields) -> None:
    """Fill the decision form of the open agenda-item page and submit it; the page confirms it."""
    field(page, "Soort besluit").select_option(kind)
    for label, value in fields.items():
        target = field(page, label)
        if target.evaluate("e => e.tagName") != "SELECT":
            target.fill(value)
        elif re.fullmatch(r"[a-z_]+", value):  # a choice's value
            target.select_option(value)
        else:  # an organisation, by its name
            target.select_option(label=value)
    with page.expect_navigation():
        page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.locator(".lvv-messages")).to_contain_text("Besluit vastgelegd")
    assert_accessible(page)


def item_facts(page) -> dict[str, str]:
    """The facts list of the agenda-item page: V-nummer, Verblijfstermijn, …"""
    facts = {}
    section = page.locator("section[aria-labelledby=kop-waarom] dl")
    for dt_el, dd_el in zip(section.locator("dt").all(), section.locator("dd").all(), strict=True):
        facts[dt_el.inner_text().strip()] = dd_el.inner_text().strip()
    return facts


def trajectory_url(page) -> str:
    """On an agenda-item page: the link to the trajectory."""
    return page.locator("main p.lvv-muted a[href^='/trajecten/']").first.get_attribute("href")


def timeline_today(page, day: dt.date) -> list[str]:
    """The trajectory page's timeline entries dated `day`."""
    stamp = day.isoformat()
    return [
        li.locator(".lvv-timeline__what").inner_text().strip()
        for li in page.locator("section[aria-labelledby=kop-tijdlijn] ol.lvv-timeline > li").all()
        if li.locator("time").count() and li.locator("time").inner_text().startswith(stamp)
    ]


def stage_of(page) -> str:
    """The stage badge in the title row (agenda-item page and trajectory page)."""
    return page.locator("main .lvv-title-row .lvv-stage").first.inner_text().strip()


def test_the_chair_runs_todays_lso_and_the_trajectories_follow(page, live_app):
    day = today()
    title = f"LSO (alle partijen), {dutch(day)}"
    login(page, live_app, "voorzitter.rotterdam")

    # The meeting list holds today's LSO, open.
    page.goto("/overleggen/")
    assert_accessible(page)
    page.get_by_role("link", name=day.isoformat(), exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".lvv-title-row .lvv-flag")).to_have_text("Open")
    assert_accessible(page)
    meeting_url = page.url.split("#")[0]

    # The agenda already holds a passed sub-deadline and a term of stay that runs out.
    items = agenda(page)
    assert any(i.reason == STEP_DUE for i in items), [i.reason for i in items]
    assert any(i.reason in TERM_REASONS for i in items), [i.reason for i in items]

    # A: a passed sub-deadline, a known V-nummer (a definitive perspective needs it) and preferably no
    # perspective yet, so the stage visibly changes.
    candidates = sorted((i for i in items if i.reason == STEP_DUE), key=lambda i: "Perspectief bepaald" in i.stage)
    a = None
    for candidate in candidates:
        page.goto(candidate.url)
        if item_facts(page)["V-nummer"] != "onbekend":
            a = candidate
            break
    assert a is not None, "no trajectory with a passed sub-deadline and a V-nummer on the agenda"
    assert_accessible(page)
    a_trajectory = trajectory_url(page)
    record(page, "perspectief", **{"Perspectief": "terugkeer", "Status perspectief": "definitief"})
    for description, party, days in (STEP_ONE, STEP_TWO):
        record(
            page,
            "deeltermijn_gezet",
            **{
                "Nieuwe stap": description,
                "Verantwoordelijke organisatie": party,
                "Deeltermijn nieuwe stap": (day + dt.timedelta(days=days)).isoformat(),
            },
        )

    # B: the term of stay; extended by three months from its current end.
    b = next(i for i in items if i.reason in TERM_REASONS and i.url != a.url)
    page.goto(b.url)
    assert_accessible(page)
    until = dt.date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", item_facts(page)["Verblijfstermijn"]).group())
    extended = max(until, day) + dt.timedelta(days=91)
    b_trajectory, b_stage = trajectory_url(page), stage_of(page)
    record(page, "verlenging", **{"Verlengd tot en met": extended.isoformat(), "Toelichting": "Drie maanden extra."})

    # C: a third case, escalated to the MRT.
    c = next(i for i in items if i.url not in (a.url, b.url))
    page.goto(c.url)
    assert_accessible(page)
    c_trajectory, c_stage = trajectory_url(page), stage_of(page)
    record(page, "escalatie", **{"Vraag aan het MRT": QUESTION})

    # The meeting page lists the decisions under their items.
    page.goto(meeting_url)
    assert_accessible(page)
    for item, text in (
        (a, "Perspectief: terugkeer (definitief)."),
        (b, f"tot en met {dutch(extended)}"),
        (c, QUESTION),
    ):
        expect(page.locator("li.lvv-agenda__item", has_text=item.name).first).to_contain_text(text)

    # The trajectory pages: exactly these changes today, and the stage that goes with them.
    lso = f"LSO {dutch(day)}: "
    page.goto(a_trajectory)
    assert_accessible(page)
    entries = timeline_today(page, day)
    assert sorted(e for e in entries if e.startswith(lso)) == sorted(
        [
            f"{lso}perspectief definitief terugkeer",
            f"{lso}stap “{STEP_ONE[0]}” ({STEP_ONE[1]}), deeltermijn {dutch(day + dt.timedelta(days=STEP_ONE[2]))}",
            f"{lso}stap “{STEP_TWO[0]}” ({STEP_TWO[1]}), deeltermijn {dutch(day + dt.timedelta(days=STEP_TWO[2]))}",
        ]
    ), entries
    others = [e for e in entries if not e.startswith(lso)]
    assert len(others) == 1 and others[0].startswith("Perspectief definitief: terugkeer"), entries
    assert stage_of(page) == "Perspectief bepaald"
    progress = page.locator("#voortgang")
    expect(progress).to_contain_text(STEP_ONE[0])
    expect(progress).to_contain_text(STEP_TWO[0])

    page.goto(b_trajectory)
    assert_accessible(page)
    assert timeline_today(page, day) == [f"{lso}verblijf verlengd tot en met {dutch(extended)} — Drie maanden extra."]
    expect(page.locator("#verblijfstermijn")).to_contain_text(f"tot en met {extended.isoformat()}")
    assert stage_of(page) == b_stage  # an extension does not move the stage

    page.goto(c_trajectory)
    assert_accessible(page)
    assert timeline_today(page, day) == [f"{lso}geëscaleerd naar het MRT"]
    expect(page.locator("#escalaties")).to_contain_text(QUESTION)
    assert stage_of(page) == c_stage

    # The decision list as PDF: downloaded with the chair's session and read back.
    page.goto(meeting_url)
    href = page.get_by_role("link", name="Besluitenlijst (pdf)").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Besluitenlijst" in text and dutch(day) in text
    for name in (a.name, b.name, c.name):
        assert name in text, name
    for expected in (
        "Perspectief: terugkeer (definitief).",
        STEP_ONE[0],
        STEP_TWO[0],
        f"Verblijf verlengd tot en met {dutch(extended)}.",
        "Escalatie naar het MRT",
        QUESTION,
    ):
        assert expected in text, expected
