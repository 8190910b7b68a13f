"""Reading requirements and addenda, scoped by the access rules."""
from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.workforce.requirements.models import Addendum, Requirement


def requirements_visible_to(viewer):
    return (Requirement.objects.filter(access.requirement_filter(viewer))
            .select_related("requested_by", "decided_by", "forecast").order_by("-created_at", "-pk"))


def get_requirement(viewer, requirement_id: int, *, lock: bool = False) -> Requirement:
    rows = requirements_visible_to(viewer)
    if lock:
        rows = rows.select_for_update(of=("self",))
    requirement = rows.filter(pk=requirement_id).first()
    if requirement is None:
        raise NotFound("requirement_not_found", f"No requirement {requirement_id}.")
    return requirement


def addenda_visible_to(viewer):
    if not access.plans_all(viewer):
        return Addendum.objects.none()
    return Addendum.objects.select_related("vendor", "requirement").order_by("-created_at", "-pk")
