"""The OpenAPI document: public, valid OpenAPI 3.0, in step with the routes, describing the real
responses, and passing the official Spectral ruleset of the NL API Design Rules with no error."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from lvv.api import urls
from lvv.exchange.tests.helpers import SAMPLE, SAMPLE_CAPACITY, run_import

from .conftest import GEMEENTE, PROGRAMMABUREAU, Api
from .test_deliveries import amsterdam_rows

ROOT = Path(__file__).resolve().parents[4]
SPECTRAL = ROOT / ".tools" / "node_modules" / ".bin" / "spectral"
#: The rules' official ruleset: a vendored, unchanged copy (see api-design-rules/README.md) of the one in
#: the workspace's ../shared, so the test runs from any clone.
RULESET = Path(__file__).resolve().parent / "api-design-rules" / "linter.yaml"
SHARED_RULESET = ROOT.parent / "shared" / "api-design-rules" / "linter.yaml"
INSTALL_HINT = "npm install --prefix .tools --no-audit --no-fund '@stoplight/spectral-cli@^6' (bash .ci/test does it)"


@pytest.fixture
def document(db) -> dict:
    response = Api().get("openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_document_is_public_and_versioned(db):
    response = Api().get("openapi.json")
    assert response.status_code == 200
    assert response["API-Version"] == "1.0.0"
    assert response["Content-Type"] == "application/json"
    assert response.json()["info"]["version"] == "1.0.0"


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.0")
    validate(document)


def test_every_route_is_documented_and_every_path_has_a_route(document):
    routes = {"/" + str(p.pattern) for p in urls.urlpatterns if p.name != "not_found"}
    assert routes == set(document["paths"])
    assert document["servers"] == [{"url": "/api/v1", "description": "Deze installatie van lvv"}]


def _validator(document: dict, schema_name: str | None = None, schema: dict | None = None) -> OAS30Validator:
    schema = dict(schema or {"$ref": f"#/components/schemas/{schema_name}"})
    schema["components"] = document["components"]
    return OAS30Validator(schema)


def _assert_conforms(document: dict, response, schema_name: str | None = None, schema: dict | None = None):
    errors = [e.message for e in _validator(document, schema_name, schema).iter_errors(response.json())]
    assert not errors, errors


def test_real_responses_match_the_documented_schemas(document, api_for):
    assert run_import(SAMPLE_CAPACITY)[0] == 0
    assert run_import(SAMPLE)[0] == 0
    programmabureau, amsterdam = api_for(PROGRAMMABUREAU), api_for(GEMEENTE)
    for basis in ("trajecten", "personen"):
        _assert_conforms(
            document, programmabureau.get("monitor", {"peildatum": "2022-07-01", "basis": basis}), "Monitor"
        )
    _assert_conforms(document, programmabureau.get("monitor", {"peildatum": "2000-01-01"}), "Monitor")
    _assert_conforms(
        document,
        programmabureau.get("gemeenten"),
        schema={"type": "array", "items": {"$ref": "#/components/schemas/Gemeente"}},
    )
    _assert_conforms(document, programmabureau.get("indicatoren"), "Definities")
    _assert_conforms(document, amsterdam.post("leveringen", amsterdam_rows()), "Leveringsresultaat")
    _assert_conforms(document, amsterdam.post("capaciteit", []), "Leveringsresultaat")
    rows = amsterdam_rows()
    rows[0]["v_nummer"] = "1"
    for problem in (
        amsterdam.post("leveringen", rows),
        programmabureau.get("monitor"),
        Api().get("monitor"),
        api_for("ngo").get("monitor", {"peildatum": "2022-07-01"}),
        Api().get("bestaat-niet"),
    ):
        assert problem.status_code >= 400
        _assert_conforms(document, problem, "Problem")


def test_the_documented_example_delivery_is_accepted(document, api_for):
    content = document["paths"]["/leveringen"]["post"]["requestBody"]["content"]
    amsterdam = api_for(GEMEENTE)
    response = amsterdam.post("leveringen", content["application/json"]["example"], query="controleer=true")
    assert response.status_code == 200, response.content
    response = amsterdam.post(
        "leveringen", content["text/csv"]["example"], content_type="text/csv", query="controleer=true"
    )
    assert response.status_code == 200, response.content


def _spectral() -> Path:
    if SPECTRAL.exists():
        return SPECTRAL
    missing = f"{SPECTRAL} is missing"
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: CI must run the NL API Design Rules linter. Install: {INSTALL_HINT}")
    pytest.skip(f"{missing}. Install: {INSTALL_HINT}")


@pytest.mark.skipif(not SHARED_RULESET.exists(), reason="no ../shared beside this clone to compare with")
def test_the_vendored_ruleset_is_the_official_one():
    assert RULESET.read_bytes() == SHARED_RULESET.read_bytes()


def test_the_served_document_passes_the_nl_api_design_rules(document, tmp_path):
    """The official Spectral ruleset of the NL API Design Rules, on the document as served."""
    spectral = _spectral()
    served = tmp_path / "openapi.json"
    served.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "spectral.json"
    completed = subprocess.run(
        [str(spectral), "lint", "-r", str(RULESET), str(served), "-f", "json", "-o", str(report), "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.exists(), completed.stderr
    results = json.loads(report.read_text(encoding="utf-8") or "[]")
    errors = [r for r in results if r["severity"] == 0]
    assert not errors, json.dumps(errors, indent=1, ensure_ascii=False)
    assert completed.returncode == 0, completed.stderr
    # Warnings too: the ruleset's advice (https servers, casing) is followed as well.
    warnings = [(r["code"], r["message"], r["path"]) for r in results if r["severity"] == 1]
    assert not warnings
