"""Applying a decision's penalties, and reversing them. Runs inside the decision's transaction."""
from datetime import timedelta

from trustops.enforcement import selectors
from trustops.enforcement.models import ActionCause, ActionStatus, EnforcementAction, Strike
from trustops.kernel import clock
from trustops.kernel.errors import Invalid
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.policies.actions import ACCOUNT_ACTIONS, CONTENT_ACTIONS, MERCHANT_ACTIONS
from trustops.policies.selectors import ActivePolicy, ladder_for
from trustops.subjects.models import Subject

ITEM_ACTIONS = set(CONTENT_ACTIONS) | {"delist"}
OWNER_ACTIONS = set(ACCOUNT_ACTIONS) | (set(MERCHANT_ACTIONS) - {"delist"})
INDEFINITE = {"ban", "hold_payouts", "revoke_benefits"}
DEFAULT_DAYS = 7


def family_of(code: str) -> str:
    return code.split(".", 1)[0]


def account_of(subject):
    return subject if subject.is_account else subject.owner


def open_actions(subject, policy: ActivePolicy, queue_allowed: list[str]) -> set[str]:
    """The actions a violation of `policy` may take on this subject in a queue that allows `queue_allowed`
    (empty: any): the policy's and the queue's, content actions only on items, owner actions only with an owner.
    The one rule behind the decision check, the default and the console's form."""
    allowed = set(policy.allowed_actions)
    if queue_allowed:
        allowed &= set(queue_allowed)
    if subject.is_account:
        allowed -= ITEM_ACTIONS
    if account_of(subject) is None:
        allowed -= OWNER_ACTIONS
    return allowed


def default_actions(subject, policy: ActivePolicy, queue_allowed: list[str]) -> list[str]:
    """What a violation does when the reviewer does not choose: take the item down and strike its owner,
    always within what `check_actions` accepts (an empty list when nothing is open)."""
    allowed = open_actions(subject, policy, queue_allowed)
    chosen = [a for a in ("remove", "delist") if a in allowed][:1]
    if "strike" in allowed and policy.strike_weight > 0:
        chosen.append("strike")
    elif "warn" in allowed:
        chosen.append("warn")
    return chosen or sorted(allowed)[:1]


def check_actions(subject, policy: ActivePolicy, actions: list[str], queue_allowed: list[str]) -> None:
    allowed = set(policy.allowed_actions)
    if queue_allowed:
        allowed &= set(queue_allowed)
    refused = [a for a in actions if a not in allowed]
    if refused:
        raise Invalid("action_not_allowed", f"{policy.code} does not allow {', '.join(refused)} here; allowed: "
                                            f"{', '.join(sorted(allowed)) or 'none'}.", field="actions")
    if subject.is_account and any(a in ITEM_ACTIONS for a in actions):
        raise Invalid("action_needs_item", "Content actions apply to items, not accounts.", field="actions")
    if account_of(subject) is None and any(a in OWNER_ACTIONS for a in actions):
        raise Invalid("no_owner", "This item has no known owner account to act on.", field="actions")


def lock_accounts(account_ids) -> None:
    """Serialise the penalty ladder per account: lock the owner accounts' rows, lowest id first, before their
    strikes and standing are read. Two decisions on different items of one creator then add up as if made one
    after the other (no step lost, no second ban). Locks are taken after the case row and in id order, by every
    caller, so decisions never wait on each other in a circle. A no-op on SQLite, which has one writer anyway."""
    ids = sorted(set(account_ids))
    if ids:
        list(Subject.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _step_days(ladder, action: str) -> int | None:
    days = [s.get("days") for s in ladder.steps if s["action"] == action]
    return days[0] if days else (None if action in INDEFINITE else DEFAULT_DAYS)


def _new_action(target, decision, action, *, now, region, cause=ActionCause.DECISION, days=None,
                threshold=None, family="", ends_at=None) -> EnforcementAction:
    """A warning is given once and has no end; a strike is given once and ends when it expires (`ends_at`);
    anything else lasts `days`, or until reversed. `region`: the decided subject's, whichever the target."""
    instant = action in {"warn", "strike"}
    if not instant:
        ends_at = now + timedelta(days=days) if days else None
    elif action == "warn":
        ends_at = None
    return EnforcementAction(
        target=target, decision=decision, action=action, cause=cause, ladder_threshold=threshold,
        policy_family=family, starts_at=now, ends_at=ends_at, region=region,
        status=ActionStatus.ENDED if instant else ActionStatus.ACTIVE, closed_at=now if instant else None)


def apply_for(decision, *, subject, policy: ActivePolicy, actions: list[str], actor) -> tuple[list, dict | None]:
    """Write the decision's actions, strikes and any ladder step it crosses. Returns (actions, standing)."""
    now = clock.now()
    account = account_of(subject)
    family = family_of(policy.code)
    ladder = ladder_for(policy.code)
    rows: list[EnforcementAction] = []
    strikes: list[Strike] = []
    if account is not None and (policy.zero_tolerance or any(a not in ITEM_ACTIONS for a in actions)):
        lock_accounts([account.pk])
    points_before = selectors.family_points(account, family, now) if account else 0
    already_banned = account is not None and selectors.active_account_actions(account, now).filter(
        action="ban").exists()

    for action in actions:
        if action in ITEM_ACTIONS:
            rows.append(_new_action(subject, decision, action, now=now, region=subject.region, family=family))
            continue
        if action == "strike":
            points = ladder.points_for(policy.severity, policy.strike_weight)
            if points:
                strikes.append(Strike(account=account, decision=decision, policy_version_id=policy.version_id,
                                      policy_family=family, points=points, issued_at=now,
                                      expires_at=now + timedelta(days=ladder.strike_expiry_days)))
        if action == "ban" and already_banned:
            continue
        rows.append(_new_action(account, decision, action, now=now, region=subject.region,
                                days=_step_days(ladder, action), family=family,
                                ends_at=now + timedelta(days=ladder.strike_expiry_days) if action == "strike" else None))

    if account is not None and policy.zero_tolerance and not already_banned and "ban" not in actions:
        rows.append(_new_action(account, decision, "ban", now=now, region=subject.region,
                                cause=ActionCause.ZERO_TOLERANCE, family=family))
        already_banned = True

    points_after = points_before + sum(s.points for s in strikes)
    crossed = [s for s in ladder.steps if points_before < s["at"] <= points_after]
    if crossed and not already_banned:
        step = crossed[-1]  # the highest step reached is the one that applies
        rows.append(_new_action(account, decision, step["action"], now=now, region=subject.region,
                                cause=ActionCause.LADDER, days=step.get("days"), threshold=step["at"],
                                family=family))

    Strike.objects.bulk_create(strikes)
    EnforcementAction.objects.bulk_create(rows)
    ledger.record_many([
        *[ledger.Entry("enforcement.applied", _action_payload(a), subject_id=a.target_id, case_id=decision.case_id)
          for a in rows],
        *[ledger.Entry("strike.issued", {"decision_id": decision.pk, "points": s.points, "family": family,
                                         "expires_at": s.expires_at}, subject_id=account.pk, case_id=decision.case_id)
          for s in strikes],
    ], actor=actor)
    standing = selectors.standing(account, now) if account else None
    if rows:
        outbox.enqueue("enforcement.applied", {
            "decision_id": decision.pk, "case_id": decision.case_id, "policy": policy.code,
            "dsa_category": policy.dsa_category, "actions": [_action_out(a) for a in rows], "standing": standing})
    return [_action_out(a) for a in rows], standing


def _action_payload(a: EnforcementAction) -> dict:
    return {"action": a.action, "cause": a.cause, "decision_id": a.decision_id, "starts_at": a.starts_at,
            "ends_at": a.ends_at, "threshold": a.ladder_threshold}


def _action_out(a: EnforcementAction) -> dict:
    return {"action": a.action, "cause": a.cause, "target": {"type": a.target.type, "external_id": a.target.external_id},
            "starts_at": a.starts_at, "ends_at": a.ends_at, "status": a.status}


def reverse_for(decision, *, actor, reason: str) -> tuple[list, dict | None]:
    """Undo everything the decision did, then drop ladder steps whose threshold is no longer met."""
    now = clock.now()
    rows = list(selectors.actions_for_decision(decision).exclude(status=ActionStatus.REVERSED))
    strikes = list(Strike.objects.filter(decision=decision, reversed_at__isnull=True))
    accounts = {s.account for s in strikes} | {a.target for a in rows if a.target.is_account}
    # The ladder steps still in force are read after the lock, so a decision made meanwhile is counted.
    lock_accounts(a.pk for a in accounts)
    for strike in strikes:
        strike.reversed_at = now
    Strike.objects.bulk_update(strikes, ["reversed_at"])
    for row in rows:
        row.status, row.closed_at, row.close_reason = ActionStatus.REVERSED, now, reason
    for account in accounts:
        for step in EnforcementAction.objects.filter(target=account, cause=ActionCause.LADDER,
                                                     status=ActionStatus.ACTIVE).exclude(decision=decision):
            if selectors.family_points(account, step.policy_family, now) < (step.ladder_threshold or 0):
                step.status, step.closed_at = ActionStatus.REVERSED, now
                step.close_reason = "ladder threshold no longer met after a reversal"
                rows.append(step)
    EnforcementAction.objects.bulk_update(rows, ["status", "closed_at", "close_reason"])
    ledger.record_many([
        *[ledger.Entry("enforcement.reversed", {**_action_payload(a), "reason": a.close_reason},
                       subject_id=a.target_id, case_id=decision.case_id) for a in rows],
        *[ledger.Entry("strike.reversed", {"decision_id": decision.pk, "points": s.points},
                       subject_id=s.account_id, case_id=decision.case_id) for s in strikes],
    ], actor=actor)
    account = account_of(decision.case.subject)
    standing = selectors.standing(account, now) if account else None
    if rows or strikes:
        outbox.enqueue("enforcement.reversed", {"decision_id": decision.pk, "case_id": decision.case_id,
                                                "reason": reason, "actions": [_action_out(a) for a in rows],
                                                "standing": standing})
    return [_action_out(a) for a in rows], standing


def end_expired_actions(*, batch: int = 1000) -> int:
    """Close timed actions whose end has passed, and tell the platform. Each batch is one transaction."""
    from django.db import transaction

    ended = 0
    while True:
        with transaction.atomic():
            now = clock.now()
            due = list(EnforcementAction.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("target", "decision")
                       .filter(status=ActionStatus.ACTIVE, ends_at__lte=now).order_by("ends_at")[:batch])
            if not due:
                return ended
            for action in due:
                action.status, action.closed_at, action.close_reason = ActionStatus.ENDED, now, "time served"
            EnforcementAction.objects.bulk_update(due, ["status", "closed_at", "close_reason"])
            # Tied to the case it came from, so it shows only to those who may see that case.
            ledger.record_many([ledger.Entry("enforcement.ended", _action_payload(a), subject_id=a.target_id,
                                             case_id=a.decision.case_id if a.decision_id else None) for a in due])
            for action in due:
                outbox.enqueue("enforcement.ended", {"decision_id": action.decision_id, "action": _action_out(action)})
            ended += len(due)
