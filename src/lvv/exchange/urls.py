from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("ketenreconciliatie/", views.reconcile, name="reconcile"),
    path("ketenreconciliatie/download/", views.reconcile_download, name="reconcile_download"),
    path("ketenreconciliatie/extract/", views.extract_upload, name="extract_upload"),
]
