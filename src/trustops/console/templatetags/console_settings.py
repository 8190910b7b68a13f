from django import template

from trustops.identity import access
from trustops.outbox import selectors as outbox

register = template.Library()


@register.filter
def configures_platform(user) -> bool:
    return access.configures_platform(user)


@register.filter
def may_redeliver(user) -> bool:
    return outbox.may_redeliver(user)


@register.filter
def administers_people(user) -> bool:
    return access.administers_people(user)
