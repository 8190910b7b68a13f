"""Whether the console offers someone the merchant workspace, and how its figures read."""
from django import template

from trustops.identity import access

register = template.Library()


@register.filter
def uses_merchant_workspace(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.uses_merchant_workspace(user)


@register.filter
def label(value) -> str:
    return str(value or "").replace("_", " ")
