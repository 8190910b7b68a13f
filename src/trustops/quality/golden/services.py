"""Golden items: QA places a copy of a resolved case, whose answer is known, back into a live queue.

The copy is an ordinary report-review case (review opens it); only quality's own table says it is golden.
"""
from django.conf import settings
from django.db import IntegrityError, transaction

from trustops.identity.roles import AUDITOR_ROLES
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies import selectors as policies
from trustops.quality.models import GoldenItem
from trustops.review import casework
from trustops.review.models import OPEN_STATUSES, Case, CaseKind, CaseStatus
from trustops.review.selectors import cases_visible_to, queues_visible_to

VERDICTS = ("violation", "no_violation")


def _expected_policy(expected_verdict: str, expected_policy: str | None):
    if expected_verdict not in VERDICTS:
        raise Invalid("invalid_verdict", "expected_verdict is `violation` or `no_violation`.",
                      field="expected_verdict")
    if expected_verdict == "no_violation":
        if expected_policy:
            raise Invalid("policy_without_violation", "No policy goes with `no_violation`.",
                          field="expected_policy")
        return None
    if not expected_policy:
        raise Invalid("missing_policy", "A violation names the policy it breaks.", field="expected_policy")
    policy = policies.get_active(expected_policy)
    if policy is None:
        raise Invalid("unknown_policy", f"No active policy {expected_policy!r}.", field="expected_policy")
    return policy


def create_golden_item(*, actor, source_case_id: int, queue_key: str, expected_verdict: str,
                       expected_policy: str | None = None) -> GoldenItem:
    try:
        with transaction.atomic():
            return _create(actor, source_case_id, queue_key, expected_verdict, expected_policy)
    except IntegrityError:
        # Someone reported the subject while we were opening its copy: the open-case index refused ours.
        raise Conflict("subject_has_open_case", "The subject has an open case; place it once that is decided.",
                       field="source_case_id")


def _create(actor, source_case_id, queue_key, expected_verdict, expected_policy) -> GoldenItem:
    if actor.role not in AUDITOR_ROLES:
        raise Forbidden("auditors_only", "Only QA auditors and leads create golden items.")
    policy = _expected_policy(expected_verdict, expected_policy)
    source = (cases_visible_to(actor).select_related("subject", "queue").filter(pk=source_case_id).first())
    if source is None:
        raise NotFound("case_not_found", f"No case {source_case_id}.", field="source_case_id")
    if source.kind != CaseKind.REPORT_REVIEW or source.status != CaseStatus.RESOLVED:
        raise Invalid("source_not_resolved", "A golden item copies a resolved report-review case.",
                      field="source_case_id")
    if GoldenItem.objects.filter(case_id=source.pk).exists():
        raise Invalid("source_is_golden", "That case is itself a golden item; copy the original.",
                      field="source_case_id")
    queue = queues_visible_to(actor).filter(key=queue_key, active=True).first()
    if queue is None:
        raise NotFound("queue_not_found", f"No queue {queue_key!r}.", field="queue")
    if queue.key == settings.TRUSTOPS["APPEALS_QUEUE"]:
        raise Invalid("not_a_review_queue", "Golden items go to review queues, not to appeals.", field="queue")
    if Case.objects.filter(subject_id=source.subject_id, kind=CaseKind.REPORT_REVIEW,
                           status__in=OPEN_STATUSES).exists():
        raise Conflict("subject_has_open_case", "The subject has an open case; place it once that is decided.",
                       field="source_case_id")
    case = casework.open_golden_case(source=source, queue=queue, actor=actor)
    item = GoldenItem.objects.create(case=case, source_case=source, expected_verdict=expected_verdict,
                                     expected_policy_id=policy.policy_id if policy else None, created_by=actor,
                                     created_at=clock.now())
    # Kept off the case's and the subject's timelines (no case or subject column), which reviewers read; the
    # payload names the case for anyone auditing QA's own work.
    ledger.record("qa.golden_item_created", actor=actor, payload={
        "golden_item_id": item.pk, "case_id": case.pk, "source_case_id": source.pk, "queue": queue.key,
        "expected_verdict": expected_verdict, "expected_policy": policy.code if policy else None})
    return item
