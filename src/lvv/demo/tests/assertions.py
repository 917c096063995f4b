"""`refused(...)`: a service call must raise ApplicationError with a Dutch message and leave the
database exactly as it was."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.forms.models import model_to_dict

from lvv.admissions.models import AdmissionDecision, Application, Consent, CriterionRule
from lvv.core.exceptions import ApplicationError
from lvv.people.models import Alias, IdentityCheck, Person
from lvv.trajectories.models import InstrumentUse, Note, Perspective, Placement, TimelineEvent, Trajectory

#: Every table a case-registry service writes to.
WRITTEN_MODELS = (
    Person,
    Alias,
    IdentityCheck,
    Application,
    Consent,
    AdmissionDecision,
    CriterionRule,
    Trajectory,
    Placement,
    Perspective,
    InstrumentUse,
    Note,
    TimelineEvent,
)


def db_state() -> dict[str, list[dict]]:
    """The full content of every written table (small in tests), so any write shows up."""
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in WRITTEN_MODELS}


def db_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in WRITTEN_MODELS}


def trajectory_fields(trajectory: Trajectory) -> dict:
    fresh = Trajectory.objects.get(pk=trajectory.pk)
    fields = model_to_dict(fresh)
    fields["assigned_organisations"] = sorted(o.pk for o in fields["assigned_organisations"])
    fields["updated_at"] = fresh.updated_at
    return fields


@contextlib.contextmanager
def refused(message: str, *, trajectory: Trajectory | None = None) -> Iterator[pytest.ExceptionInfo]:
    """Assert the block raises ApplicationError whose message contains `message` (Dutch), and that
    nothing was written: the same row counts, the same rows, and the same trajectory fields."""
    counts_before, state_before = db_counts(), db_state()
    fields_before = trajectory_fields(trajectory) if trajectory is not None else None
    with pytest.raises(ApplicationError) as excinfo:
        yield excinfo
    assert message in excinfo.value.message, f"expected {message!r} in {excinfo.value.message!r}"
    assert db_counts() == counts_before
    assert db_state() == state_before
    if trajectory is not None:
        assert trajectory_fields(trajectory) == fields_before
