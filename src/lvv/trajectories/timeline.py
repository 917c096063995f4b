"""Appending to a trajectory's timeline. Called by the services inside their transaction."""

from lvv.core import clock

from .models import TimelineEvent, Trajectory


def event_append(*, trajectory: Trajectory, kind: str, description: str, actor, shared: bool = True) -> TimelineEvent:
    return TimelineEvent.objects.create(
        trajectory=trajectory,
        at=clock.now(),
        kind=kind,
        description=description[:500],
        actor=actor,
        actor_organisation=getattr(actor, "organisation", None),
        shared=shared,
    )
