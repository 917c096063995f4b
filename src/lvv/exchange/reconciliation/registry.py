"""The registry as plain records for the reconciliation and the duplicate report: every person with
their trajectories, loaded in a few queries, so that the comparison itself needs no database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from lvv.people.duplicates import normalise_name
from lvv.people.models import UNKNOWN_COUNTRY, Alias, Person
from lvv.trajectories.models import Trajectory


@dataclass(frozen=True)
class RegistryTrajectory:
    """A trajectory of the registry, with what the reconciliation compares."""

    pk: int
    person_pk: int
    traject_id: str
    municipality: str
    application: dt.date
    admission: dt.date | None = None
    outflow: dt.date | None = None
    outcome: str = ""
    ind_decision: str = ""
    ind_decision_date: dt.date | None = None


@dataclass
class RegistryPerson:
    """A person of the registry with their trajectories, oldest first."""

    pk: int
    municipality: str
    person_key: str
    v_number: str
    trajectories: list[RegistryTrajectory] = field(default_factory=list)
    # For the duplicate report only:
    names: tuple[str, ...] = ()  # normalised full name and aliases
    birth_date: dt.date | None = None
    birth_year: int | None = None
    country: str = UNKNOWN_COUNTRY

    @property
    def known_birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year

    @property
    def first_application(self) -> dt.date | None:
        return min((t.application for t in self.trajectories), default=None)


PLACEHOLDER_NAME = re.compile(r"Persoon (met V-nummer )?\S+")


def _placeholder_name(given: str, family: str) -> bool:
    """A person delivered in a file has no name, only the placeholder `lvv import` writes
    ("Persoon <persoon_id>" or "Persoon met V-nummer <V>"); placeholders must never match each other."""
    return not given and PLACEHOLDER_NAME.fullmatch(family) is not None


def registry_load(*, with_names: bool = False) -> list[RegistryPerson]:
    """Every person of the registry with their trajectories, in a few queries (never one per row)."""
    persons: dict[int, RegistryPerson] = {}
    fields = ["id", "municipality__name", "person_key", "v_number"]
    if with_names:
        fields += ["given_names", "family_name", "birth_date", "birth_year", "country_of_origin"]
    for values in Person.objects.order_by("municipality__name", "person_key").values_list(*fields):
        person = RegistryPerson(*values[:4])
        if with_names:
            given, family, person.birth_date, person.birth_year, person.country = values[4:]
            if not _placeholder_name(given, family):
                person.names = (normalise_name(f"{given} {family}"),)
        persons[person.pk] = person
    if with_names:
        for person_id, name in Alias.objects.values_list("person_id", "name"):
            persons[person_id].names += (normalise_name(name),)
    for values in Trajectory.objects.order_by("application_date", "id").values_list(
        "id",
        "person_id",
        "external_id",
        "municipality__name",
        "application_date",
        "admission_date",
        "outflow_date",
        "outcome_id",
        "ind_decision",
        "ind_decision_date",
    ):
        trajectory = RegistryTrajectory(*values[:7], values[7] or "", values[8] or "", values[9])
        persons[trajectory.person_pk].trajectories.append(trajectory)
    return list(persons.values())
