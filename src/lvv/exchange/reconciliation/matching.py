"""The comparison of the registry with the partners' extracts: a pure function over plain records
(`reconcile`), so that every rule is tested without a database. Per municipality it finds V-numbers
unknown to the IND, malformed V-numbers, probably mistyped V-numbers (one digit off or two adjacent
digits swapped from one the IND knows), trajectories unknown to DT&V or registered there only after
their outflow, and outcomes the partners contradict.

A registry fact is only compared with an extract when it is dated on or before the extract's
peildatum: what happened later cannot be in it."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .extracts import DTV, GRANTED, IND, MOB, DtvRecord, Extract, IndRecord
from .registry import RegistryPerson, RegistryTrajectory

#: A partner's record belongs to a trajectory when dated between its start and its outflow plus this.
TOLERANCE = dt.timedelta(days=30)

UNKNOWN_IND = "onbekend_bij_ind"
MALFORMED = "ongeldig_v_nummer"
MISTYPED = "vermoedelijk_verkeerd_v_nummer"
UNKNOWN_DTV = "onbekend_bij_dtv"
LATE_DTV = "aangemeld_na_uitstroom"
OUTCOME = "uitstroom_verschilt"
#: category → (label, the partner whose extract it needs; None: none)
CATEGORIES: dict[str, tuple[str, str | None]] = {
    UNKNOWN_IND: ("V-nummer onbekend bij de IND", IND),
    MALFORMED: ("Ongeldig V-nummer", None),
    MISTYPED: ("V-nummer vermoedelijk verkeerd overgenomen", IND),
    UNKNOWN_DTV: ("Traject onbekend bij DT&V", DTV),
    LATE_DTV: ("Bij DT&V aangemeld na de uitstroom", DTV),
    OUTCOME: ("Uitkomst verschilt van IND of DT&V", None),
}
#: Kinds of outcome disagreement (category `uitstroom_verschilt`): kind → (partner, label).
OUTCOME_KINDS: dict[str, tuple[str, str]] = {
    "aanvraag_onbekend_bij_ind": (IND, "register: HASA of artikel 64; IND kent geen aanvraag"),
    "besluit_verschilt": (IND, "besluit na uitstroom verschilt van de IND"),
    "besluit_ontbreekt_in_register": (IND, "IND heeft besloten; het register niet"),
    "inwilliging_onbekend_bij_ind": (IND, "register: inwilliging; IND kent geen inwilliging"),
    "aanvraag_niet_in_register": (IND, "IND: HASA of artikel 64 rond de uitstroom; register: andere reden"),
    "inwilliging_traject_open": (IND, "IND: vergunning verleend; traject staat nog open"),
    "vertrek_onbekend_bij_dtv": (DTV, "register: vertrek; DT&V kent geen vertrek"),
    "vertrekwijze_verschilt": (DTV, "register en DT&V noemen een andere vertrekwijze"),
    "vertrek_niet_in_register": (DTV, "DT&V: vertrek rond de uitstroom; register: andere reden"),
    "vertrek_traject_open": (DTV, "DT&V: vertrokken; traject staat nog open"),
}
NOT_COMPARED = {"overleden"}
IND_APPLICATION_OUTCOMES = {"hasa": "HASA", "artikel_64": "artikel 64"}
#: Registry outcome → the DT&V departure kinds that agree with it.
DEPARTURE_OUTCOMES = {"zelfstandig_vertrek": {"zelfstandig"}, "doormigratie": {"derde_land"}}
#: Other outcomes a DT&V departure soon after the outflow does not contradict (detention, then removal).
FOLLOWED_BY_DEPARTURE = {"inbewaringstelling": {"gedwongen"}}
DEPARTURE_LABELS = {
    "zelfstandig": "zelfstandig vertrek",
    "gedwongen": "gedwongen vertrek",
    "derde_land": "vertrek naar een derde land",
    "mob": "vertrek met onbekende bestemming",
}


@dataclass
class Finding:
    """One discrepancy, about one person (and, where it concerns one, one trajectory)."""

    category: str
    municipality: str
    person_pk: int
    person_key: str
    v_number: str
    message: str
    traject_id: str = ""
    trajectory_pk: int | None = None
    kind: str = ""  # for `uitstroom_verschilt`: a key of OUTCOME_KINDS
    partner: str = ""
    candidates: list[dict[str, str]] = field(default_factory=list)  # for a mistyped or malformed V-nummer

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"v_nummer": self.v_number, "persoon_id": self.person_key}
        if self.traject_id:
            data["traject_id"] = self.traject_id
        if self.kind:
            data |= {"partner": self.partner, "soort": self.kind}
        if self.category in (MALFORMED, MISTYPED):
            data["kandidaten"] = self.candidates
        data["melding"] = self.message
        return data


def v_number_candidates(value: str, known: set[str], taken: Iterable[str] = ()) -> list[dict[str, str]]:
    """V-numbers the partner knows that `value` probably was meant to be: one digit different, two
    adjacent digits swapped, or (for a malformed one) the same digits without separators, one digit
    missing or one too many. A V-nummer in `taken` (held by another person of the same municipality)
    is not a candidate."""
    found: dict[str, str] = {}
    held = set(taken)

    def consider(candidate: str, how: str) -> None:
        if candidate != value and candidate in known and candidate not in held and candidate not in found:
            found[candidate] = how

    digits = re.sub(r"\D", "", value)
    if len(value) == 10 and value.isascii() and value.isdigit():
        for i in range(10):
            for d in "0123456789":
                if d != value[i]:
                    consider(value[:i] + d + value[i + 1 :], f"één cijfer anders (positie {i + 1})")
        for i in range(9):
            if value[i] != value[i + 1]:
                swapped = value[:i] + value[i + 1] + value[i] + value[i + 2 :]
                consider(swapped, f"twee cijfers verwisseld (posities {i + 1} en {i + 2})")
    else:
        if len(digits) == 10:
            consider(digits, "dezelfde cijfers zonder spaties of leestekens")
        elif len(digits) == 9:
            for i in range(10):
                for d in "0123456789":
                    consider(digits[:i] + d + digits[i:], "één cijfer ontbreekt")
        elif len(digits) == 11:
            for i in range(11):
                consider(digits[:i] + digits[i + 1 :], "één cijfer te veel")
    return [{"v_nummer": c, "reden": how} for c, how in sorted(found.items())]


def is_valid_v_number(value: str) -> bool:
    return len(value) == 10 and value.isascii() and value.isdigit()


def _d(value: dt.date | None) -> str:
    return value.isoformat() if value else "onbekend"


class _Reconciler:
    def __init__(
        self, persons: Sequence[RegistryPerson], ind: Extract | None, dtv: Extract | None, only: str | None = None
    ) -> None:
        self.persons = persons
        self.only = only
        self.ind, self.dtv = ind, dtv
        self.ind_rows: dict[str, list[IndRecord]] = defaultdict(list)
        self.dtv_rows: dict[str, list[DtvRecord]] = defaultdict(list)
        for record in ind.records if ind else []:
            if isinstance(record, IndRecord):
                self.ind_rows[record.v_nummer].append(record)
        for record in dtv.records if dtv else []:
            if isinstance(record, DtvRecord):
                self.dtv_rows[record.v_nummer].append(record)
        self.findings: list[Finding] = []
        # Every trajectory of a V-nummer, across municipalities: the same person.
        self.by_v_number: dict[str, list[RegistryTrajectory]] = defaultdict(list)
        for p in persons:
            if is_valid_v_number(p.v_number):
                self.by_v_number[p.v_number].extend(p.trajectories)
        for trajectories in self.by_v_number.values():
            trajectories.sort(key=lambda t: (t.application, t.pk))
        self.taken: dict[str, set[str]] = defaultdict(set)  # municipality → its persons' V-numbers
        for p in persons:
            if p.v_number:
                self.taken[p.municipality].add(p.v_number)

    def add(
        self,
        category: str,
        person: RegistryPerson,
        message: str,
        trajectory: RegistryTrajectory | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs.get("kind"):
            kwargs.setdefault("partner", OUTCOME_KINDS[kwargs["kind"]][0])
        self.findings.append(
            Finding(
                category=category,
                municipality=trajectory.municipality if trajectory else person.municipality,
                person_pk=person.pk,
                person_key=person.person_key,
                v_number=person.v_number,
                message=message,
                traject_id=trajectory.traject_id if trajectory else "",
                trajectory_pk=trajectory.pk if trajectory else None,
                **kwargs,
            )
        )

    def run(self) -> list[Finding]:
        known_ind = self.ind.v_numbers if self.ind else set()
        for person in self.persons:
            if not person.v_number or self.only not in (None, person.municipality):
                continue
            doubtful = False
            if not is_valid_v_number(person.v_number):
                candidates = v_number_candidates(person.v_number, known_ind, self.taken[person.municipality])
                message = f"'{person.v_number}' is geen V-nummer van 10 cijfers"
                if candidates:
                    message += "; bedoeld is waarschijnlijk " + " of ".join(c["v_nummer"] for c in candidates)
                self.add(MALFORMED, person, message, candidates=candidates)
                continue
            if self.ind and person.first_application and person.first_application <= self.ind.peildatum:
                if person.v_number not in known_ind:
                    candidates = v_number_candidates(person.v_number, known_ind, self.taken[person.municipality])
                    if candidates:
                        doubtful = True
                        alternatives = "; ".join(f"{c['v_nummer']}: {c['reden']}" for c in candidates)
                        self.add(
                            MISTYPED,
                            person,
                            f"de IND kent {person.v_number} niet, wel: {alternatives}",
                            candidates=candidates,
                        )
                    else:
                        self.add(UNKNOWN_IND, person, f"de IND kent V-nummer {person.v_number} niet")
                else:
                    for trajectory in person.trajectories:
                        self._ind_outcome(self.ind, person, trajectory)
            if self.dtv and not doubtful:
                for trajectory in person.trajectories:
                    self._dtv_trajectory(self.dtv, person, trajectory)
        return self.findings

    # -- IND --

    def _ind_outcome(self, ind: Extract, person: RegistryPerson, t: RegistryTrajectory) -> None:
        peildatum = ind.peildatum
        rows = self.ind_rows.get(person.v_number, [])
        if t.outflow is None:
            if t.admission and t.admission <= peildatum:
                granted = [
                    r for r in rows if r.besluit == GRANTED and r.datum_besluit and r.datum_besluit >= t.admission
                ]
                if granted:
                    r = max(granted, key=lambda r: r.datum_besluit or dt.date.min)
                    self.add(
                        OUTCOME,
                        person,
                        f"IND: inwilliging ({r.procedure}) op {_d(r.datum_besluit)}; het traject staat nog open",
                        t,
                        kind="inwilliging_traject_open",
                    )
            return
        if t.outflow + TOLERANCE > peildatum or t.outcome in NOT_COMPARED:
            return  # what the IND records around a recent outflow may come after its peildatum
        start, end = t.application, t.outflow + TOLERANCE
        if t.outcome in IND_APPLICATION_OUTCOMES:
            label = IND_APPLICATION_OUTCOMES[t.outcome]
            same = [r for r in rows if r.procedure == t.outcome]
            matching = [r for r in same if r.datum_aanvraag and start <= r.datum_aanvraag <= end]
            if not matching:
                message = (
                    f"register: uitstroom {label} op {_d(t.outflow)}; de IND kent geen {label}-aanvraag "
                    f"tussen {_d(start)} en {_d(end)}"
                )
                if same:
                    message += " (wel op " + ", ".join(_d(r.datum_aanvraag) for r in same) + ")"
                self.add(OUTCOME, person, message, t, kind="aanvraag_onbekend_bij_ind")
                return
            r = max(matching, key=lambda r: r.datum_aanvraag or dt.date.min)
            registry_decided = t.ind_decision and t.ind_decision_date and t.ind_decision_date <= peildatum
            if registry_decided and r.besluit != t.ind_decision:
                ind_says = f"{r.besluit} op {_d(r.datum_besluit)}" if r.besluit else f"nog geen besluit ({r.status})"
                self.add(
                    OUTCOME,
                    person,
                    f"register: besluit {t.ind_decision} op {_d(t.ind_decision_date)}; IND: {ind_says}",
                    t,
                    kind="besluit_verschilt",
                )
            elif not t.ind_decision and r.besluit:
                self.add(
                    OUTCOME,
                    person,
                    f"IND: {label}-aanvraag van {_d(r.datum_aanvraag)} is besloten ({r.besluit} op "
                    f"{_d(r.datum_besluit)}); het register heeft geen besluit",
                    t,
                    kind="besluit_ontbreekt_in_register",
                )
            return
        if t.outcome == GRANTED:
            granted = [r for r in rows if r.besluit == GRANTED and r.datum_besluit and start <= r.datum_besluit <= end]
            if not granted:
                self.add(
                    OUTCOME,
                    person,
                    f"register: uitstroom inwilliging op {_d(t.outflow)}; de IND kent geen inwilliging "
                    f"tussen {_d(start)} en {_d(end)}",
                    t,
                    kind="inwilliging_onbekend_bij_ind",
                )
            return
        around = [
            r
            for r in rows
            if r.procedure in IND_APPLICATION_OUTCOMES
            and r.datum_aanvraag
            and abs((r.datum_aanvraag - t.outflow).days) <= TOLERANCE.days
        ]
        if around:
            r = max(around, key=lambda r: r.datum_aanvraag or dt.date.min)
            self.add(
                OUTCOME,
                person,
                f"IND: {IND_APPLICATION_OUTCOMES[r.procedure]}-aanvraag op {_d(r.datum_aanvraag)}, rond de "
                f"uitstroom op {_d(t.outflow)}; register: uitstroomreden {t.outcome}",
                t,
                kind="aanvraag_niet_in_register",
            )

    # -- DT&V --

    def _registrations(self, t: RegistryTrajectory, v_number: str) -> list[DtvRecord]:
        """The DT&V registrations that belong to trajectory `t`: each registration belongs to the
        person's latest trajectory (in any municipality) that started on or before it; one from
        before the person's first trajectory belongs to the first."""
        trajectories = self.by_v_number[v_number]
        result = []
        for r in self.dtv_rows.get(v_number, []):
            owner = trajectories[0]
            for candidate in trajectories:
                if candidate.application <= r.datum_aanmelding_dtv:
                    owner = candidate
            if owner.pk == t.pk:
                result.append(r)
        return result

    def _dtv_trajectory(self, dtv: Extract, person: RegistryPerson, t: RegistryTrajectory) -> None:
        peildatum = dtv.peildatum
        if t.admission is None or t.admission > peildatum:
            return  # only admitted trajectories are reported to DT&V, and only those it could know
        registrations = self._registrations(t, person.v_number)
        if not registrations and t.admission + TOLERANCE <= peildatum:  # a recent one may still be on its way
            self.add(UNKNOWN_DTV, person, f"toegelaten op {_d(t.admission)}; DT&V kent geen aanmelding", t)
        elif t.outflow and t.outflow <= peildatum:
            first = min(r.datum_aanmelding_dtv for r in registrations)
            if first > t.outflow:
                self.add(
                    LATE_DTV,
                    person,
                    f"uitgestroomd op {_d(t.outflow)}; bij DT&V aangemeld op {_d(first)} "
                    f"({(first - t.outflow).days} dagen later)",
                    t,
                )
        departures = [r for r in self.dtv_rows.get(person.v_number, []) if r.datum_vertrek]
        if t.outflow is None:
            after = [r for r in departures if r.datum_vertrek and t.admission <= r.datum_vertrek <= peildatum]
            if after:
                r = max(after, key=lambda r: r.datum_vertrek or dt.date.min)
                self.add(
                    OUTCOME,
                    person,
                    f"DT&V: {DEPARTURE_LABELS[r.vertrekwijze]} op {_d(r.datum_vertrek)}; het traject staat nog open",
                    t,
                    kind="vertrek_traject_open",
                )
            return
        if t.outflow + TOLERANCE > peildatum or t.outcome in NOT_COMPARED:
            return
        if t.outcome in DEPARTURE_OUTCOMES:
            window = [
                r for r in departures if r.datum_vertrek and t.admission <= r.datum_vertrek <= t.outflow + TOLERANCE
            ]
            agreeing = [r for r in window if r.vertrekwijze in DEPARTURE_OUTCOMES[t.outcome]]
            if agreeing:
                return
            if window:
                r = max(window, key=lambda r: r.datum_vertrek or dt.date.min)
                self.add(
                    OUTCOME,
                    person,
                    f"register: uitstroom {t.outcome} op {_d(t.outflow)}; DT&V: {DEPARTURE_LABELS[r.vertrekwijze]} "
                    f"op {_d(r.datum_vertrek)}",
                    t,
                    kind="vertrekwijze_verschilt",
                )
            else:
                self.add(
                    OUTCOME,
                    person,
                    f"register: uitstroom {t.outcome} op {_d(t.outflow)}; DT&V kent geen vertrek tussen "
                    f"{_d(t.admission)} en {_d(t.outflow + TOLERANCE)}",
                    t,
                    kind="vertrek_onbekend_bij_dtv",
                )
            return
        around = [
            r
            for r in departures
            if r.datum_vertrek
            and r.vertrekwijze != MOB
            and r.vertrekwijze not in FOLLOWED_BY_DEPARTURE.get(t.outcome, ())
            and abs((r.datum_vertrek - t.outflow).days) <= TOLERANCE.days
        ]
        if around:
            r = max(around, key=lambda r: r.datum_vertrek or dt.date.min)
            self.add(
                OUTCOME,
                person,
                f"DT&V: {DEPARTURE_LABELS[r.vertrekwijze]} op {_d(r.datum_vertrek)}, rond de uitstroom op "
                f"{_d(t.outflow)}; register: uitstroomreden {t.outcome}",
                t,
                kind="vertrek_niet_in_register",
            )


def reconcile(
    persons: Sequence[RegistryPerson],
    *,
    ind: Extract | None = None,
    dtv: Extract | None = None,
    municipality: str | None = None,
) -> list[Finding]:
    """Every discrepancy between the registry and the extracts (either may be missing), or only those
    of one municipality (the other municipalities' persons still count as the same person). Pure."""
    return _Reconciler(persons, ind, dtv, municipality).run()


def category_counts(findings: Iterable[Finding], *, ind: bool, dtv: bool) -> dict[str, Any]:
    """Counts per category; a category whose extract is missing is None (not compared), not 0."""
    have: dict[str | None, bool] = {IND: ind, DTV: dtv, None: True}
    counts: dict[str, Any] = {c: (0 if have[partner] else None) for c, (_, partner) in CATEGORIES.items()}
    kinds: dict[str, Any] = {k: (0 if have[partner] else None) for k, (partner, _) in OUTCOME_KINDS.items()}
    for f in findings:
        counts[f.category] += 1
        if f.kind:
            kinds[f.kind] += 1
    counts[f"{OUTCOME}_per_soort"] = kinds
    return counts
