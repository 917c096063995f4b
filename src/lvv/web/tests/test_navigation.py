"""The primary navigation per role: one place (web.context_processors) builds it from the access rules."""

import pytest
from django.test import RequestFactory

from lvv.web.context_processors import navigation

pytestmark = pytest.mark.django_db

EXPECTED = {
    "gemeente_user": {
        "Werklijst",
        "Nieuwe aanmelding",
        "Overleggen",
        "Signalen",
        "Monitor",
        "Analyse",
        "Ketenreconciliatie",
    },
    "ngo_user": {"Werklijst", "Overleggen"},
    "ind_user": {"Werklijst", "Overleggen", "Extract aanleveren"},
    "dtv_user": {"Werklijst", "Overleggen", "Extract aanleveren"},
    "avim_user": {"Werklijst", "Overleggen"},
    "programmabureau_user": {"Vastgelopen trajecten", "Monitor", "Analyse", "Ketenreconciliatie"},
}


@pytest.mark.parametrize("user_fixture", sorted(EXPECTED))
def test_each_role_gets_the_items_its_access_rules_allow(request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    http_request = RequestFactory().get("/")
    http_request.user = user
    labels = {item["label"] for item in navigation(http_request)["nav_items"]}
    assert labels == EXPECTED[user_fixture]
