"""The one clock: `clock.frozen` moves "today" for every rule that asks it."""

import datetime as dt

import pytest
from django.utils import timezone

from lvv.core import clock
from lvv.core.dates import months_between, require_past_date
from lvv.core.exceptions import ApplicationError


def test_frozen_moves_today():
    with clock.frozen(dt.date(2022, 3, 1)):
        assert clock.today() == dt.date(2022, 3, 1)


def test_a_frozen_date_means_noon_in_amsterdam():
    with clock.frozen(dt.date(2022, 7, 1)):
        now = clock.now()
    assert timezone.is_aware(now)
    assert timezone.localtime(now).time() == dt.time(12, 0)
    assert timezone.localtime(now).date() == dt.date(2022, 7, 1)


def test_frozen_at_a_datetime_keeps_that_moment():
    moment = timezone.make_aware(dt.datetime(2022, 12, 31, 23, 30))
    with clock.frozen(moment):
        assert clock.now() == moment
        assert clock.today() == dt.date(2022, 12, 31)


def test_frozen_restores_the_real_clock_afterwards():
    with clock.frozen(dt.date(2000, 1, 1)):
        pass
    assert clock.today() == timezone.localdate()


def test_nested_frozen_restores_the_outer_moment():
    with clock.frozen(dt.date(2022, 1, 1)):
        with clock.frozen(dt.date(2023, 1, 1)):
            assert clock.today() == dt.date(2023, 1, 1)
        assert clock.today() == dt.date(2022, 1, 1)


def test_frozen_restores_the_clock_after_an_exception():
    with pytest.raises(RuntimeError), clock.frozen(dt.date(2000, 1, 1)):
        raise RuntimeError
    assert clock.today() == timezone.localdate()


def test_future_dates_follow_the_frozen_clock():
    with clock.frozen(dt.date(2022, 3, 1)):
        assert require_past_date(dt.date(2022, 3, 1), label="De datum", field="d") == dt.date(2022, 3, 1)
        with pytest.raises(ApplicationError, match="De datum ligt in de toekomst"):
            require_past_date(dt.date(2022, 3, 2), label="De datum", field="d")


def test_a_missing_date_is_required():
    with pytest.raises(ApplicationError, match="De datum is verplicht") as excinfo:
        require_past_date(None, label="De datum", field="d")
    assert excinfo.value.field == "d"


def test_months_are_counted_as_days_divided_by_30_4375():
    assert months_between(dt.date(2022, 1, 1), dt.date(2023, 1, 1)) == pytest.approx(365 / 30.4375)
