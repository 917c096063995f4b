"""The shared form fields."""

import datetime as dt

import pytest
from django import forms

from lvv.core import clock
from lvv.core.forms import PeildatumField


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
