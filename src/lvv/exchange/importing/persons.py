"""Who is who in a trajectory file: the file's rows grouped into persons per municipality
(persoon_id first, then V-nummer), each matched to the registry person it is, with the person
fields the file changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import TypedDict

from lvv.people.models import UNKNOWN_COUNTRY, Person, Sex
from lvv.people.services import MSG_BIRTH_YEAR_MISMATCH

from ..delivery import Fault, TrajectoryRecord
from .rows import FilePerson

MSG_OTHER_V_NUMBER = "persoon_id '{person}' heeft in regel {line} een ander V-nummer ({v_number})"
MSG_V_NUMBER_OTHER_PERSON = "V-nummer {v_number} staat in regel {line} bij een andere persoon (persoon_id '{person}')"
MSG_V_NUMBER_REGISTERED = (
    "V-nummer {v_number} hoort in {municipality} al bij een andere persoon (persoon_id '{person}')"
)
MSG_SAME_PERSON = "dit is dezelfde geregistreerde persoon als in regel {line} (V-nummer of persoon_id)"


class RegisteredPerson(TypedDict):
    """A registry person as the matching needs it."""

    pk: int
    key: str
    v_number: str
    sex: str
    birth_year: int | None
    birth_date: dt.date | None
    country: str


#: One municipality's registry persons by ("k", persoon_id) and by ("v", V-nummer).
Registry = dict[tuple[str, str], RegisteredPerson]


def persons_identify(
    records: list[TrajectoryRecord], *, municipality_ids: Mapping[str, int], faults: list[Fault]
) -> list[FilePerson]:
    """The persons of the file, matched to the registry; every fault found is appended to `faults`."""
    by_municipality: dict[str, list[TrajectoryRecord]] = defaultdict(list)
    for r in records:
        by_municipality[r.gemeente].append(r)
    existing: dict[int, Registry] = defaultdict(dict)
    for pk, municipality_id, key, v_number, sex, birth_year, birth_date, country in Person.objects.filter(
        municipality_id__in=municipality_ids.values()
    ).values_list(
        "id", "municipality_id", "person_key", "v_number", "sex", "birth_year", "birth_date", "country_of_origin"
    ):
        row: RegisteredPerson = {
            "pk": pk,
            "key": key,
            "v_number": v_number,
            "sex": sex,
            "birth_year": birth_year,
            "birth_date": birth_date,
            "country": country,
        }
        existing[municipality_id][("k", key)] = row
        if v_number:
            existing[municipality_id][("v", v_number)] = row
    persons = []
    for name, rows in by_municipality.items():
        municipality_id = municipality_ids[name]
        persons.extend(
            _persons_in(name, municipality_id, sorted(rows, key=lambda r: r.line), existing[municipality_id], faults)
        )
    return persons


def _persons_in(
    municipality: str,
    municipality_id: int,
    records: list[TrajectoryRecord],
    registry: Registry,
    faults: list[Fault],
) -> list[FilePerson]:
    """Group the rows of one municipality into persons (persoon_id first, then V-nummer), and match
    each to the registry: by persoon_id, else by V-nummer (the delivered persoon_id is then adopted)."""
    groups: dict[tuple[str, str], FilePerson] = {}
    for r in records:
        if r.persoon_id:
            groups.setdefault(("k", r.persoon_id), FilePerson(municipality_id, r.persoon_id)).records.append(r)
    owner: dict[str, FilePerson] = {}
    for person in list(groups.values()):
        first: TrajectoryRecord | None = None
        for r in person.records:
            if not r.v_nummer:
                continue
            if first is None:
                first = r
            elif r.v_nummer != first.v_nummer:
                faults.append(
                    Fault(
                        r.line,
                        "v_nummer",
                        MSG_OTHER_V_NUMBER.format(person=person.key, line=first.line, v_number=first.v_nummer),
                    )
                )
        if first is None:
            continue
        person.v_number = first.v_nummer
        if first.v_nummer in owner:
            other = owner[first.v_nummer]
            faults.append(
                Fault(
                    first.line,
                    "v_nummer",
                    MSG_V_NUMBER_OTHER_PERSON.format(v_number=first.v_nummer, line=other.first_line, person=other.key),
                )
            )
        else:
            owner[first.v_nummer] = person
    for r in records:
        if not r.persoon_id:
            found_owner = owner.get(r.v_nummer)
            if found_owner is None:
                found_owner = owner[r.v_nummer] = groups[("v", r.v_nummer)] = FilePerson(
                    municipality_id, "", v_number=r.v_nummer
                )
            found_owner.records.append(r)

    matched: dict[int, FilePerson] = {}
    for person in groups.values():
        person.records.sort(key=lambda r: (r.datum_aanmelding, r.line))
        found = registry.get(("k", person.key)) if person.key else None
        by_v = registry.get(("v", person.v_number)) if person.v_number else None
        if found is None:
            found = by_v
            if found is not None and person.key:
                person.new_key = person.key  # the municipality's own key, delivered now
        elif by_v is not None and by_v["pk"] != found["pk"]:
            faults.append(
                Fault(
                    person.first_line,
                    "v_nummer",
                    MSG_V_NUMBER_REGISTERED.format(
                        v_number=person.v_number, municipality=municipality, person=by_v["key"]
                    ),
                )
            )
        if found is not None:
            if found["pk"] in matched:
                faults.append(
                    Fault(person.first_line, "persoon_id", MSG_SAME_PERSON.format(line=matched[found["pk"]].first_line))
                )
            matched[found["pk"]] = person
            person.pk = found["pk"]
        _person_changes(person, found, faults)
    return list(groups.values())


def _person_changes(person: FilePerson, registered: RegisteredPerson | None, faults: list[Fault]) -> None:
    """The person's values: per field the latest row (by application date) that knows it. A value
    the file does not know (empty, onbekend) never erases one the registry knows."""
    latest: dict[str, object] = {}
    for r in person.records:
        if r.geslacht != Sex.ONBEKEND:
            latest["sex"] = r.geslacht
        if r.geboortejaar is not None:
            latest["birth_year"] = r.geboortejaar
        if r.land_van_herkomst != UNKNOWN_COUNTRY:
            latest["country_of_origin"] = r.land_van_herkomst
    if person.v_number:
        latest["v_number"] = person.v_number
    # The V-nummer the person has once this file is written (a delivered one wins).
    person.stored_v_number = person.v_number or (registered["v_number"] if registered else "")
    if registered is None:
        person.changes = latest
        return
    birth_date = registered["birth_date"]
    if birth_date and latest.get("birth_year", birth_date.year) != birth_date.year:
        faults.append(Fault(person.first_line, "geboortejaar", MSG_BIRTH_YEAR_MISMATCH))
    current: dict[str, object] = {
        "sex": registered["sex"],
        "birth_year": registered["birth_year"],
        "country_of_origin": registered["country"],
        "v_number": registered["v_number"],
    }
    if birth_date:
        latest.pop("birth_year", None)
    person.changes = {k: v for k, v in latest.items() if current[k] != v}
    if person.new_key:
        person.changes["person_key"] = person.new_key
