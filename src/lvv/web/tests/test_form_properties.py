"""Property-based tests of the main web forms: whatever is posted — text, unicode,
control characters, very long strings, impossible dates, negative numbers, unknown choices, missing
fields — the answer is the form again with Dutch error messages (200) and nothing written, or a
redirect after a valid write. Never a 500, never a partial write.

Each form is posted through the Django test client by a case worker of the municipality (who may
perform every action on its trajectories), on a trajectory in the stage the form belongs to. Every
example runs in a savepoint that is rolled back. The examples are derandomised (the same on every run);
to hunt for new failures run with LVV_HYPOTHESIS_RANDOM=1 and a larger LVV_HYPOTHESIS_EXAMPLES."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lvv.admissions.models import AdmissionOutcome, FirstApplicationType
from lvv.demo import factories
from lvv.demo.reference_data import INSTRUMENTS, OUTCOME_CODES
from lvv.demo.tests.assertions import db_counts, db_state
from lvv.exchange.models import ChainExtract, ChainExtractRow
from lvv.people.models import KioskOutcome, Sex
from lvv.trajectories.models import (
    InstrumentValue,
    NoteVisibility,
    PerspectiveKind,
    PerspectiveStatus,
    ShelterForm,
    ShelterHours,
)

PROPERTY = settings(
    max_examples=int(os.environ.get("LVV_HYPOTHESIS_EXAMPLES", "12")),
    deadline=None,
    derandomize=not os.environ.get("LVV_HYPOTHESIS_RANDOM"),  # the same examples on every run, unless asked
    database=None,  # no .hypothesis/ folder in the work tree; a failure prints its reproducer
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Django's own English messages: none may reach a Dutch user.
ENGLISH = ("This field", "Enter a", "Select a valid", "Ensure this value", "is not a valid", "Null characters")

# --- values ----------------------------------------------------------------------------------------

MISSING = object()  # the field is left out of the post
LOCATION = object()  # the pk of a location of the municipality

garbage = st.one_of(
    st.text(max_size=40),
    st.integers(-5, 50).map(str),  # also the pk of another municipality's location
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\x00abc",
            "=1+1",
            "<script>alert(1)</script>",
            "'; DROP TABLE people_person; --",
            "💥",
            "Ünïcödé",
            "x" * 5000,
            "9" * 100,
            "12345678901",
            "1850",
            "-5",
            "-1",
            "-99999999999999999999",
            "1e309",
            "NaN",
            "0",
            "true",
            "on",
            "null",
            "2021-02-30",
            "2021-13-01",
            "31-12-2020",
            "0000-00-00",
            "9999-12-31",
            "\u202e",
        ]
    ),
)


def field(valid: st.SearchStrategy) -> st.SearchStrategy:
    """A plausible value of a field (`posts` mixes in anything, or none at all)."""
    return valid


wrong = st.one_of(garbage, st.just(MISSING))


def choice(values) -> st.SearchStrategy:
    return field(st.sampled_from([str(v) for v in values]))


dates = field(st.dates(dt.date(2019, 1, 1), dt.date(2027, 12, 31)).map(dt.date.isoformat))
optional_dates = field(st.one_of(st.just(""), dates))
texts = field(st.text(max_size=60))
numbers = field(st.one_of(st.just(""), st.integers(0, 600).map(str)))
checkbox = st.sampled_from(["on", MISSING])
yes_no = choice(["", "true", "false"])

PERSON_FIELDS = {
    "given_names": texts,
    "family_name": field(st.text(min_size=1, max_size=60)),
    "aliases": texts,
    "birth_date": field(st.one_of(st.just(""), dates)),
    "birth_year": field(st.one_of(st.just(""), st.integers(1900, 2026).map(str))),
    "sex": choice(Sex.values),
    "country_of_origin": choice(["IR", "NG", "SY", "AF", "staatloos", "onbekend"]),
    "languages": texts,
    "v_number": field(st.one_of(st.just(""), st.from_regex(r"\A[0-9]{10}\Z"))),
    "phone": texts,
    "email": field(st.one_of(st.just(""), st.emails())),
    "address": texts,
}
FACT_FIELDS = {
    "has_regiobinding": yes_no,
    "regiobinding_months": numbers,
    "regiobinding_description": texts,
    "long_bbb_elsewhere": yes_no,
    "willing_to_cooperate": yes_no,
    "safe_country": yes_no,
    "vulnerable": yes_no,
    "first_application_type": choice(FirstApplicationType.values),
    "referred_by": texts,
}


def instrument_fields() -> dict:
    fields = {}
    for code, _label in INSTRUMENTS:
        fields[code] = choice(InstrumentValue.values)
        fields[f"{code}__start"] = optional_dates
        fields[f"{code}__end"] = optional_dates
    return fields


# --- the forms --------------------------------------------------------------------------------------


@dataclass(repr=False)
class FormCase:
    name: str
    #: The URL, given the trajectories of the `registry` fixture.
    url: Callable[[dict], str]
    fields: dict[str, st.SearchStrategy]

    def __repr__(self) -> str:
        return f"FormCase({self.name!r})"


def on(stage: str, url_name: str) -> Callable[[dict], str]:
    return lambda registry: reverse(url_name, args=[registry[stage].pk])


CASES = [
    FormCase(
        "application_new",
        lambda registry: reverse("admissions:application_new"),
        {"application_date": dates, **PERSON_FIELDS, **FACT_FIELDS, "confirm_duplicates": checkbox},
    ),
    FormCase(
        "person_edit", lambda registry: reverse("people:edit", args=[registry["admitted"].person_id]), PERSON_FIELDS
    ),
    FormCase("application_edit", on("registered", "admissions:application_edit"), FACT_FIELDS),
    FormCase(
        "application_reentry",
        lambda registry: reverse("admissions:application_reentry", args=[registry["outflowed"].person_id]),
        {"application_date": dates, **FACT_FIELDS},
    ),
    FormCase(
        "identity_check_new",
        on("registered", "admissions:identity_check_new"),
        {
            "performed_on": dates,
            "outcome": choice(KioskOutcome.values),
            "not_taken_reason": texts,
            **{
                name: checkbox
                for name in (
                    "heavy_entry_ban",
                    "declared_undesirable",
                    "dublin_claimant",
                    "eu_citizen",
                    "entitled_state_reception",
                    "registered_other_lvv",
                )
            },
        },
    ),
    FormCase(
        "consent_new",
        on("checked", "admissions:consent_new"),
        {
            "signed_on": dates,
            "share_ngo": checkbox,
            "share_ind": checkbox,
            "share_dtv": checkbox,
            "share_avim": checkbox,
        },
    ),
    FormCase(
        "admission_decide",
        on("consented", "admissions:admission_decide"),
        {
            "outcome": choice(AdmissionOutcome.values),
            "decided_on": dates,
            "refusal_reason": texts,
            "exception_motivation": texts,
            "lso_meeting_date": optional_dates,
        },
    ),
    FormCase(
        "placement_new",
        on("admitted", "trajectories:placement_new"),
        {
            "location": st.just(LOCATION),
            "shelter_form": choice(ShelterForm.values),
            "hours": choice(ShelterHours.values),
            "start_date": dates,
        },
    ),
    FormCase(
        "perspective_new",
        on("admitted", "trajectories:perspective_new"),
        {
            "perspective": choice(PerspectiveKind.values),
            "status": choice(PerspectiveStatus.values),
            "decided_on": dates,
            "lso_meeting_date": optional_dates,
        },
    ),
    FormCase("instruments_edit", on("admitted", "trajectories:instruments_edit"), instrument_fields()),
    FormCase(
        "outflow_new",
        on("admitted", "trajectories:outflow_new"),
        {"outflow_date": dates, "outcome": choice([code for code, *_ in OUTCOME_CODES])},
    ),
    FormCase(
        "ind_decision_new",
        on("outflowed", "trajectories:ind_decision_new"),
        {"decision": choice(["inwilliging", "afwijzing"]), "decided_on": dates},
    ),
    FormCase(
        "note_new",
        on("admitted", "trajectories:note_new"),
        {"text": field(st.text(min_size=1, max_size=200)), "visibility": choice(NoteVisibility.values)},
    ),
]


@st.composite
def posts(draw, fields: dict[str, st.SearchStrategy]) -> dict[str, str]:
    """Every field plausible, or one field wrong (anything, or left out), or each field either."""
    data = {"csrfmiddlewaretoken": "x"}  # a browser always sends it (the test client does not check it)
    mode = draw(st.sampled_from(["plausible", "one wrong", "any"]), label="mode")
    bad = draw(st.sampled_from(sorted(fields)), label="wrong field") if mode == "one wrong" else None
    for name, strategy in fields.items():
        if name == bad or (mode == "any" and draw(st.booleans())):
            strategy = wrong
        value = draw(strategy, label=name)
        if value is not MISSING:
            data[name] = value
    if draw(st.booleans(), label="an unknown field too"):
        data[draw(st.sampled_from(["id", "pk", "municipality", "stage", "extra"]))] = draw(garbage)
    return data


# --- the property -----------------------------------------------------------------------------------


@pytest.fixture
def registry(gemeente_user) -> dict:
    """Amsterdam trajectories in the stages the forms belong to, built through the services."""
    return {
        "registered": factories.registered_trajectory(actor=gemeente_user),
        "checked": factories.checked_trajectory(actor=gemeente_user),
        "consented": factories.consented_trajectory(actor=gemeente_user),
        "admitted": factories.admitted_trajectory(actor=gemeente_user, v_number="1234567890"),
        "outflowed": factories.outflowed_trajectory(actor=gemeente_user, outcome_code="hasa"),
        "location": factories.location("Amsterdam"),
    }


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def error_texts(form) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@PROPERTY
@given(data=st.data())
def test_any_post_shows_dutch_errors_and_writes_nothing_or_saves_and_redirects(
    client, gemeente_user, registry, case, data
):
    url = case.url(registry)
    post = data.draw(posts(case.fields), label="post")
    post = {k: str(registry["location"].pk) if v is LOCATION else v for k, v in post.items()}
    with rolled_back():
        client.force_login(gemeente_user)
        counts, state = db_counts(), db_state()

        response = client.post(url, post)  # an exception in the view fails the test (no 500 page)

        assert response.status_code in (200, 302), response.status_code
        event(f"{case.name}: {response.status_code}")
        if response.status_code == 302:
            assert "/inloggen/" not in response.url
            return
        form = response.context["form"]
        errors = error_texts(form)
        assert errors, "the form is shown again without saying why"
        assert not [e for e in errors if any(marker in e for marker in ENGLISH)], errors
        assert db_counts() == counts
        assert db_state() == state


# --- an upload form: a chain partner's extract (any bytes, any file name) ----------------------------

IND_EXTRACT = Path(__file__).resolve().parents[4] / "docs" / "voorbeelden" / "ind-extract.csv"


@st.composite
def extract_uploads(draw) -> tuple[str, bytes]:
    """The IND sample extract with one line replaced by anything, cut off or re-encoded, or any bytes."""
    lines = IND_EXTRACT.read_bytes().splitlines(keepends=True)
    kind = draw(st.sampled_from(["as is", "line", "cut", "latin-1", "bytes", "empty"]))
    if kind == "line":
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = draw(st.one_of(garbage, st.text(max_size=80))).encode("utf-8", "surrogatepass") + b"\n"
        content = b"".join(lines)
    elif kind == "cut":
        content = b"".join(lines)[: draw(st.integers(0, 400))]
    elif kind == "latin-1":
        content = b"".join(lines).decode().replace("a", "\u00e4").encode("latin-1")
    elif kind == "bytes":
        content = draw(st.binary(max_size=300))
    elif kind == "empty":
        content = b""
    else:
        content = b"".join(lines)
    name = draw(st.sampled_from(["ind.csv", "ind.xlsx", "ind", "../../etc/passwd", "x" * 300 + ".csv", "ind.CSV"]))
    return name, content


@PROPERTY
@given(upload=extract_uploads(), peildatum=st.one_of(dates, wrong))
def test_any_extract_upload_is_stored_whole_or_refused_with_a_message(client, ind_user, upload, peildatum):
    name, content = upload
    post = {"csrfmiddlewaretoken": "x", "bestand": SimpleUploadedFile(name, content, content_type="text/csv")}
    if peildatum is not MISSING:
        post["peildatum"] = peildatum
    with rolled_back():
        client.force_login(ind_user)
        before = (ChainExtract.objects.count(), ChainExtractRow.objects.count())

        response = client.post(reverse("exchange:extract_upload"), post)

        assert response.status_code in (200, 302), response.status_code
        event(f"extract_upload: {response.status_code}")
        if response.status_code == 302:
            assert ChainExtract.objects.count() == before[0] + 1
            return
        errors = error_texts(response.context["form"]) + list(response.context["faults"])
        assert errors, "the form is shown again without saying why"
        assert not [e for e in errors if any(marker in e for marker in ENGLISH)], errors
        assert (ChainExtract.objects.count(), ChainExtractRow.objects.count()) == before
