from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("analyse/", views.analysis_page, name="home"),
    path("analyse/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("analyse/rapport.xlsx", views.report_xlsx, name="report_xlsx"),
    path("analyse/dataset.csv", views.dataset_csv, name="dataset_csv"),
    path("analyse/dataset.xlsx", views.dataset_xlsx, name="dataset_xlsx"),
]
