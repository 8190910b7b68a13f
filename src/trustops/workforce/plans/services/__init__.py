"""A week's staffing plan for a queue from its forecast: agents per half-hour (staffing.py), scheduled agents
after shrinkage, and the headcount per vendor that implies (split by the vendors' offers)."""
import math
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.db.models import Avg

from trustops.kernel import clock
from trustops.kernel.errors import Invalid
from trustops.ledger import services as ledger
from trustops.review.models import Decision
from trustops.workforce import staffing, supply
from trustops.workforce.forecasts import selectors as forecasts
from trustops.workforce.forecasts.services import require_planner
from trustops.workforce.plans.models import StaffingPlan

WEEK = 336
DEFAULT_AHT_SECONDS = 300.0
DEFAULT_SERVICE_LEVEL = 0.9
FTE_HOURS = 40.0
BASES = ("mean", "upper", "upper_95")


def measured_aht(queue, *, since) -> float | None:
    value = (Decision.objects.filter(queue=queue, decided_at__gte=since, handle_seconds__isnull=False)
             .aggregate(aht=Avg("handle_seconds"))["aht"])
    return float(value) if value else None


def default_target(queue) -> dict:
    """The queue's SLA as a staffing target: 90% of cases picked up within the SLA time."""
    return {"service_level": DEFAULT_SERVICE_LEVEL, "answer_seconds": float(queue.sla_seconds)}


def _check(shrinkage: float, max_occupancy: float, aht: float, basis: str) -> None:
    if not 0 <= shrinkage < 1:
        raise Invalid("invalid_field", "shrinkage: from 0 up to (not including) 1", field="shrinkage")
    if not 0 < max_occupancy <= 1:
        raise Invalid("invalid_field", "max_occupancy: above 0, at most 1", field="max_occupancy")
    if not 0 < aht <= 24 * 3600:
        raise Invalid("invalid_field", "aht_seconds: above 0, at most a day", field="aht_seconds")
    if basis not in BASES:
        raise Invalid("invalid_field", f"volume_basis: one of {', '.join(BASES)}", field="volume_basis")


def staff_intervals(volumes, *, aht: float, target: dict, max_occupancy: float, shrinkage: float):
    """(agents, scheduled, measures) per interval; StaffingLimit becomes a 422."""
    try:
        result = staffing.solve(np.asarray(volumes, dtype=float), aht, 1800.0,
                                service_level=target.get("service_level"),
                                answer_seconds=target.get("answer_seconds") or 0.0,
                                max_wait_probability=target.get("max_wait_probability"),
                                max_asa_seconds=target.get("max_asa_seconds"), max_occupancy=max_occupancy)
    except staffing.StaffingLimit as exc:
        raise Invalid("staffing_limit", f"{exc.field}: {exc}", field=exc.field) from exc
    return result.agents, staffing.scheduled_agents(result.agents, shrinkage), result


def vendor_split(offers, queue_key: str, scheduled) -> list[dict]:
    """Shares by stated capacity (max agents) when every vendor states one, else equal; in-house when no vendor
    works the queue. Fractional FTE: rounding happens when rostering, not here."""
    mine = [o for o in offers if o.queue_key == queue_key]
    scheduled = np.asarray(scheduled, dtype=float)
    if not mine:
        rows = [(None, "In-house", 1.0)]
    elif all(o.max_agents for o in mine):
        total = sum(o.max_agents for o in mine)
        rows = [(o.vendor_id, o.vendor_name, o.max_agents / total) for o in mine]
    else:
        rows = [(o.vendor_id, o.vendor_name, 1 / len(mine)) for o in mine]
    out = []
    for vendor_id, name, share in rows:
        hours = float(scheduled.sum() * share * 0.5)
        out.append({"vendor_id": vendor_id, "vendor": name, "share": round(share, 4),
                    "peak_scheduled": int(math.ceil(float(scheduled.max(initial=0)) * share - 1e-9)),
                    "scheduled_hours": round(hours, 1), "fte": round(hours / FTE_HOURS, 2)})
    return out


@transaction.atomic
def build_plan(*, actor, queue_key: str, forecast_id: int | None = None, aht_seconds: float | None = None,
               target: dict | None = None, shrinkage: float = 0.3, max_occupancy: float = 0.85,
               volume_basis: str = "mean") -> StaffingPlan:
    require_planner(actor)
    queue = forecasts.get_planning_queue(actor, queue_key)
    runs = forecasts.forecasts_visible_to(actor).filter(queue=queue)
    run = runs.filter(pk=forecast_id).first() if forecast_id else runs.first()
    if run is None:
        raise Invalid("no_forecast", f"No forecast {'#%d ' % forecast_id if forecast_id else ''}for queue "
                                     f"{queue_key!r}: run one first.", field="forecast_id")
    now = clock.now()
    aht = float(aht_seconds or measured_aht(queue, since=now - timedelta(weeks=4)) or DEFAULT_AHT_SECONDS)
    target = target or default_target(queue)
    _check(shrinkage, max_occupancy, aht, volume_basis)
    volumes = np.asarray(getattr(run, volume_basis)[:WEEK], dtype=float)
    agents, scheduled, measures = staff_intervals(volumes, aht=aht, target=target, max_occupancy=max_occupancy,
                                                  shrinkage=shrinkage)
    starts = forecasts.interval_starts(run)[:WEEK]
    intervals = [{"at": at.isoformat(), "volume": round(float(v), 2), "agents": int(a), "scheduled": int(s),
                  "service_level": round(float(sl), 4), "occupancy": round(float(occ), 4)}
                 for at, v, a, s, sl, occ in zip(starts, volumes, agents, scheduled, measures.service_level,
                                                 measures.occupancy)]
    offers = supply.offers_for([queue.key], run.starts_at.date())
    plan = StaffingPlan.objects.create(
        queue=queue, forecast=run, starts_at=run.starts_at, aht_seconds=aht, target=target,
        max_occupancy=max_occupancy, shrinkage=shrinkage, volume_basis=volume_basis, intervals=intervals,
        vendor_headcount=vendor_split(offers, queue.key, scheduled),
        created_by=actor if getattr(actor, "pk", None) else None, created_at=now)
    ledger.record("workforce.staffing_plan_built", actor=actor, payload={
        "plan": plan.pk, "queue": queue.key, "forecast": run.pk, "peak_scheduled": int(scheduled.max(initial=0)),
        "vendors": [row["vendor"] for row in plan.vendor_headcount]})
    return plan
