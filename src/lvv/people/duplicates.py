"""The duplicate check at every application (domain brief §3: "shopping" between LVVs).

A candidate matches on the same V-nummer, or on a fuzzy name match (rapidfuzz) with a compatible
birth date/year and country. Matches in the applicant's own LVV are returned as persons; matches in
other LVVs only as (municipality, start date, status) — nothing else about the person."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q
from rapidfuzz import fuzz

from lvv.trajectories.models import Stage

from .models import UNKNOWN_COUNTRY, Person

#: token_sort_ratio at or above this counts as the same name (tolerates typos and swapped names).
NAME_THRESHOLD = 85


@dataclass
class LocalMatch:
    person: Person
    reasons: list[str]
    score: float


@dataclass(frozen=True)
class OtherRegistration:
    municipality: str
    start_date: dt.date
    status: str


@dataclass
class DuplicateReport:
    same_lvv: list[LocalMatch] = field(default_factory=list)
    other_lvv: list[OtherRegistration] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.same_lvv or self.other_lvv)


def normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())


def _names(person: Person) -> list[str]:
    return [normalise_name(person.full_name), *(normalise_name(a.name) for a in person.aliases.all())]


def duplicate_check(
    *,
    municipality_id: int,
    v_number: str = "",
    given_names: str = "",
    family_name: str = "",
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    country: str = UNKNOWN_COUNTRY,
    exclude_person_id: int | None = None,
) -> DuplicateReport:
    year = birth_date.year if birth_date else birth_year
    wanted = normalise_name(f"{given_names} {family_name}")
    condition = Q()
    if v_number:
        condition |= Q(v_number=v_number)
    if wanted and year:
        condition |= Q(birth_year__range=(year - 1, year + 1)) | Q(birth_year__isnull=True)
    elif wanted:
        condition |= Q(pk__isnull=False)
    if not condition:
        return DuplicateReport()
    candidates = (
        Person.objects.filter(condition)
        .exclude(pk=exclude_person_id)
        .select_related("municipality")
        .prefetch_related("aliases", "trajectories")
    )
    report = DuplicateReport()
    for person in candidates:
        reasons, score = [], 0.0
        if v_number and person.v_number == v_number:
            reasons.append("zelfde V-nummer")
            score = 100.0
        if wanted:
            name_score = max((fuzz.token_sort_ratio(wanted, n) for n in _names(person)), default=0.0)
            same_birth = (
                (birth_date is not None and person.birth_date == birth_date)
                or (year is not None and person.known_birth_year == year)
                or year is None
                or person.known_birth_year is None
            )
            same_country = UNKNOWN_COUNTRY in (country, person.country_of_origin) or country == person.country_of_origin
            if name_score >= NAME_THRESHOLD and same_birth and same_country:
                reasons.append(f"naam lijkt {name_score:.0f}% op, geboortejaar en land passen")
                score = max(score, name_score)
        if not reasons:
            continue
        if person.municipality_id == municipality_id:
            report.same_lvv.append(LocalMatch(person=person, reasons=reasons, score=score))
        else:
            for t in person.trajectories.all():
                report.other_lvv.append(
                    OtherRegistration(
                        municipality=person.municipality.name,
                        start_date=t.admission_date or t.application_date,
                        status=str(Stage(t.stage).label),
                    )
                )
    report.same_lvv.sort(key=lambda m: -m.score)
    report.other_lvv.sort(key=lambda r: (r.municipality, r.start_date))
    return report
