from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "trustops.review"
    label = "review"
