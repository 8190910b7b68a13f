from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "trustops.policies"
    label = "policies"
