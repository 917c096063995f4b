from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "lvv.monitor"
    label = "monitor"
    verbose_name = "Landelijke monitor"
