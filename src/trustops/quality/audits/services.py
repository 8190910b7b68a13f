"""Audits of decisions, and the dispute → arbitration path that keeps their history."""
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from trustops.identity.roles import AUDITOR_ROLES, LEAD_ROLES, QA_LEAD_ROLES, Role
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies import selectors as policies
from trustops.quality.audits.selectors import get_audit, get_dispute, tasks_for
from trustops.quality.errors import derive_error_type
from trustops.quality.models import (
    Audit,
    AuditStatus,
    AuditTask,
    Dispute,
    DisputeStatus,
    RcaCategory,
    TaskStatus,
)
from trustops.quality.selectors import decisions_in_quality_scope


@dataclass
class Judgement:
    correct_verdict: str
    correct_policy: str | None = None
    correct_actions: list[str] | None = None


def _check(judgement: Judgement):
    if judgement.correct_verdict not in ("violation", "no_violation"):
        raise Invalid("invalid_verdict", "correct_verdict is `violation` or `no_violation`.", field="correct_verdict")
    policy = None
    if judgement.correct_verdict == "violation":
        if not judgement.correct_policy:
            raise Invalid("missing_policy", "A violation names the correct policy.", field="correct_policy")
        policy = policies.get_active(judgement.correct_policy)
        if policy is None:
            raise Invalid("unknown_policy", f"No active policy {judgement.correct_policy!r}.", field="correct_policy")
        if judgement.correct_actions is not None:
            refused = sorted(set(judgement.correct_actions) - set(policy.allowed_actions))
            if refused:
                raise Invalid("action_not_allowed", f"{policy.code} does not allow {', '.join(refused)}.",
                              field="correct_actions")
    elif judgement.correct_policy or judgement.correct_actions:
        raise Invalid("policy_without_violation", "No policy or action goes with `no_violation`.",
                      field="correct_policy")
    return policy


def _error_type(decision, judgement: Judgement) -> str:
    return derive_error_type(
        decided_verdict=decision.verdict, decided_policy=decision.policy.code if decision.policy_id else None,
        decided_actions=decision.actions, correct_verdict=judgement.correct_verdict,
        correct_policy=judgement.correct_policy, correct_actions=judgement.correct_actions)


def submit_audit(*, actor, decision_id: int, judgement: Judgement, rca_category: str | None = None,
                 notes: str = "") -> Audit:
    try:
        with transaction.atomic():
            return _submit(actor, decision_id, judgement, rca_category, notes)
    except IntegrityError:
        raise Conflict("already_audited", "This decision already has an audit; dispute it instead.",
                       field="decision_id")


def _submit(actor, decision_id, judgement, rca_category, notes) -> Audit:
    if actor.role not in AUDITOR_ROLES:
        raise Forbidden("auditors_only", "Only QA auditors record audits.")
    decision = (decisions_in_quality_scope(actor).select_related("policy", "reviewer").filter(pk=decision_id)
                .first())
    if decision is None:
        raise NotFound("decision_not_found", f"No decision {decision_id}.", field="decision_id")
    if decision.reviewer_id == actor.pk:
        raise Forbidden("own_decision", "Auditors never audit their own decisions.")
    if decision.verdict not in ("violation", "no_violation"):
        raise Invalid("not_auditable", "Appeal outcomes are not audited here.", field="decision_id")
    if rca_category and rca_category not in RcaCategory.values:
        raise Invalid("unknown_rca_category", f"One of: {', '.join(RcaCategory.values)}.", field="rca_category")
    policy = _check(judgement)
    if Audit.objects.filter(decision=decision).exists():
        raise Conflict("already_audited", "This decision already has an audit; dispute it instead.",
                       field="decision_id")
    task = AuditTask.objects.select_for_update().filter(decision=decision, status=TaskStatus.OPEN).first()
    audit = Audit.objects.create(
        decision=decision, task=task, auditor=actor, correct_verdict=judgement.correct_verdict,
        correct_policy_id=policy.policy_id if policy else None, correct_actions=judgement.correct_actions,
        error_type=_error_type(decision, judgement), rca_category=rca_category or "", notes=notes,
        created_at=clock.now())
    if task:
        task.status = TaskStatus.DONE
        task.save(update_fields=["status"])
    ledger.record("qa.audit_recorded", actor=actor, case_id=decision.case_id, payload={
        "audit_id": audit.pk, "decision_id": decision.pk, "error_type": audit.error_type,
        "rca_category": audit.rca_category or None})
    return audit


@transaction.atomic
def raise_dispute(*, actor, audit_id: int, reason: str) -> Dispute:
    audit = get_audit(actor, audit_id)
    reviewer = audit.decision.reviewer
    allowed = (actor.pk == reviewer.pk
               or (actor.role == Role.VENDOR_MANAGER and actor.vendor_id and actor.vendor_id == reviewer.vendor_id)
               or actor.role in LEAD_ROLES)
    if not allowed:
        raise Forbidden("cannot_dispute", "Only the reviewer, their vendor manager or a lead disputes an audit.")
    if not reason or not reason.strip():
        raise Invalid("missing_reason", "Say why the audit is wrong.", field="reason")
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.status == AuditStatus.DISPUTED:
        raise Conflict("already_disputed", "This audit already has an open dispute.")
    dispute = Dispute.objects.create(audit=audit, raised_by=actor, reason=reason.strip(), raised_at=clock.now())
    audit.status = AuditStatus.DISPUTED
    audit.save(update_fields=["status"])
    ledger.record("qa.audit_disputed", actor=actor, case_id=audit.decision.case_id,
                  payload={"audit_id": audit.pk, "dispute_id": dispute.pk})
    return dispute


@transaction.atomic
def arbitrate(*, actor, dispute_id: int, outcome: str, note: str, judgement: Judgement | None = None) -> Dispute:
    """A QA lead upholds the audit, or revises it; the audit's earlier judgement is kept on the dispute."""
    if actor.role not in QA_LEAD_ROLES:
        raise Forbidden("qa_leads_only", "Only a QA lead arbitrates disputes.")
    dispute = get_dispute(actor, dispute_id)
    dispute = (Dispute.objects.select_for_update(of=("self",)).select_related("audit__decision__policy")
               .get(pk=dispute.pk))
    if dispute.status != DisputeStatus.OPEN:
        raise Conflict("dispute_closed", "This dispute was already arbitrated.")
    if outcome not in (DisputeStatus.UPHELD, DisputeStatus.REVISED):
        raise Invalid("invalid_outcome", "outcome is `upheld` or `revised`.", field="outcome")
    if not note or not note.strip():
        raise Invalid("missing_note", "Explain the arbitration.", field="note")
    audit = dispute.audit
    if outcome == DisputeStatus.REVISED:
        if judgement is None:
            raise Invalid("missing_judgement", "A revision gives the corrected judgement.", field="correct_verdict")
        policy = _check(judgement)
        dispute.audit_before = {"correct_verdict": audit.correct_verdict, "error_type": audit.error_type,
                                "correct_policy": audit.correct_policy.code if audit.correct_policy_id else None,
                                "correct_actions": audit.correct_actions}
        audit.correct_verdict, audit.correct_actions = judgement.correct_verdict, judgement.correct_actions
        audit.correct_policy_id = policy.policy_id if policy else None
        audit.error_type = _error_type(audit.decision, judgement)
        audit.revised_at = clock.now()
    audit.status = AuditStatus.FINAL
    audit.save()
    dispute.status, dispute.arbitrated_by, dispute.arbitration_note = outcome, actor, note.strip()
    dispute.arbitrated_at = clock.now()
    dispute.save()
    ledger.record("qa.dispute_arbitrated", actor=actor, case_id=audit.decision.case_id, payload={
        "dispute_id": dispute.pk, "audit_id": audit.pk, "outcome": outcome, "error_type": audit.error_type})
    return dispute


@transaction.atomic
def take_next_task(*, actor) -> AuditTask | None:
    """The auditor's next open task: the oldest assigned to them, else the oldest unassigned one, now theirs."""
    if actor.role not in AUDITOR_ROLES:
        raise Forbidden("auditors_only", "Only QA auditors take audit tasks.")
    mine = tasks_for(actor).filter(assignee=actor).first()
    if mine is not None:
        return mine
    for candidate in tasks_for(actor).filter(assignee__isnull=True).values_list("pk", flat=True)[:20]:
        # Another auditor may take the same one at the same moment: only a still-unassigned row is taken.
        if AuditTask.objects.filter(pk=candidate, assignee__isnull=True, status=TaskStatus.OPEN).update(
                assignee=actor):
            ledger.record("qa.task_taken", actor=actor, payload={"task_id": candidate})
            return AuditTask.objects.get(pk=candidate)
    return None
