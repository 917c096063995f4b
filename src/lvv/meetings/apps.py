from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "lvv.meetings"
    label = "meetings"
    verbose_name = "LSO en voortgang"

    def ready(self) -> None:
        # Imported here, as Django requires: models can be imported only once every app is loaded.
        from lvv.admissions.terms import register_stay_rule

        from .terms import stay_until_at_admission

        register_stay_rule(stay_until_at_admission)
