"""Durations as an operator reads them: "45 s", "12 min", "3 h 05 min", "72 h", "5 d 4 h".

SLA targets are spoken of in hours, so hours are kept up to three days.
"""
from django import template

register = template.Library()

MINUTE, HOUR, DAY = 60, 3600, 86400
HOURS_UP_TO = 4 * DAY


@register.filter
def duration(seconds) -> str:
    if seconds is None or seconds == "":
        return "—"
    seconds = int(seconds)
    if seconds < MINUTE:
        return f"{seconds} s"
    if seconds < HOUR:
        return f"{seconds // MINUTE} min"
    if seconds < HOURS_UP_TO:
        hours, minutes = divmod(seconds // MINUTE, 60)
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    days, hours = divmod(seconds // HOUR, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
