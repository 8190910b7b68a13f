"""A vendor's work measured from trustops' own records, per queue and per day (or month), by the database.

Every figure is a set-based aggregate over the vendor's decisions in the period (one GROUP BY per table of
figures, never a row per decision in Python), so a month of a million decisions costs a few scans:

- volume: decisions by the vendor's people, appeal re-reviews excluded;
- SLA attainment: the share of those decisions made within the SLA's hours of the case's intake
  (`case.opened_at` → `decision.decided_at`); the time's percentiles from a histogram by the minute;
- AHT: mean `handle_seconds` (decisions that recorded it); decisions per productive hour: decisions ÷ (the
  handle time ÷ 3600), productive time being time spent on decisions;
- audited accuracy: audits judged correct ÷ audits, with the Wilson interval (`quality.stats`);
- appeal overturn rate: appeals of the vendor's decisions overturned ÷ appeals decided;
- headcount: the vendor's agents on record (active accounts), those who decided something, those who joined.
"""
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate, TruncMonth

from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel.database import is_postgres
from trustops.quality.models import Audit, ErrorType
from trustops.quality.stats.proportions import wilson_interval
from trustops.review.models import Appeal, AppealStatus, Case, Decision, Queue
from trustops.workforce.measurement import rollups

PERCENTILES = (0.5, 0.9, 0.99)
SCAN_WORK_MEM = "128MB"


@dataclass
class Counts:
    """Additive counts: a queue × day, a queue, a vendor; the rates are derived (`figures`)."""
    volume: int = 0
    within_sla: int = 0
    handle_seconds: int = 0
    timed: int = 0                 # decisions that recorded a handle time
    audited: int = 0
    correct: int = 0
    appealed: int = 0
    overturned: int = 0
    histogram: dict[int, int] = field(default_factory=dict)   # whole minutes from intake (rounded up) → decisions

    def add(self, other: "Counts") -> None:
        for name in ("volume", "within_sla", "handle_seconds", "timed", "audited", "correct", "appealed",
                     "overturned"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for minute, n in other.histogram.items():
            self.histogram[minute] = self.histogram.get(minute, 0) + n


def _ratio(a, b):
    return a / b if b else None


def figures(counts: Counts, confidence: float = 0.95) -> dict:
    """The rates of a set of counts, JSON-ready."""
    interval = wilson_interval(counts.correct, counts.audited, confidence) if counts.audited else None
    hours = counts.handle_seconds / 3600
    return {
        "volume": counts.volume, "within_sla": counts.within_sla,
        "sla_attainment": _ratio(counts.within_sla, counts.volume),
        "aht_seconds": _ratio(counts.handle_seconds, counts.timed),
        "productive_hours": round(hours, 4),
        "decisions_per_productive_hour": _ratio(counts.timed, hours),
        "audited": counts.audited, "correct": counts.correct, "accuracy": _ratio(counts.correct, counts.audited),
        "accuracy_low": interval.low if interval else None, "accuracy_high": interval.high if interval else None,
        "appealed": counts.appealed, "overturned": counts.overturned,
        "overturn_rate": _ratio(counts.overturned, counts.appealed),
        "time_to_decision": percentiles(counts.histogram),
    }


def percentiles(histogram: dict[int, int]) -> dict:
    """Time from intake to decision at each percentile, in seconds, to the minute: the smallest whole number of
    minutes within which that share of the decisions was made."""
    total = sum(histogram.values())
    out = {f"p{round(p * 100)}": None for p in PERCENTILES}
    if not total:
        return out
    running, minutes = 0, sorted(histogram)
    wanted = list(PERCENTILES)
    for minute in minutes:
        running += histogram[minute]
        while wanted and running >= wanted[0] * total:
            out[f"p{round(wanted.pop(0) * 100)}"] = minute * 60
    return out


@dataclass
class Measurement:
    vendor_id: int
    start: datetime
    end: datetime
    by: str
    cells: dict[tuple[str, date], Counts]        # (queue key, day or month) → counts
    by_queue: dict[str, Counts]
    total: Counts
    headcount: dict

    def queue_figures(self, confidence: float = 0.95) -> dict[str, dict]:
        return {key: figures(c, confidence) for key, c in sorted(self.by_queue.items())}

    def as_dict(self, confidence: float = 0.95) -> dict:
        return {"vendor_id": self.vendor_id, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "by": self.by, "total": figures(self.total, confidence), "queues": self.queue_figures(confidence),
                "periods": [{"queue": q, "period": d.isoformat(), **_cell(c)}
                            for (q, d), c in sorted(self.cells.items())],
                "headcount": self.headcount}


def _cell(c: Counts) -> dict:
    return {"volume": c.volume, "within_sla": c.within_sla, "sla_attainment": _ratio(c.within_sla, c.volume),
            "aht_seconds": _ratio(c.handle_seconds, c.timed), "audited": c.audited, "correct": c.correct}


def agent_ids(vendor_id: int) -> list[int]:
    """Everyone of the vendor who could have decided (agents and leads alike): few rows, used as an id list so
    the decisions are read through their (reviewer, decided_at) index."""
    return list(User.objects.filter(vendor_id=vendor_id).values_list("pk", flat=True))


def sla_seconds(within: dict[str, float] | None) -> dict[int, float]:
    """Per queue id, the SLA's seconds: the contract's where it sets one, else the queue's own."""
    within = within or {}
    return {pk: float(within.get(key, sla)) for pk, key, sla in Queue.objects.values_list("pk", "key", "sla_seconds")}


def _scan_sql(reviewers: list[int], start: datetime, end: datetime, thresholds: dict[int, float], by: str):
    """The one scan of the vendor's decisions joined to their cases: (expressions, FROM … WHERE, parameters).

    Per row: the queue, the period (day or month), the minutes from intake to decision, whether the decision
    was within its queue's SLA (a CASE over the queues' thresholds), the handle time."""
    elapsed = rollups.elapsed_sql()
    if is_postgres():
        period = ("(d.decided_at AT TIME ZONE 'UTC')::date" if by == "day"
                  else "date_trunc('month', d.decided_at AT TIME ZONE 'UTC')::date")
    else:
        period = "date(d.decided_at)" if by == "day" else "strftime('%%Y-%%m-01', d.decided_at)"
    minutes = rollups.ceil_sql(elapsed, 60)
    params: list = []
    branches = []
    for queue_id, seconds in sorted(thresholds.items()):
        branches.append("WHEN %s THEN %s")
        params += [queue_id, seconds]
    threshold = f"CASE d.queue_id {' '.join(branches)} ELSE 0 END" if branches else "0"
    within = f"CASE WHEN {elapsed} <= {threshold} THEN 1 ELSE 0 END"
    marks = ", ".join(["%s"] * len(reviewers))
    source = (f"FROM {Decision._meta.db_table} d JOIN {Case._meta.db_table} c ON c.id = d.case_id "
              f"WHERE d.reviewer_id IN ({marks}) AND d.decided_at >= %s AND d.decided_at < %s "
              f"AND d.appeal_of_id IS NULL")
    where = [*reviewers, connection.ops.adapt_datetimefield_value(start),
             connection.ops.adapt_datetimefield_value(end)]
    return {"period": period, "minutes": minutes, "within": within}, source, params, where


def _scan(reviewers, start, end, thresholds, by, with_histogram):
    """Yield ("cell", queue id, period, n, within, handle, timed) and ("minutes", queue id, minutes, n) from the
    decisions' rows: on PostgreSQL one scan with grouping sets, elsewhere one query per set."""
    if not reviewers or start >= end:
        return
    expressions, source, select_params, where = _scan_sql(reviewers, start, end, thresholds, by)
    period, minutes, within = expressions["period"], expressions["minutes"], expressions["within"]
    with transaction.atomic(), connection.cursor() as cursor:
        if is_postgres():
            # A month's scan groups a million rows two ways: room to hash them instead of sorting on disk.
            cursor.execute(f"SET LOCAL work_mem = '{SCAN_WORK_MEM}'")
            # The histogram's set costs little in the same scan; it is always grouped so GROUPING() can name it.
            sets = [f"(d.queue_id, {period})", f"(d.queue_id, {minutes})"]
            cursor.execute(
                f"SELECT GROUPING({period}, {minutes}), d.queue_id, {period}, {minutes}, "
                f"COUNT(*), SUM({within}), SUM(d.handle_seconds), COUNT(d.handle_seconds) {source} "
                f"GROUP BY GROUPING SETS ({', '.join(sets)})", select_params + where)
            for grouping, queue_id, day, minute, n, inside, handle, timed in cursor.fetchall():
                if grouping == 0b01:
                    yield ("cell", queue_id, day, n, int(inside or 0), int(handle or 0), timed)
                elif with_histogram:
                    yield ("minutes", queue_id, int(minute), n)
            return
        cursor.execute(f"SELECT d.queue_id, {period}, COUNT(*), SUM({within}), SUM(d.handle_seconds), "
                       f"COUNT(d.handle_seconds) {source} GROUP BY 1, 2", select_params + where)
        for queue_id, day, n, inside, handle, timed in cursor.fetchall():
            yield ("cell", queue_id, date.fromisoformat(day) if isinstance(day, str) else day, n, int(inside or 0),
                   int(handle or 0), timed)
        if with_histogram:
            cursor.execute(f"SELECT d.queue_id, {minutes}, COUNT(*) {source} GROUP BY 1, 2", where)
            for queue_id, minute, n in cursor.fetchall():
                yield ("minutes", queue_id, int(minute), n)


def _whole_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The days (UTC) lying wholly inside [start, end): [first, last)."""
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    first = start.date() if start.time() == time() else start.date() + timedelta(days=1)
    return first, end.date()


def _live_ranges(start: datetime, end: datetime, rolled: list[date]) -> list[tuple[datetime, datetime]]:
    """[start, end) less the rolled days: the ranges read from the decisions' rows."""
    ranges, cursor = [], start
    for day in sorted(rolled):
        midnight = datetime.combine(day, time(), tzinfo=timezone.utc)
        if midnight > cursor:
            ranges.append((cursor, midnight))
        cursor = max(cursor, midnight + timedelta(days=1))
    if cursor < end:
        ranges.append((cursor, end))
    return ranges


def measure(vendor_id: int, start: datetime, end: datetime, *, within: dict[str, float] | None = None,
            by: str = "day", with_histogram: bool = True, use_rollups: bool = True) -> Measurement:
    """The vendor's figures in [start, end) per queue and per day (`by="day"`) or month (`by="month"`).

    Rolled days are read from the rollups, the rest (today, always) from the decisions; `use_rollups=False`
    reads every row, which gives the same figures (the rollups are exact, see `rollups.py`)."""
    reviewers = agent_ids(vendor_id)
    queue_keys = dict(Queue.objects.values_list("pk", "key"))
    thresholds = sla_seconds(within)
    rolled: dict[date, datetime] = {}
    if use_rollups and reviewers and rollups.aligned(thresholds):
        first, last = _whole_days(start, end)
        rolled = rollups.rolled_days(first, last) if first < last else {}
    # A rolled day's audits and appeals are read from the rows again once one was written after the roll
    # (GRACE earlier still, for a transaction that was open while the day was rolled).
    stale = (rollups.reviewed_since(reviewers, list(rolled), min(rolled.values()) - rollups.GRACE)
             if rolled else set())
    sources = [_scan(reviewers, a, b, thresholds, by, with_histogram) for a, b in _live_ranges(start, end, rolled)]
    sources += [_reviews(reviewers, a, b, by)
                for a, b in _live_ranges(start, end, [day for day in rolled if day not in stale])]
    if rolled:
        sources.append(rollups.read(vendor_id, min(rolled), max(rolled) + timedelta(days=1), thresholds,
                                    with_histogram, reviews_from_rows=stale))
    cells: dict[tuple[str, date], Counts] = defaultdict(Counts)
    by_queue: dict[str, Counts] = defaultdict(Counts)
    total = Counts()
    for row in itertools.chain.from_iterable(sources):
        if row[0] == "minutes":
            _, queue_id, minute, n = row
            for histogram in (by_queue[queue_keys[queue_id]].histogram, total.histogram):
                histogram[minute] = histogram.get(minute, 0) + n
            continue
        kind, queue_id, period, *values = row
        cell = cells[(queue_keys[queue_id], period.replace(day=1) if by == "month" else period)]
        names = (("volume", "within_sla", "handle_seconds", "timed") if kind == "cell"
                 else ("audited", "correct", "appealed", "overturned"))
        for name, value in zip(names, values):
            setattr(cell, name, getattr(cell, name) + value)

    for (queue_key, _), cell in cells.items():
        by_queue[queue_key].add(cell)
        total.add(cell)
    return Measurement(vendor_id=vendor_id, start=start, end=end, by=by, cells=dict(cells), by_queue=dict(by_queue),
                       total=total, headcount=headcount(vendor_id, start, end, working(reviewers, start, end)))


def _reviews(reviewers: list[int], start: datetime, end: datetime, by: str):
    """Yield ("reviews", queue id, period, audited, correct, appealed, overturned) from the audits' and the
    decided appeals' rows of the reviewers' decisions in [start, end): few, read from their side."""
    if not reviewers or start >= end:
        return
    of_period = {"decision__reviewer_id__in": reviewers, "decision__decided_at__gte": start,
                 "decision__decided_at__lt": end, "decision__appeal_of__isnull": True}
    found: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    audits = (Audit.objects.filter(**of_period).annotate(period=_trunc_on(by, "decision__decided_at"))
              .values("decision__queue_id", "period").order_by()
              .annotate(n=Count("id"), correct=Count("id", filter=Q(error_type=ErrorType.CORRECT))))
    for row in audits:
        found[(row["decision__queue_id"], _day(row["period"]))][0:2] = [row["n"], row["correct"]]
    appeals = (Appeal.objects.filter(**of_period).exclude(status=AppealStatus.PENDING)
               .annotate(period=_trunc_on(by, "decision__decided_at"))
               .values("decision__queue_id", "period").order_by()
               .annotate(n=Count("id"), overturned=Count("id", filter=Q(status=AppealStatus.OVERTURNED))))
    for row in appeals:
        found[(row["decision__queue_id"], _day(row["period"]))][2:4] = [row["n"], row["overturned"]]
    for (queue_id, period), values in found.items():
        yield ("reviews", queue_id, period, *values)


def working(reviewers: list[int], start: datetime, end: datetime) -> int:
    """How many of the reviewers decided something in [start, end): one probe of the (reviewer, decided_at)
    index each, not a scan of their decisions."""
    if not reviewers:
        return 0
    decided = Decision.objects.filter(reviewer_id=OuterRef("pk"), decided_at__gte=start, decided_at__lt=end,
                                      appeal_of__isnull=True)
    return User.objects.filter(pk__in=reviewers).filter(Exists(decided)).count()


def _trunc_on(by: str, field_name: str):
    return TruncDate(field_name) if by == "day" else TruncMonth(field_name)


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def headcount(vendor_id: int, start: datetime, end: datetime, working: int = 0) -> dict:
    """Agents on record (active accounts, now), people who decided in the period, agents who joined in it."""
    agents = User.objects.filter(vendor_id=vendor_id, role=Role.VENDOR_AGENT)
    return {"rostered": agents.filter(is_active=True).count(), "working": working,
            "joined": agents.filter(date_joined__gte=start, date_joined__lt=end).count(),
            "inactive": agents.filter(is_active=False).count()}
