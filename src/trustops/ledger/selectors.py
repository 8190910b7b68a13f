"""Reading the ledger. Callers first prove the viewer may see the subject or case."""
from django.db.models import Q

from trustops.kernel.pagination import page_by_id
from trustops.ledger.models import LedgerEvent


def subject_timeline(subject, *, visible: Q, cursor: str | None, limit: int, exclude: Q | None = None):
    """Events about the subject among those `visible` (the caller's access rule for the viewer, e.g.
    `identity.access.event_filter`). Events about items it owns are not included: one subject, one timeline."""
    events = LedgerEvent.objects.filter(Q(subject_id=subject.pk) & visible)
    if exclude is not None:
        events = events.exclude(exclude)
    return page_by_id(events, cursor=cursor, limit=limit)


def case_timeline(case, *, limit: int = 200) -> list[LedgerEvent]:
    return list(LedgerEvent.objects.filter(Q(case_id=case.pk)).order_by("id")[:limit])
