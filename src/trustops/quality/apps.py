from django.apps import AppConfig

from trustops.review import hooks


class QualityConfig(AppConfig):
    name = "trustops.quality"
    label = "quality"

    def ready(self):
        from trustops.quality.golden.selectors import GoldenProvider  # its models can load only now

        hooks.golden = GoldenProvider()
