"""The support desk in the console: help form and chat panel for everyone, the agent inbox, ticket pages,
the knowledge base, incidents, the daily report and the shift handover."""
from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from trustops.support.engineering import services as engineering
from trustops.support.incidents import selectors as incident_reads
from trustops.support.incidents import services as incidents
from trustops.support.kb import selectors as kb_reads
from trustops.support.kb import services as kb
from trustops.support.models import (
    Category,
    DailyReport,
    Handover,
    IssueStatus,
    Priority,
    Severity,
    Source,
    Status,
    Visibility,
)
from trustops.support.reports import services as reports
from trustops.support.tickets import selectors as ticket_reads
from trustops.support.tickets import services as tickets

CHAT_REFRESH_SECONDS = 5
INBOX_REFRESH_SECONDS = 30


def support_page(view):
    """Signed in; what the person may not see is the calm not-found page, a refused act the forbidden page."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.headers.get("HX-Request") and not request.user.is_authenticated:
            response = HttpResponse(status=401)
            response["HX-Redirect"] = "/login/"
            return response
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "console/not_found.html", status=404)
        except Forbidden as error:
            return render(request, "console/forbidden.html", {"error": error}, status=403)
    return login_required(wrapper)


def _partial_or_page(request, partial, page, context):
    response = render(request, partial if request.headers.get("HX-Request") else page, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# ---- the workspace: the agent inbox for the desk, "my tickets" for everyone else -----------------------------

@require_GET
@support_page
def workspace(request):
    desk = access.works_support_desk(request.user)
    view = request.GET.get("view", "mine" if desk else "all")
    if view not in ticket_reads.INBOX_VIEWS:
        view = "mine"
    context = {"desk": desk, "view": view, "refresh_seconds": INBOX_REFRESH_SECONDS,
               "tickets": ticket_reads.inbox(request.user, view) if desk else ticket_reads.my_tickets(request.user),
               "overview": ticket_reads.sla_overview(request.user) if desk else None,
               "incidents": incident_reads.live_incidents(request.user) if access.runs_incidents(request.user) else [],
               "now": clock.now()}
    return _partial_or_page(request, "support/_inbox.html", "support/workspace.html", context)


def _help_context(request, **extra):
    return {"categories": Category.choices, "priorities": Priority.choices, "form": request.POST, **extra}


@support_page
def help_form(request):
    """The help form every console page links to: a page, or a panel HTMX swaps in."""
    if request.method == "POST":
        try:
            ticket = tickets.open_ticket(
                requester=request.user, subject=request.POST.get("subject", ""), body=request.POST.get("body", ""),
                category=request.POST.get("category", ""), priority=request.POST.get("priority", "normal"),
                source=Source.CONSOLE)
        except Invalid as error:
            return render(request, "support/help.html" if not request.headers.get("HX-Request") else
                          "support/_help_form.html", _help_context(request, error=error), status=422)
        messages.success(request, f"Ticket #{ticket.pk} is with the support desk.")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"/support/tickets/{ticket.pk}/"
            return response
        return redirect("support:ticket", ticket_id=ticket.pk)
    return _partial_or_page(request, "support/_help_form.html", "support/help.html", _help_context(request))


@require_GET
@support_page
def suggestions(request):
    """Articles for what is being typed into a ticket (HTMX, as the person types)."""
    text = f"{request.GET.get('subject', '')} {request.GET.get('body', '')}"[:1000]
    return render(request, "support/_suggestions.html", {"hits": kb_reads.suggestions(request.user, text)})


# ---- tickets ----------------------------------------------------------------------------------------------

def _ticket_context(request, ticket_id: int, **extra) -> dict:
    ticket = ticket_reads.get_ticket(request.user, ticket_id)
    desk = access.works_support_desk(request.user)
    issue = getattr(ticket, "engineering_issue", None) if hasattr(ticket, "engineering_issue") else None
    v = access.viewer(request.user)
    return {"ticket": ticket, "replies": ticket_reads.replies_for(request.user, ticket),
            "attachments": ticket_reads.attachments_for(request.user, ticket), "desk": desk,
            "notes_allowed": access.sees_internal_notes(request.user, ticket), "issue": issue,
            "is_requester": ticket.requester_id == v.user_id,
            "engineer_on_it": issue is not None and issue.engineer_id == v.user_id,
            "statuses": [s for s in Status.choices if s[0] in tickets.TRANSITIONS[ticket.status]],
            "issue_statuses": IssueStatus.choices, "macros": ticket_reads.macros() if desk else [],
            "hits": kb_reads.suggestions(request.user, f"{ticket.subject} {ticket.body}"[:1000]), **extra}


@require_GET
@support_page
def ticket_page(request, ticket_id: int):
    return render(request, "support/ticket.html", _ticket_context(request, ticket_id))


def _act(request, ticket_id: int, act, done: str):
    try:
        act()
    except (Invalid, Conflict) as refused:
        return render(request, "support/ticket.html", _ticket_context(request, ticket_id, error=refused),
                      status=refused.status)
    messages.success(request, done)
    return redirect("support:ticket", ticket_id=ticket_id)


@require_POST
@support_page
def ticket_reply(request, ticket_id: int):
    return _act(request, ticket_id, lambda: tickets.reply(
        actor=request.user, ticket_id=ticket_id, body=request.POST.get("body", ""),
        internal=request.POST.get("internal") == "1", status=request.POST.get("status") or None),
        "Note added." if request.POST.get("internal") == "1" else "Reply sent.")


@require_POST
@support_page
def ticket_status(request, ticket_id: int):
    return _act(request, ticket_id, lambda: tickets.change_status(
        actor=request.user, ticket_id=ticket_id, status=request.POST.get("status", "")), "Status changed.")


@require_POST
@support_page
def ticket_assign(request, ticket_id: int):
    return _act(request, ticket_id, lambda: tickets.assign(
        actor=request.user, ticket_id=ticket_id, assignee=request.POST.get("assignee", "")), "Assigned.")


@require_POST
@support_page
def ticket_macro(request, ticket_id: int):
    try:
        macro_id = int(request.POST.get("macro", ""))
    except ValueError:
        macro_id = 0
    return _act(request, ticket_id, lambda: tickets.apply_macro(actor=request.user, ticket_id=ticket_id,
                                                                macro_id=macro_id), "Macro applied.")


@require_POST
@support_page
def ticket_escalate(request, ticket_id: int):
    return _act(request, ticket_id, lambda: engineering.escalate(
        actor=request.user, ticket_id=ticket_id, engineer=request.POST.get("engineer") or None,
        title=request.POST.get("title", "")), "Escalated to engineering.")


@require_POST
@support_page
def issue_status(request, ticket_id: int):
    ticket = ticket_reads.get_ticket(request.user, ticket_id)
    issue = getattr(ticket, "engineering_issue", None) if hasattr(ticket, "engineering_issue") else None
    if issue is None:
        raise NotFound()
    return _act(request, ticket_id, lambda: engineering.update_issue(
        actor=request.user, issue_id=issue.pk, status=request.POST.get("status", ""),
        note=request.POST.get("note", "")), "Engineering issue updated.")


@require_POST
@support_page
def confirm_fix(request, ticket_id: int):
    return _act(request, ticket_id, lambda: engineering.confirm_fix(actor=request.user, ticket_id=ticket_id),
                "Thanks for confirming: the ticket is solved.")


@require_POST
@support_page
def ticket_attach(request, ticket_id: int):
    upload = request.FILES.get("file")
    content = upload.read(5 * 1024 * 1024 + 1) if upload else b""
    try:
        tickets.attach(actor=request.user, ticket_id=ticket_id, filename=upload.name if upload else "",
                       content=content)
    except (Invalid, Conflict, DomainError) as refused:
        if isinstance(refused, (NotFound, Forbidden)):
            raise
        return render(request, "support/ticket.html", _ticket_context(request, ticket_id, error=refused),
                      status=refused.status)
    messages.success(request, "Screenshot attached.")
    return redirect("support:ticket", ticket_id=ticket_id)


@require_GET
@support_page
def attachment(request, ticket_id: int, attachment_id: int):
    found = ticket_reads.get_attachment(request.user, ticket_id, attachment_id)
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    return response


# ---- the chat panel: the person's latest open chat ticket, refreshed by HTMX ---------------------------------

def _chat_ticket(request):
    return (ticket_reads.tickets_visible_to(request.user).filter(requester=request.user, source=Source.CHAT)
            .exclude(status__in=[Status.SOLVED, Status.CLOSED]).order_by("-created_at").first())


@support_page
def chat(request):
    ticket = _chat_ticket(request)
    error = None
    if request.method == "POST":
        text = request.POST.get("message", "")
        try:
            if ticket is None:
                ticket = tickets.open_ticket(requester=request.user, subject=text.strip()[:80] or "Chat",
                                             body=text, category=request.POST.get("category", "policy_question"),
                                             source=Source.CHAT)
            else:
                tickets.reply(actor=request.user, ticket_id=ticket.pk, body=text)
        except (Invalid, Conflict) as refused:
            error = refused
    replies = ticket_reads.replies_for(request.user, ticket) if ticket else []
    return _partial_or_page(request, "support/_chat.html", "support/chat.html", {
        "ticket": ticket, "replies": replies, "error": error, "refresh_seconds": CHAT_REFRESH_SECONDS,
        "categories": Category.choices})


# ---- the knowledge base -----------------------------------------------------------------------------------

@require_GET
@support_page
def kb_home(request):
    q = request.GET.get("q", "").strip()[:200]
    hits = kb_reads.search(request.user, q) if q else []
    if q and not hits:
        kb.record_gap(query=q)
    desk = access.works_support_desk(request.user)
    return render(request, "support/kb.html", {
        "q": q, "hits": hits, "desk": desk,
        "articles": kb_reads.articles_visible_to(request.user).order_by("-updated_at")[:50],
        "gaps": kb_reads.gaps(limit=20) if desk else [],
        "due": kb_reads.due_for_review(request.user) if desk else []})


@require_GET
@support_page
def article_page(request, article_id: int):
    article = kb_reads.get_article(request.user, article_id)
    return render(request, "support/article.html", {"article": article,
                                                    "desk": access.works_support_desk(request.user),
                                                    "visibilities": Visibility.choices})


@require_POST
@support_page
def article_feedback(request, article_id: int):
    kb.give_feedback(actor=request.user, article_id=article_id, solved=request.POST.get("solved") == "1")
    messages.success(request, "Thanks for telling us.")
    return redirect("support:article", article_id=article_id)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise Invalid("invalid_date", "Dates are YYYY-MM-DD.", field="review_due") from None


@support_page
def article_edit(request, article_id: int | None = None):
    if not access.works_support_desk(request.user):
        raise Forbidden("kb_editors_only", "Only the support desk writes the knowledge base.")
    article = kb_reads.get_article(request.user, article_id) if article_id else None
    error = None
    if request.method == "POST":
        try:
            fields = {"title": request.POST.get("title", ""), "body": request.POST.get("body", ""),
                      "visibility": request.POST.get("visibility", "draft"),
                      "review_due": _date(request.POST.get("review_due", ""))}
            if article is None:
                article = kb.write_article(actor=request.user, **fields)
            else:
                kb.revise_article(actor=request.user, article_id=article.pk, **fields)
            messages.success(request, "Article saved.")
            return redirect("support:article", article_id=article.pk)
        except Invalid as refused:
            error = refused
    return render(request, "support/article_edit.html", {"article": article, "error": error,
                                                         "visibilities": Visibility.choices, "form": request.POST},
                  status=422 if error else 200)


# ---- incidents --------------------------------------------------------------------------------------------

def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


@support_page
def incidents_page(request):
    if not access.runs_incidents(request.user):
        raise Forbidden("incident_roles_only", "Incidents are run by the desk, engineering and leads.")
    error = None
    if request.method == "POST":
        try:
            ids = [int(i) for i in _lines(request.POST.get("ticket_ids", "")) if i.isdigit()]
            incident = incidents.declare(
                actor=request.user, title=request.POST.get("title", ""),
                severity=request.POST.get("severity", ""), summary=request.POST.get("summary", ""),
                affected_tools=_lines(request.POST.get("affected_tools", "")),
                affected_queues=_lines(request.POST.get("affected_queues", "")),
                affected_regions=_lines(request.POST.get("affected_regions", "")), ticket_ids=ids,
                pause_queue_sla=request.POST.get("pause_queue_sla") == "1")
            messages.success(request, f"Incident #{incident.pk} declared.")
            return redirect("support:incident", incident_id=incident.pk)
        except (Invalid, NotFound) as refused:
            error = refused
    return render(request, "support/incidents.html", {
        "live": incident_reads.live_incidents(request.user), "severities": Severity.choices, "error": error,
        "recent": incident_reads.incidents_visible_to(request.user).order_by("-declared_at")[:30],
        "form": request.POST}, status=422 if error else 200)


def _incident(request, incident_id: int, error=None):
    incident = incident_reads.get_incident(request.user, incident_id)
    return render(request, "support/incident.html", {
        "incident": incident, "timeline": incident_reads.timeline(incident),
        "tasks": incident.tasks.select_related("owner").order_by("due_at"),
        "tickets": incident.tickets.order_by("pk"), "runs": access.runs_incidents(request.user),
        "postmortem": getattr(incident, "postmortem", None) if hasattr(incident, "postmortem") else None,
        "error": error}, status=error.status if error else 200)


@require_GET
@support_page
def incident_page(request, incident_id: int):
    return _incident(request, incident_id)


@require_POST
@support_page
def incident_act(request, incident_id: int, action: str):
    try:
        if action == "update":
            incidents.post_update(actor=request.user, incident_id=incident_id, text=request.POST.get("text", ""),
                                  status=request.POST.get("status") or None)
        elif action == "note":
            incidents.add_note(actor=request.user, incident_id=incident_id, text=request.POST.get("text", ""))
        elif action == "subscribe":
            incidents.subscribe(actor=request.user, incident_id=incident_id)
        else:
            raise NotFound()
    except (Invalid, Conflict) as refused:
        return _incident(request, incident_id, error=refused)
    return redirect("support:incident", incident_id=incident_id)


# ---- the daily report and the handover --------------------------------------------------------------------

def _reader(request):
    if not access.runs_incidents(request.user):
        raise Forbidden("support_reports_only", "Support reports are for the desk and its leads.")


@support_page
def daily_reports(request):
    _reader(request)
    if request.method == "POST":
        day = _date(request.POST.get("day", "")) or (clock.now() - timedelta(days=1)).date()
        reports.generate_daily_report(day=day, actor=request.user)
        return redirect("support:daily_report", day=day.isoformat())
    return render(request, "support/reports.html", {
        "reports": DailyReport.objects.order_by("-day")[:60], "today": clock.now().date()})


@require_GET
@support_page
def daily_report(request, day: str):
    _reader(request)
    try:
        found = DailyReport.objects.filter(day=date.fromisoformat(day)).first()
    except ValueError:
        found = None
    if found is None:
        raise NotFound()
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.daily_report_csv(found), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="support-daily-{found.day.isoformat()}.csv"'
        return response
    return render(request, "support/report.html", {"report": found, "f": found.figures})


@support_page
def handover(request):
    _reader(request)
    if request.method == "POST":
        try:
            if request.POST.get("acknowledge"):
                reports.acknowledge_handover(actor=request.user, handover_id=int(request.POST["acknowledge"]))
                messages.success(request, "Handover acknowledged.")
            else:
                reports.generate_handover(actor=request.user)
        except (Conflict, ValueError):
            messages.error(request, "That handover was acknowledged already.")
        return redirect("support:handover")
    return render(request, "support/handover.html", {
        "current": Handover.objects.order_by("-shift_starts_at").select_related("acknowledged_by").first(),
        "desk": access.works_support_desk(request.user)})
