"""The rule on a perspective's status. Pure, so that the perspective service and the delivery import
ask the same function."""

from __future__ import annotations

from .models import PerspectiveStatus


def perspective_status_allowed(status: str, *, v_number: str) -> bool:
    """A definitive perspective needs the person's V-nummer; a provisional one does not."""
    return status != PerspectiveStatus.DEFINITIEF or bool(v_number)
