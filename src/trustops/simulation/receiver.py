"""The demo's own webhook endpoint: a receiver it runs on loopback (`trustops webhookreceiver`), registered like
any integrator's endpoint, so the delivery log shows deliveries arriving and verified."""
from pathlib import Path

from django.conf import settings
from django.db import transaction

from trustops.outbox import services as outbox
from trustops.outbox.models import WebhookEndpoint

NAME = "demo-receiver"
EVENT_KINDS: list[str] = []   # every kind


def folder() -> Path:
    return Path(settings.VAR_DIR) / "webhook-receiver"


@transaction.atomic
def register(*, host: str, port: int) -> Path:
    """The demo endpoint at the receiver's address (created once, moved if the port changed), its secret
    written where the receiver reads it. Returns the secret file."""
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/trustops"
    endpoint = WebhookEndpoint.objects.filter(name=NAME).first()
    if endpoint is None:
        endpoint, secret = outbox.create_endpoint(url=url, event_kinds=EVENT_KINDS, name=NAME, actor="simulation")
    else:
        secret = endpoint.secret
        if endpoint.url != url or not endpoint.active:
            outbox.update_endpoint(endpoint_id=endpoint.pk, url=url, active=True, actor="simulation")
    path = folder() / "secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secret + "\n")
    path.chmod(0o600)
    return path
