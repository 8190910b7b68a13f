"""Figures of the QA workspace as people read them, and whether the console offers someone the QA area."""
from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.8125 → "81.3%"; no value → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def coefficient(value) -> str:
    """An agreement coefficient to three places; an undefined one → "undefined"."""
    return "undefined" if value is None else f"{value:.3f}"


@register.filter
def uses_qa_workspace(user) -> bool:
    from trustops.console.qa_views import may_use_workspace

    return bool(getattr(user, "is_authenticated", False)) and may_use_workspace(user)
