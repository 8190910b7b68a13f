"""SLA policies in the console: targets per priority and category, the business calendar and the on-hold pause;
a change recomputes the open tickets under the policy from their pause logs."""
from django.contrib import messages
from django.shortcuts import redirect, render

from trustops.identity import access
from trustops.kernel.errors import DomainError, Forbidden, Invalid
from trustops.support.models import BusinessCalendar, Category, Priority, SlaPolicy
from trustops.support.sla import services
from trustops.support.views import support_page

TARGETS = ("first_response", "next_reply", "resolution", "warn")


def _minutes(request, name: str) -> int | None:
    raw = request.POST.get(f"{name}_minutes", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise Invalid("invalid_target", "Targets are whole minutes.", field=f"{name}_seconds")
    return int(raw) * 60


@support_page
def policies_page(request):
    if not access.works_support_desk(request.user):
        raise Forbidden("support_desk_only", "SLA policies are the support desk's.")
    error = None
    if request.method == "POST":
        try:
            targets = {f"{name}_seconds": _minutes(request, name) for name in TARGETS}
            pause = request.POST.get("pause_on_hold") == "1"
            if request.POST.get("policy_id", "").isdigit():
                policy = services.update_policy(policy_id=int(request.POST["policy_id"]), actor=request.user,
                                                calendar=request.POST.get("calendar") or None, pause_on_hold=pause,
                                                **targets)
                messages.success(request, f"{policy.name}: saved, open tickets recomputed.")
            else:
                policy = services.create_policy(actor=request.user, priority=request.POST.get("priority", ""),
                                                category=request.POST.get("category", ""),
                                                calendar=request.POST.get("calendar", ""), pause_on_hold=pause,
                                                **{k: v if v is not None else 0 for k, v in targets.items()})
                messages.success(request, f"{policy.name}: created, its open tickets recomputed.")
            return redirect("support:sla_policies")
        except DomainError as refused:
            error = refused
    services.ensure_defaults()   # as the API's list does: a fresh desk shows its default policies
    policies = SlaPolicy.objects.select_related("calendar").order_by("priority", "category")
    return render(request, "support/sla_policies.html", {
        "policies": policies, "calendars": BusinessCalendar.objects.order_by("name"),
        "priorities": Priority.choices, "categories": Category.choices, "error": error},
        status=error.status if error else 200)
