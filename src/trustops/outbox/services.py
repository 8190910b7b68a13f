"""The durable outbox: messages are rows written with the change; a worker delivers them after commit."""
import logging
import secrets
from datetime import timedelta
from time import monotonic
from urllib.parse import urlparse

import httpx
from django.db import transaction

from trustops.kernel import clock
from trustops.kernel.canonical import canonical_json, plain
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import signatures
from trustops.outbox.models import Delivery, DeliveryAttempt, DeliveryStatus, OutboxMessage, WebhookEndpoint

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
TIMEOUT_SECONDS = 10
LOCK_SECONDS = 60


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 6 h: about two days of retries in all."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def enqueue(kind: str, payload: dict) -> OutboxMessage:
    """Call inside the use case's transaction; delivery is scheduled only if it commits."""
    return enqueue_many(kind, [payload])[0]


def enqueue_many(kind: str, payloads: list[dict]) -> list[OutboxMessage]:
    now = clock.now()
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(kind=kind, payload=plain(p), created_at=now) for p in payloads])
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(kind)]
    deliveries = Delivery.objects.bulk_create(
        [Delivery(message=m, endpoint=e, next_attempt_at=now) for m in messages for e in endpoints])
    if deliveries:
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: _schedule(ids))
    return messages


def _schedule(delivery_ids: list[int]) -> None:
    from trustops.outbox import tasks  # the jobs module imports this one
    for delivery_id in delivery_ids:
        tasks.deliver_webhook(delivery_id)


def _take(delivery_id: int) -> Delivery | None:
    """Lease the delivery so two workers never send it at the same time."""
    with transaction.atomic():
        now = clock.now()
        delivery = (Delivery.objects.select_for_update(skip_locked=True).select_related("endpoint", "message")
                    .filter(pk=delivery_id, status=DeliveryStatus.PENDING).first())
        if delivery is None or (delivery.locked_until and delivery.locked_until > now):
            return None
        delivery.locked_until = now + timedelta(seconds=LOCK_SECONDS)
        delivery.save(update_fields=["locked_until"])
        return delivery


def body_of(delivery: Delivery) -> bytes:
    message = delivery.message
    return canonical_json({"id": message.pk, "kind": message.kind, "created_at": message.created_at,
                           "payload": message.payload}).encode()


def deliver(delivery_id: int, *, client: httpx.Client | None = None) -> str | None:
    """One attempt. Returns the delivery's status afterwards, or None if someone else holds it."""
    delivery = _take(delivery_id)
    if delivery is None:
        return None
    body = body_of(delivery)
    headers = {"Content-Type": "application/json", "User-Agent": "trustops-webhooks/1",
               "Trustops-Event": delivery.message.kind, "Trustops-Delivery": str(delivery.pk),
               signatures.HEADER: signatures.sign(delivery.endpoint.secret, body)}
    started = monotonic()
    status_code, error = None, ""
    try:
        sender = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        try:
            response = sender.post(delivery.endpoint.url, content=body, headers=headers)
        finally:
            if client is None:
                sender.close()
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return _record_attempt(delivery.pk, status_code, error, int((monotonic() - started) * 1000))


@transaction.atomic
def _record_attempt(delivery_id: int, status_code: int | None, error: str, duration_ms: int) -> str:
    now = clock.now()
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error, delivery.locked_until = status_code, error, None
    if not error:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.DEAD
        log.warning("webhook delivery %s gave up after %s attempts: %s", delivery.pk, delivery.attempts, error)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save()
    DeliveryAttempt.objects.create(delivery=delivery, attempted_at=now, status_code=status_code, error=error,
                                   duration_ms=duration_ms)
    return delivery.status


def due_deliveries(limit: int = 500) -> list[int]:
    now = clock.now()
    return list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("id", flat=True)[:limit])


def deliver_due() -> int:
    """The sweep that makes delivery survive restarts: anything due and not leased is tried again."""
    sent = 0
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        for delivery_id in due_deliveries():
            sent += deliver(delivery_id, client=client) is not None
    return sent


def _url(url: str):
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 (a port beyond 65535 is refused only when read)
    except ValueError:
        raise Invalid("invalid_url", "Not a URL.", field="url") from None
    return parsed


@transaction.atomic
def save_endpoint(*, name: str, url: str, secret: str, event_kinds: list[str] | None = None, actor=None,
                  active: bool = True) -> WebhookEndpoint:
    parsed = _url(url)
    loopback = parsed.hostname in {"localhost", "127.0.0.1", "::1"}
    if not parsed.hostname or (parsed.scheme != "https" and not (parsed.scheme == "http" and loopback)):
        raise Invalid("https_required", "Webhook endpoints must use HTTPS (plain HTTP only on loopback).", field="url")
    if len(secret) < 16:
        raise Invalid("weak_secret", "The signing secret needs at least 16 characters.", field="secret")
    endpoint, created = WebhookEndpoint.objects.update_or_create(
        name=name, defaults={"url": url, "secret": secret, "event_kinds": event_kinds or [], "active": active})
    ledger.record("webhook_endpoint.saved", actor=actor, payload={"name": name, "url": url, "created": created,
                                                                   "event_kinds": endpoint.event_kinds})
    return endpoint


# ---- endpoints, as the administrator manages them ----

# What trustops tells the platform about (`webhook.test` only ever goes to the one endpoint asked).
EVENT_KINDS = {
    "enforcement.applied": "an action was taken on a subject or its owner",
    "enforcement.reversed": "an action was reversed (appeal overturned)",
    "enforcement.ended": "a timed restriction ran out",
    "report.resolved": "a report's case was decided",
    "appeal.decided": "an appeal was decided",
    "merchant.status_changed": "a merchant moved in its lifecycle (with the reason and the moves now allowed)",
    "merchant.benefits_changed": "a merchant's benefits changed, with the reasons",
    "merchant.funds_changed": "a merchant's payouts or reserve changed, with the reasons",
    "merchant.listing_changed": "a listing was hidden, delisted, shown or relisted",
    "merchant.licence_notice": "a merchant's licence lapses soon",
    "merchant.offboarding": "a merchant is leaving: settlement, pending bookings, statement of reasons",
    "webhook.test": "a test event sent on request",
}
SECRET_BYTES = 32


def _check_kinds(event_kinds) -> list[str]:
    if not isinstance(event_kinds, list) or not all(isinstance(k, str) for k in event_kinds):
        raise Invalid("invalid_field", "events is a list of event kinds.", field="events")
    unknown = sorted(set(event_kinds) - set(EVENT_KINDS))
    if unknown:
        raise Invalid("unknown_event", f"Unknown event kinds {', '.join(unknown)}; one of: "
                                       f"{', '.join(EVENT_KINDS)}.", field="events")
    return list(dict.fromkeys(event_kinds))


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


@transaction.atomic
def create_endpoint(*, url: str, event_kinds: list[str], name: str = "", secret: str | None = None,
                    active: bool = True, actor=None) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which is returned here and never shown again."""
    kinds = _check_kinds(event_kinds)
    host = (_url(url).hostname or "endpoint")[:100]
    name = name or host
    if WebhookEndpoint.objects.filter(name=name).exists():
        if name == host:
            name = f"{name}-{WebhookEndpoint.objects.count() + 1}"[:100]
        else:
            raise Conflict("endpoint_exists", f"An endpoint named {name!r} exists already.", field="name")
    secret = new_secret() if secret is None else secret
    endpoint = save_endpoint(name=name, url=url, secret=secret, event_kinds=kinds, actor=actor, active=active)
    return endpoint, secret


@transaction.atomic
def update_endpoint(*, endpoint_id: int, actor=None, **changes) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("endpoint_not_found", f"No webhook endpoint {endpoint_id}.")
    unknown = sorted(set(changes) - {"url", "event_kinds", "secret", "active"})
    if unknown:
        raise Invalid("unknown_field", f"Unknown endpoint settings: {', '.join(unknown)}.", field=unknown[0])
    kinds = _check_kinds(changes["event_kinds"]) if "event_kinds" in changes else endpoint.event_kinds
    return save_endpoint(name=endpoint.name, url=changes.get("url", endpoint.url),
                         secret=changes.get("secret", endpoint.secret), event_kinds=kinds, actor=actor,
                         active=changes.get("active", endpoint.active))


@transaction.atomic
def remove_endpoint(*, endpoint_id: int, actor=None) -> str:
    """Delete an endpoint nothing was sent to; one with a delivery history is deactivated, so the log keeps it.

    Returns "deleted" or "deactivated"."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("endpoint_not_found", f"No webhook endpoint {endpoint_id}.")
    if endpoint.deliveries.exists():
        outcome = "deactivated"
        endpoint.active = False
        endpoint.save(update_fields=["active"])
        # What was still waiting for it is not sent.
        endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(status=DeliveryStatus.DEAD,
                                                                          last_error="endpoint deactivated")
    else:
        outcome = "deleted"
        endpoint.delete()
    ledger.record(f"webhook_endpoint.{outcome}", actor=actor, payload={"id": endpoint_id, "name": endpoint.name})
    return outcome


@transaction.atomic
def send_test(*, endpoint_id: int, actor=None) -> Delivery:
    """Enqueue a `webhook.test` message for this endpoint only, whatever kinds it subscribes to."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("endpoint_not_found", f"No webhook endpoint {endpoint_id}.")
    if not endpoint.active:
        raise Conflict("endpoint_inactive", "The endpoint is inactive.")
    now = clock.now()
    message = OutboxMessage.objects.create(kind="webhook.test", created_at=now, payload=plain({
        "endpoint": endpoint.name, "requested_by": getattr(actor, "username", None) or str(actor or "system")}))
    delivery = Delivery.objects.create(message=message, endpoint=endpoint, next_attempt_at=now)
    ledger.record("webhook_endpoint.tested", actor=actor, payload={"id": endpoint.pk, "delivery": delivery.pk})
    transaction.on_commit(lambda: _schedule([delivery.pk]))
    return delivery


@transaction.atomic
def redeliver(*, delivery_id: int, actor=None) -> Delivery:
    """Send a delivered or given-up message again, with a fresh set of retries."""
    delivery = Delivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("delivery_not_found", f"No delivery {delivery_id}.")
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict("delivery_pending", "The delivery is still being retried.")
    if not delivery.endpoint.active:
        raise Conflict("endpoint_inactive", "The endpoint is inactive.")
    previous = delivery.status
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, clock.now()
    delivery.locked_until = delivery.delivered_at = None
    delivery.save()
    ledger.record("delivery.redelivered", actor=actor, payload={"delivery": delivery.pk, "was": previous,
                                                                "endpoint": delivery.endpoint.name})
    transaction.on_commit(lambda: _schedule([delivery.pk]))
    return delivery
