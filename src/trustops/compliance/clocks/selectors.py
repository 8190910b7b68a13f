"""The board of legal clocks, scoped through `identity.access.compliance_subject_filter`."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from trustops.compliance.models import ClockStatus, LegalClock
from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import NotFound


def clocks_visible_to(viewer) -> QuerySet[LegalClock]:
    return LegalClock.objects.filter(access.compliance_subject_filter(viewer, "subject__"))


def get(viewer, clock_id: int) -> LegalClock:
    found = clocks_visible_to(viewer).select_related("subject").filter(pk=clock_id).first()
    if found is None:
        raise NotFound("clock_not_found", f"No legal clock {clock_id}.")
    return found


@dataclass
class ClockRow:
    clock: LegalClock
    remaining_seconds: int
    share_used: float

    @property
    def overdue(self) -> bool:
        return self.remaining_seconds < 0

    @property
    def percent_used(self) -> int:
        return min(int(self.share_used * 100), 999)


def board(viewer, *, at: datetime | None = None, running_only: bool = True, limit: int = 200) -> list[ClockRow]:
    """Running clocks, soonest due first, with the time left: the same whatever their case's status."""
    now = at or clock.now()
    rows = clocks_visible_to(viewer).select_related("subject", "case")
    if running_only:
        rows = rows.filter(status=ClockStatus.RUNNING)
    return [row_of(c, at=now) for c in rows.order_by("due_at", "id")[:limit]]


def row_of(c: LegalClock, *, at: datetime | None = None) -> ClockRow:
    """Time left (negative when overdue) and share used; a handled clock is measured at its handling."""
    end = c.handled_at or at or clock.now()
    span = (c.due_at - c.started_at).total_seconds() or 1
    return ClockRow(c, int((c.due_at - end).total_seconds()), (end - c.started_at).total_seconds() / span)
