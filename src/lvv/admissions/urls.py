from django.urls import path

from . import views

app_name = "admissions"
urlpatterns = [
    path("aanmeldingen/nieuw/", views.application_new, name="application_new"),
    path("personen/<int:pk>/nieuwe-aanmelding/", views.application_reentry, name="application_reentry"),
    path("trajecten/<int:pk>/aanmelding/", views.application_edit, name="application_edit"),
    path("trajecten/<int:pk>/identiteitscontrole/", views.identity_check_new, name="identity_check_new"),
    path("trajecten/<int:pk>/toestemming/", views.consent_new, name="consent_new"),
    path("trajecten/<int:pk>/toestemming/<int:consent_pk>/intrekken/", views.consent_withdraw, name="consent_withdraw"),
    path("trajecten/<int:pk>/toelating/", views.admission_decide, name="admission_decide"),
    path("beheer/criteria/", views.criteria_list, name="criteria_list"),
    path("beheer/criteria/nieuw/", views.criterion_edit, name="criterion_new"),
    path("beheer/criteria/<int:pk>/", views.criterion_edit, name="criterion_edit"),
]
