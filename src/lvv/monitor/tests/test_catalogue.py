"""The catalogue of indicators is the one place of their names and texts: the computation, the
definitions page, the API and docs/indicatoren.md all follow it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
from django.test import Client
from django.urls import reverse

from lvv.api import definitions as api_definitions
from lvv.api import openapi
from lvv.api.services import api_token_create
from lvv.monitor import catalogue, definitions
from lvv.monitor.catalogue import Unit
from lvv.monitor.indicators import INDICATOR_NAMES, Outcome, Tally, figures

DOC = Path(__file__).resolve().parents[4] / "docs" / "indicatoren.md"
REGENERATE = "python -m lvv.monitor.catalogue --write docs/indicatoren.md"


def test_the_table_in_the_documentation_is_the_catalogues():
    documented = catalogue.documented_table(DOC.read_text(encoding="utf-8"))
    assert documented == catalogue.markdown_table(), f"docs/indicatoren.md differs from the catalogue: {REGENERATE}"


def test_the_figures_have_the_names_order_and_units_of_the_catalogue():
    tally = Tally(aanmeldingen=3, instroom=2, in_lvv=1, uitstroom=1, months=[3.0])
    result = figures(tally, capacity=10, outcomes=[Outcome("hasa", "semi_bestendig")])
    assert tuple(result) == INDICATOR_NAMES == tuple(catalogue.INDICATORS)
    for name, value in result.items():
        unit = catalogue.INDICATORS[name].unit
        expected = {Unit.COUNT: int, Unit.PLACES: int, Unit.SHARE: float, Unit.MONTHS: float, Unit.OBJECT: dict}
        assert type(value) is expected[unit], name


def test_the_api_and_the_pages_show_the_catalogues_texts_without_code_marks():
    assert list(api_definitions.INDICATORS) == list(catalogue.INDICATORS)
    assert list(api_definitions.BASES) == list(catalogue.BASES)
    for name, text in api_definitions.INDICATORS.items():
        assert "`" not in text and text == catalogue.INDICATORS[name].definition.replace("`", "")
    for name, (label, summary) in definitions.INDICATORS.items():
        assert (label, summary) == (catalogue.INDICATORS[name].label, catalogue.INDICATORS[name].summary)
    assert dict(definitions.BASIS_LABELS) == {"trajecten": "Trajecten (monitor)", "personen": "Personen (evaluatie)"}


def test_a_label_in_the_catalogue_is_the_label_of_the_tables_and_downloads(monkeypatch):
    changed = replace(catalogue.INDICATORS["capaciteit"], label="Opvangplaatsen")
    monkeypatch.setattr(catalogue, "INDICATORS", MappingProxyType({**catalogue.INDICATORS, "capaciteit": changed}))
    assert definitions.label("capaciteit") == "Opvangplaatsen"
    assert definitions.INDICATORS["capaciteit"][0] == "Opvangplaatsen"
    assert definitions.definition_anchor("capaciteit") == "def-capaciteit"


def test_the_command_prints_the_table_and_writes_it_into_the_document(tmp_path, capsys):
    assert catalogue.main([]) == 0
    assert capsys.readouterr().out == catalogue.markdown_table() + "\n"

    stale = tmp_path / "indicatoren.md"
    stale.write_text(
        f"# Kop\n\nMet de hand.\n\n{catalogue.DOCS_BEGIN}\n| oud |\n{catalogue.DOCS_END}\n\nOok met de hand.\n",
        encoding="utf-8",
    )
    assert catalogue.main(["--write", str(stale)]) == 0
    text = stale.read_text(encoding="utf-8")
    assert catalogue.documented_table(text) == catalogue.markdown_table()
    assert text.startswith("# Kop\n\nMet de hand.\n\n") and text.endswith("\n\nOok met de hand.\n")
    assert "| oud |" not in text


def test_a_document_without_the_generated_block_is_refused():
    with pytest.raises(ValueError, match="no generated block"):
        catalogue.with_table("# Alleen met de hand\n")


# --- one change in the catalogue, everywhere --------------------------------------------------------

NEW_TEXT = "Een `nieuwe` tekst voor de eenheden in de LVV."


@pytest.fixture
def fresh_openapi() -> Iterator[None]:
    """The OpenAPI document is built once per process: built anew for this test, and again after it."""
    openapi._cached.cache_clear()
    yield
    openapi._cached.cache_clear()


@pytest.fixture
def changed_text(monkeypatch) -> str:
    """The catalogue with a new definition of `in_lvv`; returns that text as the API and pages show it."""
    changed = replace(catalogue.INDICATORS["in_lvv"], definition=NEW_TEXT)
    monkeypatch.setattr(catalogue, "INDICATORS", MappingProxyType({**catalogue.INDICATORS, "in_lvv": changed}))
    return changed.plain_definition


def test_changing_an_indicator_text_changes_the_monitor_page_the_api_document_and_the_docs(
    client, programmabureau_user, fresh_openapi, changed_text
):
    old_text = "Instroom-eenheden zonder uitstroom op of vóór de peildatum."

    client.force_login(programmabureau_user)
    page = client.get(reverse("monitor:definitions"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Precies: {changed_text}</dd>" in html and old_text not in html

    token = api_token_create(organisation=programmabureau_user.organisation, name="koppeling")[1]
    response = Client().get("/api/v1/indicatoren", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    texts = {d["naam"]: d["omschrijving"] for d in response.json()["indicatoren"]}
    assert texts["in_lvv"] == changed_text
    schema = openapi.openapi_document()["components"]["schemas"]["Indicatoren"]["properties"]["in_lvv"]
    assert schema["description"] == changed_text

    documented = catalogue.documented_table(DOC.read_text(encoding="utf-8"))
    assert NEW_TEXT in catalogue.markdown_table() and NEW_TEXT not in documented
    assert catalogue.documented_table(catalogue.with_table(DOC.read_text(encoding="utf-8"))) == (
        catalogue.markdown_table()
    )
