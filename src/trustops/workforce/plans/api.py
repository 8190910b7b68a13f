"""The planning API: forecasts, staffing plans and allocation runs."""
from datetime import datetime
from typing import Annotated

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id, Moment
from trustops.workforce.forecasts import selectors as forecast_selectors
from trustops.workforce.forecasts import services as forecast_services
from trustops.workforce.plans import selectors, services
from trustops.workforce.plans.services import allocation
from trustops.workforce.schemas import StaffingTarget

router = Router(tags=["workforce planning"])


class ForecastIn(Schema):
    queue: str = Field(max_length=64)
    horizon: int = Field(default=336, ge=1, le=forecast_services.MAX_HORIZON,
                         description="Half-hour intervals ahead (336: a week)")
    history_weeks: int = Field(default=6, ge=1, le=forecast_services.MAX_HISTORY_WEEKS)
    starts_at: Moment | None = None


class ForecastOut(Schema):
    id: int
    queue: str
    model: str
    fallback_reason: str
    interval_seconds: int
    starts_at: datetime
    horizon: int
    history_intervals: int
    history_volume: int
    wape: float | None
    mean: list[float]
    lower: list[float]
    upper: list[float]
    upper_95: list[float]
    created_at: datetime


def forecast_out(run) -> dict:
    return {"id": run.pk, "queue": run.queue.key, "model": run.model, "fallback_reason": run.fallback_reason,
            "interval_seconds": run.interval_seconds, "starts_at": run.starts_at, "horizon": run.horizon_intervals,
            "history_intervals": run.history_intervals, "history_volume": run.history_volume, "wape": run.wape,
            "mean": run.mean, "lower": run.lower, "upper": run.upper, "upper_95": run.upper_95,
            "created_at": run.created_at}


@router.post("/workforce/forecasts", response={201: ForecastOut}, auth=scope("workforce:write"),
             summary="Forecast a queue's intake per half-hour (MSTL, daily and weekly seasonality) with 80% and "
                     "95% bounds and the WAPE of a backtest on the last week of history")
def post_forecast(request, body: ForecastIn):
    run = forecast_services.run_forecast(actor=request.auth, queue_key=body.queue, horizon_intervals=body.horizon,
                                         history_weeks=body.history_weeks, starts_at=body.starts_at)
    return Status(201, forecast_out(run))


@router.get("/workforce/forecasts/{forecast_id}", response=ForecastOut, auth=scope("workforce:read"))
def get_forecast(request, forecast_id: Id):
    return forecast_out(forecast_selectors.get_forecast(request.auth, forecast_id))


class PlanIn(Schema):
    queue: str = Field(max_length=64)
    forecast_id: Id | None = Field(default=None, description="Default: the queue's latest forecast")
    aht_seconds: float | None = Field(default=None, gt=0, le=24 * 3600,
                                      description="Default: the queue's measured handle time of the last 4 weeks")
    target: StaffingTarget | None = Field(default=None, description="Default: 90% within the queue's SLA")
    shrinkage: float = Field(default=0.3, ge=0, lt=1)
    max_occupancy: float = Field(default=0.85, gt=0, le=1)
    volume_basis: str = Field(default="mean", pattern="^(mean|upper|upper_95)$")


class PlanInterval(Schema):
    at: datetime
    volume: float
    agents: int
    scheduled: int
    service_level: float
    occupancy: float


class VendorHeadcount(Schema):
    vendor_id: int | None
    vendor: str
    share: float
    peak_scheduled: int
    scheduled_hours: float
    fte: float


class PlanOut(Schema):
    id: int
    queue: str
    forecast_id: int | None
    starts_at: datetime
    aht_seconds: float
    target: dict
    shrinkage: float
    max_occupancy: float
    volume_basis: str
    intervals: list[PlanInterval]
    vendor_headcount: list[VendorHeadcount]


def plan_out(viewer, plan) -> dict:
    return {"id": plan.pk, "queue": plan.queue.key, "forecast_id": plan.forecast_id, "starts_at": plan.starts_at,
            "aht_seconds": plan.aht_seconds, "target": plan.target, "shrinkage": plan.shrinkage,
            "max_occupancy": plan.max_occupancy, "volume_basis": plan.volume_basis, "intervals": plan.intervals,
            "vendor_headcount": selectors.vendor_rows(viewer, plan)}


@router.post("/workforce/plans", response={201: PlanOut}, auth=scope("workforce:write"),
             summary="A week's staffing plan for a queue from a forecast: agents and scheduled agents per "
                     "half-hour, and the headcount per vendor it implies")
def post_plan(request, body: PlanIn):
    target = body.target.model_dump(exclude_none=True) if body.target else None
    plan = services.build_plan(actor=request.auth, queue_key=body.queue, forecast_id=body.forecast_id,
                               aht_seconds=body.aht_seconds, target=target, shrinkage=body.shrinkage,
                               max_occupancy=body.max_occupancy, volume_basis=body.volume_basis)
    return Status(201, plan_out(request.auth, plan))


@router.get("/workforce/plans/{plan_id}", response=PlanOut, auth=scope("workforce:read"))
def get_plan(request, plan_id: Id):
    return plan_out(request.auth, selectors.get_plan(request.auth, plan_id))


class AllocationIn(Schema):
    queues: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=20)
    intervals: int = Field(default=48, ge=1, le=96, description="Half-hours from each forecast's start")
    shrinkage: float = Field(default=0.3, ge=0, lt=1)
    max_occupancy: float = Field(default=0.85, gt=0, le=1)
    credit_per_agent_interval: float = Field(default=50.0, ge=0, le=1e6,
                                             description="Expected service credits per agent-interval short")
    error_cost: float = Field(default=5.0, ge=0, le=1e6, description="Cost of one wrong decision")
    exposure_cap: float = Field(default=0.5, gt=0, le=1,
                                description="Share of a vendor's floor allowed on severe queues at once")


class AllocationOut(Schema):
    id: int
    status: str
    objective: float | None
    inputs: dict
    result: dict
    created_at: datetime


def allocation_out(run) -> dict:
    return {"id": run.pk, "status": run.status, "objective": run.objective, "inputs": run.inputs,
            "result": run.result, "created_at": run.created_at}


@router.post("/workforce/allocations", response={201: AllocationOut}, auth=scope("workforce:write"),
             summary="Allocate queues' forecast work across vendors at the least expected cost (price, service "
                     "credits under the forecast's uncertainty, cost of errors), explained")
def post_allocation(request, body: AllocationIn):
    run = allocation.allocate(actor=request.auth, queue_keys=body.queues,
                              intervals=body.intervals, shrinkage=body.shrinkage, max_occupancy=body.max_occupancy,
                              credit_per_agent_interval=body.credit_per_agent_interval,
                              error_cost=body.error_cost, exposure_cap=body.exposure_cap)
    return Status(201, allocation_out(run))


@router.get("/workforce/allocations/{allocation_id}", response=AllocationOut, auth=scope("workforce:read"))
def get_allocation(request, allocation_id: Id):
    return allocation_out(selectors.get_allocation(request.auth, allocation_id))
