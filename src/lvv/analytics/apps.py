from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "lvv.analytics"
    label = "analytics"
    verbose_name = "Analyse"
