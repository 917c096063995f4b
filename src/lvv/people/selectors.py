"""Reads on persons, narrowed to what the user may see (`accounts.access`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from lvv.accounts import access
from lvv.accounts.models import User
from lvv.trajectories.selectors import trajectory_scope

from .models import Person


def person_scope(user: User) -> QuerySet[Person]:
    """All persons the user may see: by `access.person_q`, or, for the parties that see a person only
    through a trajectory they see, by that trajectory."""
    if access.sees_persons_through_trajectories(user):
        return Person.objects.filter(Exists(trajectory_scope(user).filter(person=OuterRef("pk"))))
    return Person.objects.filter(access.person_q(user))
