"""The case page and what a reviewer does on it: decide, escalate, skip, release, keep the lease, reveal media.

The work panel (lease, decision form, escalation) is one fragment: HTMX swaps it after each action, and the
same fragment inside the full page serves browsers without scripts.
"""
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from trustops.console.placeholder_media import has_media, placeholder_svg, shape_of
from trustops.console.views import console_page
from trustops.enforcement import selectors as enforcement
from trustops.enforcement.services.penalties import account_of, default_actions
from trustops.identity.models import MediaPreference
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.policies import selectors as policies
from trustops.quality.audits import blind
from trustops.review import casework
from trustops.review import selectors as review
from trustops.review.models import CaseKind, CaseStatus, Verdict
from trustops.review.schemas import case_detail
from trustops.subjects import selectors as subjects

# The page renews the lease this often while it is open (the lease itself lasts LEASE_SECONDS).
RENEW_EVERY_SECONDS = 60
# HTMX stops polling when a response carries this status.
STOP_POLLING = 286
# Wording for the console where the service's message is phrased for API clients.
CONSOLE_WORDING = {
    "invalid_verdict": "Choose a verdict first.",
    "stale_case": "The case changed while you had it open (a new report or another change). "
                  "Reload it to see what changed, then decide again.",
    "lease_lost": "You no longer hold this case: the lease ran out or someone else took it over.",
}


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _holds_lease(case, user) -> bool:
    return (case.status == CaseStatus.IN_REVIEW and case.assignee_id == user.pk
            and case.lease_expires_at is not None and case.lease_expires_at > clock.now())


def _policy_groups() -> list[tuple[str, list]]:
    """The active catalogue as families (the root policy's title) of policies, for the policy select."""
    catalogue = policies.active_catalogue()
    groups: dict[str, list] = {}
    for code in sorted(catalogue):
        groups.setdefault(code.split(".", 1)[0], []).append(catalogue[code])
    return [(catalogue[family].title if family in catalogue else family, members)
            for family, members in groups.items()]


def _policy_panel(case, code: str | None, checked: list[str] | None = None) -> dict:
    """Guidance and the actions open to the chosen policy; by default the actions a violation would take."""
    policy = policies.get_active(code) if code else None
    if policy is None:
        return {"policy": None, "actions": [], "checked": []}
    actions = review.actions_open_to(case, policy)
    if checked is None:
        checked = [a for a in default_actions(case.subject, policy, case.queue.allowed_actions) if a in actions]
    return {"policy": policy, "actions": actions, "checked": checked}


def _decision_form(post) -> dict:
    return {"submitted": True, "verdict": post.get("verdict", ""), "policy": post.get("policy", ""),
            "actions": post.getlist("actions"), "rationale": post.get("rationale", ""),
            "version": post.get("version", ""), "to_queue": post.get("to_queue", ""),
            "reason": post.get("reason", "")}


def _resolved_decisions(case, outcome: dict | None) -> list[dict]:
    """Each decision with its enforcement. Right after deciding, the enforcement is what `decide` answered, as
    the API shows it (a decision the platform does not enforce still reads like any other)."""
    rows = []
    for decision in review.decisions_on_case(case):
        if outcome and decision.pk == outcome["decision_id"]:
            rows.append({"decision": decision, "enforcement": outcome["enforcement"]})
        else:
            rows.append({"decision": decision, "enforcement": list(enforcement.actions_for_decision(decision))})
    return rows


def _work_context(request, case, *, form: dict | None = None, error=None, error_in: str = "decision",
                  outcome: dict | None = None) -> dict:
    user = request.user
    holds = _holds_lease(case, user)
    account = account_of(case.subject)
    due = review.due_of(case)       # the stored due time moved by the queue's pauses (an incident)
    if due is not None:
        case.shown_due_at, case.sla_paused = due.at, due.paused
    context = {"case": case, "holds_lease": holds, "error": error, "error_in": error_in,
               "just_decided": outcome is not None, "is_appeal": case.kind == CaseKind.APPEAL,
               "renew_every": RENEW_EVERY_SECONDS,
               "wording": CONSOLE_WORDING.get(error.code, error.message) if error else "",
               "standing": (outcome["standing"] if outcome is not None
                            else enforcement.standing(account) if account else None),
               "may_take_next": review.may_work(user, case.queue)}
    if context["is_appeal"]:
        appeal = review.appeal_for_case(case)
        context["appeal"] = appeal
        context["original_enforcement"] = list(enforcement.actions_for_decision(appeal.decision)) if appeal else []
    if holds:
        form = form or {"version": case.version}
        selected = form.get("policy") or (case.policy.code if case.policy_id else "")
        context.update(
            form=form, policy_groups=_policy_groups(), selected_policy=selected,
            panel=_policy_panel(case, selected, form["actions"] if form.get("submitted") else None),
            escalation_targets=review.escalation_targets(case),
            lease_seconds_left=int((case.lease_expires_at - clock.now()).total_seconds()))
    if case.status == CaseStatus.RESOLVED:
        context["decisions"] = _resolved_decisions(case, outcome)
    return context


def _media_context(user, subject, *, revealed: bool = False) -> dict | None:
    if not has_media(subject.type):
        return None
    preference = user.media_preference
    return {"url": reverse("console:subject_media", args=[subject.type, subject.external_id]),
            "shape": shape_of(subject.type), "preference": preference,
            "preference_label": MediaPreference(preference).label,
            "hidden": preference != MediaPreference.CLEAR and not revealed}


def _page_context(request, case, **work) -> dict:
    user = request.user
    subject = case.subject
    account = account_of(subject)
    context = _work_context(request, case, **work)
    reports, signals = review.notices_shown_with(case)
    context.update(
        detail=case_detail(case, user, reports=reports, signals=signals,
                           due=review.shown_due_times([case]).get(case.pk)),
        subject=subject, account=account, media=_media_context(user, subject),
        history=_without_blind(user, review.account_history_shown_with(user, case, account)) if account else [],
        linked=subjects.linked_accounts(user, account) if account else [],
        account_visible=bool(account) and subjects.subjects_visible_to(user).filter(pk=account.pk).exists(),
        timeline=review.timeline_shown_for(case),
        exposure_today=(review.exposure_today_seconds(user) + _current_exposure(case, user)
                        if case.queue.severe_content else None))
    return context


def _without_blind(user, decisions: list) -> list:
    """Leave out the decisions the viewer is about to audit blind (quality/audits/blind.py)."""
    hidden = blind.hidden_decision_ids(user)
    return [d for d in decisions if d.pk not in hidden] if hidden else decisions


def _current_exposure(case, user) -> int:
    """Time with the case in hand, not yet recorded (exposure is written when the case is handed back)."""
    if _holds_lease(case, user) and case.claimed_at:
        return max(0, int((clock.now() - case.claimed_at).total_seconds()))
    return 0


def _render_work(request, case, *, status: int = 200, **work) -> HttpResponse:
    """The work panel for HTMX (with the owner's standing refreshed out of band), the whole page otherwise."""
    if _is_htmx(request):
        response = render(request, "console/_case_work.html", {
            **_work_context(request, case, **work), "refresh_standing": True,
            "timeline": review.timeline_shown_for(case)},
            status=status)
    else:
        response = render(request, "console/case.html", _page_context(request, case, **work), status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@console_page
def case_page(request, case_id: int):
    # An auditor about to audit a decision of this case blind must not read it here first.
    task = blind.open_blind_task_for_case(request.user, case_id)
    if task is not None:
        return redirect("console:qa_task", task_id=task.pk)
    case = casework.view_case(actor=request.user, case_id=case_id)
    return render(request, "console/case.html", _page_context(request, case))


@require_GET
@console_page
def policy_guidance(request, case_id: int):
    """The guidance and allowed actions of the policy chosen in the decision form."""
    case = review.get_case(request.user, case_id)
    return render(request, "console/_policy_guidance.html",
                  {"panel": _policy_panel(case, request.GET.get("policy")), "case": case})


def _version(post) -> int:
    try:
        return int(post.get("version", ""))
    except ValueError:
        raise Invalid("invalid_version", "The form lost track of the case version; reload the case.",
                      field="version")


@require_POST
@console_page
def decide(request, case_id: int):
    user = request.user
    form = _decision_form(request.POST)
    violation = form["verdict"] == Verdict.VIOLATION
    try:
        outcome = casework.decide(actor=user, case_id=case_id, version=_version(request.POST),
                        decision=casework.DecisionInput(
                            verdict=form["verdict"], rationale=form["rationale"],
                            policy=(form["policy"] or None) if violation else None,
                            actions=form["actions"] if violation else None))
    except (Conflict, Invalid) as error:
        case = review.get_case(user, case_id)
        return _render_work(request, case, form=form, error=error, status=error.status)
    # Shown from what `decide` answered, as the API does; a repeated submission is refused (lease lost).
    return _render_work(request, review.get_case(user, case_id), outcome=outcome)


def _go(request, url: str) -> HttpResponse:
    """Leave the case page: a plain redirect, or tell HTMX to navigate."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_POST
@console_page
def escalate(request, case_id: int):
    user = request.user
    form = _decision_form(request.POST)
    try:
        case = casework.escalate(actor=user, case_id=case_id, to_queue=form["to_queue"], reason=form["reason"])
    except (Conflict, Invalid) as error:
        case = review.get_case(user, case_id)
        if _is_htmx(request) and _holds_lease(case, user):
            # Only the escalation box changes: the rationale being typed in the decision form stays as it is.
            return render(request, "console/_escalation.html", {
                "case": case, "form": form, "error": error, "error_in": "escalation",
                "escalation_targets": review.escalation_targets(case)},
                status=error.status)
        return _render_work(request, case, form=form, error=error, error_in="escalation", status=error.status)
    messages.success(request, f"Case {case.pk} escalated to {case.queue.name}.")
    return _go(request, reverse("console:queues"))


@require_POST
@console_page
def skip(request, case_id: int):
    """Pass on the case (it is not offered to you again) and go straight on to the next one in its queue."""
    user = request.user
    try:
        case = casework.release(actor=user, case_id=case_id, skip=True)
    except Conflict as error:
        messages.error(request, CONSOLE_WORDING.get(error.code, error.message))
        return _go(request, reverse("console:case", args=[case_id]))
    messages.info(request, f"Skipped case {case.pk}; it went back to {case.queue.name} for someone else.")
    upcoming = None
    if review.may_work(user, case.queue):
        upcoming = casework.claim_next(actor=user, queue_key=case.queue.key)
    if upcoming is None:
        messages.info(request, f"Nothing else waiting in {case.queue.name}.")
        return _go(request, reverse("console:queues"))
    return _go(request, reverse("console:case", args=[upcoming.pk]))


@require_POST
@console_page
def release(request, case_id: int):
    try:
        case = casework.release(actor=request.user, case_id=case_id)
    except Conflict as error:
        messages.error(request, CONSOLE_WORDING.get(error.code, error.message))
        return _go(request, reverse("console:case", args=[case_id]))
    messages.info(request, f"Case {case.pk} went back to {case.queue.name}.")
    return _go(request, reverse("console:queues"))


@require_POST
@console_page
def renew(request, case_id: int):
    """Polled while the page is open. Renewing keeps the case version; if the version moved anyway, something
    else changed the case (a new report), and the page says so: the decision will be refused as stale."""
    user = request.user
    try:
        page_version = _version(request.POST)
        case = casework.renew(actor=user, case_id=case_id)
    except (Conflict, Invalid) as error:
        return render(request, "console/_lease.html",
                      {"lost": True, "wording": CONSOLE_WORDING.get(error.code, error.message),
                       "case": review.get_case(user, case_id)}, status=STOP_POLLING)
    return render(request, "console/_lease.html", {
        "case": case, "lease_seconds_left": int((case.lease_expires_at - clock.now()).total_seconds()),
        "renew_every": RENEW_EVERY_SECONDS, "changed": case.version != page_version})


@require_POST
@console_page
def reveal(request, case_id: int):
    case = casework.reveal_content(actor=request.user, case_id=case_id)
    if not _is_htmx(request):
        return render(request, "console/case.html",
                      {**_page_context(request, case), "media": _media_context(request.user, case.subject,
                                                                               revealed=True)})
    return render(request, "console/_media.html",
                  {"case": case, "media": _media_context(request.user, case.subject, revealed=True)})


@require_GET
@console_page
def subject_media(request, subject_type: str, external_id: str):
    """The subject's stand-in picture, for those who may see the subject (404 for anyone else)."""
    subject = subjects.get_subject(request.user, subject_type, external_id)
    if not has_media(subject.type):
        raise NotFound("no_media", "This subject has no media.")
    response = HttpResponse(placeholder_svg(subject.type, subject.external_id), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    patch_vary_headers(response, ("Cookie",))
    return response
