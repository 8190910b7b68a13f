from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "trustops.intake"
    label = "intake"
