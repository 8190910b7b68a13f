from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "trustops.enforcement"
    label = "enforcement"
