"""The monitor over time: the same indicators on a series of peildata (quarter ends).

`selectors.monitor_series` reads the registry once for all dates; this module picks the dates."""

from __future__ import annotations

import calendar
import datetime as dt

from . import selectors
from .indicators import BASIS_TRAJECTEN

DEFAULT_QUARTERS = 8
MAX_QUARTERS = 40


def _quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def quarter_ends(peildatum: dt.date, quarters: int) -> list[dt.date]:
    """The last `quarters` peildata, oldest first: the ends of the quarters before the peildatum,
    and the peildatum itself as the last one (it need not be a quarter end)."""
    if quarters < 1:
        return []
    dates = [peildatum]
    year, quarter = peildatum.year, (peildatum.month - 1) // 3 + 1  # the quarter of the peildatum
    while len(dates) < quarters:
        end = _quarter_end(year, quarter)
        if end < peildatum:
            dates.append(end)
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return sorted(dates)


def monitor_series(
    *, peildatum: dt.date, basis: str = BASIS_TRAJECTEN, quarters: int = DEFAULT_QUARTERS
) -> list[tuple[dt.date, dict]]:
    """(date, monitor report of the whole country) for each date of `quarter_ends(peildatum, quarters)`,
    oldest first; the last one is the peildatum itself."""
    dates = quarter_ends(peildatum, min(quarters, MAX_QUARTERS))
    return list(zip(dates, selectors.monitor_series(dates, basis), strict=True))
