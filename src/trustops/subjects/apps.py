from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "trustops.subjects"
    label = "subjects"
