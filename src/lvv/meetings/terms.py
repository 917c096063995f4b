"""Terms of stay (verblijfstermijn, docs/glossary.md): Rotterdam 6 months, Amsterdam 18 months, others
none; Groningen a stricter term for people admitted despite a heavy entry ban. Configurable per
municipality in `ProgressPolicy`; extensions are LSO decisions."""

import datetime as dt

from lvv.core.dates import DAYS_PER_MONTH

from .models import ProgressPolicy


def policy_for(municipality_id: int) -> ProgressPolicy:
    """The municipality's policy, or the defaults (no term) when none is configured."""
    return ProgressPolicy.objects.filter(municipality_id=municipality_id).first() or ProgressPolicy(
        municipality_id=municipality_id
    )


def add_months(start: dt.date, months: int) -> dt.date:
    """Months as the project defines durations: days / 30.4375."""
    return start + dt.timedelta(days=round(months * DAYS_PER_MONTH))


def stay_until_at_admission(trajectory, admission_date: dt.date) -> dt.date | None:
    policy = policy_for(trajectory.municipality_id)
    kiosk = trajectory.identity_checks.order_by("-performed_on", "-id").first()
    months = policy.max_stay_months
    if kiosk is not None and kiosk.heavy_entry_ban and policy.entry_ban_max_stay_months:
        months = min(m for m in (months, policy.entry_ban_max_stay_months) if m)
    return add_months(admission_date, months) if months else None
