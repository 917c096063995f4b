"""The shared form fields and the write step of the form views (`submit`)."""

import datetime as dt

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from lvv.core import clock
from lvv.core.exceptions import ApplicationError
from lvv.core.forms import PeildatumField, submit


class _Form(forms.Form):
    peildatum = PeildatumField()


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2026-12-02", None),
        ("2000-01-01", None),
        ("2026-12-03", "De peildatum ligt na vandaag (2026-12-02); kies vandaag of een eerdere datum."),
        ("1999-12-31", "De peildatum ligt vóór 2000-01-01; kies een latere datum."),
        ("2026-02-30", "Peildatum: vul een geldige datum in als JJJJ-MM-DD, bijvoorbeeld 2026-09-30."),
        ("", "Vul een peildatum in."),
    ],
)
def test_the_peildatum_is_a_real_date_between_2000_and_today(value, error):
    with clock.frozen(dt.date(2026, 12, 2)):
        form = _Form({"peildatum": value})
        assert form.is_valid() is (error is None)
    assert form.errors.get("peildatum", [None]) == [error]


class _NoteForm(forms.Form):
    text = forms.CharField()


def _request(method: str = "post"):
    request = getattr(RequestFactory(), method)("/notitie/", {"text": "Hallo"} if method == "post" else {})
    request._messages = CookieStorage(request)
    return request


def _messages(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def _service(*, error: ApplicationError | None = None):
    calls = []

    def perform():
        calls.append(True)
        if error is not None:
            raise error
        return 7

    return perform, calls


def test_submit_does_nothing_on_a_get():
    request = _request("get")
    form = _NoteForm(None)
    perform, calls = _service()
    assert submit(request, form, perform, success="Gelukt.", then="/klaar/") is None
    assert calls == [] and not form.is_bound and _messages(request) == []


def test_submit_does_not_call_the_service_for_an_invalid_form():
    request = _request()
    form = _NoteForm({"text": ""})
    perform, calls = _service()
    assert submit(request, form, perform, success="Gelukt.", then="/klaar/") is None
    assert calls == [] and form.errors["text"] == ["Dit veld is verplicht."] and _messages(request) == []


@pytest.mark.parametrize(("field", "where"), [("text", "text"), ("elders", "__all__"), (None, "__all__")])
def test_a_refusal_goes_onto_the_form_field_or_at_the_top(field, where):
    request = _request()
    form = _NoteForm(request.POST)
    perform, calls = _service(error=ApplicationError("Dat mag niet.", field=field))
    assert submit(request, form, perform, success="Gelukt.", then="/klaar/") is None
    assert calls == [True]
    assert form.errors == {where: ["Dat mag niet."]}
    assert _messages(request) == []


def test_success_shows_the_message_and_redirects():
    request = _request()
    perform, calls = _service()
    response = submit(request, _NoteForm(request.POST), perform, success="Gelukt.", then="/klaar/")
    assert calls == [True]
    assert response.status_code == 302 and response["Location"] == "/klaar/"
    assert _messages(request) == ["Gelukt."]


def test_message_and_address_may_come_from_the_service_result():
    request = _request()
    perform, _ = _service()
    response = submit(
        request, _NoteForm(request.POST), perform, success=lambda n: f"Nummer {n}.", then=lambda n: f"/notitie/{n}/"
    )
    assert response.status_code == 302 and response["Location"] == "/notitie/7/"
    assert _messages(request) == ["Nummer 7."]
