"""The compliance workspace: submissions and their failures, legal clocks, holds, data subjects, access audit.
Thin: each view calls one selector or service. Everything here is hidden (404) from anyone but compliance staff."""
import json
from datetime import date, datetime, time, timedelta, timezone
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from trustops.compliance.audit import selectors as audit
from trustops.compliance.childsafety import selectors as child_safety_reads
from trustops.compliance.childsafety import services as child_safety
from trustops.compliance.clocks import selectors as clock_reads
from trustops.compliance.clocks import services as clocks
from trustops.compliance.models import ClockKind, DataClass
from trustops.compliance.retention import selectors as retention_reads
from trustops.compliance.retention import services as retention
from trustops.compliance.statements import selectors as statement_reads
from trustops.compliance.statements import services as statements
from trustops.compliance.statements import submission
from trustops.compliance.transparency import exports
from trustops.compliance.transparency import report as transparency
from trustops.compliance.transparency.api import regions_for
from trustops.identity import access
from trustops.kernel.errors import Conflict, Invalid, NotFound


def compliance_page(view):
    """Signed in, and compliance staff; anyone else finds nothing here (404, like a page that does not exist)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.works_compliance(request.user):
            return render(request, "console/not_found.html", status=404)
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "console/not_found.html", status=404)
    return login_required(wrapper)


def child_safety_page(view):
    """Compliance staff holding the child-safety clearance; anyone else, admins included, finds nothing (404)."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not child_safety.may_report(request.user):
            return render(request, "console/not_found.html", status=404)
        return view(request, *args, **kwargs)
    return compliance_page(wrapper)


def _refused(request, error) -> None:
    messages.error(request, error.message)


@require_GET
@compliance_page
def submissions(request):
    status = request.GET.get("status", "")
    rows = statement_reads.statements_visible_to(request.user).select_related("decision")
    if status in ("gap", "pending", "submitted", "refused"):
        rows = rows.filter(status=status)
    return render(request, "compliance/submissions.html", {
        "here": "submissions", "counts": statement_reads.counts_by_status(request.user), "status": status,
        "statements": list(rows.order_by("-id")[:100]), "batches": statement_reads.recent_batches(request.user),
        "configured": submission.configured(), "mappings": statement_reads.mappings(request.user)})


@require_POST
@compliance_page
def restate(request):
    visible = list(statement_reads.statements_visible_to(request.user).filter(status="gap")
                   .values_list("decision_id", flat=True))
    outcome = statements.restate_gaps(actor=request.user, decision_ids=visible)
    messages.success(request, f"{outcome['fixed']} gap(s) now complete and queued; {outcome['still_gaps']} still "
                              "incomplete.")
    return redirect("compliance:submissions")


@require_POST
@compliance_page
def resubmit(request, statement_id: int):
    if not statement_reads.statements_visible_to(request.user).filter(pk=statement_id).exists():
        raise NotFound("statement_not_found", "No such statement.")
    try:
        submission.resubmit(statement_id=statement_id, actor=request.user)
        messages.success(request, "The statement is queued to be sent again.")
    except Conflict as error:
        _refused(request, error)
    return redirect("compliance:submissions")


@require_GET
@compliance_page
def board(request):
    return render(request, "compliance/clocks.html", {
        "here": "clocks", "rows": clock_reads.board(request.user),
        "handled": clock_reads.board(request.user, running_only=False, limit=50), "kinds": ClockKind.choices})


@require_POST
@compliance_page
def open_request(request):
    post = request.POST
    hours = post.get("deadline_hours") or None
    try:
        clocks.open_legal_request(
            kind=post.get("kind", ""), subject_type=post.get("subject_type", ""),
            external_id=post.get("external_id", "")[:200], deadline_hours=float(hours) if hours else None,
            reference=post.get("reference", "")[:200], authority=post.get("authority", "")[:200],
            requester={k: post.get(k, "")[:300] for k in ("name", "contact", "signature", "good_faith_statement")
                       if post.get(k)}, actor=request.user)
        messages.success(request, "The clock is running.")
    except (Invalid, NotFound) as error:
        _refused(request, error)
    except ValueError:
        messages.error(request, "The deadline is a number of hours.")
    return redirect("compliance:clocks")


@require_POST
@compliance_page
def withdraw(request, clock_id: int):
    clock_reads.get(request.user, clock_id)
    try:
        clocks.withdraw(clock_id=clock_id, reason=request.POST.get("reason", ""), actor=request.user)
        messages.success(request, "The clock is stopped.")
    except Invalid as error:
        _refused(request, error)
    return redirect("compliance:clocks")


@require_GET
@compliance_page
def holds(request):
    return render(request, "compliance/holds.html", {
        "here": "holds", "holds": list(retention_reads.holds_visible_to(request.user).select_related("subject")
                                       .order_by("released_at", "-id")[:200]),
        "retention": retention_reads.retention(request.user), "data_classes": DataClass.choices,
        "runs": retention_reads.purge_runs(request.user)})


@require_POST
@compliance_page
def place_hold(request):
    try:
        subject = retention_reads.subject_for(request.user, request.POST.get("subject_type", ""),
                                              request.POST.get("external_id", "")[:200])
        retention.place_hold(subject_id=subject.pk, reason=request.POST.get("reason", "")[:500],
                             kind=request.POST.get("kind", "legal"), actor=request.user)
        messages.success(request, "The records are held.")
    except (Invalid, NotFound) as error:
        _refused(request, error)
    return redirect("compliance:holds")


@require_POST
@compliance_page
def release_hold(request, hold_id: int):
    if not retention_reads.holds_visible_to(request.user).filter(pk=hold_id).exists():
        raise NotFound("hold_not_found", "No such hold.")
    try:
        retention.release_hold(hold_id=hold_id, reason=request.POST.get("reason", "released"), actor=request.user)
        messages.success(request, "The hold is released.")
    except (Invalid, NotFound) as error:
        _refused(request, error)
    return redirect("compliance:holds")


@require_POST
@compliance_page
def save_retention(request):
    try:
        retention.set_retention(data_class=request.POST.get("data_class", ""),
                                keep_days=int(request.POST.get("keep_days") or 0), actor=request.user)
        messages.success(request, "Retention saved.")
    except Invalid as error:
        _refused(request, error)
    except ValueError:
        messages.error(request, "Days are a whole number.")
    return redirect("compliance:holds")


@require_GET
@compliance_page
def data_subjects(request):
    return render(request, "compliance/data_subjects.html", {
        "here": "data_subjects", "requests": list(retention_reads.requests_visible_to(request.user)
                                                  .select_related("subject").order_by("-id")[:100]),
        "exceptions": retention.LAWFUL_EXCEPTIONS})


@require_POST
@compliance_page
def data_subject_request(request):
    kind, subject_type = request.POST.get("kind", ""), request.POST.get("subject_type", "")
    external_id = request.POST.get("external_id", "")[:200]
    try:
        retention_reads.subject_for(request.user, subject_type, external_id)
        act = retention.export if kind == "export" else retention.erase if kind == "erasure" else None
        if act is None:
            raise Invalid("invalid_kind", "Choose export or erasure.", field="kind")
        done = act(subject_type=subject_type, external_id=external_id, actor=request.user)
        if done.status == "refused":
            messages.error(request, f"Erasure refused: {done.outcome['refused']} {'; '.join(done.outcome['holds'])}")
        else:
            messages.success(request, f"{kind.capitalize()} done.")
    except (Invalid, NotFound) as error:
        _refused(request, error)
    return redirect("compliance:data_subjects")


@require_GET
@compliance_page
def archive(request, request_id: int):
    found = retention_reads.request(request.user, request_id)
    if found.archive is None:
        raise NotFound("no_archive", "No archive.")
    response = HttpResponse(json.dumps(found.archive, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="data-subject-{found.pk}.json"'
    return response


@require_GET
@compliance_page
def access_log(request):
    query = audit.AccessQuery(actor=request.GET.get("actor", "")[:150], kind=request.GET.get("kind", "")[:64],
                              subject_external_id=request.GET.get("subject", "")[:200])
    events = audit.search(request.user, query)
    return render(request, "compliance/access_log.html", {
        "here": "access", "query": query, "kinds": audit.VIEW_KINDS,
        "events": [{"event": e, "what": audit.VIEW_KINDS[e.kind], "why": audit.why(e)} for e in events]})


def _period(request) -> tuple[datetime, datetime]:
    """From the form's dates (inclusive), by default the calendar year so far."""
    today = date.today()
    try:
        first = date.fromisoformat(request.GET.get("start") or f"{today.year}-01-01")
        last = date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        first, last = date(today.year, 1, 1), today
    if last < first:
        first, last = last, first
    start = datetime.combine(first, time.min, tzinfo=timezone.utc)
    return start, datetime.combine(last, time.min, tzinfo=timezone.utc) + timedelta(days=1)


@require_GET
@compliance_page
def transparency_report(request):
    start, end = _period(request)
    built = transparency.build(start, end, regions_for(request.user))
    download = request.GET.get("download")
    name = f"transparency-{start:%Y%m%d}-{end:%Y%m%d}"
    if download == "csv":
        response = HttpResponse(exports.as_csv(built), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if download == "xlsx":
        response = HttpResponse(exports.as_xlsx(built), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    drill_key = request.GET.get("rows", "")[:300]
    return render(request, "compliance/transparency.html", {
        "here": "transparency", "report": built, "start": start.date(), "end": (end - timedelta(days=1)).date(),
        "sections": [(section, built.section(section)) for section in built.sections],
        "drill_key": drill_key,
        "drill_ids": transparency.drill(drill_key, start, end, regions_for(request.user)) if drill_key else None})


@require_GET
@child_safety_page
def child_safety_reports(request):
    return render(request, "compliance/child_safety.html", {
        "here": "child_safety", "cases": list(child_safety_reads.cases_to_report(request.user).order_by("-id")[:100]),
        "reports": list(child_safety.reports_visible_to(request.user).select_related("hold", "subject")
                        .order_by("-id")[:100])})


@require_POST
@child_safety_page
def assemble_child_safety_report(request):
    case_id = request.POST.get("case_id", "")
    if not case_id.isdigit():
        raise NotFound("case_not_found", "No such case.")
    try:
        report = child_safety.assemble(case_id=int(case_id), actor=request.user)
    except Conflict as error:
        _refused(request, error)
        return redirect("compliance:child_safety")
    messages.success(request, "The package is assembled; its evidence is held for a year.")
    return redirect("compliance:child_safety_report", report_id=report.pk)


def _child_safety_report(request, report_id: int, *, package=None):
    report = child_safety_reads.report(request.user, report_id)
    if report is None:
        raise NotFound("report_not_found", "No such report.")
    return render(request, "compliance/child_safety_report.html", {
        "here": "child_safety", "report": report, "package": package,
        "package_json": json.dumps(package, indent=2, ensure_ascii=False) if package else "",
        "accesses": child_safety_reads.evidence_accesses(request.user, report_id)})


@require_GET
@child_safety_page
def child_safety_report(request, report_id: int):
    return _child_safety_report(request, report_id)


@require_POST
@child_safety_page
def open_child_safety_evidence(request, report_id: int):
    """The package is shown only in answer to this POST, which logs the opening with its reason."""
    try:
        report = child_safety.open_evidence(report_id=report_id, actor=request.user,
                                            why=request.POST.get("why", "")[:300])
    except Invalid as error:
        _refused(request, error)
        return redirect("compliance:child_safety_report", report_id=report_id)
    return _child_safety_report(request, report_id, package=report.package)


@require_POST
@child_safety_page
def submit_child_safety_report(request, report_id: int):
    report = child_safety.submit(report_id=report_id, actor=request.user)
    if report.status == "submitted":
        messages.success(request, f"Submitted through {report.submitter}: reference {report.reference}.")
    else:
        messages.error(request, f"The submitter refused: {report.last_error}. Try again.")
    return redirect("compliance:child_safety_report", report_id=report_id)
