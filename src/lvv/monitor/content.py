"""Everything one monitor page or download shows, computed from the registry: the report on the
peildatum, the quarterly series, the tables (published version: small cells hidden) and the charts.

Aggregates only: the report holds counts per municipality and nationally, never a person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Sum

from lvv.accounts.models import Municipality
from lvv.people.models import Person
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.models import InstrumentUse, OutcomeCode, Perspective, Trajectory

from .charts import Chart, monitor_charts
from .series import monitor_series
from .suppression import DEFAULT_THRESHOLD
from .tables import Table, report_tables, series_table, suppress_report


def suppression_threshold() -> int:
    """The threshold of the published version: setting LVV_SUPPRESSION_THRESHOLD (default 5)."""
    return int(getattr(settings, "LVV_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


@dataclass
class MonitorContent:
    peildatum: dt.date
    basis: str
    published: bool
    threshold: int
    municipalities: list[str]  # those listed (besides the national row)
    report: dict
    tables: list[Table]
    series: Table
    charts: list[Chart]
    #: Small cells the suppression could not protect (published version; normally none).
    unprotected: int = 0

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


#: How long a computed monitor stays in the cache at most (the registry stamp ends it sooner).
CACHE_SECONDS = 600


def registry_stamp() -> str:
    """A short digest of what the monitor reads (`monitor.selectors`): trajectories, their persons,
    perspectives, instruments, capacity, outcome codes and municipalities. Every service write to a
    trajectory raises its version (optimistic locking), the import and the retention do too, so a
    change of any figure changes the digest; a note or a document, which no figure counts, does not.
    """
    import hashlib

    parts = [
        Trajectory.objects.aggregate(n=Count("pk"), last=Max("updated_at"), v=Sum("version")),
        Person.objects.aggregate(n=Count("pk"), v=Sum("version")),
        Perspective.objects.aggregate(n=Count("pk"), last=Max("pk")),
        InstrumentUse.objects.aggregate(n=Count("pk"), last=Max("pk")),
        list(CapacityPeriod.objects.order_by("pk").values_list()),
        list(OutcomeCode.objects.order_by("code").values_list()),
        list(Municipality.objects.order_by("pk").values_list("pk", "name", "has_lvv")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_content(**kwargs) -> MonitorContent:
    """`build_content`, kept per question and registry state for CACHE_SECONDS: the monitor is the
    same for every user who asks the same question of the same registry, and it is expensive
    (a quarterly series and five charts). Aggregates only, like the content itself."""
    import hashlib

    from django.core.cache import cache

    question = repr((sorted(kwargs.items()), suppression_threshold(), registry_stamp()))
    key = "lvv-monitor:" + hashlib.sha256(question.encode()).hexdigest()
    try:
        content = cache.get(key)
    except OSError:  # the cache folder is unreadable: compute, as without a cache
        content = None
    if content is None:
        content = build_content(**kwargs)
        try:
            cache.set(key, content, CACHE_SECONDS)
        except OSError:  # e.g. a read-only var folder: the monitor still answers
            pass
    return content


def build_content(
    *,
    peildatum: dt.date,
    basis: str,
    quarters: int,
    published: bool,
    show: Sequence[str] | None = None,
    charts: bool = True,
) -> MonitorContent:
    """`show`: the municipalities to list (None: all). The figures are always computed (and, in the
    published version, protected) for the whole country, so showing a part reveals nothing more."""
    outcomes = list(OutcomeCode.objects.values_list("code", "label", "category"))
    labels = {code: label for code, label, _ in outcomes}
    categories = {code: category for code, _, category in outcomes}
    threshold = suppression_threshold()
    points = monitor_series(peildatum=peildatum, basis=basis, quarters=quarters)
    report = points[-1][1]  # the last date of the series is the peildatum itself
    result = suppress_report(report, categories, threshold) if published else None
    tables = report_tables(
        report,
        reason_labels=labels,
        categories=categories,
        threshold=threshold if published else None,
        show=show,
        result=result,
    )
    series = series_table(
        points,
        threshold=threshold if published else None,
        show=show,
        results={peildatum: result} if result else None,
    )
    by_key = {t.key: t for t in tables}
    return MonitorContent(
        peildatum=peildatum,
        basis=basis,
        published=published,
        threshold=threshold,
        municipalities=[m for m in report["per_gemeente"] if show is None or m in show],
        report=report,
        tables=tables,
        series=series,
        charts=monitor_charts(by_key, series) if charts else [],
        unprotected=len(result.unprotected) if result else 0,
    )
