"""Whether the console offers someone the workforce planning pages."""
from django import template

from trustops.workforce.pages.common import uses_workforce

register = template.Library()


@register.filter
def uses_workforce_planning(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and uses_workforce(user)
