from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "lvv.meetings"
    label = "meetings"
    verbose_name = "LSO en voortgang"
