"""The trajectory's stage machine: the stage each event puts a trajectory in. Pure, so that the
services, which record one event on one trajectory, and the delivery import, which writes a whole
trajectory at once, move a trajectory through the same stages."""

from __future__ import annotations

import enum

from .models import Stage


class StageEvent(enum.Enum):
    ADMITTED = "toelating"
    REFUSED = "weigering"
    PLACED = "plaatsing"
    PERSPECTIVE_RECORDED = "perspectief"
    LEFT = "uitstroom"


#: Stages of an application not yet decided on: the admission decision may still be taken.
UNDECIDED_STAGES = (Stage.AANGEMELD, Stage.IN_TOETSING)

#: The stage an event puts the trajectory in, whatever its stage was (a placement is the exception).
_ENTERED: dict[StageEvent, Stage] = {
    StageEvent.ADMITTED: Stage.TOEGELATEN,
    StageEvent.REFUSED: Stage.GEWEIGERD,
    StageEvent.PERSPECTIVE_RECORDED: Stage.PERSPECTIEF_BEPAALD,
    StageEvent.LEFT: Stage.UITGESTROOMD,
}


def stage_after(stage: str, *events: StageEvent) -> str:
    """The stage after `events`, in their order, starting from `stage`. A placement moves a trajectory
    just admitted to intake and leaves a later stage as it is; every other event puts the trajectory
    in its own stage. Whether an event may happen at all is the recording service's check."""
    for event in events:
        if event is StageEvent.PLACED:
            stage = Stage.INTAKE if stage == Stage.TOEGELATEN else stage
        else:
            stage = _ENTERED[event]
    return stage
