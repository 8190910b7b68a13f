"""Searching who viewed sensitive content and personal data (ledger view events), for compliance staff.

The "why" of a view is what it was part of: the case (and its queue) a reviewer opened, the account an
investigator looked up, the evidence a child-safety specialist opened for a report package.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from trustops.identity import access
from trustops.ledger.models import LedgerEvent

VIEW_KINDS = {
    "case.viewed": "opened a case",
    "content.revealed": "revealed blurred media",
    "subject.viewed": "looked up an account's personal data",
    "evidence.accessed": "opened preserved child-safety evidence",
    "data_subject.exported": "exported a person's data",
}


@dataclass
class AccessQuery:
    actor: str = ""
    kind: str = ""
    subject_external_id: str = ""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


def search(viewer, query: AccessQuery) -> list[LedgerEvent]:
    if not access.reads_access_audit(viewer):
        return []
    v = access.viewer(viewer)
    kinds = [query.kind] if query.kind in VIEW_KINDS else list(VIEW_KINDS)
    events = LedgerEvent.objects.filter(kind__in=kinds)
    if v.regions is not None:
        events = events.filter(Q(subject__region__in=sorted(v.regions)))
    if query.actor:
        events = events.filter(actor_name=query.actor)
    if query.subject_external_id:
        events = events.filter(subject__external_id=query.subject_external_id)
    if query.since:
        events = events.filter(occurred_at__gte=query.since)
    if query.until:
        events = events.filter(occurred_at__lt=query.until)
    return list(events.select_related("subject").order_by("-id")[:max(1, min(query.limit, 500))])


def why(event: LedgerEvent) -> str:
    payload = event.payload or {}
    if event.case_id:
        return f"case {event.case_id}" + (f" in {payload['queue']}" if payload.get("queue") else "")
    return payload.get("reason") or payload.get("subject") or ""
