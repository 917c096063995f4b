from django.urls import path

from . import views_progress as views

app_name = "progress"
urlpatterns = [
    path("signalen/", views.dashboard, name="dashboard"),
    path("vastgelopen/", views.stuck, name="stuck"),
    path("beheer/voortgang/", views.policy_edit, name="policy"),
    path("trajecten/<int:pk>/stappen/nieuw/", views.step_new, name="step_new"),
    path("trajecten/<int:pk>/stappen/sjabloon/", views.steps_from_template, name="steps_from_template"),
    path("trajecten/<int:pk>/stappen/<int:step_pk>/gereed/", views.step_done, name="step_done"),
    path("trajecten/<int:pk>/escalaties/<int:esc_pk>/advies/", views.escalation_advice, name="escalation_advice"),
]
