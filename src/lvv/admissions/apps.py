from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "lvv.admissions"
    label = "admissions"
    verbose_name = "Aanmelding en toelating"
