"""The term of stay an admission starts.

How long a stay may last is the municipality's policy, kept with case progress
(`meetings.terms.stay_until_at_admission`, on *Termijnen en signalen*). Case progress sits above
admissions — the LSO decides on admissions — so admissions does not import it: the meetings app
registers its rule here when Django starts (`MeetingsConfig.ready`), and `admission_decide` asks
`stay_until`. Without a registered rule an admission refuses to run rather than start no term."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from lvv.trajectories.models import Trajectory

StayRule = Callable[[Trajectory, dt.date], dt.date | None]

_rule: list[StayRule] = []


def register_stay_rule(rule: StayRule) -> None:
    """Set the rule that gives the last day of the stay for an admission on a date (or None)."""
    _rule[:] = [rule]


def stay_until(trajectory: Trajectory, admission_date: dt.date) -> dt.date | None:
    if not _rule:
        raise ImproperlyConfigured("Geen regel voor de verblijfstermijn geregistreerd (lvv.meetings ontbreekt).")
    return _rule[0](trajectory, admission_date)
