"""Date rules shared by every write path (form, import, API)."""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import override

from lvv.core import clock
from lvv.core.exceptions import ApplicationError

MSG_FUTURE = "{label} ligt in de toekomst; registreer alleen wat al gebeurd is."
MSG_REQUIRED = "{label} is verplicht."
DAYS_PER_MONTH = 30.4375


def require_past_date(value: dt.date | None, *, label: str, field: str) -> dt.date:
    if value is None:
        raise ApplicationError(MSG_REQUIRED.format(label=label), field=field)
    if value > clock.today():
        raise ApplicationError(MSG_FUTURE.format(label=label), field=field)
    return value


def months_between(start: dt.date, end: dt.date) -> float:
    """Duration in months as the monitor defines it: days / 30.4375."""
    return (end - start).days / DAYS_PER_MONTH


def dutch_date(value: dt.date) -> str:
    """A date in Dutch words ("2 december 2026") for texts that are stored or printed (timeline
    entries, messages, PDFs): Dutch whatever language the request asked for."""
    with override("nl"):
        return date_format(value, "j F Y")
