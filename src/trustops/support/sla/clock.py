"""SLA clock maths, pure: business calendars, pause intervals and due times. No models, no database.

The rules (docs/concepts/support.md):
- A clock runs only inside the calendar's working time (a 24×7 calendar: always).
- First response runs from the ticket's creation and is never paused by a status.
- Resolution runs from creation and stands still during every pause interval (pending; on hold when the policy
  says so). Its due time is the moment the clock has run for the target: working time minus pauses. So a
  pause of N working seconds moves the due time by exactly N working seconds.
- A pause still open counts as ending `now` (the due time shown is the earliest it can be if work resumed now).
- Next reply runs from the requester's latest reply that no agent has answered yet.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
FAR = timedelta(days=3660)   # look at most ten years ahead for working time (a calendar with none is an error)


@dataclass(frozen=True)
class Calendar:
    """Working time: always (24×7), or periods per weekday (Monday = 0) in a time zone, minus holidays."""
    timezone: str = "UTC"
    always_open: bool = True
    periods: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, *, timezone: str = "UTC", always_open: bool = True, periods: dict | None = None,
           holidays: Iterable = ()) -> "Calendar":
        """From stored form: periods {"0": [["09:00", "17:00"]]}, holidays ["2026-12-25"]."""
        parsed = {}
        for weekday, spans in (periods or {}).items():
            parsed[int(weekday)] = tuple(sorted((_time(a), _time(b)) for a, b in spans))
        return cls(timezone=timezone, always_open=always_open, periods=parsed,
                   holidays=frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in holidays))

    def check(self) -> None:
        """ValueError when the calendar could never run a clock."""
        ZoneInfo(self.timezone)
        if self.always_open:
            return
        if not any(self.periods.get(d) for d in range(7)):
            raise ValueError("a business calendar needs at least one working period")
        for spans in self.periods.values():
            for start, end in spans:
                if not start < end:
                    raise ValueError("a working period must end after it starts")

    def working(self, start: datetime, end: datetime | None = None) -> Iterator[Interval]:
        """Working intervals (UTC) from `start` onwards, clipped to [start, end)."""
        if self.always_open:
            yield start, end or start + FAR
            return
        zone = ZoneInfo(self.timezone)
        day = start.astimezone(zone).date() - timedelta(days=1)   # a period may begin the evening before
        limit = end or start + FAR
        while True:
            if datetime.combine(day, time(0), zone).astimezone(timezone.utc) >= limit:
                return
            if day not in self.holidays:
                for a, b in self.periods.get(day.weekday(), ()):
                    lo = datetime.combine(day, a, zone).astimezone(timezone.utc)
                    hi = datetime.combine(day, b, zone).astimezone(timezone.utc)
                    lo, hi = max(lo, start), min(hi, limit)
                    if lo < hi:
                        yield lo, hi
            day += timedelta(days=1)


TWENTY_FOUR_SEVEN = Calendar()


def _time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same time; empty ones dropped."""
    merged: list[list[datetime]] = []
    for lo, hi in sorted(i for i in intervals if i[0] < i[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def subtract(windows: Iterable[Interval], holes: list[Interval]) -> Iterator[Interval]:
    """`windows` (in order) minus `holes` (merged)."""
    holes = merge(holes)
    for lo, hi in windows:
        cursor = lo
        for h_lo, h_hi in holes:
            if h_hi <= cursor or h_lo >= hi:
                continue
            if h_lo > cursor:
                yield cursor, h_lo
            cursor = max(cursor, h_hi)
            if cursor >= hi:
                break
        if cursor < hi:
            yield cursor, hi


def close_pauses(pauses: Iterable[tuple[datetime, datetime | None]], now: datetime) -> list[Interval]:
    """The pause log with an open pause counted up to `now`."""
    return merge((lo, hi if hi is not None else max(lo, now)) for lo, hi in pauses)


def add_running(calendar: Calendar, start: datetime, seconds: float, pauses: list[Interval] = ()) -> datetime:
    """The moment a clock started at `start` has run `seconds` of working time outside the pauses."""
    remaining = timedelta(seconds=seconds)
    if remaining <= timedelta(0):
        return start
    for lo, hi in subtract(calendar.working(start), list(pauses)):
        if hi - lo >= remaining:
            return lo + remaining
        remaining -= hi - lo
    raise ValueError("the calendar has no working time left within ten years")


def running_seconds(calendar: Calendar, start: datetime, end: datetime, pauses: list[Interval] = ()) -> float:
    """Working seconds between `start` and `end` outside the pauses."""
    if end <= start:
        return 0.0
    return sum((hi - lo).total_seconds() for lo, hi in subtract(calendar.working(start, end), list(pauses)))


@dataclass(frozen=True)
class Targets:
    first_response_seconds: int
    next_reply_seconds: int
    resolution_seconds: int


@dataclass(frozen=True)
class Facts:
    """What the clocks depend on, from a ticket and its pause log."""
    created_at: datetime
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    first_responded_at: datetime | None = None
    awaiting_reply_since: datetime | None = None   # the requester's latest unanswered reply
    resolved_at: datetime | None = None            # solved or closed: the resolution clock has stopped


@dataclass(frozen=True)
class Clocks:
    first_response_due_at: datetime
    next_reply_due_at: datetime | None
    resolution_due_at: datetime
    paused: bool                     # the resolution clock stands still now
    first_response_running: bool
    resolution_running: bool

    def next_due(self) -> datetime | None:
        """The earliest due time of a clock that is running (the inbox's "breaching soon")."""
        running = [self.next_reply_due_at]
        if self.first_response_running:
            running.append(self.first_response_due_at)
        if self.resolution_running and not self.paused:
            running.append(self.resolution_due_at)
        running = [d for d in running if d is not None]
        return min(running) if running else None


def clocks(calendar: Calendar, targets: Targets, facts: Facts, now: datetime) -> Clocks:
    """Due times of the three clocks; a stopped clock keeps its due time, for attainment."""
    resolved = facts.resolved_at is not None
    paused = not resolved and any(hi is None for _, hi in facts.pauses)
    first = add_running(calendar, facts.created_at, targets.first_response_seconds)
    next_due = None
    if facts.awaiting_reply_since is not None and not resolved:
        next_due = add_running(calendar, facts.awaiting_reply_since, targets.next_reply_seconds)
    resolution = add_running(calendar, facts.created_at, targets.resolution_seconds,
                             close_pauses(facts.pauses, facts.resolved_at or now))
    return Clocks(first_response_due_at=first, next_reply_due_at=next_due, resolution_due_at=resolution,
                  paused=paused, first_response_running=facts.first_responded_at is None and not resolved,
                  resolution_running=not resolved)


def met(due_at: datetime | None, done_at: datetime | None) -> bool | None:
    """Whether a target was met: None while it is still running."""
    if due_at is None or done_at is None:
        return None
    return done_at <= due_at
