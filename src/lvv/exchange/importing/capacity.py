"""The writes of a checked capacity file: per location its delivered periods replace the ones on
record when they differ; an unknown location is created."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from lvv.accounts.models import Municipality
from lvv.shelter.models import CapacityPeriod, Location

from ..delivery import CapacityRecord
from .result import ImportResult

#: A capacity period as compared: (places, valid from, valid to).
_Period = tuple[int, dt.date, dt.date | None]


@transaction.atomic
def capacity_write(records: Iterable[CapacityRecord], result: ImportResult) -> None:
    """A capacity file gives the whole register of every location it names: per location its rows
    replace the periods on record (when they differ). Unknown locations are created."""
    by_location: dict[tuple[str, str], list[CapacityRecord]] = defaultdict(list)
    for r in records:
        by_location[(r.gemeente, r.locatie.lower())].append(r)
    municipality_ids = dict(Municipality.objects.filter(name__in={m for m, _ in by_location}).values_list("name", "id"))
    locations = {
        (municipality, name.lower()): pk
        for pk, municipality, name in Location.objects.filter(
            municipality_id__in=municipality_ids.values()
        ).values_list("id", "municipality__name", "name")
    }
    periods: dict[int, set[_Period]] = defaultdict(set)
    for recorded_at, places, valid_from, valid_to in CapacityPeriod.objects.filter(
        location_id__in=locations.values()
    ).values_list("location_id", "places", "valid_from", "valid_to"):
        periods[recorded_at].add((places, valid_from, valid_to))
    new_periods = []
    for key, rows in by_location.items():
        wanted: set[_Period] = {(r.plaatsen, r.geldig_vanaf, r.geldig_tot) for r in rows}
        location_id = locations.get(key)
        if location_id is None:
            location_id = Location.objects.create(municipality_id=municipality_ids[key[0]], name=rows[0].locatie).pk
            result.locations_created += 1
        elif periods[location_id] == wanted:
            result.unchanged += 1
            continue
        else:
            CapacityPeriod.objects.filter(location_id=location_id).delete()
        result.created += 1
        new_periods += [
            CapacityPeriod(location_id=location_id, places=p, valid_from=start, valid_to=end)
            for p, start, end in sorted(wanted, key=lambda w: w[1])
        ]
    CapacityPeriod.objects.bulk_create(new_periods)
    result.written = True
