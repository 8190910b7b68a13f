"""Cases that apps above review open for themselves: a merchant's onboarding flag or contest (one per subject),
and a high-priority escalation about a creator or user (support; one case per escalation)."""
from datetime import timedelta

from trustops.kernel import clock
from trustops.kernel.errors import Conflict
from trustops.ledger import services as ledger
from trustops.review.models import OPEN_STATUSES, Case, CaseKind, CaseStatus, Queue
from trustops.review.priority import PriorityInputs, priority


def open_review_case(*, subject, kind: str, queue_key: str, reason: str, actor=None, severity: int = 2) -> Case:
    """The subject's open case of this kind (deduplicated kinds), or a new one in the queue. In the caller's
    transaction. Escalations are never merged: each is worked, and its outcome read, on its own case."""
    if kind not in (CaseKind.RISK_ALERT, CaseKind.MERCHANT_REVIEW, CaseKind.ESCALATION):
        raise ValueError(f"cases of kind {kind} are opened elsewhere")
    case = (None if kind == CaseKind.ESCALATION
            else Case.objects.filter(subject=subject, kind=kind, status__in=OPEN_STATUSES).first())
    if case is not None:
        ledger.record("case.noted", actor=actor, subject_id=subject.pk, case_id=case.pk, payload={"reason": reason})
        return case
    queue = Queue.objects.filter(key=queue_key, active=True).first()
    if queue is None:
        raise Conflict("no_queue", f"No active queue {queue_key!r}.")
    now = clock.now()
    case = Case.objects.create(
        kind=kind, subject=subject, queue=queue, status=CaseStatus.OPEN, severity=severity, report_count=0,
        max_source_trust=0.6, opened_at=now, last_reported_at=now, updated_at=now,
        sla_due_at=now + timedelta(seconds=queue.sla_seconds),
        priority=priority(PriorityInputs(severity=severity, notice_count=1, max_source_trust=0.6,
                                         reach=subject.reach, waited_hours=0)))
    ledger.record("case.opened", actor=actor, subject_id=subject.pk, case_id=case.pk, payload={
        "kind": kind, "queue": queue.key, "priority": case.priority, "reason": reason,
        "sla_due_at": case.sla_due_at})
    return case
