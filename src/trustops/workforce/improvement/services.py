"""Improvement plans: corrective actions for a vendor or a queue, each with an owner, a due date and the metric
it should move, linked to the quality RCA that found the cause. Vendor managers and QA leads open them; the
owner (or a manager) moves the status along; every change is a ledger event."""
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from trustops.identity import access
from trustops.identity.models import User, Vendor
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.quality.rca.selectors import rcas_visible_to
from trustops.review.models import Queue
from trustops.workforce.improvement import selectors
from trustops.workforce.improvement.models import ActionKind, ImprovementPlan, Metric, PlanStatus

# Status moves: done and cancelled are final.
MOVES = {PlanStatus.OPEN: {PlanStatus.IN_PROGRESS, PlanStatus.DONE, PlanStatus.CANCELLED},
         PlanStatus.IN_PROGRESS: {PlanStatus.DONE, PlanStatus.CANCELLED, PlanStatus.OPEN}}


@dataclass
class PlanInput:
    title: str
    kind: str
    owner: str
    due_on: date
    metric: str
    vendor: str | None = None       # vendor key
    queue: str | None = None        # queue key
    rca_id: int | None = None
    baseline: float | None = None
    target: float | None = None
    description: str = ""


@transaction.atomic
def open_plan(*, actor, data: PlanInput) -> ImprovementPlan:
    if not access.manages_training(actor):
        raise Forbidden("may_not_open_plans", "Only vendor managers, QA leads and admins open improvement plans.")
    problems = []
    if not data.title.strip():
        problems.append(("title", "a title is needed"))
    if data.kind not in ActionKind.values:
        problems.append(("kind", f"one of {', '.join(ActionKind.values)}"))
    if data.metric not in Metric.values:
        problems.append(("metric", f"one of {', '.join(Metric.values)}"))
    if data.due_on < clock.now().date():
        problems.append(("due_on", "the due date cannot be in the past"))
    owner = User.objects.filter(username=data.owner, is_active=True).first()
    if owner is None:
        problems.append(("owner", f"no active person {data.owner!r}"))
    vendor = Vendor.objects.filter(key=data.vendor).first() if data.vendor else None
    if data.vendor and vendor is None:
        problems.append(("vendor", f"no vendor {data.vendor!r}"))
    queue = Queue.objects.filter(key=data.queue).first() if data.queue else None
    if data.queue and queue is None:
        problems.append(("queue", f"no queue {data.queue!r}"))
    rca = rcas_visible_to(actor).filter(pk=data.rca_id).first() if data.rca_id else None
    if data.rca_id and rca is None:
        problems.append(("rca_id", f"no RCA {data.rca_id}"))
    if problems:
        raise Invalid("invalid_plan", "; ".join(f"{f}: {m}" for f, m in problems), field=problems[0][0],
                      details={"problems": [{"field": f, "message": m} for f, m in problems]})
    plan = ImprovementPlan.objects.create(
        title=data.title.strip()[:200], kind=data.kind, vendor=vendor, queue=queue, rca=rca, owner=owner,
        due_on=data.due_on, metric=data.metric, baseline=data.baseline, target=data.target,
        description=data.description[:10_000], created_by=actor, created_at=clock.now())
    ledger.record("workforce.improvement_plan_opened", actor=actor, payload={
        "plan": plan.pk, "title": plan.title, "vendor": vendor.key if vendor else None,
        "queue": queue.key if queue else None, "rca": rca.pk if rca else None, "owner": owner.username,
        "due_on": plan.due_on, "metric": plan.metric, "baseline": plan.baseline, "target": plan.target})
    return plan


@transaction.atomic
def move_plan(*, actor, plan_id: int, status: str, note: str = "") -> ImprovementPlan:
    plan = selectors.plans_visible_to(actor).select_for_update(of=("self",)).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("plan_not_found", f"No improvement plan {plan_id}.")
    if plan.owner_id != actor.pk and not access.manages_training(actor):
        raise Forbidden("not_the_owner", "Only the owner or a manager moves an improvement plan.")
    if status not in PlanStatus.values:
        raise Invalid("invalid_field", f"status: one of {', '.join(PlanStatus.values)}", field="status")
    if status not in MOVES.get(plan.status, set()):
        raise Conflict("invalid_move", f"An improvement plan that is {plan.status} cannot become {status}.")
    before = plan.status
    plan.status = status
    plan.closed_at = clock.now() if status in (PlanStatus.DONE, PlanStatus.CANCELLED) else None
    plan.save(update_fields=["status", "closed_at"])
    ledger.record("workforce.improvement_plan_moved", actor=actor, payload={
        "plan": plan.pk, "from": before, "to": status, "note": note[:500]})
    return plan
