"""Reading a person's own console notifications (nobody reads another's)."""
from trustops.identity.models import Notification


def unread_notification_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notifications_for(user, *, limit: int = 100) -> list[Notification]:
    """The person's notifications, newest first."""
    return list(Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")[:limit])
