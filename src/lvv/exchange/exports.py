"""The registry written back in the delivery format v1 (`lvv export`): trajectory rows and capacity
rows. Built with a few `values_list` queries, never one per trajectory. The import uses the same
projection to see whether a delivered row changes anything.

What format v1 cannot carry is left out: of the placements and perspectives only the latest one is
written, and only the six instruments of the monitor (see docs/aanleverformat.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lvv.core.tables import csv_text, xlsx_bytes
from lvv.monitor.indicators import MONITOR_INSTRUMENTS
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.models import InstrumentUse, Perspective, Placement, Trajectory

from .delivery import CAPACITY_COLUMNS, TRAJECTORY_COLUMNS, trajectory_columns


@dataclass
class RegisteredTrajectory:
    """A trajectory in the registry, with its row in the delivery format."""

    pk: int
    person_id: int
    municipality_id: int
    stage: str
    columns: dict[str, str]


def registered_trajectories(*, municipality_ids: Iterable[int] | None = None) -> list[RegisteredTrajectory]:
    """Every trajectory (of the given municipalities), ordered by municipality, application date and
    traject_id."""
    trajectories = Trajectory.objects.all()
    if municipality_ids is not None:
        trajectories = trajectories.filter(municipality_id__in=list(municipality_ids))
    in_scope = {"trajectory__in": trajectories.values("pk")} if municipality_ids is not None else {}

    shelter_form: dict[int, str] = {}
    for trajectory_id, form in (
        Placement.objects.filter(**in_scope)
        .order_by("trajectory_id", "start_date", "id")
        .values_list("trajectory_id", "shelter_form")
    ):
        shelter_form[trajectory_id] = form  # the last one (latest start) wins
    perspective: dict[int, tuple] = {}
    for trajectory_id, kind, decided_on in (
        Perspective.objects.filter(**in_scope)
        .order_by("trajectory_id", "decided_on", "id")
        .values_list("trajectory_id", "perspective", "decided_on")
    ):
        perspective[trajectory_id] = (kind, decided_on)
    instruments: dict[int, dict[str, str]] = {}
    for trajectory_id, code, value in InstrumentUse.objects.filter(
        instrument_id__in=MONITOR_INSTRUMENTS, **in_scope
    ).values_list("trajectory_id", "instrument_id", "value"):
        instruments.setdefault(trajectory_id, {})[code] = value

    result = []
    for (
        pk,
        municipality_id,
        municipality,
        external_id,
        person_id,
        person_key,
        v_number,
        sex,
        birth_year,
        birth_date,
        country,
        application_date,
        admission_date,
        is_exception,
        outflow_date,
        outcome,
        ind_decision,
        ind_decision_date,
        stage,
    ) in trajectories.order_by("municipality__name", "application_date", "external_id").values_list(
        "id",
        "municipality_id",
        "municipality__name",
        "external_id",
        "person_id",
        "person__person_key",
        "person__v_number",
        "person__sex",
        "person__birth_year",
        "person__birth_date",
        "person__country_of_origin",
        "application_date",
        "admission_date",
        "is_exception",
        "outflow_date",
        "outcome_id",
        "ind_decision",
        "ind_decision_date",
        "stage",
    ):
        kind, decided_on = perspective.get(pk, ("", None))
        columns = trajectory_columns(
            traject_id=external_id,
            gemeente=municipality,
            persoon_id=person_key,
            v_nummer=v_number,
            geslacht=sex,
            geboortejaar=birth_date.year if birth_date else birth_year,
            land_van_herkomst=country,
            datum_aanmelding=application_date,
            datum_toelating=admission_date,
            uitzondering=is_exception,
            opvangvorm=shelter_form.get(pk, ""),
            perspectief=kind,
            datum_perspectief=decided_on,
            instrumenten=instruments.get(pk, {}),
            datum_uitstroom=outflow_date,
            uitstroomreden=outcome or "",
            besluit_na_uitstroom=ind_decision,
            datum_besluit=ind_decision_date,
        )
        result.append(RegisteredTrajectory(pk, person_id, municipality_id, stage, columns))
    return result


def capacity_rows(*, municipality_ids: Iterable[int] | None = None) -> list[list[str]]:
    periods = CapacityPeriod.objects.all()
    if municipality_ids is not None:
        periods = periods.filter(location__municipality_id__in=list(municipality_ids))
    return [
        [municipality, location, str(places), valid_from.isoformat(), valid_to.isoformat() if valid_to else ""]
        for municipality, location, places, valid_from, valid_to in periods.order_by(
            "location__municipality__name", "location__name", "valid_from"
        ).values_list("location__municipality__name", "location__name", "places", "valid_from", "valid_to")
    ]


def export_table(kind: str, *, municipality_ids: Iterable[int] | None = None) -> tuple[tuple[str, ...], list[list]]:
    """The header and rows of an export of `kind` (`trajecten` or `capaciteit`)."""
    if kind == "capaciteit":
        return CAPACITY_COLUMNS, capacity_rows(municipality_ids=municipality_ids)
    rows = registered_trajectories(municipality_ids=municipality_ids)
    return TRAJECTORY_COLUMNS, [[t.columns[c] for c in TRAJECTORY_COLUMNS] for t in rows]


def export_bytes(kind: str, *, file_format: str = "csv", municipality_ids: Iterable[int] | None = None) -> bytes:
    header, rows = export_table(kind, municipality_ids=municipality_ids)
    if file_format == "xlsx":
        return xlsx_bytes([(kind, header, rows)])
    return csv_text(header, rows).encode("utf-8")
