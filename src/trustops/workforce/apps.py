from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "trustops.workforce"
    label = "workforce"
    verbose_name = "Workforce: staffing, and later vendors' contracts, billing and forecasts"
