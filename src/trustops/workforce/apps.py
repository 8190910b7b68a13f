from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "trustops.workforce"
    label = "workforce"
    verbose_name = "Workforce: vendors, contracts, billing, scorecards and staffing"

    def ready(self):
        from trustops.workforce import supply
        from trustops.workforce.contracts.supply import ContractSupply

        supply.register(ContractSupply())
