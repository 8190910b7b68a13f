from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "trustops.ledger"
    label = "ledger"
