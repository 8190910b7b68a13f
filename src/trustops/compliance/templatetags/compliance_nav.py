"""What the console's header needs to know about the compliance workspace."""
from django import template

from trustops.compliance.childsafety import services as child_safety
from trustops.identity import access

register = template.Library()


@register.filter
def works_compliance(user) -> bool:
    return access.works_compliance(user)


@register.filter
def reports_child_safety(user) -> bool:
    return child_safety.may_report(user)
