"""The duplicate check at every application: is the person already known here or at another LVV
("shopping" between LVVs, docs/duplicaatcontrole.md)?

In the applicant's own LVV a candidate matches on the same V-nummer, or on a fuzzy name match
(rapidfuzz, aliases included) with a compatible birth date/year and country; those matches are
returned as persons.

Other LVVs are checked pseudonymously: the form's V-nummer and names with the birth date are turned
into keyed fingerprints (`fingerprints.py`) and compared, digest to digest, with the fingerprints of
persons elsewhere. This check never reads another LVV's person record; a match is returned only as
municipality, the signal (V-nummer = strong, name and birth date or year = weak), the month the
trajectory started and its status — nothing about the person. Names are compared exactly after
normalisation there: a typo is missed."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Q
from rapidfuzz import fuzz, process

from lvv.accounts.models import Municipality
from lvv.audit.services import record_reads
from lvv.trajectories.models import Stage, Trajectory

from .fingerprints import Identity, fingerprint_matches
from .models import UNKNOWN_COUNTRY, Alias, FingerprintKind, Person

#: token_sort_ratio at or above this counts as the same name (tolerates typos and swapped names).
NAME_THRESHOLD = 85

#: The signals, strongest first, as the user reads them.
SIGNAL_LABELS = {
    FingerprintKind.V_NUMBER.value: "zelfde V-nummer",
    FingerprintKind.NAME_BIRTH_DATE.value: "zelfde naam en geboortedatum",
    FingerprintKind.NAME_BIRTH_YEAR.value: "zelfde naam en geboortejaar",
}
_ORDER = list(SIGNAL_LABELS)


@dataclass
class LocalMatch:
    person: Person
    reasons: list[str]
    score: float


@dataclass(frozen=True)
class OtherRegistration:
    """A trajectory in another LVV of a person whose fingerprint matched: no more than this."""

    municipality: str
    signals: tuple[str, ...]  # FingerprintKind values, strongest first
    since: str  # the month (YYYY-MM) of admission, else of application; "" if there is no trajectory
    status: str  # the stage of the trajectory

    @property
    def strong(self) -> bool:
        return FingerprintKind.V_NUMBER.value in self.signals

    @property
    def strength(self) -> str:
        return "sterk signaal" if self.strong else "zwak signaal"

    @property
    def signal(self) -> str:
        return "; ".join(SIGNAL_LABELS[s] for s in self.signals)


@dataclass
class DuplicateReport:
    same_lvv: list[LocalMatch] = field(default_factory=list)
    other_lvv: list[OtherRegistration] = field(default_factory=list)
    #: The persons behind `other_lvv`, for the access log only (the person learned about is a data
    #: subject of that disclosure). Never shown.
    other_person_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def found(self) -> bool:
        return bool(self.same_lvv or self.other_lvv)


#: Runs of characters that are not letters or digits (`\\w` is `str.isalnum()` plus "_").
_NOT_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=200_000)
def normalise_name(name: str) -> str:
    """A name for the fuzzy match in the own LVV (word order kept: token_sort_ratio sorts). Kept per
    process: the check normalises every candidate of a birth year on each trajectory page."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = decomposed if decomposed.isascii() else "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_ALNUM.sub(" ", plain.lower()).split())


def duplicate_check(
    *,
    municipality_id: int,
    v_number: str = "",
    given_names: str = "",
    family_name: str = "",
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    country: str = UNKNOWN_COUNTRY,
    aliases: list[str] | tuple[str, ...] = (),
    exclude_person_id: int | None = None,
) -> DuplicateReport:
    """Possible earlier registrations of the person described: in full in the own LVV
    (`municipality_id`), pseudonymously in the others (see the module docstring)."""
    report = DuplicateReport()
    report.same_lvv = _local_matches(
        municipality_id=municipality_id,
        v_number=v_number,
        wanted=normalise_name(f"{given_names} {family_name}"),
        birth_date=birth_date,
        year=birth_date.year if birth_date else birth_year,
        country=country,
        exclude_person_id=exclude_person_id,
    )
    names = (f"{given_names} {family_name}", *aliases)
    identity = Identity(v_number=v_number, names=names, birth_date=birth_date, birth_year=birth_year)
    report.other_lvv, report.other_person_ids = _other_registrations(identity, municipality_id, exclude_person_id)
    return report


def _local_matches(
    *, municipality_id, v_number, wanted, birth_date, year, country, exclude_person_id
) -> list[LocalMatch]:
    """The fuzzy check within the own LVV, which may read its own persons."""
    condition = Q()
    if v_number:
        condition |= Q(v_number=v_number)
    if wanted and year:
        condition |= Q(birth_year__range=(year - 1, year + 1)) | Q(birth_year__isnull=True)
    elif wanted:
        condition |= Q(pk__isnull=False)
    if not condition:
        return []
    # Plain rows, not model instances: an LVV holds thousands of persons of a birth year, and this
    # check runs on every trajectory page. The names are compared in rapidfuzz's C loop
    # (`process.extract_iter`, the same token_sort_ratio and threshold); only matches become objects.
    candidates = Person.objects.filter(condition, municipality_id=municipality_id).exclude(pk=exclude_person_id)
    rows = {
        pk: (given, family, number, born, born_year, origin)
        for pk, given, family, number, born, born_year, origin in candidates.values_list(
            "pk", "given_names", "family_name", "v_number", "birth_date", "birth_year", "country_of_origin"
        )
    }
    reasons: dict[int, list[str]] = defaultdict(list)
    scores: dict[int, float] = {}
    if v_number:
        for pk, row in rows.items():
            if row[2] == v_number:
                reasons[pk].append("zelfde V-nummer")
                scores[pk] = 100.0
    if wanted and rows:
        keys = list(rows)
        names = [normalise_name(f"{rows[pk][0]} {rows[pk][1]}".strip()) for pk in keys]
        for person_id, alias in Alias.objects.filter(person__in=candidates).values_list("person_id", "name"):
            keys.append(person_id)
            names.append(normalise_name(alias))
        best: dict[int, float] = {}
        for _, name_score, index in process.extract_iter(
            wanted, names, scorer=fuzz.token_sort_ratio, score_cutoff=NAME_THRESHOLD
        ):
            best[keys[index]] = max(best.get(keys[index], 0.0), name_score)
        for pk, name_score in best.items():
            _, _, _, born, born_year, origin = rows[pk]
            known_year = born.year if born else born_year
            same_birth = (
                (birth_date is not None and born == birth_date)
                or (year is not None and known_year == year)
                or year is None
                or known_year is None
            )
            same_country = UNKNOWN_COUNTRY in (country, origin) or country == origin
            if same_birth and same_country:
                reasons[pk].append(f"naam lijkt {name_score:.0f}% op, geboortejaar en land passen")
                scores[pk] = max(scores.get(pk, 0.0), name_score)
    persons = Person.objects.filter(pk__in=list(reasons)).prefetch_related("aliases")
    matches = [LocalMatch(person=person, reasons=reasons[person.pk], score=scores[person.pk]) for person in persons]
    matches.sort(key=lambda m: -m.score)
    return matches


def _other_registrations(
    identity: Identity, municipality_id: int, exclude_person_id: int | None
) -> tuple[list[OtherRegistration], list[int]]:
    """The pseudonymous check of the other LVVs: digests compared, then per matching person only the
    municipality, month and stage of each of its trajectories."""

    matches = fingerprint_matches(identity, exclude_municipality_id=municipality_id)
    matches.pop(exclude_person_id, None)
    if not matches:
        return [], []
    names = dict(
        Municipality.objects.filter(pk__in={m.municipality_id for m in matches.values()}).values_list("pk", "name")
    )
    trajectories = defaultdict(list)
    for person_id, application, admission, stage in Trajectory.objects.filter(person_id__in=list(matches)).values_list(
        "person_id", "application_date", "admission_date", "stage"
    ):
        trajectories[person_id].append((admission or application, stage))
    found = []
    for person_id, match in matches.items():
        signals = tuple(sorted(match.kinds, key=_ORDER.index))
        if FingerprintKind.NAME_BIRTH_DATE.value in signals:  # the date implies the year
            signals = tuple(s for s in signals if s != FingerprintKind.NAME_BIRTH_YEAR.value)
        municipality = names[match.municipality_id]
        for start, stage in trajectories[person_id] or [(None, "")]:
            found.append(
                OtherRegistration(
                    municipality=municipality,
                    signals=signals,
                    since=start.strftime("%Y-%m") if start else "",
                    status=str(Stage(stage).label) if stage else "geen traject",
                )
            )
    found.sort(key=lambda r: (r.municipality, r.since, r.status))
    return found, sorted(matches)


def duplicate_check_log(request, duplicates: DuplicateReport, *, where: str = "bij aanmelding") -> None:
    """Log what a duplicate check disclosed about persons already registered: the own LVV's matches in
    full, another LVV's only as "registered there" (docs/duplicaatcontrole.md). Every screen that shows
    a duplicate report calls this."""

    if duplicates.same_lvv:
        record_reads(
            request,
            [m.person.pk for m in duplicates.same_lvv],
            purpose=f"Duplicaatcontrole {where}",
            fields=["given_names", "family_name", "v_number", "birth_date", "country_of_origin"],
        )
    if duplicates.other_person_ids:
        record_reads(
            request,
            duplicates.other_person_ids,
            purpose=f"Landelijke duplicaatcontrole {where} (pseudoniem)",
            fields=["duplicaatsignaal"],
        )
