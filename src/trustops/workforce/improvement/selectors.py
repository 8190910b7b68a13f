"""Reading improvement plans, scoped by the access rules."""
from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.workforce.improvement.models import ImprovementPlan, PlanStatus


def plans_visible_to(viewer):
    return (ImprovementPlan.objects.filter(access.improvement_filter(viewer))
            .select_related("vendor", "queue", "rca", "owner").order_by("due_on", "pk"))


def get_plan(viewer, plan_id: int) -> ImprovementPlan:
    plan = plans_visible_to(viewer).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("plan_not_found", f"No improvement plan {plan_id}.")
    return plan


def is_overdue(plan: ImprovementPlan) -> bool:
    return plan.status in (PlanStatus.OPEN, PlanStatus.IN_PROGRESS) and plan.due_on < clock.now().date()
