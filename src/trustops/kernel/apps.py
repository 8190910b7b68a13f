from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "trustops.kernel"
    label = "kernel"
