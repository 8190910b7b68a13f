"""The QA workspace's audit work: draw a sample, work the audit task queue, audit blind, dispute and arbitrate.

Everything here calls quality's services and selectors, as the API under /api/v1/qa/ does. The audit page is
not the case page with parts hidden: before the audit is submitted it is built only from `quality.audits.blind`,
which never carries the original decision; afterwards it shows the comparison.
"""
import math
from datetime import datetime, time, timedelta, timezone

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.console.case_views import _policy_groups
from trustops.console.views import console_page
from trustops.identity.models import Vendor
from trustops.identity.roles import AUDITOR_ROLES, LEAD_ROLES, QA_LEAD_ROLES, Role
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.policies.actions import ACTIONS
from trustops.quality.audits import blind, sampling, selectors, services
from trustops.quality.models import AuditStatus, RcaCategory, Sample
from trustops.quality.reports.accuracy import accuracy
from trustops.quality.selectors import audits_visible_to, reads_quality_reports
from trustops.review import selectors as review

STRATA = [("vendor", "Vendor"), ("team", "Team"), ("agent", "Reviewer"), ("queue", "Queue"), ("policy", "Policy")]
DEFAULT_PERIOD_DAYS = 7
MAX_NEW_AGENT_DAYS = 36_500      # as the API accepts


def _auditor(user) -> None:
    """The audit work is QA's: anyone else is told it is not there, as for anything outside their scope."""
    if user.role not in AUDITOR_ROLES:
        raise NotFound("not_found", "Nothing here.")


def may_use_workspace(user) -> bool:
    """Auditors and QA leads work here; vendor managers and leads read and dispute their people's audits."""
    return (user.role in AUDITOR_ROLES or user.role in LEAD_ROLES
            or (user.role == Role.VENDOR_MANAGER and user.vendor_id is not None))


def _workspace(user) -> None:
    if not may_use_workspace(user):
        raise NotFound("not_found", "Nothing here.")


# ---- home -------------------------------------------------------------------------------------------------

@console_page
def workspace(request):
    user = request.user
    _workspace(user)
    context = {"is_auditor": user.role in AUDITOR_ROLES, "is_qa_lead": user.role in QA_LEAD_ROLES,
               "open_disputes": audits_visible_to(user).filter(status=AuditStatus.DISPUTED).count(),
               "overall": accuracy(user, group_by="vendor")["overall"] if reads_quality_reports(user) else None}
    if context["is_auditor"]:
        queue = selectors.tasks_for(user)
        context.update(mine=queue.filter(assignee=user).count(), unassigned=queue.filter(assignee__isnull=True).count())
    return render(request, "console/qa/workspace.html", context)


# ---- drawing a sample -------------------------------------------------------------------------------------

def _day(value: str, field: str):
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), tzinfo=timezone.utc)
    except ValueError:
        raise Invalid("invalid_date", "Give the date as YYYY-MM-DD.", field=field)


def _number(post, name: str, kind=float, default=None):
    raw = post.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise Invalid("invalid_number", f"{name.replace('_', ' ').capitalize()} must be a number.", field=name)
    if kind is float and not math.isfinite(value):     # "nan" and "inf" parse as floats
        raise Invalid("invalid_number", f"{name.replace('_', ' ').capitalize()} must be a number.", field=name)
    return value


def _bounded(value: int, field: str) -> int:
    """A seed must fit the 64-bit column it is kept in."""
    if not -(2 ** 63) <= value < 2 ** 63:
        raise Invalid("out_of_range", f"{field.capitalize()} is too large.", field=field)
    return value


def _days(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_NEW_AGENT_DAYS:
        raise Invalid("out_of_range", f"New reviewers are those of the last 1 to {MAX_NEW_AGENT_DAYS:,} days.",
                      field="oversample_new_agents_days")
    return value


def _names(value: str) -> list[str]:
    return [part for part in value.replace(",", " ").split() if part]


def _sample_form(post) -> dict:
    return {"period_start": post.get("period_start", ""), "period_end": post.get("period_end", ""),
            "strata": post.getlist("strata"), "queues": post.getlist("queues"), "vendors": post.getlist("vendors"),
            "policies": post.get("policies", ""), "design": post.get("design", "size"),
            "size": post.get("size", ""), "margin": post.get("margin", ""),
            "confidence": post.get("confidence", "0.95"), "expected_accuracy": post.get("expected_accuracy", "0.9"),
            "seed": post.get("seed", "1"), "oversample_new_agents_days": post.get("oversample_new_agents_days", ""),
            "oversample_below_accuracy": post.get("oversample_below_accuracy", ""),
            "oversample_factor": post.get("oversample_factor", "2"), "auditors": post.get("auditors", ""),
            "blind": post.get("blind") == "on"}


def _sample_request(post) -> sampling.SampleRequest:
    start = _day(post.get("period_start", ""), "period_start")
    end = _day(post.get("period_end", ""), "period_end") + timedelta(days=1)     # the last day is included
    by_size = post.get("design", "size") == "size"
    size = _number(post, "size", int) if by_size else None
    margin = None if by_size else _number(post, "margin")
    if by_size and size is None:
        raise Invalid("size_or_margin", "Give the number of decisions to draw.", field="size")
    if not by_size and margin is None:
        raise Invalid("size_or_margin", "Give the margin of error to aim for.", field="margin")
    return sampling.SampleRequest(
        period_start=start, period_end=end, strata=post.getlist("strata"), size=size, margin=margin,
        confidence=_number(post, "confidence", default=0.95),
        expected_accuracy=_number(post, "expected_accuracy", default=0.9),
        seed=_bounded(_number(post, "seed", int, default=1), "seed"), queues=post.getlist("queues"), vendors=post.getlist("vendors"),
        policies=_names(post.get("policies", "")),
        oversample_new_agents_days=_days(_number(post, "oversample_new_agents_days", int)),
        oversample_below_accuracy=_number(post, "oversample_below_accuracy"),
        oversample_factor=_number(post, "oversample_factor", default=2.0),
        auditors=_names(post.get("auditors", "")), blind=post.get("blind") == "on")


def _visible_samples(user):
    """Samples the auditor drew, or that hold decisions in their scope (a sample's strata name vendors and
    reviewers, so one drawn wholly outside the reader's regions stays out of sight)."""
    in_scope = selectors.tasks_for(user, status=None, mine=False).values("sample_id")
    return Sample.objects.filter(pk__in=in_scope) | Sample.objects.filter(created_by=user)


@console_page
def samples(request):
    user = request.user
    _auditor(user)
    today = clock.now().date()
    form = _sample_form(request.POST) if request.method == "POST" else {
        "period_start": (today - timedelta(days=DEFAULT_PERIOD_DAYS)).isoformat(), "period_end": today.isoformat(),
        "strata": ["vendor"], "queues": [], "vendors": [], "policies": "", "design": "size", "size": "50",
        "margin": "0.05", "confidence": "0.95", "expected_accuracy": "0.9", "seed": "1",
        "oversample_new_agents_days": "", "oversample_below_accuracy": "", "oversample_factor": "2",
        "auditors": "", "blind": True}
    plan, error, status = None, None, 200
    if request.method == "POST":
        try:
            wanted = _sample_request(request.POST)
            if request.POST.get("action") == "draw":
                sample = sampling.draw_sample(actor=user, request=wanted)
                messages.success(request, f"Drew {sample.tasks.count()} decisions of {sample.population} "
                                          "into the audit queue.")
                return redirect("console:qa_sample", sample_id=sample.pk)
            plan = sampling.preview(actor=user, request=wanted)
        except (Invalid, Forbidden) as refused:
            error, status = refused, refused.status
    return render(request, "console/qa/samples.html", {
        "form": form, "plan": plan, "error": error, "strata_choices": STRATA,
        "min_audits": sampling.MIN_STRATUM_AUDITS,
        "queues": review.queues_visible_to(user).order_by("key"),
        "vendors": [("in-house", "In-house")] + list(Vendor.objects.order_by("name").values_list("key", "name")),
        "samples": _visible_samples(user).order_by("-created_at", "-id")[:20]}, status=status)


@console_page
def sample_page(request, sample_id: int):
    user = request.user
    _auditor(user)
    sample = _visible_samples(user).filter(pk=sample_id).first()
    if sample is None:
        raise NotFound("sample_not_found", f"No sample {sample_id}.")
    allocation = [{**row, "too_small": sampling.stratum_too_small(row["sampled"])} for row in sample.allocation]
    return render(request, "console/qa/sample.html", {
        "sample": sample, "allocation": allocation, "min_audits": sampling.MIN_STRATUM_AUDITS,
        "tasks": selectors.tasks_for(user, status=None, mine=False).filter(sample=sample)})


# ---- the audit task queue -----------------------------------------------------------------------------------

@console_page
def tasks(request):
    user = request.user
    _auditor(user)
    show = request.GET.get("show") if request.GET.get("show") in ("mine", "unassigned") else "mine"
    queue = selectors.tasks_for(user)
    shown = queue.filter(assignee=user) if show == "mine" else queue.filter(assignee__isnull=True)
    return render(request, "console/qa/tasks.html", {
        "show": show, "tasks": shown[:200], "mine": queue.filter(assignee=user).count(),
        "unassigned": queue.filter(assignee__isnull=True).count()})


@require_POST
@console_page
def next_task(request):
    task = services.take_next_task(actor=request.user)
    if task is None:
        messages.info(request, "No audit task is waiting for you.")
        return redirect("console:qa_tasks")
    return redirect("console:qa_task", task_id=task.pk)


# ---- the audit page -------------------------------------------------------------------------------------------

def _audit_form(post) -> dict:
    return {"verdict": post.get("correct_verdict", ""), "policy": post.get("correct_policy", ""),
            "actions": post.getlist("correct_actions"), "judge_actions": post.get("judge_actions") == "on",
            "rca_category": post.get("rca_category", ""), "notes": post.get("notes", "")}


@console_page
def task_page(request, task_id: int):
    user = request.user
    _auditor(user)
    task = selectors.get_task(user, task_id)
    if not blind.blind_for(task):
        audit = getattr(task, "audit", None)
        if audit is not None:
            return redirect("console:qa_audit", audit_id=audit.pk)
    return _render_task(request, task)


def _render_task(request, task, *, form=None, error=None, status=200):
    user = request.user
    decision = task.decision
    context = {"task": task, "blind": blind.blind_for(task), "form": form or {}, "error": error,
               "rca_categories": RcaCategory.choices, "actions": ACTIONS, "policy_groups": _policy_groups()}
    if context["blind"]:
        # Only what the reviewer saw: the decision itself never enters the template's context.
        context.update(blind.blind_case(user, decision.case, as_of=decision.decided_at))
    else:
        context.update(decision=decision, case=decision.case, timeline=review.timeline_shown_for(decision.case))
    return render(request, "console/qa/task.html", context, status=status)


@require_POST
@console_page
def submit_audit(request, task_id: int):
    user = request.user
    _auditor(user)
    task = selectors.get_task(user, task_id)
    form = _audit_form(request.POST)
    violation = form["verdict"] == "violation"
    try:
        audit = services.submit_audit(
            actor=user, decision_id=task.decision_id, rca_category=form["rca_category"] or None,
            notes=form["notes"][:5000], judgement=services.Judgement(
                form["verdict"], (form["policy"] or None) if violation else None,
                form["actions"] if violation and form["judge_actions"] else None))
    except (Invalid, Conflict, Forbidden) as refused:
        return _render_task(request, selectors.get_task(user, task_id), form=form, error=refused,
                            status=refused.status)
    messages.success(request, "Audit recorded. Here is how it compares with the original decision.")
    return redirect("console:qa_audit", audit_id=audit.pk)


# ---- audits, disputes and arbitration ----------------------------------------------------------------------

@console_page
def audits(request):
    user = request.user
    _workspace(user)
    status = request.GET.get("status") if request.GET.get("status") in AuditStatus.values else None
    shown = audits_visible_to(user).select_related("decision__reviewer", "decision__queue", "auditor")
    if status:
        shown = shown.filter(status=status)
    return render(request, "console/qa/audits.html", {"audits": shown.order_by("-created_at", "-id")[:200],
                                                      "status": status})


def _may_dispute(user, audit) -> bool:
    reviewer = audit.decision.reviewer
    return audit.status == AuditStatus.FINAL and (
        user.pk == reviewer.pk or user.role in LEAD_ROLES
        or (user.role == Role.VENDOR_MANAGER and user.vendor_id and user.vendor_id == reviewer.vendor_id))


def _render_audit(request, audit, *, error=None, error_in="", status=200):
    user = request.user
    decision = audit.decision
    return render(request, "console/qa/audit.html", {
        "audit": audit, "decision": decision, "error": error, "error_in": error_in,
        "disputes": audit.disputes.select_related("raised_by", "arbitrated_by").order_by("raised_at", "id"),
        "may_dispute": _may_dispute(user, audit), "may_arbitrate": user.role in QA_LEAD_ROLES,
        "policy_groups": _policy_groups(), "actions": ACTIONS,
        "timeline": review.timeline_shown_for(decision.case)}, status=status)


@console_page
def audit_page(request, audit_id: int):
    user = request.user
    _workspace_or_reviewer(user)
    return _render_audit(request, selectors.get_audit(user, audit_id))


def _workspace_or_reviewer(user) -> None:
    """Reviewers read (and dispute) the audits of their own decisions; the quality scope limits them to those."""
    if not may_use_workspace(user) and not audits_visible_to(user).exists():
        raise NotFound("not_found", "Nothing here.")


@require_POST
@console_page
def dispute(request, audit_id: int):
    user = request.user
    try:
        services.raise_dispute(actor=user, audit_id=audit_id, reason=request.POST.get("reason", "")[:5000])
    except (Invalid, Conflict, Forbidden) as refused:
        return _render_audit(request, selectors.get_audit(user, audit_id), error=refused, error_in="dispute",
                             status=refused.status)
    messages.success(request, "Dispute raised; a QA lead will arbitrate it.")
    return redirect("console:qa_audit", audit_id=audit_id)


@require_POST
@console_page
def arbitrate(request, dispute_id: int):
    user = request.user
    dispute = selectors.get_dispute(user, dispute_id)
    post = request.POST
    outcome = post.get("outcome", "")
    judgement = None
    if outcome == "revised" and post.get("correct_verdict"):
        violation = post.get("correct_verdict") == "violation"
        judgement = services.Judgement(post.get("correct_verdict"),
                                       (post.get("correct_policy") or None) if violation else None,
                                       post.getlist("correct_actions") if violation and post.get("judge_actions")
                                       else None)
    try:
        services.arbitrate(actor=user, dispute_id=dispute.pk, outcome=outcome, note=post.get("note", "")[:5000],
                           judgement=judgement)
    except (Invalid, Conflict, Forbidden) as refused:
        return _render_audit(request, selectors.get_audit(user, dispute.audit_id), error=refused,
                             error_in="arbitration", status=refused.status)
    messages.success(request, "Dispute arbitrated: the audit " + ("stands." if outcome == "upheld" else "is revised."))
    return redirect("console:qa_audit", audit_id=dispute.audit_id)
