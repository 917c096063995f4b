from django.urls import path

from . import views

app_name = "monitor"
urlpatterns = [
    path("monitor/", views.monitor_page, name="index"),
    path("monitor/definities/", views.definitions, name="definitions"),
    path("monitor/download.xlsx", views.download_xlsx, name="download_xlsx"),
    path("monitor/download.csv", views.download_csv, name="download_csv"),
    path("monitor/download.pdf", views.download_pdf, name="download_pdf"),
]
