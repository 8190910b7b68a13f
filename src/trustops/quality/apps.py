from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "trustops.quality"
    label = "quality"
