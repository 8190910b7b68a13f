"""Reading shift templates, rosters and their adherence, always through `access.roster_filter`."""
from datetime import date

from django.db.models import QuerySet

from trustops.identity import access
from trustops.kernel.errors import Invalid
from trustops.workforce.rosters import adherence
from trustops.workforce.rosters.models import RosterEntry, ShiftTemplate
from trustops.workforce.vendors.selectors import vendor_for

MAX_DAYS = 62


def check_span(first: date, last: date) -> None:
    if last < first:
        raise Invalid("invalid_period", "The last day is before the first.", field="last")
    if (last - first).days >= MAX_DAYS:
        raise Invalid("invalid_period", f"At most {MAX_DAYS} days at a time.", field="last")


def templates_visible_to(person, vendor_id: int) -> QuerySet[ShiftTemplate]:
    vendor_for(person, vendor_id)
    return ShiftTemplate.objects.filter(access.roster_filter(person), vendor_id=vendor_id).order_by("starts_at", "key")


def roster_visible_to(person, vendor_id: int, first: date, last: date) -> QuerySet[RosterEntry]:
    vendor_for(person, vendor_id)
    check_span(first, last)
    return (RosterEntry.objects.filter(access.roster_filter(person), vendor_id=vendor_id, day__gte=first,
                                       day__lte=last)
            .select_related("agent", "template", "queue").order_by("day", "agent__username"))


def describe_template(t: ShiftTemplate) -> dict:
    return {"id": t.pk, "key": t.key, "name": t.name, "site": t.site, "time_zone": t.time_zone,
            "starts_at": t.starts_at, "ends_at": t.ends_at, "crosses_midnight": t.ends_at < t.starts_at,
            "unpaid_break_minutes": t.unpaid_break_minutes}


def describe_entry(e: RosterEntry) -> dict:
    return {"agent": e.agent.username, "day": e.day, "shift": e.template.key if e.template else "off",
            "queue": e.queue.key if e.queue else None, "starts_at": e.starts_at, "ends_at": e.ends_at,
            "paid_seconds": e.paid_seconds}


def adherence_of(person, vendor_id: int, first: date, last: date) -> adherence.Measured:
    vendor_for(person, vendor_id)
    check_span(first, last)
    return adherence.measure(vendor_id, first, last)
