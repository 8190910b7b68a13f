"""Automatic actions: an allow-listed interim measure a detector takes without a reviewer's decision (a risk
rule holding payouts after a payout change, say). It is an enforcement action like any other (standing, the
platform's webhook, expiry), bounded in time, tied to what took it (`origin`, e.g. "risk:KEY:vN") and to the
event that set it off, and reversible on its own.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from trustops.enforcement.models import ActionCause, ActionStatus, EnforcementAction
from trustops.enforcement.services.penalties import (
    ITEM_ACTIONS,
    OWNER_ACTIONS,
    _action_out,
    _action_payload,
    account_of,
)
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox

# Measures only a detector takes (the platform carries them out); the rest come from the action catalogue.
SAFEGUARDS = {"require_verification": "Require the account to verify itself", "rate_limit": "Rate-limit the account"}
DAYS = 7   # an interim measure: a reviewer confirms it with a decision or it lapses


@dataclass
class Request:
    subject: object
    action: str
    origin: str          # what takes it, e.g. "risk:login-bruteforce:v3"
    reference: str = ""  # what set it off, e.g. the event id


def _target(request: Request):
    if request.action in ITEM_ACTIONS:
        if request.subject.is_account:
            raise Invalid("action_needs_item", f"{request.action} applies to items, not accounts.", field="action")
        return request.subject
    if request.action in OWNER_ACTIONS or request.action in SAFEGUARDS:
        account = account_of(request.subject)
        if account is None:
            raise Invalid("no_owner", "This item has no known owner account to act on.", field="action")
        return account
    raise Invalid("action_not_allowed", f"{request.action!r} is not an action enforcement knows.", field="action")


@transaction.atomic
def apply_automatic(requests: list[Request], *, actor) -> list[EnforcementAction]:
    """Apply each request as an automatic action of `DAYS` days; one already active on the same target from the
    same origin is kept rather than doubled."""
    now = clock.now()
    rows, out = [], []
    for request in requests:
        target = _target(request)
        running = EnforcementAction.objects.filter(target=target, action=request.action, origin=request.origin,
                                                   status=ActionStatus.ACTIVE, ends_at__gt=now).first()
        if running is not None:
            out.append(running)
            continue
        row = EnforcementAction(target=target, decision=None, action=request.action, cause=ActionCause.AUTOMATIC,
                                starts_at=now, ends_at=now + timedelta(days=DAYS), status=ActionStatus.ACTIVE,
                                origin=request.origin, origin_ref=request.reference[:200],
                                region=target.region)
        rows.append(row)
        out.append(row)
    EnforcementAction.objects.bulk_create(rows)
    ledger.record_many([ledger.Entry("enforcement.applied", {**_action_payload(a), "origin": a.origin,
                                                             "origin_ref": a.origin_ref}, subject_id=a.target_id)
                        for a in rows], actor=actor)
    for a in rows:
        outbox.enqueue("enforcement.applied", {"decision_id": None, "case_id": None, "origin": a.origin,
                                               "origin_ref": a.origin_ref, "actions": [_action_out(a)]})
    return out


@transaction.atomic
def reverse_automatic(*, action_id: int, actor, reason: str) -> EnforcementAction:
    """Undo one automatic action (a false positive, a tripped rule): it stops at once and the platform is told."""
    row = (EnforcementAction.objects.select_for_update(of=("self",)).select_related("target")
           .filter(pk=action_id, cause=ActionCause.AUTOMATIC).first())
    if row is None:
        raise NotFound("no_action", f"No automatic action {action_id}.")
    if row.status != ActionStatus.ACTIVE:
        raise Conflict("action_not_active", f"Action {action_id} is already {row.status}.")
    row.status, row.closed_at, row.close_reason = ActionStatus.REVERSED, clock.now(), reason[:200]
    row.save(update_fields=["status", "closed_at", "close_reason"])
    ledger.record("enforcement.reversed", actor=actor, subject_id=row.target_id,
                  payload={**_action_payload(row), "origin": row.origin, "reason": row.close_reason})
    outbox.enqueue("enforcement.reversed", {"decision_id": None, "case_id": None, "origin": row.origin,
                                            "reason": row.close_reason, "actions": [_action_out(row)]})
    return row
