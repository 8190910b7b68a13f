"""Adherence, utilisation and occupancy of a vendor's agents, measured against their roster.

An agent's *signed-in time* is the union of their console sessions (sign-in to sign-out; an open one counts up
to `services.MAX_OPEN_HOURS` or now) and the handle time of their decisions (`decided_at − handle_seconds` →
`decided_at`: an agent deciding through the API is at work even without a console session). Against each
rostered shift:

- scheduled time: the shift's length; paid time: the length less its unpaid break;
- adherent time: signed-in time inside the shift; adherence = adherent ÷ scheduled;
- late start: signed in first more than GRACE after the shift's start (a shift with no activity is an absence,
  counted apart); early leave: signed out last more than GRACE before its end;
- unscheduled work: signed-in time outside every shift of the agent;
- productive time: all signed-in time (adherent + unscheduled); utilisation = productive ÷ paid scheduled time;
- handle time: the decisions' handle seconds; occupancy = handle ÷ productive time.

By day: a shift's figures go to its local roster day; unscheduled time and handle time outside shifts to the
UTC day. By queue: a shift's time goes to the queue it was rostered on ("" when none), handle time to the
decision's queue, unscheduled time to "" (no shift says its queue).
"""
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone

from trustops.identity.models import User
from trustops.kernel import clock
from trustops.review.models import Decision
from trustops.workforce.rosters.models import RosterEntry, WorkSession
from trustops.workforce.rosters.services import MAX_OPEN_HOURS

GRACE = timedelta(minutes=5)


@dataclass
class Totals:
    shifts: int = 0
    absences: int = 0
    late_starts: int = 0
    early_leaves: int = 0
    scheduled_seconds: float = 0
    paid_seconds: float = 0
    adherent_seconds: float = 0
    unscheduled_seconds: float = 0
    handle_seconds: float = 0

    def add(self, other: "Totals") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def productive_seconds(self) -> float:
        return self.adherent_seconds + self.unscheduled_seconds

    def figures(self) -> dict:
        def ratio(a, b):
            return a / b if b else None
        return {**{f.name: getattr(self, f.name) for f in fields(self)},
                "productive_seconds": self.productive_seconds,
                "adherence": ratio(self.adherent_seconds, self.scheduled_seconds),
                "utilisation": ratio(self.productive_seconds, self.paid_seconds),
                "occupancy": ratio(self.handle_seconds, self.productive_seconds)}


def _union(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[list[datetime]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _overlap(spans, start: datetime, end: datetime) -> float:
    return sum(max(0.0, (min(e, end) - max(s, start)).total_seconds()) for s, e in spans)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time(), tzinfo=timezone.utc),
            datetime.combine(last + timedelta(days=1), time(), tzinfo=timezone.utc))


@dataclass
class Measured:
    total: Totals
    days: dict[date, Totals]
    queues: dict[str, Totals]
    agents: dict[str, Totals]

    def as_dict(self) -> dict:
        return {"total": self.total.figures(),
                "days": [{"day": d, **t.figures()} for d, t in sorted(self.days.items())],
                "queues": [{"queue": q, **t.figures()} for q, t in sorted(self.queues.items())],
                "agents": [{"agent": a, **t.figures()} for a, t in sorted(self.agents.items())]}


def measure(vendor_id: int, first: date, last: date) -> Measured:
    """The figures of the vendor's agents for the roster days first..last (inclusive)."""
    entries = list(RosterEntry.objects.filter(vendor_id=vendor_id, day__gte=first, day__lte=last)
                   .select_related("agent", "queue").order_by("agent_id", "starts_at"))
    start, end = _bounds(first, last)
    shift_spans = [(e.starts_at, e.ends_at) for e in entries if e.starts_at]
    if shift_spans:   # a night shift of the last day runs past the window
        start, end = min(start, min(s for s, _ in shift_spans)), max(end, max(e for _, e in shift_spans))
    agent_ids = set(User.objects.filter(vendor_id=vendor_id).values_list("pk", flat=True))
    now = clock.now()
    activity: dict[int, list] = defaultdict(list)
    for user_id, s, e in (WorkSession.objects.filter(user_id__in=agent_ids, started_at__lt=end)
                          .values_list("user_id", "started_at", "ended_at")):
        e = e or min(now, s + timedelta(hours=MAX_OPEN_HOURS))
        if e > start:
            activity[user_id].append((max(s, start), min(e, end)))
    decisions = list(Decision.objects.filter(reviewer_id__in=agent_ids, decided_at__gte=start, decided_at__lt=end,
                                             appeal_of__isnull=True)
                     .values_list("reviewer_id", "decided_at", "handle_seconds", "queue__key"))
    for user_id, decided_at, handle, _ in decisions:
        if handle:
            activity[user_id].append((max(start, decided_at - timedelta(seconds=handle)), decided_at))
    signed_in = {user_id: _union(spans) for user_id, spans in activity.items()}

    total, days, queues, agents = Totals(), defaultdict(Totals), defaultdict(Totals), defaultdict(Totals)
    names = dict(User.objects.filter(pk__in=agent_ids).values_list("pk", "username"))

    def count(t: Totals, user_id: int, day: date, queue: str) -> None:
        for bucket in (total, days[day], queues[queue], agents[names[user_id]]):
            bucket.add(t)

    shifts_of: dict[int, list] = defaultdict(list)
    for entry in entries:
        if entry.starts_at is None:
            continue
        shifts_of[entry.agent_id].append(entry)
        spans = signed_in.get(entry.agent_id, [])
        inside = [(max(s, entry.starts_at), min(e, entry.ends_at)) for s, e in spans
                  if s < entry.ends_at and e > entry.starts_at]
        t = Totals(shifts=1, scheduled_seconds=(entry.ends_at - entry.starts_at).total_seconds(),
                   paid_seconds=entry.paid_seconds, adherent_seconds=_overlap(inside, entry.starts_at, entry.ends_at))
        if not inside:
            t.absences = 1
        else:
            t.late_starts = int(inside[0][0] - entry.starts_at > GRACE)
            t.early_leaves = int(entry.ends_at - inside[-1][1] > GRACE)
        count(t, entry.agent_id, entry.day, entry.queue.key if entry.queue else "")

    def shift_at(user_id: int, at: datetime):
        return next((e for e in shifts_of.get(user_id, []) if e.starts_at < at <= e.ends_at), None)

    for user_id, decided_at, handle, queue in decisions:
        shift = shift_at(user_id, decided_at)
        count(Totals(handle_seconds=handle or 0), user_id, shift.day if shift else decided_at.date(), queue)
    # Unscheduled: signed-in time outside the agent's shifts, by UTC day; no shift says its queue.
    for user_id, spans in signed_in.items():
        if user_id not in names:
            continue
        own = [(e.starts_at, e.ends_at) for e in shifts_of.get(user_id, [])]
        for s, e in spans:
            for piece_start, piece_end in _outside(s, e, own):
                for day_start, day_end, day in _by_day(piece_start, piece_end):
                    count(Totals(unscheduled_seconds=(day_end - day_start).total_seconds()), user_id, day, "")
    return Measured(total, dict(days), dict(queues), dict(agents))


def _outside(start: datetime, end: datetime, shifts) -> list[tuple[datetime, datetime]]:
    pieces, cursor = [], start
    for s, e in sorted(shifts):
        if e <= cursor or s >= end:
            continue
        if s > cursor:
            pieces.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        pieces.append((cursor, end))
    return pieces


def _by_day(start: datetime, end: datetime):
    while start < end:
        midnight = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=timezone.utc)
        yield start, min(end, midnight), start.date()
        start = min(end, midnight)


def measure_month(vendor_id: int, month: date) -> Measured:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return measure(vendor_id, month, following - timedelta(days=1))


def month_summary(vendor_id: int, month: date) -> dict | None:
    """The scorecard's roster figures for a month; None when nobody was rostered (nothing to measure against)."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    if not RosterEntry.objects.filter(vendor_id=vendor_id, day__gte=month, day__lt=following).exists():
        return None
    return measure_month(vendor_id, month).total.figures()
