"""The one clock of lvv. Every "is it due / is it in the future" rule asks this module, so tests
can move time (`clock.frozen(...)`) instead of sleeping."""

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    """Fix the clock at a moment (a date means noon, Amsterdam time)."""
    global _frozen
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        at = timezone.make_aware(dt.datetime.combine(at, dt.time(12, 0)))
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
