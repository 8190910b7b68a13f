"""Creator and user escalations in the console: the list with the form to open one, the escalation's page with
the account's context, and the weekly insights report."""
from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from trustops.identity import access
from trustops.kernel.errors import DomainError, Forbidden, Invalid
from trustops.quality.models import RcaCategory
from trustops.support.escalations import selectors, services
from trustops.support.models import EscalationSource, EscalationStatus, ReachTier
from trustops.support.views import _lines, support_page


def _worker(request) -> None:
    if not access.works_creator_escalations(request.user):
        raise Forbidden("escalations_only", "Escalations are worked by creator and user excellence.")


@support_page
def escalations_page(request):
    _worker(request)
    error = None
    if request.method == "POST":
        ticket = request.POST.get("ticket_id", "").strip()
        try:
            esc = services.open_escalation(
                actor=request.user, account_type=request.POST.get("account_type", ""),
                external_id=request.POST.get("external_id", "").strip(), source=request.POST.get("source", ""),
                summary=request.POST.get("summary", ""), ticket_id=int(ticket) if ticket.isdigit() else None)
            messages.success(request, f"Escalation #{esc.pk} opened ({esc.reach_tier} reach).")
            return redirect("support:escalation", escalation_id=esc.pk)
        except DomainError as refused:
            error = refused
    status = request.GET.get("status") if request.GET.get("status") in EscalationStatus.values else None
    return render(request, "support/escalations.html", {
        "escalations": selectors.list_escalations(request.user, status=status), "status": status,
        "statuses": EscalationStatus.values, "sources": EscalationSource.values, "form": request.POST,
        "ticket_id": request.GET.get("ticket", ""), "error": error}, status=error.status if error else 200)


def _page(request, escalation_id: int, error=None):
    esc = selectors.get_escalation(request.user, escalation_id)
    return render(request, "support/escalation.html", {
        "esc": esc, "context": selectors.account_context(request.user, esc), "rca": RcaCategory.values,
        "works": access.works_creator_escalations(request.user), "error": error},
        status=error.status if error else 200)


@require_GET
@support_page
def escalation_page(request, escalation_id: int):
    return _page(request, escalation_id)


@require_POST
@support_page
def escalation_act(request, escalation_id: int, action: str):
    try:
        if action == "owner":
            services.assign(actor=request.user, escalation_id=escalation_id,
                            owner=request.POST.get("owner", "").strip() or None)
        elif action == "close":
            services.close(actor=request.user, escalation_id=escalation_id,
                           rca_category=request.POST.get("rca_category", ""),
                           root_cause=request.POST.get("root_cause", ""),
                           insight_tags=_lines(request.POST.get("insight_tags", "")))
        else:
            return render(request, "console/not_found.html", status=404)
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _page(request, escalation_id, error=refused)
    return redirect("support:escalation", escalation_id=escalation_id)


@support_page
def insights_page(request):
    _worker(request)
    error = None
    if request.method == "POST":
        try:
            week = date.fromisoformat(request.POST.get("week_start", ""))
            report = services.generate_weekly_insights(week_start=week, actor=request.user)
            return redirect(f"{request.path}?week={report.week_start.isoformat()}")
        except ValueError:
            error = Invalid("invalid_date", "A week is given by its Monday, as YYYY-MM-DD.", field="week_start")
        except DomainError as refused:
            error = refused
    reports = selectors.weekly_insights(request.user)
    shown = next((r for r in reports if r.week_start.isoformat() == request.GET.get("week")), reports[0] if reports else None)
    return render(request, "support/insights.html", {"reports": reports, "shown": shown, "tiers": ReachTier.values,
                                                     "error": error}, status=422 if error else 200)


@require_GET
@support_page
def insights_csv(request, week: str):
    try:
        week_start = date.fromisoformat(week)
    except ValueError:
        return render(request, "console/not_found.html", status=404)
    report = selectors.get_weekly_insights(request.user, week_start)
    response = HttpResponse(selectors.weekly_insights_csv(report), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="creator-insights-{week_start.isoformat()}.csv"'
    return response
