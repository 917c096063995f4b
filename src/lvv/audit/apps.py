from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lvv.audit"
    label = "audit"
    verbose_name = "Toegangslog"
