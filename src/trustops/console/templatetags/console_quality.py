"""Whether the console offers someone the quality pages."""
from django import template

from trustops.quality.selectors import reads_quality_reports

register = template.Library()


@register.filter
def reads_quality(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and reads_quality_reports(user)
