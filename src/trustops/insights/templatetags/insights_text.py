"""How reports word numbers and codes."""
from django import template

from trustops.insights.wording import CATEGORY_NAMES, ERROR_NAMES

register = template.Library()


@register.filter
def thousands(value) -> str:
    return "—" if value is None else f"{value:,}"


@register.filter
def percent0(value) -> str:
    return "—" if value is None else f"{value:.0%}"


@register.filter
def error_name(code) -> str:
    return ERROR_NAMES.get(code, code)


@register.filter
def category_name(code) -> str:
    return CATEGORY_NAMES.get(code, code)
