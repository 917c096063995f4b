from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("personen/<int:pk>/", views.person_detail, name="detail"),
    path("personen/<int:pk>/bewerken/", views.person_edit, name="edit"),
]
