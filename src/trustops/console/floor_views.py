"""The floor view for leads (who holds what, today's work, SLA burn; release or reassign a held case) and
each person's notifications."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from trustops.console.views import console_login_required, console_page, partial_or_page
from trustops.identity import selectors as identity_reads
from trustops.identity import services as identity
from trustops.kernel.errors import Conflict, Forbidden, Invalid
from trustops.review import casework
from trustops.review import selectors as review

# How often the floor refreshes itself in the browser; the bell, less often.
FLOOR_REFRESH_SECONDS = 15
BELL_REFRESH_SECONDS = 30


@require_GET
@console_page
def floor(request):
    return partial_or_page(request, "console/_floor.html", "console/floor.html", {
        "floors": review.floor(request.user), "refresh_seconds": FLOOR_REFRESH_SECONDS})


def _held_case_page(request, case, *, error=None, status=200):
    return render(request, "console/floor_case.html", {
        "case": case, "candidates": review.reassign_candidates(request.user, case), "error": error,
        "reason": request.POST.get("reason", ""), "to_reviewer": request.POST.get("reviewer", "")}, status=status)


@require_GET
@console_page
def floor_case(request, case_id: int):
    return _held_case_page(request, review.held_case_on_floor(request.user, case_id))


@require_POST
@console_page
def floor_release(request, case_id: int):
    return _act(request, case_id, lambda: casework.release_by_lead(
        actor=request.user, case_id=case_id, reason=request.POST.get("reason", "")),
        done="Case {case} is back in {queue}, waiting for the next reviewer.")


@require_POST
@console_page
def floor_reassign(request, case_id: int):
    return _act(request, case_id, lambda: casework.reassign(
        actor=request.user, case_id=case_id, to_reviewer=request.POST.get("reviewer", ""),
        reason=request.POST.get("reason", "")),
        done="Case {case} now belongs to {holder}.")


def _act(request, case_id: int, act, *, done: str):
    try:
        case = act()
    except (Invalid, Conflict, Forbidden) as refused:
        if isinstance(refused, Forbidden) and refused.code == "floor_closed":
            raise
        return _held_case_page(request, review.held_case_on_floor(request.user, case_id), error=refused.message,
                               status=refused.status)
    messages.success(request, done.format(case=case.pk, queue=case.queue.name,
                                          holder=case.assignee.username if case.assignee_id else ""))
    return redirect("console:floor")


@require_GET
@console_page
def notifications(request):
    return render(request, "console/notifications.html", {
        "notifications": identity_reads.notifications_for(request.user)})


@require_POST
@console_page
def notifications_read(request):
    ids = request.POST.getlist("notification")
    identity.mark_notifications_read(
        user=request.user,
        notification_ids=None if request.POST.get("all") else [int(i) for i in ids if i.isdigit() and len(i) < 19])
    return redirect("console:notifications")


@require_GET
@console_login_required
def bell(request):
    return render(request, "console/_bell.html", {"bell_refresh_seconds": BELL_REFRESH_SECONDS})
