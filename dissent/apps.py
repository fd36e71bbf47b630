from django.apps import AppConfig


class DissentConfig(AppConfig):
    name = "dissent"
