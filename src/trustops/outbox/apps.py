from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Durable outbound messages: written in the caller's transaction, delivered by workers with retries."""
    name = "trustops.outbox"
    label = "outbox"
