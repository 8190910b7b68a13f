from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "trustops.identity"
    label = "identity"
