"""A stand-alone URLconf for the front-end tests, so they do not depend on the other apps' routes."""

from django.http import HttpResponse
from django.urls import include, path


def _view(request):
    return HttpResponse("")


urlpatterns = [
    path("inloggen/", _view, name="login"),
    path("uitloggen/", _view, name="logout"),
    path("", include(([path("", _view, name="home")], "web"))),
    path("", include(([path("trajecten/", _view, name="list")], "trajectories"))),
    path(
        "",
        include(
            (
                [
                    path("aanmeldingen/nieuw/", _view, name="application_new"),
                    path("beheer/criteria/", _view, name="criteria_list"),
                ],
                "admissions",
            )
        ),
    ),
]
