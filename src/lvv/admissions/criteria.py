"""The criteria check: national rules plus the municipality's own, evaluated on what is known
about an application. A local rule with the same check as a national one replaces it (e.g.
Groningen's heavy-entry-ban rule with its risk-analysis exception)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from .models import Application, CheckKind, CriterionRule

MET, NOT_MET, UNKNOWN = "voldaan", "niet_voldaan", "onbekend"
STATUS_LABELS = {MET: "Voldaan", NOT_MET: "Niet voldaan", UNKNOWN: "Onbekend"}


@dataclass
class CriterionResult:
    rule_id: int
    label: str
    scope: str  # "landelijk" or the municipality's name
    status: str
    reason: str
    exception_possible: bool
    exception_by: str
    exception_conditions: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Facts:
    """Everything the checks read, gathered from the application, the person and the latest kiosk check."""

    application_date: dt.date
    birth_date: dt.date | None
    birth_year: int | None
    kiosk_done: bool
    heavy_entry_ban: bool
    declared_undesirable: bool
    eu_citizen: bool
    dublin_claimant: bool
    entitled_state_reception: bool
    has_regiobinding: bool | None
    regiobinding_months: int | None
    long_bbb_elsewhere: bool | None
    willing_to_cooperate: bool | None
    safe_country: bool | None


def rules_for(municipality_id: int) -> list[CriterionRule]:
    rules = list(
        CriterionRule.objects.filter(active=True, municipality_id__in=[municipality_id]).select_related("municipality")
    )
    local_kinds = {r.check_kind for r in rules}
    national = [
        r
        for r in CriterionRule.objects.filter(active=True, municipality__isnull=True)
        if r.check_kind not in local_kinds
    ]
    return sorted(national, key=lambda r: r.order) + sorted(rules, key=lambda r: r.order)


def facts_for(trajectory) -> Facts:
    person = trajectory.person
    application = getattr(trajectory, "application", None) or Application(trajectory=trajectory)
    kiosk = trajectory.identity_checks.order_by("-performed_on", "-id").first()
    return Facts(
        application_date=trajectory.application_date,
        birth_date=person.birth_date,
        birth_year=person.known_birth_year,
        kiosk_done=kiosk is not None and kiosk.outcome != "niet_afgenomen",
        heavy_entry_ban=bool(kiosk and kiosk.heavy_entry_ban),
        declared_undesirable=bool(kiosk and kiosk.declared_undesirable),
        eu_citizen=bool(kiosk and kiosk.eu_citizen),
        dublin_claimant=bool(kiosk and kiosk.dublin_claimant),
        entitled_state_reception=bool(kiosk and kiosk.entitled_state_reception),
        has_regiobinding=application.has_regiobinding,
        regiobinding_months=application.regiobinding_months,
        long_bbb_elsewhere=application.long_bbb_elsewhere,
        willing_to_cooperate=application.willing_to_cooperate,
        safe_country=application.safe_country,
    )


def _age_on(facts: Facts, day: dt.date) -> int | None:
    if facts.birth_date:
        b = facts.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
    if facts.birth_year:
        return day.year - facts.birth_year - 1  # lower bound: not yet had the birthday
    return None


def _kiosk_flag(facts: Facts, flag: bool, found: str) -> tuple[str, str]:
    if flag:
        return NOT_MET, f"De aanmeldzuil meldt: {found}."
    if not facts.kiosk_done:
        return UNKNOWN, "Nog geen identiteitscontrole bij de aanmeldzuil vastgelegd."
    return MET, "Niet gemeld bij de identiteitscontrole."


def _yes_no(value: bool | None, *, good: bool, yes: str, no: str) -> tuple[str, str]:
    if value is None:
        return UNKNOWN, "Niet ingevuld bij de aanmelding."
    return (MET, yes) if value == good else (NOT_MET, no)


def evaluate_rule(rule: CriterionRule, facts: Facts) -> tuple[str, str]:
    kind = rule.check_kind
    if kind == CheckKind.NO_HEAVY_ENTRY_BAN:
        return _kiosk_flag(facts, facts.heavy_entry_ban, "zwaar inreisverbod")
    if kind == CheckKind.NOT_UNDESIRABLE:
        return _kiosk_flag(facts, facts.declared_undesirable, "ongewenstverklaard")
    if kind == CheckKind.NOT_EU_CITIZEN:
        return _kiosk_flag(facts, facts.eu_citizen, "EU-burger")
    if kind == CheckKind.NOT_DUBLIN:
        return _kiosk_flag(facts, facts.dublin_claimant, "Dublinclaimant")
    if kind == CheckKind.NOT_STATE_RECEPTION:
        return _kiosk_flag(facts, facts.entitled_state_reception, "recht op Rijksopvang")
    if kind == CheckKind.REGIOBINDING:
        minimum = int(rule.params.get("min_maanden", 0) or 0)
        if facts.has_regiobinding is False:
            return NOT_MET, "Geen band met de regio."
        if facts.has_regiobinding is None:
            return UNKNOWN, "Regiobinding niet ingevuld bij de aanmelding."
        if minimum == 0:
            return MET, "Band met de regio vastgelegd."
        if facts.regiobinding_months is None:
            return UNKNOWN, f"Duur van de regiobinding onbekend (minimaal {minimum} maanden vereist)."
        if facts.regiobinding_months >= minimum:
            return MET, f"{facts.regiobinding_months} maanden in de regio (minimaal {minimum})."
        return NOT_MET, f"{facts.regiobinding_months} maanden in de regio; minimaal {minimum} vereist."
    if kind == CheckKind.ADULT:
        minimum = int(rule.params.get("min_leeftijd", 18))
        age = _age_on(facts, facts.application_date)
        if age is None:
            return UNKNOWN, "Geboortedatum en geboortejaar onbekend."
        if age >= minimum:
            return MET, f"Leeftijd bij aanmelding: {age} jaar."
        if facts.birth_date is None and age == minimum - 1:
            return UNKNOWN, "Alleen het geboortejaar is bekend; de leeftijd is niet zeker."
        return NOT_MET, f"Leeftijd bij aanmelding: {age} jaar (minimaal {minimum})."
    if kind == CheckKind.NO_LONG_BBB_ELSEWHERE:
        return _yes_no(
            facts.long_bbb_elsewhere,
            good=False,
            yes="Geen langdurig verblijf in bed-bad-brood elders.",
            no="Langdurig verblijf in bed-bad-brood in een andere gemeente.",
        )
    if kind == CheckKind.WILLING_TO_COOPERATE:
        return _yes_no(
            facts.willing_to_cooperate, good=True, yes="Bereid om mee te werken.", no="Niet bereid om mee te werken."
        )
    if kind == CheckKind.NOT_SAFE_COUNTRY:
        return _yes_no(
            facts.safe_country,
            good=False,
            yes="Niet uit een veilig land van herkomst.",
            no="Komt uit een veilig land van herkomst.",
        )
    return UNKNOWN, "Onbekende toets."


def criteria_check(trajectory) -> list[CriterionResult]:
    facts = facts_for(trajectory)
    results = []
    for rule in rules_for(trajectory.municipality_id):
        status, reason = evaluate_rule(rule, facts)
        results.append(
            CriterionResult(
                rule_id=rule.pk,
                label=rule.label,
                scope=rule.municipality.name if rule.municipality else "landelijk",
                status=status,
                reason=reason,
                exception_possible=rule.exception_possible,
                exception_by=rule.exception_by,
                exception_conditions=rule.exception_conditions,
            )
        )
    return results
