"""Staffing one interval of one queue for the API: the math in `staffing`, with its limits as domain errors."""
import math

from trustops.kernel.errors import Invalid
from trustops.workforce import staffing
from trustops.workforce.schemas import StaffingIn


def staff_interval(request: StaffingIn) -> dict:
    """The fewest agents meeting the target (or the measures of the given `agents`), and whom to schedule."""
    target = request.target
    common = {"volume": request.volume, "aht_seconds": request.aht_seconds,
              "interval_seconds": request.interval_seconds, "answer_seconds": target.answer_seconds or 0.0,
              "patience_seconds": request.patience_seconds}
    if request.volume > 0 and request.agents == 0:
        raise Invalid("invalid_field", "agents: at least one agent is needed when there is volume",
                      field="agents")
    try:
        if request.agents is not None:
            result = staffing.evaluate(request.agents, **common)
        else:
            result = staffing.solve(service_level=target.service_level,
                                    max_wait_probability=target.max_wait_probability,
                                    max_asa_seconds=target.max_asa_seconds, max_occupancy=request.max_occupancy,
                                    **common)
    except staffing.StaffingLimit as exc:
        raise Invalid("staffing_limit", f"{exc.field}: {exc} (the limit is {staffing.MAX_AGENTS:,} agents)",
                      field=exc.field) from exc
    agents = int(result.agents)
    scheduled = int(staffing.scheduled_agents(agents, request.shrinkage))
    if scheduled > staffing.MAX_AGENTS:
        raise Invalid("staffing_limit", f"shrinkage: scheduling {agents:,} agents on the floor needs more than "
                      f"{staffing.MAX_AGENTS:,}", field="shrinkage")
    asa = float(result.asa_seconds)
    return {"model": result.model, "agents": agents, "scheduled": scheduled, "load_erlangs": float(result.load),
            "service_level": float(result.service_level), "wait_probability": float(result.wait_probability),
            "asa_seconds": asa if math.isfinite(asa) else None, "occupancy": float(result.occupancy),
            "abandonment": float(result.abandonment)}
