"""Form fields and helpers with Dutch defaults, shared by the forms and form views of every app."""

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lvv.core import clock
from lvv.core.exceptions import ApplicationError

T = TypeVar("T")

NULL_BOOLEAN_CHOICES = [("", "Onbekend"), ("true", "Ja"), ("false", "Nee")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={"required": f"{label} is verplicht.", "invalid": f"{label}: vul een geldige datum in."},
    )


def yes_no_unknown(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=NULL_BOOLEAN_CHOICES,
        help_text=help_text,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
    )


PEILDATUM_EARLIEST = dt.date(2000, 1, 1)
MSG_PEILDATUM_INVALID = "Peildatum: vul een geldige datum in als JJJJ-MM-DD, bijvoorbeeld 2026-09-30."
MSG_PEILDATUM_FUTURE = "De peildatum ligt na vandaag ({today}); kies vandaag of een eerdere datum."
MSG_PEILDATUM_EARLY = "De peildatum ligt vóór 2000-01-01; kies een latere datum."


class PeildatumField(forms.DateField):
    """The reference date (peildatum) of the monitor and the analyses: a real date, not after today
    (`clock.today()`), not before 2000. One field, so every page checks it the same way."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Peildatum")
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("help_text", "Gebeurtenissen tot en met deze datum tellen mee.")
        kwargs.setdefault("error_messages", {"required": "Vul een peildatum in.", "invalid": MSG_PEILDATUM_INVALID})
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = clock.today()
        if value > today:
            raise forms.ValidationError(MSG_PEILDATUM_FUTURE.format(today=today.isoformat()))
        if value < PEILDATUM_EARLIEST:
            raise forms.ValidationError(MSG_PEILDATUM_EARLY)


def apply_error(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Show a domain refusal on the form: on its field when the form has it, else at the top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    perform: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    then: str | Callable[[T], str],
) -> HttpResponse | None:
    """The write step of a form backed by one service. On a valid POST, run `perform` (it calls the
    service): a refusal (`ApplicationError`) goes onto the form (`apply_error`) and None is returned,
    so the view renders the form again; on success the message is shown and the redirect returned.
    A GET or an invalid form: None. `success` and `then` (a URL or a URL name for `redirect`) may be
    callables that get the service's result."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = perform()
    except ApplicationError as exc:
        apply_error(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(then(result) if callable(then) else then)
