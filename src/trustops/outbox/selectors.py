"""Reading the delivery log."""
from trustops.identity import access
from trustops.outbox.models import Delivery


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
