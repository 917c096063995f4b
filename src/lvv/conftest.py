"""Shared fixtures: the reference data, one user per role, and an admitted trajectory.

`reference_data` loads the pilot municipalities, national organisations, locations, criteria,
outcome codes and instruments. Every user fixture depends on it; a test module that needs it
without a user can opt in with `pytestmark = pytest.mark.usefixtures("reference_data")` (or a
conftest can make it autouse with a one-line wrapper fixture)."""

from __future__ import annotations

import pytest

from lvv.accounts.models import Organisation, OrganisationType
from lvv.demo import factories
from lvv.demo.reference_data import load_reference_data


@pytest.fixture
def reference_data(db) -> None:
    load_reference_data()


@pytest.fixture
def amsterdam(reference_data):
    return factories.municipality("Amsterdam")


@pytest.fixture
def rotterdam(reference_data):
    return factories.municipality("Rotterdam")


@pytest.fixture
def gemeente_user(reference_data):
    """A case worker of the municipality of Amsterdam."""
    return factories.UserFactory(
        username="medewerker.amsterdam", organisation=factories.municipal_organisation("Amsterdam")
    )


@pytest.fixture
def rotterdam_user(reference_data):
    """A case worker of the municipality of Rotterdam."""
    return factories.UserFactory(
        username="medewerker.rotterdam", organisation=factories.municipal_organisation("Rotterdam")
    )


@pytest.fixture
def lso_chair(reference_data):
    """The chair of the Amsterdam LSO (a municipality user with the chair flag)."""
    return factories.UserFactory(
        username="voorzitter.amsterdam",
        is_lso_chair=True,
        organisation=factories.municipal_organisation("Amsterdam"),
    )


@pytest.fixture
def ngo(amsterdam) -> Organisation:
    """An NGO working for the Amsterdam LVV."""
    return factories.OrganisationFactory(
        name="Stichting Opvang Amsterdam", type=OrganisationType.NGO, municipality=amsterdam
    )


@pytest.fixture
def ngo_user(ngo):
    return factories.UserFactory(username="begeleider.ngo", organisation=ngo)


@pytest.fixture
def ind_user(reference_data):
    return factories.UserFactory(
        username="medewerker.ind", organisation=factories.national_organisation(OrganisationType.IND)
    )


@pytest.fixture
def dtv_user(reference_data):
    return factories.UserFactory(
        username="medewerker.dtv", organisation=factories.national_organisation(OrganisationType.DTV)
    )


@pytest.fixture
def avim_user(reference_data):
    return factories.UserFactory(
        username="medewerker.avim", organisation=factories.national_organisation(OrganisationType.AVIM)
    )


@pytest.fixture
def programmabureau_user(reference_data):
    return factories.UserFactory(
        username="medewerker.programmabureau",
        organisation=factories.national_organisation(OrganisationType.PROGRAMMABUREAU),
    )


@pytest.fixture
def admitted_trajectory(gemeente_user):
    """An Amsterdam trajectory admitted on 10 January 2022 (consent shared with NGOs only)."""
    return factories.admitted_trajectory(actor=gemeente_user)
