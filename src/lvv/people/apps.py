from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "lvv.people"
    label = "people"
    verbose_name = "Personen"
