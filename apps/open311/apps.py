from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "apps.open311"
    label = "open311"
