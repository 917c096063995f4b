from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lvv.accounts"
    label = "accounts"
    verbose_name = "Organisaties en gebruikers"

    def ready(self):
        from lvv.accounts import security  # noqa: F401  (connects the security log's signal receivers)
