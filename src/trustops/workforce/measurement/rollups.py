"""Closed days kept as rollups: what lets a month of a million decisions be measured in well under a second.

A day (UTC) is rolled once it is over (`GRACE` later, for decisions whose transaction began before midnight):
one set-based INSERT … SELECT writes, per vendor × queue × day × step, the count of decisions whose intake →
decision time rounded up to a whole number of STEP_SECONDS is that step, with their handle time. The step is
chosen so the rollup answers exactly what the row-level measurement answers:

- every SLA a contract can state (hours with two decimals: a multiple of 36 s) and every queue SLA that is a
  multiple of 12 s: a decision took ≤ T seconds ⇔ ⌈elapsed / 12⌉ ≤ T / 12 when 12 divides T;
- the percentiles to the minute: ⌈⌈elapsed / 12⌉ / 5⌉ = ⌈elapsed / 60⌉.

An SLA that is not a multiple of STEP_SECONDS (a queue's own SLA of, say, 100 s) makes the measurement read
its rows instead (`aligned`). Days not rolled yet (today, always) are read from the rows; the two are added.
A rolled day is not touched again by the services (decisions are stamped with the time they are made); data
written into a past day by other means (an import) needs `services.rebuild_days`. A decision counts for the
vendor its reviewer belonged to when the day was rolled.
"""
from datetime import date, datetime, time, timedelta, timezone

from django.db import connection

from trustops.identity.models import User
from trustops.kernel.database import is_postgres
from trustops.review.models import Case, Decision
from trustops.workforce.measurement.models import DecisionRollup, RolledDay

STEP_SECONDS = 12
STEPS_PER_MINUTE = 60 // STEP_SECONDS
GRACE = timedelta(hours=1)


def elapsed_sql() -> str:
    """Seconds from a case's intake (`c`) to its decision (`d`), as the row-level measurement computes them."""
    if is_postgres():
        return "EXTRACT(EPOCH FROM (d.decided_at - c.opened_at))"
    return "ROUND((julianday(d.decided_at) - julianday(c.opened_at)) * 86400.0, 3)"


def ceil_sql(seconds: str, divisor: int) -> str:
    """⌈seconds / divisor⌉ as an integer, in SQL."""
    if is_postgres():
        return f"CEIL({seconds} / {divisor})::bigint"
    whole = f"CAST(({seconds}) / {divisor} AS INTEGER)"
    return f"({whole} + (({seconds}) / {divisor} > {whole}))"


def aligned(thresholds: dict[int, float]) -> bool:
    """Whether every SLA threshold (seconds) is a whole number of steps, so the rollup answers it exactly."""
    return all(float(s).is_integer() and int(s) % STEP_SECONDS == 0 for s in thresholds.values())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def last_closed_day(now: datetime) -> date:
    return (now - GRACE).astimezone(timezone.utc).date() - timedelta(days=1)


def write_days(first: date, last: date) -> dict[date, int]:
    """Replace the rollups of the days [first, last] with what the decisions say; decisions per day."""
    day = ("(d.decided_at AT TIME ZONE 'UTC')::date" if is_postgres() else "date(d.decided_at)")
    steps = "jsonb_object_agg(s.step::text, s.n)" if is_postgres() else "json_group_object(CAST(s.step AS TEXT), s.n)"
    table = DecisionRollup._meta.db_table
    start = connection.ops.adapt_datetimefield_value(_midnight(first))
    end = connection.ops.adapt_datetimefield_value(_midnight(last + timedelta(days=1)))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE day >= %s AND day <= %s", [first, last])
        cursor.execute(
            f"INSERT INTO {table} (vendor_id, queue_id, day, decisions, handle_seconds, timed, steps) "
            f"SELECT s.vendor_id, s.queue_id, s.day, SUM(s.n), SUM(s.handle), SUM(s.timed), {steps} FROM ("
            f"SELECT u.vendor_id, d.queue_id, {day} AS day, {ceil_sql(elapsed_sql(), STEP_SECONDS)} AS step, "
            f"COUNT(*) AS n, COALESCE(SUM(d.handle_seconds), 0) AS handle, COUNT(d.handle_seconds) AS timed "
            f"FROM {Decision._meta.db_table} d JOIN {Case._meta.db_table} c ON c.id = d.case_id "
            f"JOIN {User._meta.db_table} u ON u.id = d.reviewer_id "
            f"WHERE u.vendor_id IS NOT NULL AND d.appeal_of_id IS NULL AND d.decided_at >= %s AND d.decided_at < %s "
            f"GROUP BY 1, 2, 3, 4) s GROUP BY 1, 2, 3", [start, end])
        cursor.execute(f"SELECT day, SUM(decisions) FROM {table} WHERE day >= %s AND day <= %s GROUP BY day",
                       [first, last])
        counted = {_as_date(d): int(n) for d, n in cursor.fetchall()}
    return counted


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def rolled_days(start: date, end: date) -> list[date]:
    """The rolled days in [start, end)."""
    return list(RolledDay.objects.filter(day__gte=start, day__lt=end).values_list("day", flat=True))


def read(vendor_id: int, start: date, end: date, thresholds: dict[int, float], with_histogram: bool):
    """Yield ("cell", queue id, day, n, within, handle, timed) and ("minutes", queue id, minute, n) from the
    rolled days in [start, end), as the row-level scan yields them by day. A queue's SLA of T seconds is
    met by the decisions of steps ≤ T / STEP_SECONDS; a step's minute is ⌈step / STEPS_PER_MINUTE⌉."""
    limits = {queue_id: int(seconds) // STEP_SECONDS for queue_id, seconds in thresholds.items()}
    rows = (DecisionRollup.objects.filter(vendor_id=vendor_id, day__gte=start, day__lt=end,
                                          day__in=RolledDay.objects.filter(day__gte=start, day__lt=end).values("day"))
            .values_list("queue_id", "day", "decisions", "handle_seconds", "timed", "steps"))
    for queue_id, day, n, handle, timed, steps in rows.iterator(chunk_size=500):
        counted = [(int(step), count) for step, count in steps.items()]
        limit = limits.get(queue_id, 0)
        yield ("cell", queue_id, day, n, sum(count for step, count in counted if step <= limit), handle, timed)
        if with_histogram:
            minutes: dict[int, int] = {}
            for step, count in counted:
                minute = -(-step // STEPS_PER_MINUTE)
                minutes[minute] = minutes.get(minute, 0) + count
            for minute, count in minutes.items():
                yield ("minutes", queue_id, minute, count)
