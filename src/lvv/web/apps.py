from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lvv.web"
    label = "web"
    verbose_name = "Webinterface"
