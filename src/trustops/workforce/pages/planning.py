"""The staffing planner: forecasts with their WAPE and chart, a week's plan per half-hour, headcount per vendor,
and the allocation optimiser's explained answer."""
from collections import defaultdict
from datetime import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from trustops.identity import access
from trustops.kernel.errors import Invalid
from trustops.workforce.forecasts import selectors as forecasts
from trustops.workforce.forecasts import services as forecasting
from trustops.workforce.forecasts.chart import forecast_svg
from trustops.workforce.pages.common import errors_of, page, require, takes_training, uses_workforce
from trustops.workforce.plans import selectors, services
from trustops.workforce.plans.services import allocation


@page
def home(request):
    user = request.user
    require(uses_workforce(user))
    return render(request, "workforce/home.html", {
        "planner": access.reads_planning(user), "files": access.files_requirements(user) or access.plans_all(user),
        "training": takes_training(user) or access.manages_training(user) or access.reads_planning(user),
        "improvement": True})


def _daily(plan) -> list[dict]:
    days = defaultdict(lambda: {"volume": 0.0, "peak_agents": 0, "peak_scheduled": 0, "hours": 0.0})
    for row in plan.intervals:
        day = datetime.fromisoformat(row["at"]).date()
        d = days[day]
        d["volume"] += row["volume"]
        d["peak_agents"] = max(d["peak_agents"], row["agents"])
        d["peak_scheduled"] = max(d["peak_scheduled"], row["scheduled"])
        d["hours"] += row["scheduled"] * 0.5
    return [{"day": day, **values} for day, values in sorted(days.items())]


@page
def planner(request):
    user = request.user
    require(access.reads_planning(user))
    queues = list(forecasts.planning_queues(user))
    key = request.GET.get("queue") or (queues[0].key if queues else "")
    queue = next((q for q in queues if q.key == key), None)
    runs = forecasts.forecasts_visible_to(user).filter(queue=queue) if queue else forecasts.forecasts_visible_to(user)
    run = None
    if request.GET.get("forecast", "").isdigit():
        run = forecasts.get_forecast(user, int(request.GET["forecast"]))
    elif queue:
        run = runs.first()
    plans = selectors.plans_visible_to(user).filter(queue=queue) if queue else selectors.plans_visible_to(user)
    plan = None
    if request.GET.get("plan", "").isdigit():
        plan = selectors.get_plan(user, int(request.GET["plan"]))
    elif run is not None:
        plan = plans.filter(forecast=run).first()
    allocations = list(selectors.allocations_visible_to(user)[:5])
    return render(request, "workforce/planner.html", {
        "queues": queues, "queue": queue, "runs": list(runs[:10]), "run": run,
        "chart": forecast_svg(run) if run else "", "plan": plan, "plans": list(plans[:10]),
        "daily": _daily(plan) if plan else [], "vendor_rows": selectors.vendor_rows(user, plan) if plan else [],
        "acts": access.acts_on_planning(user), "allocations": allocations,
        "allocation": allocations[0] if allocations else None})


def _back(queue_key: str, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"queue": queue_key, **extra}.items())
    return f"{reverse('workforce_planning:planner')}?{query}"


def _float(value, default=None):
    try:
        return float(value) if value not in (None, "") else default
    except ValueError as exc:
        raise Invalid("invalid_field", f"not a number: {value!r}") from exc


@require_POST
@page
def run_forecast(request):
    key = request.POST.get("queue", "")[:64]
    try:
        horizon = int(request.POST.get("horizon") or 336)
        run = forecasting.run_forecast(actor=request.user, queue_key=key, horizon_intervals=horizon)
    except (Invalid, ValueError) as exc:
        for problem in errors_of(exc) if isinstance(exc, Invalid) else [str(exc)]:
            messages.error(request, problem)
        return redirect(_back(key))
    messages.success(request, f"Forecast {run.pk}: {run.get_model_display()}"
                              + (f", WAPE {run.wape:.1%}" if run.wape is not None else ""))
    return redirect(_back(key, forecast=run.pk))


@require_POST
@page
def build_plan(request):
    key = request.POST.get("queue", "")[:64]
    try:
        forecast_id = int(request.POST["forecast"]) if request.POST.get("forecast", "").isdigit() else None
        plan = services.build_plan(
            actor=request.user, queue_key=key, forecast_id=forecast_id,
            aht_seconds=_float(request.POST.get("aht_seconds")), shrinkage=_float(request.POST.get("shrinkage"), 0.3),
            max_occupancy=_float(request.POST.get("max_occupancy"), 0.85),
            volume_basis=request.POST.get("volume_basis", "mean")[:12])
    except Invalid as exc:
        for problem in errors_of(exc):
            messages.error(request, problem)
        return redirect(_back(key))
    messages.success(request, f"Staffing plan {plan.pk} built.")
    return redirect(_back(key, forecast=plan.forecast_id, plan=plan.pk))


@require_POST
@page
def allocate(request):
    keys = [k[:64] for k in request.POST.getlist("queues")][:20]
    try:
        run = allocation.allocate(actor=request.user, queue_keys=keys,
                                  intervals=int(request.POST.get("intervals") or 48),
                                  exposure_cap=_float(request.POST.get("exposure_cap"), 0.5))
    except (Invalid, ValueError) as exc:
        for problem in errors_of(exc) if isinstance(exc, Invalid) else [str(exc)]:
            messages.error(request, problem)
        return redirect(reverse("workforce_planning:planner"))
    messages.success(request, f"Allocation {run.pk}: {run.status}.")
    return redirect(_back(keys[0] if keys else ""))
