from django.apps import AppConfig


class ShelterConfig(AppConfig):
    name = "lvv.shelter"
    label = "shelter"
    verbose_name = "Opvang"
