from django.apps import AppConfig

from trustops.review import hooks


class WorkforceConfig(AppConfig):
    name = "trustops.workforce"
    label = "workforce"
    verbose_name = "Workforce: vendors, contracts, billing, scorecards, staffing, forecasts, requirements, training"

    def ready(self):
        # Their models can load only now.
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from trustops.workforce import supply
        from trustops.workforce.contracts.supply import ContractSupply
        from trustops.workforce.rosters import signals
        from trustops.workforce.training.selectors import Qualifications

        supply.register(ContractSupply())
        hooks.qualifications = Qualifications()
        user_logged_in.connect(signals.signed_in, dispatch_uid="workforce.signed_in")
        user_logged_out.connect(signals.signed_out, dispatch_uid="workforce.signed_out")
