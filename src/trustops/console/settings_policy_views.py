"""Settings: the policy taxonomy (a change publishes a new version) and the penalty ladders per family.

For admins and policy managers, through the policies services, like `trustops config apply`. A decision keeps the
version it cited; the new version is what reviewers read and cite from now on.
"""
from django.contrib import messages
from django.shortcuts import redirect, render

from trustops.console.settings_views import _configurer
from trustops.console.views import console_page
from trustops.kernel.errors import DomainError, Invalid, NotFound
from trustops.policies import services as policies
from trustops.policies.actions import ACTIONS, SEVERITIES
from trustops.policies.models import PenaltyLadder, Policy
from trustops.policies.selectors import ladder_for, versions_of

LADDER_STEP_ROWS = 6


@console_page
def policy_list(request):
    _configurer(request)
    family = request.GET.get("family", "").strip()
    rows = Policy.objects.select_related("current_version").order_by("code")
    if family:
        rows = rows.filter(code__startswith=family)
    return render(request, "console/settings_policies.html", {
        "policies": rows, "family": family, "families": policies.ladder_families()[1:], "severities": SEVERITIES})


def _int(request, name: str, *, low: int, high: int) -> int:
    value = request.POST.get(name, "").strip()
    try:
        number = int(value)
    except ValueError:
        raise Invalid("invalid_number", f"{name.replace('_', ' ')} is a whole number.", field=name) from None
    if not low <= number <= high:
        raise Invalid("invalid_number", f"{name.replace('_', ' ')} is between {low} and {high}.", field=name)
    return number


def _policy_changes(request, current) -> dict:
    title = request.POST.get("title", "").strip()
    if not title or len(title) > 200:
        raise Invalid("invalid_title", "A title of 1–200 characters.", field="title")
    guidance = request.POST.get("guidance", "").replace("\r\n", "\n").strip()
    if len(guidance) > 20_000:
        raise Invalid("guidance_too_long", "Guidance is at most 20,000 characters.", field="guidance")
    return {"title": title, "guidance": guidance, "severity": _int(request, "severity", low=1, high=5),
            "strike_weight": _int(request, "strike_weight", low=0, high=100),
            "allowed_actions": _actions(request, current),
            "active": request.POST.get("active") == "on"}


def _actions(request, current) -> list[str]:
    """The ticked actions; the same set as before keeps the stored order (so it is not a change)."""
    ticked = set(request.POST.getlist("allowed_actions"))
    if ticked == set(current.allowed_actions):
        return list(current.allowed_actions)
    return [action for action in ACTIONS if action in ticked] + sorted(ticked - set(ACTIONS))


@console_page
def policy_page(request, code: str):
    user = _configurer(request)
    policy = Policy.objects.select_related("current_version").filter(code=code).first()
    if policy is None or policy.current_version is None:
        raise NotFound("unknown_policy", f"No policy {code!r}.")
    error = None
    if request.method == "POST":
        note = request.POST.get("note", "").strip()[:300]
        try:
            before = policy.current_version_id
            version = policies.revise_policy(code=code, changes=_policy_changes(request, policy.current_version), actor=user,
                                             note=note or "revised in the console")
        except DomainError as refused:
            error = refused
        else:
            if version.pk == before:
                messages.info(request, f"Nothing changed: {code} stays at version {version.number}.")
            else:
                messages.success(request, f"{code} version {version.number} published.")
            return redirect("console:settings_policy", code=code)
    current = policy.current_version
    return render(request, "console/settings_policy.html", {
        "policy": policy, "current": current, "versions": versions_of(code).select_related("created_by"),
        "actions": ACTIONS, "severities": SEVERITIES, "error": error,
        "form": request.POST if error else None}, status=error.status if error else 200)


@console_page
def ladder_list(request):
    _configurer(request)
    configured = {ladder.family: ladder for ladder in PenaltyLadder.objects.all()}
    rows = [{"family": family, "ladder": configured.get(family), "used": ladder_for(f"{family}.x")
             if family != "*" else configured.get("*") or ladder_for("*")}
            for family in policies.ladder_families()]
    return render(request, "console/settings_ladders.html", {"rows": rows})


def _ladder_form(request) -> dict:
    points = {str(severity): _int(request, f"points_{severity}", low=0, high=100) for severity in SEVERITIES}
    steps = []
    for row in range(LADDER_STEP_ROWS):
        at, action = request.POST.get(f"step_{row}_at", "").strip(), request.POST.get(f"step_{row}_action", "")
        if not at and not action:
            continue
        step = {"at": _int(request, f"step_{row}_at", low=1, high=10_000), "action": action}
        if request.POST.get(f"step_{row}_days", "").strip():
            step["days"] = _int(request, f"step_{row}_days", low=1, high=3650)
        steps.append(step)
    return {"strike_expiry_days": _int(request, "strike_expiry_days", low=1, high=3650),
            "severity_points": points, "steps": steps}


@console_page
def ladder_page(request, family: str):
    user = _configurer(request)
    if family not in policies.ladder_families():
        raise NotFound("unknown_family", f"No policy family {family!r}.")
    ladder = PenaltyLadder.objects.filter(family=family).first()
    error = None
    if request.method == "POST":
        try:
            policies.save_ladder(family=family, actor=user, **_ladder_form(request))
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, f"Ladder {family} saved. It applies to decisions from now on.")
            return redirect("console:settings_ladders")
    shown = ladder or (ladder_for(f"{family}.x") if family != "*" else ladder_for("*"))
    steps = list(shown.steps) + [{}] * max(0, LADDER_STEP_ROWS - len(shown.steps))
    return render(request, "console/settings_ladder.html", {
        "family": family, "ladder": ladder, "shown": shown, "steps": list(enumerate(steps[:LADDER_STEP_ROWS])),
        "points": [(severity, name, shown.severity_points.get(str(severity), 1)) for severity, name in
                   SEVERITIES.items()],
        "ladder_actions": sorted(policies.LADDER_ACTIONS), "error": error}, status=error.status if error else 200)
