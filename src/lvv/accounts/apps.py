from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lvv.accounts"
    label = "accounts"
    verbose_name = "Organisaties en gebruikers"
