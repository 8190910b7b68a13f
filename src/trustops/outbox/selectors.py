"""Reading the delivery log."""
from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.outbox.models import Delivery, WebhookEndpoint


def may_see_deliveries(user) -> bool:
    """Operations leads read the outbound webhook delivery log (identity/access.py)."""
    return access.reads_delivery_log(user)


def deliveries_visible_to(user, *, status: str | None = None, limit: int = 200):
    """Newest first; nothing for people who may not read the log."""
    if not may_see_deliveries(user):
        return []
    qs = Delivery.objects.select_related("message", "endpoint").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def endpoints_visible_to(user):
    """Webhook endpoints (never their secrets): for the people who configure the platform."""
    if not access.configures_platform(user):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.order_by("name")


def get_endpoint(user, endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints_visible_to(user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("endpoint_not_found", f"No webhook endpoint {endpoint_id}.")
    return endpoint


def may_redeliver(user) -> bool:
    """Sending a delivery again changes what the platform receives: the people who configure endpoints."""
    return may_see_deliveries(user) and access.configures_platform(user)
