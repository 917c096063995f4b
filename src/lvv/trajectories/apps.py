from django.apps import AppConfig


class TrajectoriesConfig(AppConfig):
    name = "lvv.trajectories"
    label = "trajectories"
    verbose_name = "Trajecten"
