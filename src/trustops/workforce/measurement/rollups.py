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
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from trustops.identity.models import User
from trustops.kernel.database import is_postgres
from trustops.quality.models import Audit, ErrorType
from trustops.review.models import Appeal, AppealStatus, Case, Decision
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
            f"INSERT INTO {table} (vendor_id, queue_id, day, decisions, handle_seconds, timed, steps, audited, correct, "
            f"appealed, overturned) "
            f"SELECT s.vendor_id, s.queue_id, s.day, SUM(s.n), SUM(s.handle), SUM(s.timed), {steps}, 0, 0, 0, 0 FROM ("
            f"SELECT u.vendor_id, d.queue_id, {day} AS day, {ceil_sql(elapsed_sql(), STEP_SECONDS)} AS step, "
            f"COUNT(*) AS n, COALESCE(SUM(d.handle_seconds), 0) AS handle, COUNT(d.handle_seconds) AS timed "
            f"FROM {Decision._meta.db_table} d JOIN {Case._meta.db_table} c ON c.id = d.case_id "
            f"JOIN {User._meta.db_table} u ON u.id = d.reviewer_id "
            f"WHERE u.vendor_id IS NOT NULL AND d.appeal_of_id IS NULL AND d.decided_at >= %s AND d.decided_at < %s "
            f"GROUP BY 1, 2, 3, 4) s GROUP BY 1, 2, 3", [start, end])
        cursor.execute(f"SELECT day, SUM(decisions) FROM {table} WHERE day >= %s AND day <= %s GROUP BY day",
                       [first, last])
        counted = {_as_date(d): int(n) for d, n in cursor.fetchall()}
    _write_reviews(first, last)
    return counted


def _write_reviews(first: date, last: date) -> None:
    """The rolled days' audits and decided appeals, per vendor × queue × day."""
    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    of_days = {"decision__reviewer__vendor__isnull": False, "decision__appeal_of__isnull": True,
               "decision__decided_at__gte": start, "decision__decided_at__lt": end}
    keys = ("decision__reviewer__vendor_id", "decision__queue_id", "day")
    found: dict[tuple, dict] = {}
    audits = (Audit.objects.filter(**of_days).annotate(day=TruncDate("decision__decided_at")).values(*keys)
              .order_by().annotate(n=Count("id"), ok=Count("id", filter=Q(error_type=ErrorType.CORRECT))))
    for row in audits:
        found.setdefault(tuple(row[k] for k in keys), {}).update(audited=row["n"], correct=row["ok"])
    appeals = (Appeal.objects.filter(**of_days).exclude(status=AppealStatus.PENDING)
               .annotate(day=TruncDate("decision__decided_at")).values(*keys).order_by()
               .annotate(n=Count("id"), over=Count("id", filter=Q(status=AppealStatus.OVERTURNED))))
    for row in appeals:
        found.setdefault(tuple(row[k] for k in keys), {}).update(appealed=row["n"], overturned=row["over"])
    rollups = [r for r in DecisionRollup.objects.filter(day__gte=first, day__lte=last)
               if (r.vendor_id, r.queue_id, r.day) in found]
    for rollup in rollups:
        for name, value in found[(rollup.vendor_id, rollup.queue_id, rollup.day)].items():
            setattr(rollup, name, value)
    DecisionRollup.objects.bulk_update(rollups, ["audited", "correct", "appealed", "overturned"], batch_size=500)


def reviewed_since(reviewers: list[int], days: list[date], since: datetime) -> set[date]:
    """Of the rolled days, those with an audit or an appeal of the reviewers' decisions written at or after
    `since` (an audit made or revised, an appeal received or decided): their rolled counts may be out of date."""
    start, end = _midnight(min(days)), _midnight(max(days) + timedelta(days=1))
    of_days = {"decision__reviewer_id__in": reviewers, "decision__appeal_of__isnull": True,
               "decision__decided_at__gte": start, "decision__decided_at__lt": end}
    touched = set()
    for model, written in ((Audit, Q(created_at__gte=since) | Q(revised_at__gte=since)),
                           (Appeal, Q(received_at__gte=since) | Q(decided_at__gte=since))):
        touched.update(model.objects.filter(written, **of_days).annotate(day=TruncDate("decision__decided_at"))
                       .values_list("day", flat=True).distinct())
    return touched & set(days)


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def rolled_days(start: date, end: date) -> dict[date, datetime]:
    """The rolled days in [start, end), with when each was rolled."""
    return dict(RolledDay.objects.filter(day__gte=start, day__lt=end).values_list("day", "built_at"))


def read(vendor_id: int, start: date, end: date, thresholds: dict[int, float], with_histogram: bool,
         reviews_from_rows: set[date] = frozenset()):
    """Yield ("cell", queue id, day, n, within, handle, timed), ("minutes", queue id, minute, n) and, for the days
    not in `reviews_from_rows`, ("reviews", queue id, day, audited, correct, appealed, overturned) from the
    rolled days in [start, end), as the row-level scan yields them by day. A queue's SLA of T seconds is
    met by the decisions of steps ≤ T / STEP_SECONDS; a step's minute is ⌈step / STEPS_PER_MINUTE⌉. The
    histograms are expanded and summed by the database (`jsonb_each_text`, SQLite's `json_each`)."""
    if is_postgres():
        each, step, count = "jsonb_each_text(r.steps) e", "e.key::integer", "e.value::integer"
    else:
        each, step, count = "json_each(r.steps) e", "CAST(e.key AS INTEGER)", "e.value"
    params: list = []
    branches = []
    for queue_id, seconds in sorted(thresholds.items()):
        branches.append("WHEN %s THEN %s")
        params += [queue_id, int(seconds) // STEP_SECONDS]
    limit = f"CASE r.queue_id {' '.join(branches)} ELSE 0 END" if branches else "0"
    first, after = connection.ops.adapt_datefield_value(start), connection.ops.adapt_datefield_value(end)
    source = (f"FROM {DecisionRollup._meta.db_table} r WHERE r.vendor_id = %s AND r.day >= %s AND r.day < %s "
              f"AND r.day IN (SELECT day FROM {RolledDay._meta.db_table} WHERE day >= %s AND day < %s)")
    where = [vendor_id, first, after, first, after]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.queue_id, r.day, r.decisions, (SELECT COALESCE(SUM({count}), 0) FROM {each} "
                       f"WHERE {step} <= {limit}), r.handle_seconds, r.timed, r.audited, r.correct, r.appealed, "
                       f"r.overturned {source}", params + where)
        for queue_id, day, n, inside, handle, timed, *reviews in cursor.fetchall():
            day = _as_date(day)
            yield ("cell", queue_id, day, n, int(inside), int(handle), timed)
            if day not in reviews_from_rows:
                yield ("reviews", queue_id, day, *reviews)
        if with_histogram:
            # ⌈step / 5⌉ in integers, for steps of either sign.
            minute = (f"CASE WHEN {step} > 0 THEN ({step} + {STEPS_PER_MINUTE - 1}) / {STEPS_PER_MINUTE} "
                      f"ELSE -((-{step}) / {STEPS_PER_MINUTE}) END")
            cursor.execute(f"SELECT r.queue_id, {minute}, SUM({count}) FROM {DecisionRollup._meta.db_table} r, "
                           f"{each} {source[source.index('WHERE'):]} GROUP BY 1, 2", where)
            for queue_id, minute_value, n in cursor.fetchall():
                yield ("minutes", queue_id, int(minute_value), int(n))
