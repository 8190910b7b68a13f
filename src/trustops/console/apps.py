from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "trustops.console"
    label = "console"
