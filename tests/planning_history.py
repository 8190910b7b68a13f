"""Intake history with a known pattern, written straight into review's table (history, not a use case)."""
from datetime import UTC, datetime, timedelta

import numpy as np

from trustops.review.models import Case
from trustops.subjects.models import Subject

START = datetime(2026, 3, 2, tzinfo=UTC)    # a Monday, 00:00 UTC
HALF_HOUR = timedelta(minutes=30)


def pattern(intervals: int, *, base: float = 4.0) -> np.ndarray:
    """Whole cases per half-hour: a daytime hump and quieter weekends, the same every week."""
    t = np.arange(intervals)
    daily = 1 + np.sin(2 * np.pi * ((t % 48) - 12) / 48)          # peak at 12:00, trough at 00:00
    weekly = np.where((t // 48) % 7 >= 5, 0.5, 1.0)               # Saturday and Sunday at half volume
    return np.round(base * daily * weekly).astype(int)


def seed_intake(queue, counts, *, start=START) -> None:
    now = start + len(counts) * HALF_HOUR
    subject = Subject.objects.create(type="video", external_id=f"history-{queue.key}", region="US",
                                     first_seen_at=start, updated_at=now)
    cases = []
    for index, n in enumerate(counts):
        at = start + index * HALF_HOUR + timedelta(minutes=7)
        cases.extend(Case(subject=subject, queue=queue, status="resolved", opened_at=at, last_reported_at=at,
                          updated_at=at, sla_due_at=at + timedelta(seconds=queue.sla_seconds), resolved_at=at)
                     for _ in range(int(n)))
    Case.objects.bulk_create(cases, batch_size=2000)
