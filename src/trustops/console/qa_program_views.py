"""The QA workspace's programme: calibration sessions, root-cause analyses with their corrective actions, and
golden items. Reads go through quality's selectors (who sees what), writes through its services."""
from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.console.case_views import _policy_groups
from trustops.console.qa_views import _names, _workspace
from trustops.console.views import console_page
from trustops.identity.roles import AUDITOR_ROLES, QA_LEAD_ROLES, Role
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.quality.audits import blind
from trustops.quality.calibration import selectors as calibration
from trustops.quality.calibration import services as calibrating
from trustops.quality.calibration.services import NO_VIOLATION
from trustops.quality.golden import selectors as golden
from trustops.quality.golden import services as golden_services
from trustops.quality.models import CalibrationLabel, RcaCategory, RcaStatus
from trustops.quality.rca import selectors as rca
from trustops.quality.rca import services as rca_services
from trustops.quality.selectors import calibrations_visible_to, reads_all_quality
from trustops.review import selectors as review
from trustops.review.models import CaseKind, CaseStatus

COEFFICIENTS = [("percent_agreement", "Percent agreement"), ("krippendorff_alpha", "Krippendorff's alpha"),
                ("fleiss_kappa", "Fleiss' kappa"), ("gwet_ac1", "Gwet's AC1")]
RECENT_CASES = 30


def _ids(value: str, field: str) -> list[int]:
    try:
        ids = [int(part) for part in _names(value)]
    except ValueError:
        ids = [0]
    if any(not 1 <= i < 2 ** 63 for i in ids):
        raise Invalid("invalid_ids", "Give case or audit numbers, separated by spaces or commas.", field=field)
    return ids


def _resolved_cases(user):
    return (review.cases_visible_to(user).filter(kind=CaseKind.REPORT_REVIEW, status=CaseStatus.RESOLVED)
            .select_related("subject", "queue", "policy").order_by("-resolved_at", "-id")[:RECENT_CASES])


# ---- calibration ------------------------------------------------------------------------------------------

@console_page
def calibrations(request):
    user = request.user
    sessions = calibrations_visible_to(user)
    if user.role not in AUDITOR_ROLES and not sessions.exists():
        raise NotFound("not_found", "Nothing here.")
    form, error, status = {}, None, 200
    if request.method == "POST":
        form = {"name": request.POST.get("name", ""), "items": request.POST.getlist("items"),
                "more_items": request.POST.get("more_items", ""), "participants": request.POST.get("participants", "")}
        try:
            chosen = _ids(" ".join(form["items"]) + " " + form["more_items"], "items")
            session = calibrating.create_session(actor=user, name=form["name"], case_ids=list(dict.fromkeys(chosen)),
                                                 participants=_names(form["participants"]))
        except (Invalid, NotFound, Forbidden) as refused:
            error, status = refused, refused.status
        else:
            messages.success(request, f"Calibration “{session.name}” created; participants can label it now.")
            return redirect("console:qa_calibration", calibration_id=session.pk)
    return render(request, "console/qa/calibrations.html", {
        "sessions": sessions.order_by("-created_at", "-id")[:100], "form": form, "error": error,
        "may_create": user.role in AUDITOR_ROLES,
        "cases": _resolved_cases(user) if user.role in AUDITOR_ROLES else []}, status=status)


def _render_calibration(request, session, *, error=None, status=200):
    user = request.user
    participant = session.participants.filter(pk=user.pk).exists()
    mine = dict(CalibrationLabel.objects.filter(item__session=session, participant=user)
                .values_list("item__case_id", "label"))
    items = list(session.items.select_related("case__subject", "case__queue").order_by("case_id"))
    closed = session.closed_at is not None
    context = {"session": session, "participant": participant, "closed": closed, "error": error,
               "items": [{"item": i, "mine": mine.get(i.case_id)} for i in items],
               "labelled": CalibrationLabel.objects.filter(item__session=session).values("participant").distinct()
               .count(), "participants": session.participants.order_by("username"),
               "may_close": user.role in QA_LEAD_ROLES and not closed, "labels": _label_choices()}
    if closed:
        report = calibration.calibration_agreement(user, session.pk)
        context["agreement"] = report
        context["coefficients"] = [{"name": label, "value": report[key], "reason": report["undefined"].get(key)}
                                   for key, label in COEFFICIENTS]
        context["pairs"] = [{"pair": pair.replace("|", " and "), "value": value,
                             "reason": report["undefined"].get(f"pairwise_cohen_kappa.{pair}")}
                            for pair, value in report["pairwise_cohen_kappa"].items()]
    return render(request, "console/qa/calibration.html", context, status=status)


def _label_choices():
    return [("No violation", [(NO_VIOLATION, "No violation")])] + [
        (family, [(p.code, f"{p.code} · {p.title}") for p in members]) for family, members in _policy_groups()]


@console_page
def calibration_page(request, calibration_id: int):
    return _render_calibration(request, calibration.get_calibration(request.user, calibration_id))


@console_page
def calibration_item(request, calibration_id: int, case_id: int):
    """One item to label, shown blind: the case as a reviewer would meet it, and only the caller's own label."""
    user = request.user
    session = calibration.get_calibration(user, calibration_id)
    item = session.items.filter(case_id=case_id).first()
    if item is None:
        raise NotFound("item_not_found", f"Case {case_id} is not in this session.")
    case = review.get_case(user, case_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            calibrating.submit_label(actor=user, session_id=session.pk, case_id=case_id,
                                     label=request.POST.get("label", ""))
        except (Invalid, Conflict, Forbidden, NotFound) as refused:
            error, status = refused, refused.status
        else:
            following = session.items.filter(case_id__gt=case_id).order_by("case_id").first()
            messages.success(request, f"Labelled case {case_id}.")
            if following:
                return redirect("console:qa_calibration_item", calibration_id=session.pk, case_id=following.case_id)
            return redirect("console:qa_calibration", calibration_id=session.pk)
    mine = CalibrationLabel.objects.filter(item=item, participant=user).values_list("label", flat=True).first()
    return render(request, "console/qa/calibration_item.html", {
        **blind.blind_case(user, case, as_of=None), "session": session, "mine": mine, "error": error,
        "labels": _label_choices(), "closed": session.closed_at is not None,
        "participant": session.participants.filter(pk=user.pk).exists()}, status=status)


@require_POST
@console_page
def close_calibration(request, calibration_id: int):
    user = request.user
    session = calibration.get_calibration(user, calibration_id)
    benchmarks = {}
    for item in session.items.all():
        answer = request.POST.get(f"benchmark_{item.case_id}", "")
        if answer:
            benchmarks[item.case_id] = answer
    try:
        calibrating.close_session(actor=user, session_id=session.pk, benchmarks=benchmarks)
    except (Invalid, Conflict, Forbidden) as refused:
        return _render_calibration(request, session, error=refused, status=refused.status)
    messages.success(request, "Calibration closed; here is how far the participants agree.")
    return redirect("console:qa_calibration", calibration_id=session.pk)


# ---- root-cause analyses ----------------------------------------------------------------------------------

def _rca_form(post) -> dict:
    return {name: post.get(name, "") for name in ("title", "category", "root_cause", "corrective_action", "owner",
                                                    "due_date", "audit_ids")}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("invalid_date", "Give the due date as YYYY-MM-DD.", field="due_date")


@console_page
def rcas(request):
    user = request.user
    shown = rca.list_rcas(user, status=request.GET.get("status") if request.GET.get("status") in RcaStatus.values
                          else None)
    if user.role not in AUDITOR_ROLES and not shown and not rca.rcas_visible_to(user).exists():
        _workspace(user)
    form, error, status = {}, None, 200
    if request.method == "POST":
        form = _rca_form(request.POST)
        try:
            created = rca_services.create_rca(actor=user, fields=rca_services.RcaFields(
                title=form["title"], category=form["category"], root_cause=form["root_cause"],
                corrective_action=form["corrective_action"], owner=form["owner"].strip() or None,
                due_date=_date(form["due_date"]), audit_ids=_ids(form["audit_ids"], "audit_ids")))
        except (Invalid, NotFound, Forbidden) as refused:
            error, status = refused, refused.status
        else:
            messages.success(request, f"Root-cause analysis “{created.title}” recorded.")
            return redirect("console:qa_rca", rca_id=created.pk)
    return render(request, "console/qa/rcas.html", {
        "rcas": [{"rca": r, "overdue": rca.is_overdue(r), "audits": rca.linked_audit_ids(user, [r])[r.pk]}
                 for r in shown],
        "form": form, "error": error, "categories": RcaCategory.choices, "may_create": user.role in AUDITOR_ROLES},
        status=status)


@console_page
def rca_page(request, rca_id: int):
    user = request.user
    analysis = rca.get_rca(user, rca_id)
    error, status = None, 200
    if request.method == "POST":
        try:
            rca_services.set_rca_status(actor=user, rca_id=analysis.pk, status=request.POST.get("status", ""),
                                        note=request.POST.get("note", ""))
        except (Invalid, Forbidden) as refused:
            error, status = refused, refused.status
        else:
            messages.success(request, "Status changed.")
            return redirect("console:qa_rca", rca_id=analysis.pk)
    return render(request, "console/qa/rca.html", {
        "rca": analysis, "overdue": rca.is_overdue(analysis), "error": error, "statuses": RcaStatus.choices,
        "audits": rca.linked_audits(user, analysis).select_related("decision__reviewer", "decision__queue"),
        "may_move": user.role in AUDITOR_ROLES or analysis.owner_id == user.pk}, status=status)


# ---- golden items -------------------------------------------------------------------------------------------

def _golden_rows(user, items) -> list[dict]:
    decided = {row["case_id"]: row for row in golden.results(
        golden.golden_results_visible_to(user).filter(case_id__in=[i.case_id for i in items]))}
    return [{"item": item, "result": decided.get(item.case_id)} for item in items]


@console_page
def golden_items(request):
    """Golden items are quality readers' alone (quality/golden/selectors.py); a vendor manager sees only how their
    vendor's reviewers did on them, and anyone else finds nothing here."""
    user = request.user
    if not reads_all_quality(user) and not (user.role == Role.VENDOR_MANAGER and user.vendor_id):
        raise NotFound("not_found", "Nothing here.")
    form, error, status = {}, None, 200
    if request.method == "POST":
        form = {name: request.POST.get(name, "") for name in ("source_case_id", "queue", "expected_verdict",
                                                               "expected_policy")}
        try:
            source = _ids(form["source_case_id"], "source_case_id")
            if len(source) != 1:
                raise Invalid("invalid_ids", "Give one resolved case.", field="source_case_id")
            violation = form["expected_verdict"] == "violation"
            golden_services.create_golden_item(
                actor=user, source_case_id=source[0], queue_key=form["queue"],
                expected_verdict=form["expected_verdict"],
                expected_policy=(form["expected_policy"] or None) if violation else None)
        except (Invalid, NotFound, Conflict, Forbidden) as refused:
            error, status = refused, refused.status
        else:
            messages.success(request, f"Case {source[0]} placed in {form['queue']} as a golden item.")
            return redirect("console:qa_golden")
    items = list(golden.golden_items_visible_to(user).select_related("case__queue", "expected_policy", "created_by")
                 .order_by("-id")[:200])
    return render(request, "console/qa/golden.html", {
        "rows": _golden_rows(user, items), "accuracy": golden.golden_accuracy(user, group_by="agent"),
        "form": form, "error": error, "may_create": user.role in AUDITOR_ROLES,
        "queues": review.queues_visible_to(user).order_by("key"), "policy_groups": _policy_groups(),
        "cases": _resolved_cases(user) if user.role in AUDITOR_ROLES else []}, status=status)
