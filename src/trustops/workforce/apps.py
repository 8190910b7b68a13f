from django.apps import AppConfig

from trustops.review import hooks


class WorkforceConfig(AppConfig):
    name = "trustops.workforce"
    label = "workforce"
    verbose_name = "Workforce: staffing, forecasts, requirements, training, and vendors' contracts and billing"

    def ready(self):
        from trustops.workforce.training.selectors import Qualifications  # its models can load only now

        hooks.qualifications = Qualifications()
