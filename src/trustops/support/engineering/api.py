"""Engineering escalation API: escalate a ticket, move its issue, and the tracker's signed inbound webhook."""
from typing import Literal

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.outbox.signatures import HEADER
from trustops.support.engineering import services

router = Router(tags=["support"])
IssueStatusIn = Literal["open", "in_progress", "fixed", "wont_fix"]


class EngineeringEscalateIn(Schema):
    engineer: str | None = Field(None, max_length=150)
    title: str = Field("", max_length=200)


class IssueIn(Schema):
    status: IssueStatusIn
    note: str = Field("", max_length=5_000)


class IssueOut(Schema):
    id: int
    ticket_id: int
    status: str
    title: str
    engineer: str | None
    external_ref: str


class WebhookIn(Schema):
    issue_id: Id
    status: IssueStatusIn
    note: str = Field("", max_length=5_000)
    external_ref: str = Field("", max_length=100)


def _issue(i) -> dict:
    return {"id": i.pk, "ticket_id": i.ticket_id, "status": i.status, "title": i.title,
            "engineer": i.engineer.username if i.engineer_id else None, "external_ref": i.external_ref}


@router.post("/tickets/{ticket_id}/escalation", response={201: IssueOut}, auth=scope("tickets:write"),
             summary="Escalate a ticket to an engineering issue (the desk)")
def escalate(request, ticket_id: Id, body: EngineeringEscalateIn):
    return Status(201, _issue(services.escalate(actor=request.auth, ticket_id=ticket_id, **body.dict())))


@router.post("/engineering-issues/{issue_id}/status", response=IssueOut, auth=scope("tickets:write"))
def move(request, issue_id: Id, body: IssueIn):
    return _issue(services.update_issue(actor=request.auth, issue_id=issue_id, status=body.status, note=body.note))


# The body is documented here but not parsed by the router: the signature is checked before the body's shape,
# so an unsigned caller learns nothing about what a valid body looks like (401, never 422).
@router.post("/support/engineering/webhook", response=IssueOut, auth=None, openapi_extra={
    "parameters": [{"in": "header", "name": HEADER, "required": True, "schema": {"type": "string"},
                    "description": "t=<unix seconds>,v1=<HMAC-SHA256 of '<t>.<body>' with the shared secret>"}],
    "requestBody": {"required": True, "content": {"application/json": {"schema": WebhookIn.model_json_schema()}}}},
    summary="The engineering tracker reports an issue's new status (signed with the shared secret)")
def webhook(request):
    issue = services.receive_webhook(body=request.body, signature=request.headers.get(HEADER, ""))
    return _issue(issue)
