"""Rolling closed days into the measurement's rollups (`rollups.py`): derived data, rebuilt whole per day."""
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Min

from trustops.kernel import clock
from trustops.review.models import Decision
from trustops.workforce.measurement import rollups
from trustops.workforce.measurement.models import RolledDay


@transaction.atomic
def rebuild_days(first: date, last: date) -> int:
    """Roll (again) every day in [first, last], which must be over; the decisions rolled."""
    closed = rollups.last_closed_day(clock.now())
    last = min(last, closed)
    if last < first:
        return 0
    counted = rollups.write_days(first, last)
    now = clock.now()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    RolledDay.objects.filter(day__gte=first, day__lte=last).delete()
    RolledDay.objects.bulk_create([RolledDay(day=day, decisions=counted.get(day, 0), built_at=now) for day in days])
    return sum(counted.values())


def roll_closed_days() -> int:
    """Roll the days that closed since the last one rolled (from the first decision on, the first time)."""
    latest = RolledDay.objects.aggregate(day=Max("day"))["day"]
    if latest is not None:
        first = latest + timedelta(days=1)
    else:
        earliest = Decision.objects.aggregate(at=Min("decided_at"))["at"]
        if earliest is None:
            return 0
        first = earliest.date()
    return rebuild_days(first, rollups.last_closed_day(clock.now()))
