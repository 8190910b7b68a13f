from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "trustops.merchants"
    label = "merchants"
    verbose_name = "Merchants: onboarding, licences, listings, health, benefits and funds"
