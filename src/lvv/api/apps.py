from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lvv.api"
    label = "api"
    verbose_name = "API"
