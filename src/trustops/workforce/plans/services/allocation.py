"""Allocating queues' forecast work across vendors with the optimiser: needs per scenario from the forecasts
(staffing.py at each quantile), terms from the vendors' offers (`supply.offers_for`), the answer stored."""
from datetime import timedelta

import numpy as np
from django.db import transaction

from trustops.kernel import clock
from trustops.kernel.errors import Invalid
from trustops.ledger import services as ledger
from trustops.workforce import supply
from trustops.workforce.forecasts import selectors as forecasts
from trustops.workforce.forecasts.services import require_planner
from trustops.workforce.plans import optimiser, services
from trustops.workforce.plans.models import AllocationRun

# The forecast's quantiles as scenarios, each with the probability of the band it stands for: 10% for
# [0, 0.3), the median for [0.3, 0.7), 90% for [0.7, 0.95), 97.5% for [0.95, 1].
SCENARIOS = {"lower": 0.3, "mean": 0.4, "upper": 0.25, "upper_95": 0.05}
LEGAL_SCENARIO = "upper_95"
LEGAL_CLOCK_SECONDS = 3600        # queues whose SLA is this short run on a legal clock
MAX_INTERVALS = 96


def _price(offer, decisions_per_agent: float) -> tuple[float, str]:
    if offer.price_per_hour is not None:
        return float(offer.price_per_hour) * 0.5, "per productive hour"
    if offer.price_per_decision is not None:
        return float(offer.price_per_decision) * decisions_per_agent, "per decision"
    return 1.0, "unpriced (each agent-interval counts 1)"


@transaction.atomic
def allocate(*, actor, queue_keys: list[str], intervals: int = 48, shrinkage: float = 0.3,
             max_occupancy: float = 0.85, credit_per_agent_interval: float = 50.0, error_cost: float = 5.0,
             exposure_cap: float = 0.5, aht_seconds: dict | None = None) -> AllocationRun:
    require_planner(actor)
    if not 1 <= intervals <= MAX_INTERVALS:
        raise Invalid("invalid_field", f"intervals: 1 to {MAX_INTERVALS}", field="intervals")
    if not queue_keys or len(set(queue_keys)) != len(queue_keys):
        raise Invalid("invalid_field", "queues: one or more, each once", field="queues")
    if not 0 < exposure_cap <= 1:
        raise Invalid("invalid_field", "exposure_cap: above 0, at most 1", field="exposure_cap")
    now = clock.now()
    needs, queues, terms_in = [], [], []
    offers = supply.offers_for(list(queue_keys), now.date())
    for key in queue_keys:
        queue = forecasts.get_planning_queue(actor, key)
        run = forecasts.forecasts_visible_to(actor).filter(queue=queue).first()
        if run is None:
            raise Invalid("no_forecast", f"No forecast for queue {key!r}: run one first.", field="queues")
        aht = float((aht_seconds or {}).get(key) or services.measured_aht(queue, since=now - timedelta(weeks=4))
                    or services.DEFAULT_AHT_SECONDS)
        services._check(shrinkage, max_occupancy, aht, "mean")
        target = services.default_target(queue)
        need = {}
        for name in SCENARIOS:
            volumes = np.asarray(getattr(run, name)[:intervals], dtype=float)
            _, scheduled, _ = services.staff_intervals(volumes, aht=aht, target=target,
                                                       max_occupancy=max_occupancy, shrinkage=shrinkage)
            need[name] = scheduled.astype(float).tolist()
        per_agent = 1800.0 * max_occupancy * (1 - shrinkage) / aht
        queues.append(queue)
        span = len(need["mean"])
        needs.append(optimiser.QueueNeed(
            key=key, need=need, decisions_per_agent=[per_agent] * span, credit=credit_per_agent_interval,
            error_cost=error_cost, legal=LEGAL_SCENARIO if queue.sla_seconds <= LEGAL_CLOCK_SECONDS else None,
            severe=queue.severe_content))
        terms_in.append((key, per_agent))
    if len({len(q.need["mean"]) for q in needs}) != 1:
        raise Invalid("invalid_field", "queues: their forecasts cover different spans", field="queues")
    vendors, pricing = {}, {}
    for offer in offers:
        per_agent = dict(terms_in)[offer.queue_key]
        price, basis = _price(offer, per_agent)
        entry = vendors.setdefault(offer.vendor_id, {"key": offer.vendor_name, "price": {}, "accuracy": {},
                                                     "languages": set(), "skills": set(), "min": 0, "max": None})
        entry["price"][offer.queue_key] = price
        if offer.accuracy_lower is not None:
            entry["accuracy"][offer.queue_key] = offer.accuracy_lower
        entry["languages"] |= set(offer.languages)
        entry["skills"] |= set(offer.skills)
        entry["min"] = max(entry["min"], offer.min_agents)
        if offer.max_agents is not None:
            entry["max"] = offer.max_agents if entry["max"] is None else max(entry["max"], offer.max_agents)
        pricing[f"{offer.vendor_name} / {offer.queue_key}"] = basis
    if not vendors:
        raise Invalid("no_vendor", "No vendor works these queues: assign vendors first.", field="queues")
    problem = optimiser.Problem(
        vendors=[optimiser.VendorTerms(key=e["key"], price=e["price"], accuracy=e["accuracy"],
                                       languages=frozenset(e["languages"]), skills=frozenset(e["skills"]),
                                       min_agents=e["min"], max_agents=e["max"]) for e in vendors.values()],
        queues=needs, scenarios=SCENARIOS, exposure_cap=exposure_cap, base="mean")
    try:
        result = optimiser.solve(problem)
    except ValueError as exc:
        raise Invalid("invalid_allocation", str(exc)) from exc
    result["pricing"] = pricing
    inputs = {"queues": list(queue_keys), "intervals": intervals, "shrinkage": shrinkage,
              "max_occupancy": max_occupancy, "credit_per_agent_interval": credit_per_agent_interval,
              "error_cost": error_cost, "exposure_cap": exposure_cap, "scenarios": SCENARIOS,
              "starts_at": forecasts.forecasts_visible_to(actor).filter(queue=queues[0]).first().starts_at.isoformat()}
    run = AllocationRun.objects.create(inputs=inputs, status=result["status"], objective=result.get("objective"),
                                       result=result, created_by=actor if getattr(actor, "pk", None) else None,
                                       created_at=now)
    run.queues.set(queues)
    ledger.record("workforce.allocation_solved", actor=actor, payload={
        "allocation": run.pk, "queues": list(queue_keys), "status": run.status, "objective": run.objective})
    return run
