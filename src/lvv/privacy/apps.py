from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "lvv.privacy"
    label = "privacy"
    verbose_name = "Rechten van betrokkenen en bewaartermijn"
