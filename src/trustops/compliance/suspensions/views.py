"""The compliance workspace's Art. 23 page: warnings and suspensions, warn, suspend after a warning, lift."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from trustops.compliance.models import SuspensionKind
from trustops.compliance.suspensions import selectors, services
from trustops.compliance.views import _refused, compliance_page
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid


def _number(value: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return 0


@require_GET
@compliance_page
def suspensions_page(request):
    rows = list(selectors.suspensions_visible_to(request.user).order_by("-id")[:500])
    now = clock.now()
    for s in rows:
        s.running = s.status == "suspended" and s.ends_at and s.ends_at > now
    return render(request, "compliance/suspensions.html", {
        "here": "suspensions", "rows": rows, "kinds": SuspensionKind.choices, "max_days": services.MAX_DAYS})


@require_POST
@compliance_page
def warn(request):
    try:
        services.warn(actor=request.user, kind=request.POST.get("kind", ""), party=request.POST.get("party", "")[:400],
                      unfounded=_number(request.POST.get("unfounded", "")),
                      reason=request.POST.get("reason", "")[:8000])
        messages.success(request, "Warning recorded: a suspension can follow it.")
    except (Invalid, Conflict, Forbidden) as error:
        _refused(request, error)
    return redirect("compliance:suspensions")


@require_POST
@compliance_page
def suspend(request, suspension_id: int):
    selectors.get_suspension(request.user, suspension_id)
    try:
        s = services.suspend(actor=request.user, suspension_id=suspension_id,
                             days=_number(request.POST.get("days", "")), reason=request.POST.get("reason", "")[:8000])
        messages.success(request, f"Processing of {s.party}'s {s.kind} suspended until {s.ends_at:%Y-%m-%d %H:%M} UTC.")
    except (Invalid, Conflict, Forbidden) as error:
        _refused(request, error)
    return redirect("compliance:suspensions")


@require_POST
@compliance_page
def lift(request, suspension_id: int):
    selectors.get_suspension(request.user, suspension_id)
    try:
        services.lift(actor=request.user, suspension_id=suspension_id, reason=request.POST.get("reason", "")[:8000])
        messages.success(request, "Lifted.")
    except (Invalid, Conflict, Forbidden) as error:
        _refused(request, error)
    return redirect("compliance:suspensions")
