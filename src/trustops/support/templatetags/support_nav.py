"""What the console's navigation asks the support desk."""
from django import template

from trustops.identity import access

register = template.Library()


@register.filter
def runs_incidents(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.runs_incidents(user)


@register.filter
def works_support_desk(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.works_support_desk(user)


@register.filter
def works_creator_escalations(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.works_creator_escalations(user)
