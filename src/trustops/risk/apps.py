from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "trustops.risk"
    label = "risk"
