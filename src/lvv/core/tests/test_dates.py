"""The shared date rules."""

import datetime as dt

import pytest
from django.utils import translation

from lvv.core import clock
from lvv.core.dates import dutch_date, months_between, require_past_date
from lvv.core.exceptions import ApplicationError


@pytest.mark.parametrize("language", ["nl", "en"])
def test_dates_in_stored_texts_are_dutch_whatever_the_request_language(language):
    with translation.override(language):
        assert dutch_date(dt.date(2026, 3, 2)) == "2 maart 2026"
        assert dutch_date(dt.date(2026, 12, 31)) == "31 december 2026"


def test_a_future_date_is_refused_with_its_label():
    with clock.frozen(dt.date(2026, 12, 2)):
        assert require_past_date(dt.date(2026, 12, 2), label="De datum", field="d") == dt.date(2026, 12, 2)
        with pytest.raises(ApplicationError, match="De datum ligt in de toekomst") as caught:
            require_past_date(dt.date(2026, 12, 3), label="De datum", field="d")
    assert caught.value.field == "d"


def test_months_are_days_divided_by_30_4375():
    assert months_between(dt.date(2025, 1, 1), dt.date(2026, 1, 1)) == pytest.approx(365 / 30.4375)
