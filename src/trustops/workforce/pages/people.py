"""Requirements (form and approvals), training (quizzes, certifications, taking a quiz) and improvement plans."""
from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustops.identity import access
from trustops.identity.models import Vendor
from trustops.kernel.errors import Conflict, Forbidden, Invalid
from trustops.policies.models import Policy
from trustops.review.models import Queue
from trustops.workforce.improvement import selectors as improvement
from trustops.workforce.improvement import services as improving
from trustops.workforce.improvement.models import ActionKind, Metric, PlanStatus
from trustops.workforce.pages.common import errors_of, page, require, takes_training, uses_workforce
from trustops.workforce.requirements import selectors as requirements
from trustops.workforce.requirements import services as requiring
from trustops.workforce.training import selectors as training
from trustops.workforce.training import services as teaching

FAILURES = (Invalid, Conflict, Forbidden, ValueError)


def _flash(request, exc) -> None:
    for problem in errors_of(exc) if isinstance(exc, Invalid) else [getattr(exc, "message", str(exc))]:
        messages.error(request, problem)


def _number(value, cast=float, default=None):
    return cast(value) if value not in (None, "") else default


# ---- requirements -----------------------------------------------------------------------------------------

@page
def requirement_list(request):
    user = request.user
    require(access.files_requirements(user) or access.plans_all(user))
    rows = requirements.requirements_visible_to(user).prefetch_related("queues")[:100]
    return render(request, "workforce/requirements.html", {
        "requirements": rows, "queues": Queue.objects.filter(active=True).order_by("key"),
        "files": access.files_requirements(user), "approves": access.acts_on_planning(user),
        "addenda": requirements.addenda_visible_to(user)[:50]})


@require_POST
@page
def file_requirement(request):
    p = request.POST
    try:
        data = requiring.RequirementInput(
            title=p.get("title", "")[:200], queues=[q[:64] for q in p.getlist("queues")][:20],
            daily_volume=_number(p.get("daily_volume")), aht_seconds=_number(p.get("aht_seconds"), default=0.0),
            sla_seconds=_number(p.get("sla_seconds"), int, 0), service_level=_number(p.get("service_level"),
                                                                                     default=0.9),
            shrinkage=_number(p.get("shrinkage"), default=0.3),
            languages=tuple(x.strip()[:40] for x in p.get("languages", "").split(",") if x.strip())[:20],
            skills=tuple(x.strip()[:40] for x in p.get("skills", "").split(",") if x.strip())[:20],
            starts_on=date.fromisoformat(p.get("starts_on", "")), duration_days=_number(p.get("duration_days"), int, 0))
        requirement = requiring.file_requirement(actor=request.user, data=data)
    except FAILURES as exc:
        _flash(request, exc)
        return redirect(reverse("workforce_planning:requirements"))
    messages.success(request, f"Requirement {requirement.pk} filed: {requirement.headcount} FTE proposed.")
    return redirect(reverse("workforce_planning:requirements"))


@require_POST
@page
def decide_requirement(request, requirement_id: int):
    try:
        if request.POST.get("decision") == "approve":
            requiring.approve(actor=request.user, requirement_id=requirement_id, note=request.POST.get("note", ""))
            messages.success(request, f"Requirement {requirement_id} approved: the vendors are assigned.")
        else:
            requiring.reject(actor=request.user, requirement_id=requirement_id, note=request.POST.get("note", ""))
            messages.success(request, f"Requirement {requirement_id} rejected.")
    except FAILURES as exc:
        _flash(request, exc)
    return redirect(reverse("workforce_planning:requirements"))


# ---- training ---------------------------------------------------------------------------------------------

@page
def training_page(request):
    user = request.user
    require(takes_training(user) or access.manages_training(user) or access.reads_planning(user))
    certifications = list(training.certifications_visible_to(user)[:500])
    manages = access.manages_training(user)
    return render(request, "workforce/training.html", {
        "quizzes": training.quizzes_visible_to(user).filter(active=True)[:100],
        "certifications": [{"c": c, "current": training.is_current(c)} for c in certifications],
        "attempts": training.attempts_visible_to(user)[:20], "manages": manages,
        "takes": takes_training(user),
        "queues": Queue.objects.filter(active=True).order_by("key") if manages else [],
        "sops": training.sops_visible_to(user).select_related("queue").order_by("queue__key", "-version")[:100]
        if manages else [],
        "policies": Policy.objects.order_by("code").values_list("code", flat=True) if manages else []})


@require_POST
@page
def training_action(request):
    p, user = request.POST, request.user
    try:
        action = p.get("action")
        if action == "sop":
            sop = teaching.publish_sop(actor=user, queue_key=p.get("queue", "")[:64], title=p.get("title", "")[:200],
                                       body=p.get("body", "")[:100_000], policy_code=p.get("policy") or None)
            messages.success(request, f"SOP {sop.queue.key} v{sop.version} published.")
        elif action == "quiz":
            quiz = teaching.create_quiz(actor=user, sop_id=_number(p.get("sop"), int, 0), title=p.get("title", ""),
                                        pass_mark=_number(p.get("pass_mark"), default=0.8),
                                        questions=_number(p.get("questions"), int, 10))
            messages.success(request, f"Quiz {quiz.pk} created with {quiz.questions.count()} questions.")
        elif action == "gate":
            queue = teaching.set_requires_certification(actor=user, queue_key=p.get("queue", "")[:64],
                                                        required=p.get("required") == "1")
            messages.success(request, f"{queue.key}: certification {'required' if queue.requires_certification else 'not required'}.")
        else:
            raise Invalid("invalid_field", "unknown action")
    except FAILURES as exc:
        _flash(request, exc)
    return redirect(reverse("workforce_planning:training"))


@page
def quiz_page(request, quiz_id: int):
    quiz = training.get_quiz(request.user, quiz_id)
    if request.method == "POST":
        answers = []
        for question in quiz.questions.all():
            verdict = request.POST.get(f"verdict-{question.position}", "")
            answers.append(teaching.Answer(position=question.position, verdict=verdict[:16],
                                           policy=(request.POST.get(f"policy-{question.position}") or None)))
        try:
            attempt = teaching.submit_attempt(actor=request.user, quiz_id=quiz.pk, answers=answers)
        except FAILURES as exc:
            _flash(request, exc)
            return redirect(reverse("workforce_planning:quiz", args=[quiz.pk]))
        if attempt.passed:
            messages.success(request, f"Passed ({attempt.correct}/{len(answers)}): certified on {quiz.queue.name}.")
        else:
            messages.error(request, f"Not passed ({attempt.correct}/{len(answers)}); the pass mark is "
                                    f"{quiz.pass_mark:.0%}.")
        return redirect(reverse("workforce_planning:training"))
    return render(request, "workforce/quiz.html", {
        "quiz": quiz, "questions": teaching.questions_of(quiz),
        "policies": Policy.objects.order_by("code").values_list("code", flat=True)})


# ---- improvement plans ------------------------------------------------------------------------------------

@page
def improvement_page(request):
    user = request.user
    require(uses_workforce(user) or improvement.plans_visible_to(user).exists())
    plans = list(improvement.plans_visible_to(user)[:200])
    return render(request, "workforce/improvement.html", {
        "plans": [{"p": p, "overdue": improvement.is_overdue(p),
                   "moves": sorted(improving.MOVES.get(p.status, ())),
                   "may_move": p.owner_id == user.pk or access.manages_training(user)} for p in plans],
        "opens": access.manages_training(user), "kinds": ActionKind.choices, "metrics": Metric.choices,
        "vendors": Vendor.objects.order_by("name") if access.manages_training(user) else [],
        "queues": Queue.objects.filter(active=True).order_by("key") if access.manages_training(user) else [],
        "statuses": PlanStatus})


@require_POST
@page
def improvement_action(request):
    p = request.POST
    try:
        if p.get("action") == "move":
            improving.move_plan(actor=request.user, plan_id=_number(p.get("plan"), int, 0),
                                status=p.get("status", "")[:12], note=p.get("note", "")[:500])
            messages.success(request, "Improvement plan moved.")
        else:
            plan = improving.open_plan(actor=request.user, data=improving.PlanInput(
                title=p.get("title", "")[:200], kind=p.get("kind", "")[:12], owner=p.get("owner", "")[:150],
                due_on=date.fromisoformat(p.get("due_on", "")), metric=p.get("metric", "")[:16],
                vendor=p.get("vendor") or None, queue=p.get("queue") or None,
                rca_id=_number(p.get("rca_id"), int), baseline=_number(p.get("baseline")),
                target=_number(p.get("target")), description=p.get("description", "")[:10_000]))
            messages.success(request, f"Improvement plan {plan.pk} opened.")
    except FAILURES as exc:
        _flash(request, exc)
    return redirect(reverse("workforce_planning:improvement"))
