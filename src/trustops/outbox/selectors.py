"""Reading the delivery log."""
from trustops.outbox.models import Delivery

# Who reads the outbound webhook delivery log (endpoints, errors): operations leads.
DELIVERY_LOG_ROLES = {"admin", "team_lead"}


def may_see_deliveries(user) -> bool:
    return user.is_authenticated and user.role in DELIVERY_LOG_ROLES and not user.is_vendor_staff


def deliveries_visible_to(user, *, status: str | None = None, limit: int = 200):
    """Newest first; nothing for people outside `DELIVERY_LOG_ROLES`."""
    if not may_see_deliveries(user):
        return []
    qs = Delivery.objects.select_related("message", "endpoint").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])
