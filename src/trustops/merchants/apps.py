from django.apps import AppConfig

from trustops.review import hooks


class MerchantsConfig(AppConfig):
    name = "trustops.merchants"
    label = "merchants"
    verbose_name = "Merchants: onboarding, licences, listings, health, benefits and funds"

    def ready(self):
        from trustops.merchants.appeals import MerchantAppeals  # its models can load only now

        hooks.register_decision_listener(MerchantAppeals())
