"""What the console shows of risk: the nav link, and labels on case and account pages."""
from django import template

from trustops.identity import access
from trustops.risk import selectors

register = template.Library()


@register.filter
def reads_risk(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.reads_risk(user)


@register.inclusion_tag("risk/_labels.html", takes_context=True)
def risk_labels(context, subject):
    """Active risk labels on a subject, for whoever may see the subject (nothing otherwise)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if subject is None or user is None or not user.is_authenticated:
        return {"labels": []}
    return {"labels": selectors.labels_of(user, subject)}
