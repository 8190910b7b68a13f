"""What the console's header needs to know about the compliance workspace."""
from django import template

from trustops.identity import access

register = template.Library()


@register.filter
def works_compliance(user) -> bool:
    return access.works_compliance(user)
