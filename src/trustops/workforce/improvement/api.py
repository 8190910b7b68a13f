"""The improvement plans API."""
from datetime import date, datetime

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.improvement import selectors, services

router = Router(tags=["workforce improvement"])


class ImprovementPlanIn(Schema):
    title: str = Field(max_length=200)
    kind: str = Field(max_length=12, description="human_error, process, tooling or policy")
    owner: str = Field(max_length=150, description="Username of the person who carries it out")
    due_on: date
    metric: str = Field(max_length=16, description="accuracy, sla_attainment, aht, appeal_overturn, adherence")
    vendor: str | None = Field(default=None, max_length=64)
    queue: str | None = Field(default=None, max_length=64)
    rca_id: Id | None = None
    baseline: float | None = Field(default=None, ge=-1e9, le=1e9)
    target: float | None = Field(default=None, ge=-1e9, le=1e9)
    description: str = Field(default="", max_length=10_000)


class ImprovementPlanOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    owner: str
    due_on: date
    overdue: bool
    metric: str
    baseline: float | None
    target: float | None
    vendor: str | None
    queue: str | None
    rca_id: int | None
    created_at: datetime
    closed_at: datetime | None


def plan_out(p) -> dict:
    return {"id": p.pk, "title": p.title, "kind": p.kind, "status": p.status, "owner": p.owner.username,
            "due_on": p.due_on, "overdue": selectors.is_overdue(p), "metric": p.metric, "baseline": p.baseline,
            "target": p.target, "vendor": p.vendor.key if p.vendor else None, "queue": p.queue.key if p.queue else None,
            "rca_id": p.rca_id, "created_at": p.created_at, "closed_at": p.closed_at}


class MoveIn(Schema):
    status: str = Field(max_length=12)
    note: str = Field(default="", max_length=500)


@router.post("/workforce/improvement-plans", response={201: ImprovementPlanOut}, auth=scope("workforce:write"),
             summary="Open a corrective action: owner, due date, the metric it should move, the RCA behind it")
def post_plan(request, body: ImprovementPlanIn):
    return Status(201, plan_out(services.open_plan(actor=request.auth, data=services.PlanInput(**body.model_dump()))))


@router.get("/workforce/improvement-plans", response=list[ImprovementPlanOut], auth=scope("workforce:read"))
def list_plans(request):
    return [plan_out(p) for p in selectors.plans_visible_to(request.auth)[:500]]


@router.get("/workforce/improvement-plans/{plan_id}", response=ImprovementPlanOut, auth=scope("workforce:read"))
def get_plan(request, plan_id: Id):
    return plan_out(selectors.get_plan(request.auth, plan_id))


@router.post("/workforce/improvement-plans/{plan_id}/status", response=ImprovementPlanOut, auth=scope("workforce:write"))
def move_plan(request, plan_id: Id, body: MoveIn):
    return plan_out(services.move_plan(actor=request.auth, plan_id=plan_id, status=body.status, note=body.note))
