"""Reads for the monitor: the registry turned into the plain rows `indicators.py` computes on.

A handful of queries (trajectories, perspectives, instruments, capacity, outcome codes), never one
per trajectory; the counting happens in Python. Not scoped by an actor: the monitor counts the whole
registry and shows no one's data (it is run by `lvv monitor`).

Performance (docs/performance.md): the queries are built with the ORM but their rows are read from
the cursor as they come, without Django's per-value conversion (dates are parsed once per distinct
value); the instruments come as one packed number per trajectory, summed in the database; and
`monitor_series` reads the registry once for a whole series of peildata."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

from django.db import connection
from django.db.models import Case, CharField, IntegerField, Model, QuerySet, Sum, Value, When
from django.db.models.functions import Cast

from lvv.accounts.models import Municipality
from lvv.core.exceptions import ApplicationError
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.models import InstrumentUse, OutcomeCode, Perspective, Trajectory

from .catalogue import BASIS_TRAJECTEN
from .indicators import (
    INSTRUMENT_VALUES,
    MONITOR_INSTRUMENTS,
    CapacityRow,
    MonitorReport,
    Outcome,
    TrajectoryRow,
    monitor,
    person_key,
)

MSG_UNKNOWN_MUNICIPALITY = "Onbekende gemeente: {name}."
#: The trajectory's dates the monitor reads (as text, see `_Dates`).
DATE_FIELDS = ("application_date", "admission_date", "outflow_date", "ind_decision_date")

#: The values an instrument row can count with (`onbekend` is the absence of a row).
_COUNTED_VALUES = INSTRUMENT_VALUES[:3]
_BASE = len(_COUNTED_VALUES) + 1  # a digit per instrument: 0 = onbekend, 1.. = ja / nee / nvt


@dataclass
class MonitorInput:
    rows: list[TrajectoryRow]
    capacity: list[CapacityRow]
    outcomes: list[Outcome]
    municipalities: list[str]


def _raw_rows(queryset: QuerySet[Model, tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of a values_list queryset as the database driver returns them (no converters): the
    driver's own values, hence `Any`."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


class _Dates(dict[object, dt.date | None]):
    """Date text from the database (cast in the query, so the driver does not convert it value by
    value) → dt.date: `dates[text]`, parsed once per distinct day (a dict lookup after that)."""

    def __init__(self) -> None:
        super().__init__({None: None})

    def __missing__(self, value: object) -> dt.date:
        parsed = self[value] = dt.date.fromisoformat(str(value)[:10])
        return parsed


def _as_text(name: str) -> Cast:
    return Cast(name, output_field=CharField())


def _instrument_maps() -> dict[int, MappingProxyType[str, str]]:
    """Trajectory id → its monitor instruments other than `onbekend` (as in the registry). Summed per
    trajectory in the database as one number with a digit per instrument (0 = onbekend); every
    distinct combination is one shared read-only mapping. Every trajectory: which ones count on P
    is decided by the caller (a filter on the trajectory's dates here would cost a join)."""
    codes = MONITOR_INSTRUMENTS
    weight = Case(
        *(When(instrument_id=code, then=Value(_BASE**position)) for position, code in enumerate(codes)),
        default=Value(0),
        output_field=IntegerField(),
    )
    digit = Case(
        *(When(value=value, then=Value(position + 1)) for position, value in enumerate(_COUNTED_VALUES)),
        default=Value(0),
        output_field=IntegerField(),
    )
    queryset = (
        InstrumentUse.objects.order_by()
        .values("trajectory_id")
        .annotate(packed=Sum(weight * digit))
        .values_list("trajectory_id", "packed")
    )
    shared: dict[int, MappingProxyType[str, str]] = {}
    result: dict[int, MappingProxyType[str, str]] = {}
    for trajectory_id, number in _raw_rows(queryset):
        mapping = shared.get(number)
        if mapping is None:
            values: dict[str, str] = {}
            rest = int(number or 0)
            for code in codes:
                rest, position = divmod(rest, _BASE)
                if position:
                    values[code] = _COUNTED_VALUES[position - 1]
            mapping = shared[number] = MappingProxyType(values)
        if mapping:
            result[trajectory_id] = mapping
    return result


def monitor_input(*, peildatum: dt.date | None) -> MonitorInput:
    """Everything the indicators need on P. Later events are left out here already (they would not
    count anyway), which keeps the rows few. With `peildatum=None` everything is read: the input of
    every peildatum at once (the indicators ignore what happened after their own P)."""
    date = _Dates()
    applied = (
        Trajectory.objects.all() if peildatum is None else Trajectory.objects.filter(application_date__lte=peildatum)
    )
    # Only the rows' own perspectives are looked up below: no join on the trajectory needed here.
    decided = Perspective.objects.all() if peildatum is None else Perspective.objects.filter(decided_on__lte=peildatum)
    perspectives: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for trajectory_id, decided_on, kind in _raw_rows(
        decided.annotate(decided_text=_as_text("decided_on")).values_list(
            "trajectory_id", "decided_text", "perspective"
        )
    ):
        perspectives[trajectory_id].append((cast(dt.date, date[decided_on]), kind))  # a NOT NULL column
    instruments = _instrument_maps()
    names: dict[int, str] = {}
    municipalities: list[str] = []
    for pk, name, has_lvv in Municipality.objects.values_list("id", "name", "has_lvv"):  # ordered by name
        names[pk] = name
        if has_lvv:
            municipalities.append(name)
    empty: MappingProxyType[str, str] = MappingProxyType({})
    rows: list[TrajectoryRow] = []
    for (
        pk,
        external_id,
        municipality_id,
        person_id,
        v_number,
        application_date,
        admission_date,
        outflow_date,
        ind_decision_date,
        outcome,
        ind_decision,
    ) in _raw_rows(
        applied.annotate(**{f"{name}_text": _as_text(name) for name in DATE_FIELDS}).values_list(
            "id",
            "external_id",
            "municipality_id",
            "person_id",
            "person__v_number",
            *(f"{name}_text" for name in DATE_FIELDS),
            "outcome_id",
            "ind_decision",
        )
    ):
        municipality = names[municipality_id]
        known = perspectives.get(pk)
        admission_date = date[admission_date]
        rows.append(
            TrajectoryRow(
                external_id,
                municipality,
                person_key(v_number=v_number, municipality=municipality, own_key=person_id),
                cast(dt.date, date[application_date]),  # a NOT NULL column
                admission_date,
                date[outflow_date],
                outcome,
                ind_decision,
                date[ind_decision_date],
                tuple(known) if known else (),
                # Instruments are counted over `instroom` only, and a missing one is `onbekend` anyway.
                instruments.get(pk, empty)
                if admission_date is not None and (peildatum is None or admission_date <= peildatum)
                else empty,
            )
        )
    capacity = [
        CapacityRow(municipality=name, places=places, valid_from=valid_from, valid_to=valid_to)
        for name, places, valid_from, valid_to in CapacityPeriod.objects.values_list(
            "location__municipality__name", "places", "valid_from", "valid_to"
        )
    ]
    outcomes = [Outcome(code, category) for code, category in OutcomeCode.objects.values_list("code", "category")]
    return MonitorInput(rows=rows, capacity=capacity, outcomes=outcomes, municipalities=municipalities)


def _municipality_name(municipality: str | None) -> str | None:
    if municipality is None:
        return None
    name = Municipality.objects.filter(name__iexact=municipality.strip()).values_list("name", flat=True).first()
    if name is None:
        raise ApplicationError(MSG_UNKNOWN_MUNICIPALITY.format(name=municipality), field="gemeente")
    return name


def _report(
    data: MonitorInput,
    *,
    peildatum: dt.date,
    basis: str,
    municipality: str | None,
    rows: Sequence[TrajectoryRow] | None = None,
) -> MonitorReport:
    report = monitor(
        data.rows if rows is None else rows,
        capacity=data.capacity,
        outcomes=data.outcomes,
        peildatum=peildatum,
        basis=basis,
        municipalities=[*data.municipalities, *([municipality] if municipality else [])],
    )
    if municipality is not None:
        report["per_gemeente"] = {municipality: report["per_gemeente"][municipality]}
    return report


def monitor_report(
    *, peildatum: dt.date, basis: str = BASIS_TRAJECTEN, municipality: str | None = None
) -> MonitorReport:
    """The monitor on P for the whole country and per municipality; with `municipality`, only that
    municipality is listed under `per_gemeente` (`landelijk` stays the whole country)."""
    municipality = _municipality_name(municipality)
    data = monitor_input(peildatum=peildatum)
    return _report(data, peildatum=peildatum, basis=basis, municipality=municipality)


def monitor_series(
    peildata: Iterable[dt.date],
    basis: str = BASIS_TRAJECTEN,
    gemeente: str | None = None,
    *,
    municipality: str | None = None,
) -> list[MonitorReport]:
    """The monitor on each of `peildata` (e.g. 40 quarter ends), in the order given: the same report
    as `monitor_report(peildatum=P, basis=basis, municipality=gemeente)` for every P, but the
    registry is read once (up to the latest P) instead of once per peildatum. For charts over time;
    `gemeente` (or `municipality`) narrows `per_gemeente` as in `monitor_report`."""
    peildata = list(peildata)
    if not peildata:
        return []
    municipality = _municipality_name(gemeente if gemeente is not None else municipality)
    data = monitor_input(peildatum=max(peildata))
    # Sorted by application date once, each peildatum takes the rows applied on or before it.
    ordered = sorted(data.rows, key=lambda r: r.application_date)
    application_dates = [r.application_date for r in ordered]
    return [
        _report(
            data,
            peildatum=p,
            basis=basis,
            municipality=municipality,
            rows=ordered[: bisect_right(application_dates, p)],
        )
        for p in peildata
    ]
