"""The sharing matrix of docs/delen.md, as a test generated from it.

The three tables under the `<!-- deelmatrix:… -->` markers are read from the document; every row
becomes a case that builds its situation through the real services and opens the real pages as
every viewer. A change in the document or in the access rules that makes them disagree fails here.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from lvv.accounts.models import OrganisationType
from lvv.admissions.services import consent_withdraw
from lvv.audit.models import AccessLogEntry
from lvv.demo import factories
from lvv.trajectories.documents import document_add
from lvv.trajectories.services import note_add, trajectory_assign_organisations

DOC = Path(__file__).resolve().parents[4] / "docs" / "delen.md"
PDF = b"%PDF-1.4\n%%EOF\n"


def read_table(name: str) -> list[dict[str, str]]:
    """The markdown table right after `<!-- deelmatrix:name -->`, as one dict per row."""
    text = DOC.read_text(encoding="utf-8")
    marker = f"<!-- deelmatrix:{name} -->"
    assert marker in text, f"{DOC.name} lacks the table {marker}"
    lines = text.split(marker, 1)[1].strip().splitlines()
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, separator, *body = rows
    assert all(re.fullmatch(r"-+", c) for c in separator), f"table {name}: no header separator"
    return [dict(zip(header, row, strict=True)) for row in body]


def yes(cell: str) -> bool:
    assert cell in ("ja", "nee"), f"a cell of docs/delen.md reads '{cell}', not ja or nee"
    return cell == "ja"


ACCESS = read_table("toegang")
DECLARATIONS = read_table("verklaringen")
FIELDS = read_table("velden")
CLASSES = read_table("klassen")

#: Unique values of the fields in table 2 (the person is created with them).
FIELD_VALUES = {
    "achternaam": ("family_name", "Deelmatrixachternaam"),
    "voornamen": ("given_names", "Deelmatrixvoornaam"),
    "V-nummer": ("v_number", "4455667788"),
    "talen": ("languages", "Deelmatrixtaal"),
    "telefoonnummer": ("phone", "06-55501234"),
    "e-mailadres": ("email", "deelmatrix.post@example.org"),
    "adres of verblijfplaats": ("address", "Deelmatrixstraat 9"),
}

PARTY = {"ngo's": "ngo", "IND": "ind", "DT&V": "dtv", "AVIM": "avim"}


@pytest.fixture
def world(reference_data):
    """An Amsterdam participant (consent for every party type, assigned to two NGOs) and one user
    per kind of viewer of the document's tables."""
    amsterdam, rotterdam = factories.municipality("Amsterdam"), factories.municipality("Rotterdam")
    ngo = factories.OrganisationFactory(name="Deelmatrix Ngo", type=OrganisationType.NGO, municipality=amsterdam)
    second = factories.OrganisationFactory(name="Tweede Ngo", type=OrganisationType.NGO, municipality=amsterdam)
    other = factories.OrganisationFactory(name="Andere Ngo", type=OrganisationType.NGO, municipality=amsterdam)
    make = factories.UserFactory
    users = {
        "gemeente": make(username="deel.gemeente", organisation=factories.municipal_organisation("Amsterdam")),
        "andere gemeente": make(username="deel.rotterdam", organisation=factories.municipal_organisation("Rotterdam")),
        "ngo": make(username="deel.ngo", organisation=ngo),
        "ngo (schrijver)": None,  # the same user as "ngo"
        "tweede ngo": make(username="deel.ngo2", organisation=second),
        "andere ngo": make(username="deel.ngo3", organisation=other),
        "IND": make(username="deel.ind", organisation=factories.national_organisation(OrganisationType.IND)),
        "DT&V": make(username="deel.dtv", organisation=factories.national_organisation(OrganisationType.DTV)),
        "AVIM": make(username="deel.avim", organisation=factories.national_organisation(OrganisationType.AVIM)),
        "programmabureau": make(
            username="deel.pb", organisation=factories.national_organisation(OrganisationType.PROGRAMMABUREAU)
        ),
    }
    users["ngo (schrijver)"] = users["ngo"]
    assert rotterdam  # the other municipality exists (reference data)
    person_fields = {field: value for field, value in FIELD_VALUES.values() if field != "family_name"}
    trajectory = factories.admitted_trajectory(
        actor=users["gemeente"],
        family_name=FIELD_VALUES["achternaam"][1],
        share_ngo=True,
        share_ind=True,
        share_dtv=True,
        share_avim=True,
        **person_fields,
    )
    trajectory_assign_organisations(actor=users["gemeente"], trajectory=trajectory, organisations=[ngo, second])
    return users, trajectory


def _get(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def _situation(users, trajectory, situation: str) -> None:
    consent = trajectory.consents.get(withdrawn_on__isnull=True)
    if situation == "volledige toestemming":
        return
    if situation == "hele verklaring ingetrokken":
        consent_withdraw(actor=users["gemeente"], consent=consent, withdrawn_on=dt.date(2022, 3, 1))
        return
    match = re.fullmatch(r"toestemming voor (.+) ingetrokken", situation)
    assert match and match.group(1) in PARTY, f"unknown situation in docs/delen.md: {situation}"
    consent_withdraw(
        actor=users["gemeente"], consent=consent, withdrawn_on=dt.date(2022, 3, 1), party=PARTY[match.group(1)]
    )


def test_the_document_has_all_four_tables():
    assert len(ACCESS) >= 10 and len(FIELDS) == len(FIELD_VALUES) and len(CLASSES) >= 4
    assert len(DECLARATIONS) >= 10
    # Table 1b covers every party type, each excluded by the latest declaration at least once.
    for viewer in ("ngo", "IND", "DT&V", "AVIM"):
        rows = [r for r in DECLARATIONS if r["Kijker"] == viewer]
        assert {yes(r["Ziet persoon en beide trajecten"]) for r in rows} == {True, False}, viewer
    assert {row["Gegeven"] for row in FIELDS} == set(FIELD_VALUES)


@pytest.mark.parametrize("row", ACCESS, ids=lambda r: f"{r['Kijker']}|{r['Situatie']}")
def test_table_1_access_to_the_person(world, row):
    users, trajectory = world
    _situation(users, trajectory, row["Situatie"])
    user = users[row["Kijker"]]
    expected = yes(row["Ziet persoon en traject"])
    for url in (
        reverse("people:detail", args=[trajectory.person_id]),
        reverse("trajectories:detail", args=[trajectory.pk]),
    ):
        before = AccessLogEntry.objects.for_person(trajectory.person_id).filter(username=user.username).count()
        response = _get(user, url)
        assert response.status_code == (200 if expected else 404), (row, url)
        entry = AccessLogEntry.objects.for_person(trajectory.person_id).filter(username=user.username)
        # Every request about the person is in the log: a read (ok) or a refused attempt (error).
        assert entry.count() == before + 1
        assert entry.order_by("-id").first().status == ("ok" if expected else "error")


VIEWERS_FIELDS = ["gemeente", "ngo", "IND", "DT&V", "AVIM", "programmabureau"]


@pytest.mark.parametrize("row", FIELDS, ids=lambda r: r["Gegeven"])
def test_table_2_registration_fields_per_viewer(world, row):
    users, trajectory = world
    _, value = FIELD_VALUES[row["Gegeven"]]
    chain_columns = [yes(row[v]) for v in ("IND", "DT&V", "AVIM")]
    # The ketentabel column is what the chain partners see.
    assert all(c == yes(row["Ketentabel"]) for c in chain_columns), row
    for viewer in VIEWERS_FIELDS:
        pages = [
            _get(users[viewer], reverse("people:detail", args=[trajectory.person_id])),
            _get(users[viewer], reverse("trajectories:detail", args=[trajectory.pk])),
        ]
        shown = [r.status_code == 200 and value in r.content.decode() for r in pages]
        if yes(row[viewer]):
            assert shown[0], f"{row['Gegeven']} missing on the person page for {viewer}"
        else:
            assert not any(shown), f"{row['Gegeven']} shown to {viewer}"


VIEWERS_CLASSES = [
    "ngo (schrijver)",
    "tweede ngo",
    "gemeente",
    "IND",
    "DT&V",
    "AVIM",
    "andere gemeente",
    "programmabureau",
]


@pytest.mark.parametrize("row", CLASSES, ids=lambda r: f"{r['Schrijver']}|{r['Klasse']}")
def test_table_3_notes_and_documents_per_class(world, row):
    users, trajectory = world
    author = users[row["Schrijver"]]
    marker = f"DEELMATRIX{row['Schrijver'].upper()}{row['Klasse'].upper()}QX"
    note_add(actor=author, trajectory=trajectory, text=f"{marker}NOTITIE", visibility=row["Klasse"])
    document = document_add(
        actor=author,
        trajectory=trajectory,
        title=f"{marker}DOCUMENT",
        filename="brief.pdf",
        content=PDF,
        visibility=row["Klasse"],
    )
    download = reverse("trajectories:document_download", args=[trajectory.pk, document.pk])
    for viewer in VIEWERS_CLASSES:
        page = _get(users[viewer], reverse("trajectories:detail", args=[trajectory.pk]))
        html = page.content.decode() if page.status_code == 200 else ""
        file = _get(users[viewer], download)
        if yes(row[viewer]):
            assert f"{marker}NOTITIE" in html and f"{marker}DOCUMENT" in html, (row, viewer)
            assert file.status_code == 200 and file.content == PDF, (row, viewer)
        else:
            assert f"{marker}NOTITIE" not in html and f"{marker}DOCUMENT" not in html, (row, viewer)
            assert file.status_code == 404, (row, viewer)


@pytest.mark.parametrize("viewer", ["ngo", "tweede ngo", "gemeente", "IND", "DT&V", "AVIM", "andere gemeente"])
def test_search_never_finds_by_note_or_document(world, viewer):
    """The work list searches names and V-numbers only: a note's or document's text finds nobody,
    so a search cannot reveal an `organisatie` item either."""
    users, trajectory = world
    note_add(actor=users["ngo"], trajectory=trajectory, text="ZOEKGEHEIMNOTITIEQX", visibility="organisatie")
    document_add(
        actor=users["ngo"],
        trajectory=trajectory,
        title="ZOEKGEHEIMDOCUMENTQX",
        filename="a.pdf",
        content=PDF,
        visibility="organisatie",
    )
    name = FIELD_VALUES["achternaam"][1]
    for query in ("ZOEKGEHEIMNOTITIEQX", "ZOEKGEHEIMDOCUMENTQX"):
        response = _get(users[viewer], reverse("trajectories:list") + f"?q={query}")
        assert response.status_code == 200
        assert name not in response.content.decode(), (viewer, query)
    # The search does work for a reader of the person (so the check above is not vacuous).
    # (by V-nummer, so the name on the page is a result, not the search box repeating the query).
    v_number = FIELD_VALUES["V-nummer"][1]
    found = name in _get(users[viewer], reverse("trajectories:list") + f"?q={v_number}").content.decode()
    assert found == (viewer in ("ngo", "tweede ngo", "gemeente", "IND", "DT&V", "AVIM"))


ALL_PARTIES = ("ngo", "ind", "dtv", "avim")


def declaration(cell: str) -> tuple[tuple[str, ...], str]:
    """A cell of table 1b: (parties it shares with, withdrawal: "" none, a party type, or "geheel")."""
    if cell == "hele verklaring ingetrokken":
        return ALL_PARTIES, "geheel"
    main, withdrawn = cell.rsplit(", ", 1) if cell.endswith(" ingetrokken") else (cell, "")
    withdrawal = ""
    if withdrawn:
        match = re.fullmatch(r"(.+) ingetrokken", withdrawn)
        assert match and match.group(1) in PARTY, f"unknown withdrawal in docs/delen.md: {cell}"
        withdrawal = PARTY[match.group(1)]
    if main == "alle partijen":
        return ALL_PARTIES, withdrawal
    names = [n.strip() for n in re.split(r", | en ", main)]
    assert all(n in PARTY for n in names), f"unknown parties in docs/delen.md: {cell}"
    return tuple(PARTY[n] for n in names), withdrawal


@pytest.mark.parametrize(
    "row",
    DECLARATIONS,
    ids=lambda r: f"{r['Kijker']}|{r['Verklaring traject 1']}|{r['Laatste verklaring (traject 2)']}",
)
def test_table_1b_the_latest_declaration_decides_for_both_trajectories(world, row):
    from lvv.admissions.services import application_register, consent_record
    from lvv.people.services import identity_check_record
    from lvv.trajectories.services import outflow_register

    users, _ = world
    desk = users["gemeente"]
    ngo = users["ngo"].organisation
    first_parties, first_withdrawal = declaration(row["Verklaring traject 1"])
    latest_parties, withdrawal = declaration(row["Laatste verklaring (traject 2)"])
    assert not first_withdrawal, "the first declaration of table 1b is never withdrawn"
    first = factories.admitted_trajectory(
        actor=desk, family_name="Tweetrajecten", **{f"share_{p}": p in first_parties for p in ALL_PARTIES}
    )
    first.assigned_organisations.add(ngo)
    outflow_register(actor=desk, trajectory=first, outflow_date=dt.date(2022, 6, 1), outcome_code="mob")
    second = application_register(
        actor=desk, person=first.person, application_date=dt.date(2022, 9, 1), **factories.GOOD_FACTS
    )
    identity_check_record(actor=desk, trajectory=second, performed_on=dt.date(2022, 9, 1), outcome="vingerafdrukken")
    consent = consent_record(
        actor=desk,
        trajectory=second,
        signed_on=dt.date(2022, 9, 2),
        **{f"share_{p}": p in latest_parties for p in ALL_PARTIES},
    )
    second.assigned_organisations.add(ngo)
    if withdrawal:
        consent_withdraw(
            actor=desk,
            consent=consent,
            withdrawn_on=dt.date(2022, 9, 3),
            party="" if withdrawal == "geheel" else withdrawal,
        )
    user = users[row["Kijker"]]
    expected = yes(row["Ziet persoon en beide trajecten"])
    for url in (
        reverse("people:detail", args=[first.person_id]),
        reverse("trajectories:detail", args=[first.pk]),
        reverse("trajectories:detail", args=[second.pk]),
    ):
        response = _get(user, url)
        assert response.status_code == (200 if expected else 404), (row, url)
        assert ("Tweetrajecten" in response.content.decode()) == expected, (row, url)
