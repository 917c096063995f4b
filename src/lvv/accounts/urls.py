from django.urls import path

from lvv.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inloggen/tweede-stap/", views.verify, name="two_factor_verify"),
    path("inloggen/tweede-stap/instellen/", views.setup, name="two_factor_setup"),
]
