"""Reads for the monitor: the registry turned into the plain rows `indicators.py` computes on.

A handful of `values_list` queries (trajectories, perspectives, instruments, capacity, outcome
codes), never one per trajectory; the counting happens in Python. Not scoped by an actor: the
monitor counts the whole registry and shows no one's data (it is run by `lvv monitor`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from lvv.accounts.models import Municipality
from lvv.core.exceptions import ApplicationError
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.models import InstrumentUse, OutcomeCode, Perspective, Trajectory

from .indicators import (
    BASIS_TRAJECTEN,
    MONITOR_INSTRUMENTS,
    UNKNOWN,
    CapacityRow,
    Outcome,
    TrajectoryRow,
    monitor,
    person_key,
)

MSG_UNKNOWN_MUNICIPALITY = "Onbekende gemeente: {name}."


@dataclass
class MonitorInput:
    rows: list[TrajectoryRow]
    capacity: list[CapacityRow]
    outcomes: list[Outcome]
    municipalities: list[str]


def monitor_input(*, peildatum: dt.date) -> MonitorInput:
    """Everything the indicators need on P. Later events are left out here already (they would not
    count anyway), which keeps the rows few."""
    applied = Trajectory.objects.filter(application_date__lte=peildatum)
    perspectives: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for trajectory_id, decided_on, kind in Perspective.objects.filter(
        trajectory__application_date__lte=peildatum, decided_on__lte=peildatum
    ).values_list("trajectory_id", "decided_on", "perspective"):
        perspectives[trajectory_id].append((decided_on, kind))
    instruments: dict[int, dict[str, str]] = defaultdict(dict)
    for trajectory_id, code, value in (
        # Instruments are counted over `instroom` only, and a missing one is `onbekend` anyway.
        InstrumentUse.objects.filter(
            trajectory__application_date__lte=peildatum,
            trajectory__admission_date__lte=peildatum,
            instrument_id__in=MONITOR_INSTRUMENTS,
        )
        .exclude(value=UNKNOWN)
        .values_list("trajectory_id", "instrument_id", "value")
    ):
        instruments[trajectory_id][code] = value
    rows = [
        TrajectoryRow(
            trajectory_id=external_id,
            municipality=municipality,
            person=person_key(v_number=v_number, municipality=municipality, own_key=person_id),
            application_date=application_date,
            admission_date=admission_date,
            outflow_date=outflow_date,
            outcome=outcome,
            ind_decision=ind_decision,
            ind_decision_date=ind_decision_date,
            perspectives=tuple(perspectives.get(pk, ())),
            instruments=instruments.get(pk, {}),
        )
        for (
            pk,
            external_id,
            municipality,
            person_id,
            v_number,
            application_date,
            admission_date,
            outflow_date,
            outcome,
            ind_decision,
            ind_decision_date,
        ) in applied.values_list(
            "id",
            "external_id",
            "municipality__name",
            "person_id",
            "person__v_number",
            "application_date",
            "admission_date",
            "outflow_date",
            "outcome_id",
            "ind_decision",
            "ind_decision_date",
        )
    ]
    capacity = [
        CapacityRow(municipality=name, places=places, valid_from=valid_from, valid_to=valid_to)
        for name, places, valid_from, valid_to in CapacityPeriod.objects.values_list(
            "location__municipality__name", "places", "valid_from", "valid_to"
        )
    ]
    outcomes = [Outcome(code, category) for code, category in OutcomeCode.objects.values_list("code", "category")]
    municipalities = list(Municipality.objects.filter(has_lvv=True).values_list("name", flat=True))
    return MonitorInput(rows=rows, capacity=capacity, outcomes=outcomes, municipalities=municipalities)


def monitor_report(*, peildatum: dt.date, basis: str = BASIS_TRAJECTEN, municipality: str | None = None) -> dict:
    """The monitor on P for the whole country and per municipality; with `municipality`, only that
    municipality is listed under `per_gemeente` (`landelijk` stays the whole country)."""
    if municipality is not None:
        name = Municipality.objects.filter(name__iexact=municipality.strip()).values_list("name", flat=True).first()
        if name is None:
            raise ApplicationError(MSG_UNKNOWN_MUNICIPALITY.format(name=municipality), field="gemeente")
        municipality = name
    data = monitor_input(peildatum=peildatum)
    report = monitor(
        data.rows,
        capacity=data.capacity,
        outcomes=data.outcomes,
        peildatum=peildatum,
        basis=basis,
        municipalities=[*data.municipalities, *([municipality] if municipality else [])],
    )
    if municipality is not None:
        report["per_gemeente"] = {municipality: report["per_gemeente"][municipality]}
    return report
