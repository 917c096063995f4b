"""The consent in force: the one rule that decides which party types may see a person.

A person's **consent in force** is his latest declaration over all his trajectories — latest by
date of signing, then by the order it was recorded — with the withdrawals on it (whole, or per
party type). An older declaration never grants what a newer one withholds: a participant who signs
a new declaration without DT&V, or withdraws DT&V on his latest one, is out of DT&V's sight on
every trajectory, whatever an earlier trajectory's declaration said (docs/access.md, docs/delen.md).

`Consent.in_force` marks that declaration (a partial unique index keeps it to one per person);
`consent_in_force_refresh` is the only code that sets it, called by the consent services in their
transaction. `accounts.access.consent_covers_q` reads it to scope every page, list, export and API answer."""

from __future__ import annotations

from .models import PARTY_LABELS, PARTY_TYPES, Consent


def consent_in_force_refresh(person_id: int) -> Consent | None:
    """Mark the person's latest declaration as the one in force (and no other)."""
    latest = Consent.objects.filter(person_id=person_id).order_by("-signed_on", "-id").first()
    stale = Consent.objects.filter(person_id=person_id, in_force=True)
    if latest is not None:
        stale = stale.exclude(pk=latest.pk)
    stale.update(in_force=False)
    if latest is not None and not latest.in_force:
        Consent.objects.filter(pk=latest.pk).update(in_force=True)
        latest.in_force = True
    return latest


def consent_in_force(person_id: int) -> Consent | None:
    return Consent.objects.filter(person_id=person_id, in_force=True).first()


def consent_in_force_elsewhere(trajectory) -> Consent | None:
    """The person's declaration in force when it belongs to another of his trajectories (the
    trajectory page says so: it decides here too)."""
    consent = consent_in_force(trajectory.person_id)
    if consent is None or consent.trajectory_id == trajectory.pk:
        return None
    return consent


def covered_parties(consent: Consent | None) -> list[str]:
    """The party types a declaration covers now: none once it is withdrawn as a whole."""
    if consent is None or consent.withdrawn_on is not None:
        return []
    return consent.party_types()


def parties_text(parties) -> str:
    labels = [PARTY_LABELS[p] for p in PARTY_TYPES if p in parties]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " en " + labels[-1]
