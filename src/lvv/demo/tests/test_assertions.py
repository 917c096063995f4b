"""The `refused` helper must itself notice a write that slipped through."""

import pytest

from lvv.core.exceptions import ApplicationError
from lvv.demo.tests.assertions import refused
from lvv.trajectories.services import note_add


def test_refused_notices_a_write_before_the_error(gemeente_user, admitted_trajectory):
    with pytest.raises(AssertionError), refused("kapot"):
        note_add(actor=gemeente_user, trajectory=admitted_trajectory, text="Ertussendoor.", visibility="lso")
        raise ApplicationError("kapot")


def test_refused_notices_a_different_message(gemeente_user, admitted_trajectory):
    with pytest.raises(AssertionError), refused("verwacht"):
        raise ApplicationError("iets anders")


def test_refused_notices_that_nothing_was_refused(db):
    with pytest.raises(pytest.fail.Exception), refused("verwacht"):
        pass
