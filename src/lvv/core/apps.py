from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lvv.core"
    label = "core"
