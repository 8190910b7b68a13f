"""What the header needs for the floor and notifications."""
from django import template

from trustops.identity import access
from trustops.identity import selectors as identity_reads

register = template.Library()


@register.filter
def runs_floor(user) -> bool:
    return access.runs_floor(user)


@register.filter
def unread_notifications(user) -> int:
    return identity_reads.unread_notification_count(user)
