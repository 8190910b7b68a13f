"""Appeals: the owner contests one decision; another reviewer upholds or overturns it."""
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from trustops.enforcement import selectors as enforcement
from trustops.enforcement.services import penalties
from trustops.kernel import clock, ports
from trustops.kernel.canonical import digest
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.policies import selectors as policies
from trustops.review import casework, hooks
from trustops.review.models import Appeal, AppealStatus, Decision, Verdict
from trustops.review.selectors import cases_visible_to


def _body(appeal: Appeal) -> dict:
    return {"appeal_id": appeal.pk, "decision_id": appeal.decision_id, "case_id": appeal.case_id,
            "status": appeal.status, "queue": appeal.case.queue.key}


def submit_appeal(*, submitter, decision_id: int, statement: str, idempotency_key: str) -> tuple[int, dict]:
    """Returns (201, body) for a new appeal, (200, body) for a replay of the same key and payload."""
    try:
        with transaction.atomic():
            return _submit(submitter, decision_id, statement, idempotency_key)
    except IntegrityError:
        # A concurrent submission of the same appeal won; answer as a replay would.
        with transaction.atomic():
            return _submit(submitter, decision_id, statement, idempotency_key)


def _refuse_if_complaints_suspended(subject) -> None:
    """A complainant whose complaints compliance suspended (DSA Art. 23(2), the `compliance.suspensions` port):
    the complaining account is the decided item's owner, or the decided account itself."""
    suspensions = ports.get("compliance.suspensions")
    if suspensions is None:
        return
    account = subject.owner if subject.owner_id else subject
    until = suspensions.suspended_until("complaints", [account.external_id]).get(account.external_id)
    if until is not None:
        raise Forbidden("complainant_suspended", "The processing of this account's complaints is suspended until "
                                                 f"{until.isoformat()} (DSA Art. 23(2)).", field="decision_id")


def _submit(submitter, decision_id, statement, idempotency_key):
    fingerprint = digest({"decision_id": decision_id, "statement": statement})
    stored = Appeal.objects.select_related("case__queue").filter(submitted_by=submitter,
                                                                  idempotency_key=idempotency_key).first()
    if stored is not None:
        if stored.fingerprint != fingerprint:
            raise Conflict("idempotency_key_reused", "This idempotency key was already used with a different "
                                                     "payload.", field="idempotency_key")
        return 200, _body(stored)
    decision = (Decision.objects.select_for_update(of=("self",)).select_related("case__subject", "case__queue", "policy")
                .filter(pk=decision_id, case__in=cases_visible_to(submitter)).first())
    if decision is None or _withheld(decision):
        raise NotFound("decision_not_found", f"No decision {decision_id}.", field="decision_id")
    if decision.verdict != Verdict.VIOLATION or decision.appeal_of_id:
        raise Invalid("not_appealable", "Only a violation decision can be appealed, and only once.",
                      field="decision_id")
    _refuse_if_complaints_suspended(decision.case.subject)
    window = timedelta(days=settings.TRUSTOPS["APPEAL_WINDOW_DAYS"])
    if clock.now() > decision.decided_at + window:
        raise Invalid("appeal_window_closed", f"Appeals must arrive within {window.days} days of the decision.",
                      field="decision_id")
    if Appeal.objects.filter(decision=decision).exists():
        raise Conflict("already_appealed", "This decision is already under appeal or was appealed.",
                       field="decision_id")
    case = casework.open_appeal_case(decision=decision, actor=submitter)
    appeal = Appeal.objects.create(decision=decision, case=case, submitted_by=submitter,
                                   idempotency_key=idempotency_key, fingerprint=fingerprint, statement=statement,
                                   received_at=clock.now())
    ledger.record("appeal.received", actor=submitter, subject_id=case.subject_id, case_id=case.pk,
                  payload={"appeal_id": appeal.pk, "decision_id": decision.pk, "original_case_id": decision.case_id})
    return 201, _body(appeal)


def _withheld(decision) -> bool:
    """A decision on a golden case that carried no real notice: it was never enforced nor told to anyone, so for
    the platform it does not exist and there is nothing to appeal."""
    return hooks.golden.withholds_enforcement(decision.case)


def decide_appeal(*, case, actor, decision, finish) -> dict:
    """Called by casework's decide for appeal cases, inside its transaction and lease checks."""
    if decision.verdict not in (Verdict.UPHELD, Verdict.OVERTURNED):
        raise Invalid("invalid_verdict", "An appeal decision is `upheld` or `overturned`.", field="verdict")
    if decision.actions:
        raise Invalid("actions_on_appeal", "An appeal upholds or overturns; it takes no new actions.",
                      field="actions")
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("decision__case__subject__owner", "decision__policy"
                                                               ).get(case=case)
    original = appeal.decision
    policy = policies.get_active(original.policy.code) if original.policy_id else None
    record = finish(case, actor, decision, policy=policy, actions=[], appeal_of=original)
    if decision.verdict == Verdict.OVERTURNED:
        reversed_actions, standing = penalties.reverse_for(original, actor=actor, reason="appeal overturned")
    else:
        reversed_actions = []
        account = penalties.account_of(original.case.subject)
        standing = enforcement.standing(account) if account else None
    appeal.status = AppealStatus.OVERTURNED if decision.verdict == Verdict.OVERTURNED else AppealStatus.UPHELD
    appeal.outcome, appeal.decided_at = record, clock.now()
    appeal.save(update_fields=["status", "outcome", "decided_at"])
    ledger.record("appeal.decided", actor=actor, subject_id=case.subject_id, case_id=case.pk, payload={
        "appeal_id": appeal.pk, "decision_id": original.pk, "outcome": appeal.status,
        "reversed": len(reversed_actions)})
    for listener in hooks.decision_listeners:
        listener.appeal_decided(appeal, decision=record, actor=actor)
    outbox.enqueue("appeal.decided", {"appeal_id": appeal.pk, "decision_id": original.pk,
                                      "appeal_decision_id": record.pk, "outcome": appeal.status,
                                      "rationale": record.rationale, "standing": standing})
    return {"decision_id": record.pk, "enforcement": reversed_actions, "standing": standing}
