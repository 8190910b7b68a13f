"""Finding work: the search box of every page, the per-queue case list with its filters, bulk decisions.

Every read goes through review's selectors, so what a person may not see is "nothing found" here as anywhere.
"""
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from trustops.console.case_filters import PAGE_SIZE, SLA_LABELS, filters_from
from trustops.console.views import console_page
from trustops.identity.roles import LEAD_ROLES
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden, Invalid
from trustops.policies import selectors as policies
from trustops.review import casework
from trustops.review import selectors as review
from trustops.review.models import OPEN_STATUSES, CaseKind, Verdict

SEARCH_MAX_LENGTH = 200
BULK_DEFAULT_CAP = 50


@require_GET
@console_page
def search(request):
    """Straight to the one thing the text names, a list when several match, "nothing found" otherwise."""
    text = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    found = review.search(request.user, text) if text else []
    if len(found) == 1:
        hit = found[0]
        if hit.case is not None:
            return redirect("console:case", case_id=hit.case.pk)
        return redirect("console:account", account_type=hit.account.type, external_id=hit.account.external_id)
    return render(request, "console/search.html", {"q": text, "found": found})


def _may_bulk(user) -> bool:
    return user.role in LEAD_ROLES


@require_GET
@console_page
def queue_cases(request, queue_key: str):
    user = request.user
    queue = review.get_queue(user, queue_key)
    form, filters = filters_from(request.GET)
    page = Paginator(review.queue_cases(user, queue, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    dues = review.shown_due_times(page.object_list)     # moved by the queue's pauses (an incident)
    rows = [{"case": case, "sla": review.sla_state_of(case, now), "due": dues.get(case.pk, case.sla_due_at)}
            for case in page.object_list]
    return render(request, "console/queue_cases.html", {
        "queue": queue, "form": form, "page": page, "rows": rows, "sla_labels": SLA_LABELS,
        "may_bulk": _may_bulk(user), **_bulk_form_context(),
        "query": request.GET.urlencode()})


def _bulk_form_context() -> dict:
    return {"policy_codes": sorted(policies.active_catalogue()), "bulk_cap": settings.TRUSTOPS["BULK_DECISION_MAX"],
            "bulk_default_cap": BULK_DEFAULT_CAP}


def _ids(values) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 19})


@require_POST
@console_page
def bulk_decide(request, queue_key: str):
    """Preview, then confirm: the rows picked, or every case the list's filters match, decided at once."""
    user = request.user
    queue = review.get_queue(user, queue_key)
    post = request.POST
    cap = settings.TRUSTOPS["BULK_DECISION_MAX"]
    try:
        max_cases = int(post.get("max_cases", ""))
    except ValueError:
        max_cases = 0
    decision = casework.DecisionInput(
        verdict=post.get("verdict", ""), policy=post.get("policy") or None, rationale=post.get("rationale", ""))
    back = reverse("console:queue_cases", args=[queue.key])
    query = post.get("query", "")
    if post.get("pick") == "query":
        _, filters = filters_from(_params(query))
        waiting = review.queue_cases(user, queue, filters).filter(status__in=OPEN_STATUSES,
                                                                  kind=CaseKind.REPORT_REVIEW)
        # One more than the cap, so that a query matching too many is refused rather than cut short.
        case_ids = list(waiting.values_list("pk", flat=True)[:max(1, min(max_cases, cap)) + 1])
    else:
        case_ids = _ids(post.getlist("case"))
    context = {"queue": queue, "decision": decision, "max_cases": max_cases, "query": query, "back": back,
               **_bulk_form_context()}
    if not case_ids:
        return render(request, "console/bulk.html", {**context, "error": "No waiting case is selected: pick rows "
                                                                          "or filters that match some."}, status=422)
    selection = casework.BulkSelection(case_ids=case_ids, queue=queue.key)
    confirm = post.get("step") == "confirm"
    try:
        outcome = casework.bulk_decide(actor=user, selection=selection, decision=decision, dry_run=not confirm,
                                       max_cases=max_cases)
    except (Invalid, Forbidden) as refused:
        return render(request, "console/bulk.html", {**context, "case_ids": case_ids, "error": refused.message},
                      status=refused.status)
    if confirm:
        messages.success(request, f"Decided {len(outcome['decisions'])} cases in {queue.name} as "
                                  f"{Verdict(decision.verdict).label.lower()} ({outcome['operation']}).")
        return redirect(back + (f"?{query}" if query else ""))
    return render(request, "console/bulk.html", {
        **context, "preview": outcome, "case_ids": [c["id"] for c in outcome["cases"]]})


def _params(query: str) -> QueryDict:
    return QueryDict(query[:4000])
