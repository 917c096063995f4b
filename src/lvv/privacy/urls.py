from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("personen/<int:pk>/inzage/", views.access_report, name="access_report"),
    path("personen/<int:pk>/inzage.csv", views.access_report_csv, name="access_report_csv"),
    path("personen/<int:pk>/inzage-bewijs.json", views.access_proof_json, name="access_proof_json"),
    path("personen/<int:pk>/afschrift/", views.data_copy, name="data_copy"),
    path("personen/<int:pk>/afschrift.json", views.data_copy_json, name="data_copy_json"),
    path("personen/<int:pk>/afschrift.pdf", views.data_copy_pdf, name="data_copy_pdf"),
]
