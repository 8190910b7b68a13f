"""Reading staffing plans; a vendor's own managers see only their vendor's row of the headcount."""
from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.workforce.plans.models import AllocationRun, StaffingPlan


def plans_visible_to(viewer):
    return (StaffingPlan.objects.filter(access.planning_queue_filter(viewer, "queue__"))
            .select_related("queue", "forecast", "created_by").order_by("-created_at", "-pk"))


def get_plan(viewer, plan_id: int) -> StaffingPlan:
    plan = plans_visible_to(viewer).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("plan_not_found", f"No staffing plan {plan_id}.")
    return plan


def vendor_rows(viewer, plan: StaffingPlan) -> list[dict]:
    v = access.viewer(viewer)
    if access.plans_all(v):
        return plan.vendor_headcount
    return [row for row in plan.vendor_headcount if row.get("vendor_id") == v.vendor_id]


def allocations_visible_to(viewer):
    if not access.plans_all(viewer):
        return AllocationRun.objects.none()
    return AllocationRun.objects.order_by("-created_at", "-pk")


def get_allocation(viewer, run_id: int) -> AllocationRun:
    run = allocations_visible_to(viewer).filter(pk=run_id).first()
    if run is None:
        raise NotFound("allocation_not_found", f"No allocation {run_id}.")
    return run
