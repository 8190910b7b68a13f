from datetime import datetime

from ninja import Schema
from pydantic import Field

from trustops.identity import access
from trustops.kernel.inputs import Seconds
from trustops.subjects.schemas import SubjectOut, subject_out


class QueueOut(Schema):
    key: str
    name: str
    tier: int
    sla_seconds: int
    depth: int
    in_review: int
    oldest_age_seconds: int | None
    at_sla_risk: int
    breached: int


class CaseSummaryOut(Schema):
    id: int
    kind: str
    status: str
    queue: str
    priority: int
    policy: str | None
    severity: int
    report_count: int
    signal_count: int
    subject_type: str
    subject_external_id: str
    opened_at: datetime
    sla_due_at: datetime
    assignee: str | None
    version: int


class ReportInCaseOut(Schema):
    id: int
    reason: str
    source: str
    reporter_external_id: str
    text: str
    received_at: datetime


class SignalInCaseOut(Schema):
    id: int
    detector: str
    score: float
    policy: str
    received_at: datetime


class CaseOut(CaseSummaryOut):
    subject: SubjectOut
    last_reported_at: datetime
    resolved_at: datetime | None
    lease_expires_at: datetime | None
    reports: list[ReportInCaseOut]
    signals: list[SignalInCaseOut]
    decision_ids: list[int] = Field(description="The case's decisions, oldest first: what POST /appeals names.")


class CasePageOut(Schema):
    cases: list[CaseSummaryOut]
    next_cursor: str | None


def case_summary(case, due=None) -> dict:
    """`due`: the due time with the queue's SLA pauses (`selectors.shown_due_times`); the stored one without."""
    return {"id": case.pk, "kind": case.kind, "status": case.status, "queue": case.queue.key,
            "priority": case.priority, "policy": case.policy.code if case.policy_id else None,
            "severity": case.severity, "report_count": case.report_count, "signal_count": case.signal_count,
            "subject_type": case.subject.type, "subject_external_id": case.subject.external_id,
            "opened_at": case.opened_at, "sla_due_at": due or case.sla_due_at,
            "assignee": case.assignee.username if case.assignee_id else None, "version": case.version}


def case_detail(case, viewer, *, reports, signals, decision_ids=(), due=None) -> dict:
    mask = access.viewer(viewer).is_vendor_staff
    return {**case_summary(case, due), "subject": subject_out(case.subject, viewer),
            "last_reported_at": case.last_reported_at, "resolved_at": case.resolved_at,
            "lease_expires_at": case.lease_expires_at,
            "reports": [{"id": r.pk, "reason": r.policy.code, "source": r.source,
                         # Reporter identities are personal data.
                         "reporter_external_id": "•••" if mask and r.reporter_external_id else r.reporter_external_id,
                         "text": r.text, "received_at": r.received_at} for r in reports],
            "signals": [{"id": s.pk, "detector": s.detector, "score": s.score, "policy": s.policy.code,
                         "received_at": s.received_at} for s in signals],
            "decision_ids": list(decision_ids)}


class ClaimOut(Schema):
    case: CaseOut
    lease_expires_at: datetime


class LeaseOut(Schema):
    case_id: int
    status: str
    version: int
    lease_expires_at: datetime | None


class ReleaseIn(Schema):
    skip: bool = False


class DecisionIn(Schema):
    version: int
    verdict: str
    policy: str | None = None
    actions: list[str] | None = None
    rationale: str
    handle_seconds: Seconds | None = None


class EnforcementOut(Schema):
    action: str
    cause: str
    target: dict
    starts_at: datetime
    ends_at: datetime | None
    status: str


class DecisionOut(Schema):
    decision_id: int
    enforcement: list[EnforcementOut]
    standing: dict | None


class EscalateIn(Schema):
    to_queue: str
    reason: str


class BulkSelectionIn(Schema):
    case_ids: list[int] | None = None
    owner: dict | None = None
    queue: str | None = None
    policy: str | None = None


class BulkDecisionIn(Schema):
    selection: BulkSelectionIn
    verdict: str
    policy: str | None = None
    actions: list[str] | None = None
    rationale: str
    dry_run: bool = True
    max_cases: int = 100


class AppealIn(Schema):
    decision_id: int
    statement: str = Field(min_length=1, max_length=5000)
    idempotency_key: str = Field(min_length=1, max_length=200)


class AppealOut(Schema):
    appeal_id: int
    decision_id: int
    case_id: int
    status: str
    queue: str
