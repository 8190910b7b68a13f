"""The risk workspace in the console: rules with their figures, the rule editor with inline validation and
backtests, and monitors. Reads go through `risk.selectors`, writes through the services."""
import json
from datetime import timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import DomainError, Forbidden, NotFound
from trustops.risk import charts, selectors
from trustops.risk.backtests import services as backtests
from trustops.risk.models import BreakerTrip
from trustops.risk.monitors import services as monitors
from trustops.risk.outcomes import services as outcomes
from trustops.risk.rules import definition
from trustops.risk.rules import services as rules

EXAMPLE = {"on": "login_failed", "features": json.dumps([{"name": "fails_10m", "kind": "count",
                                                          "event": "login_failed", "by": "actor",
                                                          "window_seconds": 600}], indent=2),
           "when": "features.fails_10m >= 5",
           "outcome": json.dumps({"open_case": {"queue": "integrity", "policy": "scams.phishing"}}, indent=2)}


def risk_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            if not access.reads_risk(request.user):
                raise NotFound()
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "console/not_found.html", status=404)
        except Forbidden as error:
            return render(request, "console/forbidden.html", {"error": error}, status=403)
    return login_required(wrapper)


def _draft(post) -> dict:
    """The editor's fields as the rule contract has them; JSON that does not parse is named by its field."""
    out = {"on": [k.strip() for k in post.get("on", "").split(",") if k.strip()], "when": post.get("when", "")}
    for name in ("features", "outcome"):
        try:
            out[name] = json.loads(post.get(name) or ("[]" if name == "features" else "{}"))
        except ValueError as error:
            raise DomainError("invalid_json", f"{name} is not JSON: {error}", field=name) from None
    return out


@risk_page
def workspace(request):
    return render(request, "risk/workspace.html", {
        "rules": selectors.rules(request.user), "writes": access.writes_risk(request.user),
        "trips": BreakerTrip.objects.filter(reset_at__isnull=True).order_by("-tripped_at"),
        "labels": selectors.labels(request.user, limit=20), "alerts": selectors.alerts(request.user, limit=10)})


@risk_page
def editor(request, key: str | None = None):
    form = dict(EXAMPLE, key="", name="", mode="shadow")
    detail = None
    if key:
        detail = selectors.rule(request.user, key)
        form = {"key": key, "name": detail["name"], "on": ", ".join(detail["on"]), "mode": detail["mode"],
                "features": json.dumps(detail["features"], indent=2), "when": detail["when"],
                "outcome": json.dumps(detail["outcome"], indent=2)}
        detail["recent_hits"] = [selectors.hit_body(h) for h in selectors.hits(request.user, key, limit=20)]
    return render(request, "risk/editor.html", {"form": form, "detail": detail,
                                                "writes": access.writes_risk(request.user)})


@require_POST
@risk_page
def validate(request):
    try:
        draft = _draft(request.POST)
        parsed = definition.parse(**draft)
        result = {"valid": True, "dry_run": backtests.dry_run(parsed)}
    except DomainError as error:
        result = {"valid": False, "error": error}
    return render(request, "risk/_validation.html", result)


@require_POST
@risk_page
def save(request):
    post = request.POST
    try:
        body = rules.save_rule(actor=request.user, key=post.get("key", "").strip(), name=post.get("name", "").strip()
                               or post.get("key", ""), mode=post.get("mode", "shadow"),
                               publish=post.get("publish") != "draft", **_draft(post))
    except Forbidden:
        raise
    except DomainError as error:
        form = {k: post.get(k, "") for k in ("key", "name", "on", "features", "when", "outcome", "mode")}
        return render(request, "risk/editor.html", {"form": form, "error": error, "writes": True}, status=422)
    return redirect("risk:rule", key=body["key"])


@require_POST
@risk_page
def backtest(request):
    days = min(max(int(request.POST.get("days") or 7) if str(request.POST.get("days", "7")).isdigit() else 7, 1), 92)
    end = clock.now()
    try:
        result = backtests.backtest(actor=request.user, start=end - timedelta(days=days), end=end,
                                    exclude_rule=request.POST.get("key", ""), **_draft(request.POST))
    except DomainError as error:
        return render(request, "risk/_validation.html", {"valid": False, "error": error})
    chart = charts.hits_per_day(result["per_day"]) if result["per_day"] else ""
    return render(request, "risk/_backtest.html", {"result": result, "chart": chart, "days": days})


@require_POST
@risk_page
def change_mode(request, key: str):
    action = request.POST.get("mode", "")
    if action == "retire":
        rules.retire(actor=request.user, key=key)
    else:
        try:
            rules.set_mode(actor=request.user, key=key, mode=action, reason=request.POST.get("reason", ""))
        except DomainError as error:
            if isinstance(error, Forbidden):
                raise
    return redirect("risk:rule", key=key)


@require_POST
@risk_page
def reverse_action(request, key: str, hit_id: int):
    """Undo the automatic action a hit took; a hit the person may not see is a 404."""
    try:
        outcomes.reverse_action(actor=request.user, hit_id=hit_id, reason=request.POST.get("reason", "")[:200]
                                or "reversed in the console")
    except DomainError as error:
        if isinstance(error, (Forbidden, NotFound)):
            raise
    return redirect("risk:rule", key=key)


@risk_page
def monitor_list(request):
    shown = []
    for monitor in selectors.monitors(request.user):
        series = monitors.series(monitor, hours=7 * 24)
        shown.append({"monitor": monitor, "chart": charts.monitor_series(
            series["hours"], series["observed"], series["expected"], series["alerts"]) if series["hours"] else ""})
    return render(request, "risk/monitors.html", {"monitors": shown, "alerts": selectors.alerts(request.user)})
