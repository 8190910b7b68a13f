from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "trustops.insights"
    label = "insights"
    verbose_name = "Insights: dashboards and scheduled reports"
