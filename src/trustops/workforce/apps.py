from django.apps import AppConfig

from trustops.review import hooks


class WorkforceConfig(AppConfig):
    name = "trustops.workforce"
    label = "workforce"
    verbose_name = "Workforce: vendors, contracts, billing, scorecards, staffing, forecasts, requirements, training"

    def ready(self):
        # Their models can load only now.
        from trustops.workforce import supply
        from trustops.workforce.contracts.supply import ContractSupply
        from trustops.workforce.training.selectors import Qualifications

        supply.register(ContractSupply())
        hooks.qualifications = Qualifications()
