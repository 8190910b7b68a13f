"""Working cases: claim, renew, release/skip, decide, escalate, lease expiry, bulk decisions.

Each public function is one use case in one transaction. Cases are locked row by row (`FOR UPDATE`, and
`SKIP LOCKED` when claiming) so two reviewers never hold one case and a stale decision is refused.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from trustops.enforcement.selectors import standing as standing_of
from trustops.enforcement.services import penalties
from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.identity.roles import LEAD_ROLES
from trustops.kernel import clock, rows
from trustops.kernel.database import fetch_one_hot, is_postgres
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies import selectors as policies
from trustops.review import hooks, selectors
from trustops.review.models import Case, CaseKind, CaseSkip, CaseStatus, Decision, Exposure, Queue, Verdict
from trustops.review.priority import PriorityInputs, priority
from trustops.subjects.selectors import get_subject


def _lease() -> timedelta:
    return timedelta(seconds=settings.TRUSTOPS["LEASE_SECONDS"])


def _locked_case(actor, case_id: int) -> Case:
    """Lock the case, but only if the actor may see it (404 otherwise)."""
    case = (selectors.cases_visible_to(actor).select_for_update(of=("self",))
            .select_related("subject", "subject__owner", "queue").filter(pk=case_id).first())
    if case is None:
        raise NotFound("case_not_found", f"No case {case_id}.")
    return case


def _require_lease(case: Case, actor) -> None:
    if case.status != CaseStatus.IN_REVIEW or case.assignee_id != actor.pk or case.lease_expires_at <= clock.now():
        raise Conflict("lease_lost", "You no longer hold this case; claim it again.")


def _record_exposure(case: Case, reviewer_id: int | None) -> None:
    """On severe queues, the time from claim to hand-back counts as exposure for that reviewer."""
    if reviewer_id and case.claimed_at and case.queue.severe_content:
        now = clock.now()
        Exposure.objects.create(reviewer_id=reviewer_id, queue_id=case.queue_id, case=case, ended_at=now,
                                seconds=max(0, int((now - case.claimed_at).total_seconds())))


def _bump(case: Case, **fields) -> None:
    fields["version"] = case.version + 1
    fields["updated_at"] = clock.now()
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=list(fields))


@transaction.atomic
def claim_next(*, actor, queue_key: str) -> Case | None:
    """Take the first case of the queue this reviewer may claim, or None when nothing is waiting for them.

    One statement finds, locks and takes the case (`UPDATE … WHERE id = (next claimable) RETURNING`), so a
    claim is the queue check, that statement and its ledger event: claiming is what every reviewer does all day.
    """
    queue = selectors.get_queue_to_work(actor, queue_key)
    now = clock.now()
    lease_expires_at = now + _lease()
    candidate, params = selectors.next_claimable_sql(actor, queue, lock=is_postgres())
    at, until = (connection.ops.adapt_datetimefield_value(value) for value in (now, lease_expires_at))
    row = fetch_one_hot(
        f"UPDATE review_case SET status = %s, assignee_id = %s, claimed_at = %s, lease_expires_at = %s, "
        f"version = version + 1, updated_at = %s WHERE id = ({candidate}) RETURNING {_CASE_COLUMNS}",
        [CaseStatus.IN_REVIEW, actor.pk, at, until, at, *params])
    if row is None:
        return None
    case = rows.instance(Case, row)
    ledger.record("case.claimed", actor=actor, subject_id=case.subject_id, case_id=case.pk,
                  payload={"queue": queue.key, "lease_expires_at": lease_expires_at})
    return case


_CASE_COLUMNS = rows.columns(Case)


@transaction.atomic
def renew(*, actor, case_id: int) -> Case:
    case = _locked_case(actor, case_id)
    _require_lease(case, actor)
    # A renewal changes who holds the case for how long, not what is decided: the version stays, so the
    # reviewer's open form is not made stale by its own keep-alive.
    case.lease_expires_at = clock.now() + _lease()
    case.save(update_fields=["lease_expires_at"])
    ledger.record("case.lease_renewed", actor=actor, subject_id=case.subject_id, case_id=case.pk,
                  payload={"lease_expires_at": case.lease_expires_at})
    return case


@transaction.atomic
def release(*, actor, case_id: int, skip: bool = False) -> Case:
    case = _locked_case(actor, case_id)
    _require_lease(case, actor)
    _record_exposure(case, actor.pk)
    _bump(case, status=CaseStatus.OPEN, assignee=None, lease_expires_at=None, claimed_at=None)
    if skip:
        CaseSkip.objects.get_or_create(case=case, reviewer=actor, defaults={"skipped_at": clock.now()})
    ledger.record("case.skipped" if skip else "case.released", actor=actor, subject_id=case.subject_id,
                  case_id=case.pk, payload={})
    return case


def _on_leads_floor(actor, case_id: int) -> Case:
    """Lock a case a floor lead acts on: 404 unless they see it; refused when someone off their floor holds it."""
    selectors.require_floor(actor)
    case = _locked_case(actor, case_id)
    if case.assignee_id and not User.objects.filter(access.floor_people_filter(actor), pk=case.assignee_id).exists():
        raise Forbidden("not_your_floor", "The reviewer holding this case is not on your floor.")
    return case


def _reason(reason: str | None, why: str) -> str:
    if not reason or not reason.strip():
        raise Invalid("missing_reason", why, field="reason")
    return reason.strip()


@transaction.atomic
def release_by_lead(*, actor, case_id: int, reason: str) -> Case:
    """A lead takes a held case back from its reviewer and returns it to its queue (say why)."""
    case = _on_leads_floor(actor, case_id)
    if case.status != CaseStatus.IN_REVIEW or case.assignee_id is None:
        raise Conflict("case_not_held", f"Nobody holds case {case.pk}: it is not in review.")
    why = _reason(reason, "Say why the case is taken back from its reviewer.")
    holder = case.assignee
    _record_exposure(case, holder.pk)
    _bump(case, status=CaseStatus.OPEN, assignee=None, lease_expires_at=None, claimed_at=None)
    ledger.record("case.released_by_lead", actor=actor, subject_id=case.subject_id, case_id=case.pk,
                  payload={"reviewer_id": holder.pk, "reviewer": holder.username, "queue": case.queue.key,
                           "reason": why})
    return case


@transaction.atomic
def reassign(*, actor, case_id: int, to_reviewer: str, reason: str) -> Case:
    """A lead hands a waiting or held case to a named reviewer who may work its queue, under a fresh lease."""
    case = _on_leads_floor(actor, case_id)
    if case.status == CaseStatus.RESOLVED:
        raise Conflict("case_resolved", f"Case {case.pk} is decided already.")
    why = _reason(reason, "Say why the case goes to another reviewer.")
    # People off the lead's floor (another vendor's, say) are unknown names here, as anywhere else.
    target = (User.objects.filter(access.floor_people_filter(actor), username=(to_reviewer or "").strip(),
                                  is_active=True).first())
    if target is None:
        raise Invalid("unknown_reviewer", f"No reviewer {to_reviewer!r} on your floor.", field="reviewer")
    if target.pk == case.assignee_id:
        raise Invalid("already_holds", f"{target.username} holds case {case.pk} already.", field="reviewer")
    if not selectors.may_work(target, case.queue):
        raise Invalid("reviewer_may_not_work_queue", f"{target.username} may not work {case.queue.key!r}.",
                      field="reviewer")
    if not selectors.cases_visible_to(target).filter(pk=case.pk).exists():
        raise Invalid("reviewer_not_cleared", f"{target.username} is not cleared for this case's region.",
                      field="reviewer")
    if case.excluded_reviewer_id == target.pk:
        raise Invalid("reviewer_excluded", "An appeal is never re-reviewed by the reviewer who decided.",
                      field="reviewer")
    previous = case.assignee
    _record_exposure(case, case.assignee_id)
    now = clock.now()
    _bump(case, status=CaseStatus.IN_REVIEW, assignee=target, claimed_at=now, lease_expires_at=now + _lease())
    ledger.record("case.reassigned", actor=actor, subject_id=case.subject_id, case_id=case.pk, payload={
        "from_reviewer": previous.username if previous else None, "to_reviewer": target.username,
        "queue": case.queue.key, "reason": why, "lease_expires_at": case.lease_expires_at})
    identity.notify_many([identity.NotificationDraft(
        recipient_id=target.pk, kind="case.reassigned", topic="case", topic_id=case.pk,
        title=f"{actor.username} gave you case {case.pk} in {case.queue.name}", body=why)])
    return case


def expire_leases(*, batch: int = 500) -> int:
    """Return cases whose lease ran out to their queue. Each batch is one transaction."""
    expired = 0
    while True:
        with transaction.atomic():
            now = clock.now()
            cases = list(Case.objects.select_for_update(skip_locked=True, of=("self",)).select_related("queue")
                         .filter(status=CaseStatus.IN_REVIEW, lease_expires_at__lte=now).order_by("id")[:batch])
            if not cases:
                return expired
            entries = []
            for case in cases:
                _record_exposure(case, case.assignee_id)
                entries.append(ledger.Entry("case.lease_expired", {"reviewer_id": case.assignee_id},
                                            subject_id=case.subject_id, case_id=case.pk))
                case.status, case.assignee, case.lease_expires_at, case.claimed_at = CaseStatus.OPEN, None, None, None
                case.version += 1
                case.updated_at = now
            Case.objects.bulk_update(cases, ["status", "assignee", "lease_expires_at", "claimed_at", "version",
                                             "updated_at"])
            ledger.record_many(entries)
            expired += len(cases)


@dataclass
class DecisionInput:
    verdict: str
    rationale: str
    policy: str | None = None
    actions: list[str] | None = None
    handle_seconds: int | None = None


@transaction.atomic
def decide(*, actor, case_id: int, version: int, decision: DecisionInput) -> dict:
    case = _locked_case(actor, case_id)
    _require_lease(case, actor)
    if case.version != version:
        raise Conflict("stale_case", "The case changed since you opened it; reload it and decide again.",
                       field="version", details={"current_version": case.version})
    return _decide_locked(case, actor, decision)


def _decide_locked(case: Case, actor, decision: DecisionInput, *, bulk_operation: str = "") -> dict:
    if not decision.rationale or not decision.rationale.strip():
        raise Invalid("missing_rationale", "Say why: the rationale is required.", field="rationale")
    if case.kind == CaseKind.APPEAL:
        from trustops.review import appeals  # a cycle inside review: appeals opens its cases through casework
        return appeals.decide_appeal(case=case, actor=actor, decision=decision, finish=_finish)
    if decision.verdict not in (Verdict.VIOLATION, Verdict.NO_VIOLATION):
        raise Invalid("invalid_verdict", "A review decision is `violation` or `no_violation`.", field="verdict")
    policy = None
    actions: list[str] = []
    if decision.verdict == Verdict.VIOLATION:
        if not decision.policy:
            raise Invalid("missing_policy", "A violation names the policy it breaks.", field="policy")
        policy = policies.get_active(decision.policy)
        if policy is None:
            raise Invalid("unknown_policy", f"No active policy {decision.policy!r}.", field="policy")
        actions = (penalties.default_actions(case.subject, policy, case.queue.allowed_actions)
                   if decision.actions is None
                   else list(dict.fromkeys(decision.actions)))
        penalties.check_actions(case.subject, policy, actions, case.queue.allowed_actions)
    elif decision.actions:
        raise Invalid("actions_without_violation", "No action can follow a no-violation decision.", field="actions")

    record = _finish(case, actor, decision, policy=policy, actions=actions, bulk_operation=bulk_operation)
    # Golden items: QA placed this case, whose answer is known, to measure accuracy unseen (review/hooks.py).
    # The decision above is kept like any other, and the reviewer gets the answer a real case would give, but
    # that answer is worked out in a savepoint that is then rolled back: nothing is enforced, no strike issued,
    # no report resolved, and the platform is told nothing (outbox rows and their delivery hooks go with it).
    rehearsal = transaction.savepoint() if hooks.golden.withholds_enforcement(case) else None
    enforcement, standing = ([], None)
    if policy is not None:
        enforcement, standing = penalties.apply_for(record, subject=case.subject, policy=policy, actions=actions,
                                                    actor=actor)
    else:
        account = penalties.account_of(case.subject)
        if account is not None:
            standing = standing_of(account)
    hooks.notices.resolve_reports(case_id=case.pk, decision_id=record.pk, violation=policy is not None, actor=actor)
    for listener in hooks.decision_listeners:
        listener.decision_recorded(record, case=case, actor=actor)
    if rehearsal is not None:
        transaction.savepoint_rollback(rehearsal)
    return {"decision_id": record.pk, "enforcement": enforcement, "standing": standing}


def _finish(case: Case, actor, decision: DecisionInput, *, policy, actions, appeal_of=None,
            bulk_operation: str = "") -> Decision:
    """Write the decision and resolve the case: shared by reviews and appeals."""
    now = clock.now()
    handle = decision.handle_seconds
    if handle is None and case.claimed_at:
        handle = int((now - case.claimed_at).total_seconds())
    record = Decision.objects.create(
        case=case, queue=case.queue, reviewer=actor, verdict=decision.verdict,
        policy_id=policy.policy_id if policy else None, policy_version_id=policy.version_id if policy else None,
        actions=actions, rationale=decision.rationale.strip(), handle_seconds=handle, decided_at=now,
        appeal_of=appeal_of, bulk_operation=bulk_operation)
    _record_exposure(case, actor.pk)
    _bump(case, status=CaseStatus.RESOLVED, resolved_at=now, lease_expires_at=None)
    ledger.record("decision.made", actor=actor, subject_id=case.subject_id, case_id=case.pk, payload={
        "decision_id": record.pk, "verdict": record.verdict, "policy": policy.code if policy else None,
        "policy_version": policy.version if policy else None, "actions": actions, "queue": case.queue.key,
        "handle_seconds": handle, "appeal_of": appeal_of.pk if appeal_of else None, "bulk": bulk_operation or None})
    return record


@transaction.atomic
def escalate(*, actor, case_id: int, to_queue: str, reason: str) -> Case:
    case = _locked_case(actor, case_id)
    if actor.role not in LEAD_ROLES:
        _require_lease(case, actor)
    elif case.status == CaseStatus.RESOLVED:
        raise Conflict("case_resolved", "A resolved case cannot be escalated; appeal the decision instead.")
    if not reason or not reason.strip():
        raise Invalid("missing_reason", "Say why the case needs a higher tier.", field="reason")
    target = Queue.objects.filter(key=to_queue, active=True).first()
    if target is None:
        raise Invalid("unknown_queue", f"No queue {to_queue!r}.", field="to_queue")
    if target.pk == case.queue_id or target.tier < max(2, case.queue.tier):
        raise Invalid("not_higher_tier", f"{to_queue!r} is not a higher-tier queue than {case.queue.key!r}.",
                      field="to_queue")
    now = clock.now()
    from_queue = case.queue.key
    _record_exposure(case, case.assignee_id)
    _bump(case, queue=target, status=CaseStatus.OPEN, assignee=None, lease_expires_at=None, claimed_at=None,
          escalation_count=case.escalation_count + 1,
          sla_due_at=min(case.sla_due_at, now + timedelta(seconds=target.sla_seconds)))
    ledger.record("case.escalated", actor=actor, subject_id=case.subject_id, case_id=case.pk,
                  payload={"from_queue": from_queue, "to_queue": target.key, "reason": reason.strip()})
    return case


def open_appeal_case(*, decision: Decision, actor) -> Case:
    """An appeal is its own case in the appeals queue, kept away from the reviewer who decided.

    An appeal of restricted content (a queue that requires a clearance) stays behind that clearance: it is
    re-reviewed in the original queue, by another of its cleared reviewers, never in the open appeals queue. So
    is a merchant's appeal: merchant specialists, not the appeals team, know payouts, reserves and licences."""
    original = decision.case
    if original.queue.required_clearance or original.kind == CaseKind.MERCHANT_REVIEW:
        queue = original.queue
    else:
        queue = Queue.objects.filter(key=settings.TRUSTOPS["APPEALS_QUEUE"], active=True).first()
    if queue is None:
        raise Conflict("no_appeals_queue", f"No active appeals queue {settings.TRUSTOPS['APPEALS_QUEUE']!r}.")
    now = clock.now()
    case = Case.objects.create(
        kind=CaseKind.APPEAL, subject=original.subject, queue=queue, status=CaseStatus.OPEN,
        policy_id=decision.policy_id, severity=original.severity, report_count=0, max_source_trust=0.6,
        opened_at=now, last_reported_at=now, updated_at=now, sla_due_at=now + timedelta(seconds=queue.sla_seconds),
        excluded_reviewer_id=decision.reviewer_id, appeal_of=decision,
        priority=priority(PriorityInputs(severity=original.severity, notice_count=1, max_source_trust=0.6,
                                         reach=original.subject.reach, waited_hours=0)))
    ledger.record("case.opened", actor=actor, subject_id=case.subject_id, case_id=case.pk, payload={
        "kind": case.kind, "queue": queue.key, "priority": case.priority, "appeal_of": decision.pk,
        "sla_due_at": case.sla_due_at})
    return case


@dataclass
class BulkSelection:
    case_ids: list[int] | None = None
    owner_type: str | None = None
    owner_external_id: str | None = None
    queue: str | None = None
    policy_prefix: str | None = None


def _select_for_bulk(actor, selection: BulkSelection):
    qs = selectors.cases_visible_to(actor).filter(kind=CaseKind.REPORT_REVIEW,
                                                  status__in=[CaseStatus.OPEN, CaseStatus.IN_REVIEW])
    if not any([selection.case_ids, selection.owner_external_id, selection.queue, selection.policy_prefix]):
        raise Invalid("empty_selection", "Select cases by ids, owner, queue or policy.", field="selection")
    if selection.case_ids:
        qs = qs.filter(pk__in=selection.case_ids)
    if selection.owner_external_id:
        from django.db.models import Q
        owner = Q(subject__owner__type=selection.owner_type, subject__owner__external_id=selection.owner_external_id)
        itself = Q(subject__type=selection.owner_type, subject__external_id=selection.owner_external_id)
        qs = qs.filter(owner | itself)
    if selection.queue:
        qs = qs.filter(queue__key=selection.queue)
    if selection.policy_prefix:
        from django.db.models import Q
        qs = qs.filter(Q(policy__code=selection.policy_prefix) | Q(policy__code__startswith=selection.policy_prefix + "."))
    return qs.order_by("id")


@transaction.atomic
def bulk_decide(*, actor, selection: BulkSelection, decision: DecisionInput, dry_run: bool, max_cases: int) -> dict:
    """A lead applies one decision to a selection of open cases; each case gets its own decision and events."""
    if actor.role not in LEAD_ROLES:
        raise Forbidden("leads_only", "Only team leads, policy managers and admins act in bulk.")
    cap = settings.TRUSTOPS["BULK_DECISION_MAX"]
    if not 1 <= max_cases <= cap:
        raise Invalid("invalid_cap", f"max_cases must be within 1..{cap}.", field="max_cases")
    matched = list(_select_for_bulk(actor, selection).select_related("subject", "queue", "assignee")[:max_cases + 1])
    if len(matched) > max_cases:
        raise Invalid("too_many_cases", f"More than {max_cases} cases match; narrow the selection or raise the cap.",
                      field="max_cases")
    busy = [c for c in matched if c.status == CaseStatus.IN_REVIEW and c.assignee_id != actor.pk
            and c.lease_expires_at and c.lease_expires_at > clock.now()]
    targets = [c for c in matched if c not in busy]
    preview = {"matched": len(matched), "skipped_in_review": [c.pk for c in busy],
               "cases": [{"id": c.pk, "subject_type": c.subject.type, "subject_external_id": c.subject.external_id,
                          "queue": c.queue.key} for c in targets]}
    if dry_run:
        return {**preview, "dry_run": True, "decisions": []}
    # Restricted content in bulk: only from a sign-in confirmed with a second factor (never a bare API token).
    if any(c.queue.required_clearance for c in targets) and not access.viewer(actor).second_factor:
        raise Forbidden("second_factor_required", "Bulk decisions on restricted queues need a sign-in confirmed "
                                                  "with a TOTP code.")
    operation = f"bulk-{clock.now():%Y%m%d%H%M%S}-{actor.pk}"
    results = []
    # Every case first (in id order), then their owner accounts (penalties.lock_accounts): the order single
    # decisions take them in, so a bulk decision and a reviewer deciding one of its creators never deadlock.
    locked_cases = list(Case.objects.select_for_update(of=("self",)).select_related("subject", "subject__owner", "queue")
                        .filter(pk__in=[c.pk for c in targets]).order_by("id"))
    if decision.verdict == Verdict.VIOLATION:
        owners = (penalties.account_of(c.subject) for c in locked_cases)
        penalties.lock_accounts(owner.pk for owner in owners if owner is not None)
    for locked in locked_cases:
        if locked.status == CaseStatus.RESOLVED:
            continue
        outcome = _decide_locked(locked, actor, decision, bulk_operation=operation)
        results.append({"case_id": locked.pk, **outcome})
    ledger.record("bulk_decision.applied", actor=actor, payload={
        "operation": operation, "verdict": decision.verdict, "policy": decision.policy, "cases": len(results)})
    return {**preview, "dry_run": False, "operation": operation, "decisions": results}


@transaction.atomic
def view_case(*, actor, case_id: int) -> Case:
    """Open a case to read it: a view of sensitive content, so it is recorded (DESIGN §5)."""
    case = selectors.get_case(actor, case_id)
    ledger.record("case.viewed", actor=actor, subject_id=case.subject_id, case_id=case.pk,
                  payload={"queue": case.queue.key, "status": case.status})
    return case


@transaction.atomic
def reveal_content(*, actor, case_id: int) -> Case:
    """The reviewer unblurs the subject's media on purpose; the ledger keeps who looked, and when."""
    case = selectors.get_case(actor, case_id)
    ledger.record("content.revealed", actor=actor, subject_id=case.subject_id, case_id=case.pk,
                  payload={"subject": f"{case.subject.type}:{case.subject.external_id}",
                           "media_preference": actor.media_preference})
    return case


@transaction.atomic
def view_account(*, actor, account_type: str, external_id: str):
    """Open an account to investigate it (404 unless visible): a view of personal data, so it is recorded."""
    account = get_subject(actor, account_type, external_id)
    ledger.record("subject.viewed", actor=actor, subject_id=account.pk,
                  payload={"subject": f"{account.type}:{account.external_id}"})
    return account


def open_golden_case(*, source: Case, queue: Queue, actor) -> Case:
    """A golden item's case (quality/golden/services.py): a new report-review case on a resolved case's subject.

    Runs inside the caller's transaction. It takes the source case's look (reported policy, severity, notice
    counts and source trust, hence a like priority), the span over which its notices arrived (shortened to a
    quarter of the queue's SLA, so it never shows up late) and the chosen queue's SLA. The ledger records what
    happened: the QA person placed it, copying the source case. Only review's display is disguised: it shows the
    source's notices and opening instead (`hooks.Disguise`).
    """
    now = clock.now()
    span = min(source.last_reported_at - source.opened_at, timedelta(seconds=queue.sla_seconds / 4))
    opened_at = now - max(span, timedelta(0))
    case = Case.objects.create(
        kind=CaseKind.REPORT_REVIEW, subject=source.subject, queue=queue, status=CaseStatus.OPEN,
        policy_id=source.policy_id, severity=source.severity, report_count=source.report_count,
        signal_count=source.signal_count, max_source_trust=source.max_source_trust, opened_at=opened_at,
        last_reported_at=now, updated_at=now, sla_due_at=opened_at + timedelta(seconds=queue.sla_seconds),
        priority=priority(PriorityInputs(severity=source.severity,
                                         notice_count=source.report_count + source.signal_count,
                                         max_source_trust=source.max_source_trust, reach=source.subject.reach,
                                         waited_hours=(now - opened_at).total_seconds() / 3600)))
    ledger.record("case.opened", actor=actor, subject_id=case.subject_id, case_id=case.pk, payload={
        "kind": case.kind, "queue": queue.key, "priority": case.priority,
        "policy": source.policy.code if source.policy_id else None, "sla_due_at": case.sla_due_at,
        "golden_copy_of": source.pk})
    return case

