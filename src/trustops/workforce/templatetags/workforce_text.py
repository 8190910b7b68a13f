"""How the vendor pages write figures, and whether the navigation offers them."""
from django import template

from trustops.identity import access

register = template.Library()


@register.filter
def reads_vendors(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and access.reads_vendors(user)


@register.filter
def percent(value, digits: int = 1) -> str:
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def minutes(seconds) -> str:
    if seconds is None:
        return "–"
    seconds = float(seconds)
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{round(seconds / 60)} min"


@register.filter
def number(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{float(value):,.{int(digits)}f}"


@register.filter
def item(mapping, key):
    return (mapping or {}).get(key)
