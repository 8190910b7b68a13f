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
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth

from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel.database import is_postgres
from trustops.quality.models import Audit, ErrorType
from trustops.quality.stats.proportions import wilson_interval
from trustops.review.models import Appeal, AppealStatus, Case, Decision, Queue

PERCENTILES = (0.5, 0.9, 0.99)


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
    histogram: dict[int, int] = field(default_factory=dict)   # minutes from intake → decisions

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
    """Time from intake to decision at each percentile, in seconds, to the minute (the bucket's upper end)."""
    total = sum(histogram.values())
    out = {f"p{round(p * 100)}": None for p in PERCENTILES}
    if not total:
        return out
    running, minutes = 0, sorted(histogram)
    wanted = list(PERCENTILES)
    for minute in minutes:
        running += histogram[minute]
        while wanted and running >= wanted[0] * total:
            out[f"p{round(wanted.pop(0) * 100)}"] = (minute + 1) * 60
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


def _within_filter(thresholds: dict[int, float]) -> Q:
    """Decisions made within their queue's SLA of the case's intake, one OR branch per distinct SLA."""
    by_seconds: dict[float, list[int]] = defaultdict(list)
    for queue_id, seconds in thresholds.items():
        by_seconds[seconds].append(queue_id)
    q = Q(pk__in=[])
    for seconds, queue_ids in by_seconds.items():
        q |= Q(queue_id__in=sorted(queue_ids), decided_at__lte=F("case__opened_at") + timedelta(seconds=seconds))
    return q


def _elapsed_minutes_sql() -> str:
    if is_postgres():
        return "FLOOR(EXTRACT(EPOCH FROM (d.decided_at - c.opened_at)) / 60)"
    return "CAST((julianday(d.decided_at) - julianday(c.opened_at)) * 1440 AS INTEGER)"


def _histogram(reviewers: list[int], start: datetime, end: datetime) -> list[tuple[int, int, int]]:
    """(queue id, minutes from intake to decision, decisions), grouped by the database."""
    if not reviewers:
        return []
    marks = ", ".join(["%s"] * len(reviewers))
    sql = (f"SELECT d.queue_id, {_elapsed_minutes_sql()} AS minutes, COUNT(*) "
           f"FROM {Decision._meta.db_table} d JOIN {Case._meta.db_table} c ON c.id = d.case_id "
           f"WHERE d.reviewer_id IN ({marks}) AND d.decided_at >= %s AND d.decided_at < %s "
           f"AND d.appeal_of_id IS NULL GROUP BY d.queue_id, minutes")
    params = [*reviewers, connection.ops.adapt_datetimefield_value(start),
              connection.ops.adapt_datetimefield_value(end)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(q, int(m), n) for q, m, n in cursor.fetchall()]


def measure(vendor_id: int, start: datetime, end: datetime, *, within: dict[str, float] | None = None,
            by: str = "day", with_histogram: bool = True) -> Measurement:
    """The vendor's figures in [start, end) per queue and per day (`by="day"`) or month (`by="month"`)."""
    reviewers = agent_ids(vendor_id)
    queue_keys = dict(Queue.objects.values_list("pk", "key"))
    thresholds = sla_seconds(within)
    trunc = TruncDate("decided_at") if by == "day" else TruncMonth("decided_at")
    decisions = Decision.objects.filter(reviewer_id__in=reviewers, decided_at__gte=start, decided_at__lt=end,
                                        appeal_of__isnull=True)
    cells: dict[tuple[str, date], Counts] = defaultdict(Counts)

    rows = (decisions.annotate(period=trunc).values("queue_id", "period").order_by()
            .annotate(n=Count("id"), within=Count("id", filter=_within_filter(thresholds)),
                      handle=Sum("handle_seconds"), timed=Count("handle_seconds")))
    for row in rows:
        cell = cells[(queue_keys[row["queue_id"]], _day(row["period"]))]
        cell.volume, cell.within_sla = row["n"], row["within"]
        cell.handle_seconds, cell.timed = row["handle"] or 0, row["timed"]

    audits = (Audit.objects.filter(decision__in=decisions).annotate(period=_trunc_on(by, "decision__decided_at"))
              .values("decision__queue_id", "period").order_by()
              .annotate(n=Count("id"), correct=Count("id", filter=Q(error_type=ErrorType.CORRECT))))
    for row in audits:
        cell = cells[(queue_keys[row["decision__queue_id"]], _day(row["period"]))]
        cell.audited, cell.correct = row["n"], row["correct"]

    appeals = (Appeal.objects.filter(decision__in=decisions).exclude(status=AppealStatus.PENDING)
               .annotate(period=_trunc_on(by, "decision__decided_at"))
               .values("decision__queue_id", "period").order_by()
               .annotate(n=Count("id"), overturned=Count("id", filter=Q(status=AppealStatus.OVERTURNED))))
    for row in appeals:
        cell = cells[(queue_keys[row["decision__queue_id"]], _day(row["period"]))]
        cell.appealed, cell.overturned = row["n"], row["overturned"]

    by_queue: dict[str, Counts] = defaultdict(Counts)
    total = Counts()
    for (queue_key, _), cell in cells.items():
        by_queue[queue_key].add(cell)
        total.add(cell)
    if with_histogram:
        for queue_id, minutes, n in _histogram(reviewers, start, end):
            histogram = by_queue[queue_keys[queue_id]].histogram
            histogram[minutes] = histogram.get(minutes, 0) + n
            total.histogram[minutes] = total.histogram.get(minutes, 0) + n
    return Measurement(vendor_id=vendor_id, start=start, end=end, by=by, cells=dict(cells), by_queue=dict(by_queue),
                       total=total, headcount=headcount(vendor_id, start, end, decisions))


def _trunc_on(by: str, field_name: str):
    return TruncDate(field_name) if by == "day" else TruncMonth(field_name)


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def headcount(vendor_id: int, start: datetime, end: datetime, decisions=None) -> dict:
    """Agents on record (active accounts, now), agents who decided in the period, agents who joined in it."""
    agents = User.objects.filter(vendor_id=vendor_id, role=Role.VENDOR_AGENT)
    working = 0
    if decisions is not None:
        working = decisions.order_by().values("reviewer_id").distinct().count()
    return {"rostered": agents.filter(is_active=True).count(), "working": working,
            "joined": agents.filter(date_joined__gte=start, date_joined__lt=end).count(),
            "inactive": agents.filter(is_active=False).count()}
