"""Cases that apps above review open for themselves: a merchant's onboarding flag (one per subject), a
high-priority escalation about a creator or user (support; one case per escalation), and the decisions a
specialist takes on a subject directly (a merchant's payouts, reserve, benefits or status), kept as a case and
a decision so that the owner appeals them as any other decision."""
from datetime import timedelta

from trustops.kernel import clock
from trustops.kernel.errors import Conflict
from trustops.ledger import services as ledger
from trustops.review.models import OPEN_STATUSES, Case, CaseKind, CaseStatus, Decision, Queue, Verdict
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


def record_direct_decision(*, subject, queue_key: str, actor, rationale: str, what: str) -> Decision:
    """A decision on a subject taken outside a queue (a merchant specialist's on the merchant's page, or the
    merchant rules' standing recorded when it is appealed): written as a resolved merchant review case holding
    one `violation` decision with no policy and no enforcement actions (what changed lives with the caller,
    which keeps the decision's id). `review.appeals` accepts it like any
    decision; the caller's `DecisionListener.appeal_decided` undoes the change when an appeal overturns it.
    Decision listeners are not told: nothing here was enforced by review. In the caller's transaction."""
    queue = Queue.objects.filter(key=queue_key, active=True).first()
    if queue is None:
        raise Conflict("no_queue", f"No active queue {queue_key!r}.")
    now = clock.now()
    case = Case.objects.create(
        kind=CaseKind.MERCHANT_REVIEW, subject=subject, queue=queue, status=CaseStatus.RESOLVED, severity=2,
        report_count=0, max_source_trust=0.6, opened_at=now, last_reported_at=now, updated_at=now,
        resolved_at=now, sla_due_at=now, priority=0)
    decision = Decision.objects.create(case=case, queue=queue, reviewer=actor, verdict=Verdict.VIOLATION,
                                       actions=[], rationale=rationale.strip(), handle_seconds=0, decided_at=now)
    ledger.record_many([
        ledger.Entry("case.opened", {"kind": case.kind, "queue": queue.key, "priority": 0, "reason": rationale,
                                     "sla_due_at": now, "decided_directly": what},
                     subject_id=subject.pk, case_id=case.pk),
        ledger.Entry("decision.made", {"decision_id": decision.pk, "verdict": decision.verdict, "policy": None,
                                       "policy_version": None, "actions": [], "queue": queue.key,
                                       "handle_seconds": 0, "appeal_of": None, "bulk": None, "about": what},
                     subject_id=subject.pk, case_id=case.pk)], actor=actor)
    return decision
