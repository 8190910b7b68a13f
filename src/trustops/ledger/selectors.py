"""Reading the ledger. Callers first prove the viewer may see the subject or case."""
from django.db.models import Q

from trustops.kernel.pagination import page_by_id
from trustops.ledger.models import LedgerEvent


def subject_timeline(subject, *, cursor: str | None, limit: int):
    """Events about the subject, its cases, and items it owns are not included: one subject, one timeline."""
    return page_by_id(LedgerEvent.objects.filter(subject_id=subject.pk), cursor=cursor, limit=limit)


def case_timeline(case, *, limit: int = 200) -> list[LedgerEvent]:
    return list(LedgerEvent.objects.filter(Q(case_id=case.pk)).order_by("id")[:limit])
