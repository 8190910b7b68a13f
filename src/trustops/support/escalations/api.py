"""Creator and user escalations API: open (support, partners, communications), read, own, close; the weekly
insights report and its CSV."""
from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.support.escalations import selectors, services

router = Router(tags=["support"])
Tag = Field(max_length=40)


class EscalationIn(Schema):
    account_type: Literal["user", "creator"]
    external_id: str = Field(min_length=1, max_length=200)
    source: Literal["support", "partners", "communications"]
    summary: str = Field(min_length=1, max_length=10_000)
    ticket_id: Id | None = None


class EscalationAssignIn(Schema):
    owner: str | None = Field(None, max_length=150)


class EscalationCloseIn(Schema):
    rca_category: Literal["product_tech", "process", "policy", "human_training"]
    root_cause: str = Field(min_length=1, max_length=10_000)
    insight_tags: list[str] = Field(default_factory=list, max_length=10)


class EscalationOut(Schema):
    id: int
    account_type: str
    external_id: str
    source: str
    summary: str
    reach_tier: str
    reach: int
    case_id: int | None
    ticket_id: int | None
    status: str
    owner: str | None
    case_outcome: str
    rca_category: str
    root_cause: str
    insight_tags: list[str]
    opened_at: datetime
    resolved_at: datetime | None


class EscalationList(Schema):
    escalations: list[EscalationOut]


class InsightsOut(Schema):
    week_start: date
    generated_at: datetime
    figures: dict


def _out(e) -> dict:
    return {"id": e.pk, "account_type": e.account_type, "external_id": e.account_external_id, "source": e.source,
            "summary": e.summary, "reach_tier": e.reach_tier, "reach": e.reach, "case_id": e.case_id,
            "ticket_id": e.ticket_id, "status": e.status, "owner": e.owner.username if e.owner_id else None,
            "case_outcome": e.case_outcome, "rca_category": e.rca_category, "root_cause": e.root_cause,
            "insight_tags": e.insight_tags, "opened_at": e.opened_at, "resolved_at": e.resolved_at}


@router.post("/escalations", response={201: EscalationOut}, auth=scope("tickets:write"),
             summary="Escalate a creator or user: opens a case in the creator-escalations queue")
def open_escalation(request, body: EscalationIn):
    return Status(201, _out(services.open_escalation(actor=request.auth, **body.dict())))


@router.get("/escalations", response=EscalationList, auth=scope("tickets:read"))
def list_escalations(request, status: Literal["open", "in_progress", "closed"] | None = None,
                     tier: Literal["mega", "macro", "mid", "micro"] | None = None):
    return {"escalations": [_out(e) for e in selectors.list_escalations(request.auth, status=status, tier=tier)]}


@router.get("/escalations/insights/{week_start}", response=InsightsOut, auth=scope("tickets:read"))
def read_insights(request, week_start: date):
    r = selectors.get_weekly_insights(request.auth, week_start)
    return {"week_start": r.week_start, "generated_at": r.generated_at, "figures": r.figures}


@router.post("/escalations/insights/{week_start}", response=InsightsOut, auth=scope("tickets:write"),
             summary="Generate (or regenerate) the weekly insights report of the week starting that Monday")
def generate_insights(request, week_start: date):
    r = services.generate_weekly_insights(week_start=week_start, actor=request.auth)
    return {"week_start": r.week_start, "generated_at": r.generated_at, "figures": r.figures}


@router.get("/escalations/insights/{week_start}/report.csv", auth=scope("tickets:read"), response={200: None})
def export_insights(request, week_start: date):
    report = selectors.get_weekly_insights(request.auth, week_start)
    response = HttpResponse(selectors.weekly_insights_csv(report), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="creator-insights-{week_start.isoformat()}.csv"'
    return response


@router.get("/escalations/{escalation_id}", response=EscalationOut, auth=scope("tickets:read"))
def read(request, escalation_id: Id):
    return _out(selectors.get_escalation(request.auth, escalation_id))


@router.post("/escalations/{escalation_id}/owner", response=EscalationOut, auth=scope("tickets:write"))
def assign(request, escalation_id: Id, body: EscalationAssignIn):
    return _out(services.assign(actor=request.auth, escalation_id=escalation_id, owner=body.owner))


@router.post("/escalations/{escalation_id}/closure", response=EscalationOut, auth=scope("tickets:write"),
             summary="Close with the root cause (quality's RCA taxonomy) and insight tags")
def close(request, escalation_id: Id, body: EscalationCloseIn):
    return _out(services.close(actor=request.auth, escalation_id=escalation_id, **body.dict()))
