"""/api/v1/…: no trailing slashes; anything else under /api/v1/ answers a 404 problem (never an
HTML page or a redirect)."""

from django.urls import path, re_path

from . import views

app_name = "api"
urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("leveringen", views.trajectory_delivery, name="trajectory_delivery"),
    path("capaciteit", views.capacity_delivery, name="capacity_delivery"),
    path("monitor", views.monitor, name="monitor"),
    path("gemeenten", views.municipalities, name="municipalities"),
    path("indicatoren", views.indicator_definitions, name="indicator_definitions"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
