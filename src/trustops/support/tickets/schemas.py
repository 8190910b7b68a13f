"""What the tickets API takes and gives."""
from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from trustops.identity import access
from trustops.kernel.inputs import Id

PriorityIn = Literal["low", "normal", "high", "urgent"]
CategoryIn = Literal["tool_malfunction", "access", "policy_question", "data_request", "bug"]
StatusIn = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
Text = Field(min_length=1, max_length=20_000)


class TicketIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    body: str = Text
    category: CategoryIn
    priority: PriorityIn = "normal"
    tags: list[str] = Field(default_factory=list, max_length=20)


class BotTicketIn(TicketIn):
    requester: str = Field(min_length=1, max_length=150, description="The trustops username the bot speaks for")


class BotReplyIn(Schema):
    requester: str = Field(min_length=1, max_length=150)
    body: str = Text


class ReplyIn(Schema):
    body: str = Text
    internal: bool = False


class StatusChangeIn(Schema):
    status: StatusIn
    reason: str = Field("", max_length=200)


class AssignIn(Schema):
    assignee: str | None = Field(None, max_length=150, description="A username; empty string unassigns")
    group: Literal["desk", "engineering", "escalations"] | None = None


class TagsIn(Schema):
    tags: list[str] = Field(max_length=20)


class PriorityChangeIn(Schema):
    priority: PriorityIn


class MacroApplyIn(Schema):
    macro_id: Id


class MacroIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    body: str = Text
    internal: bool = False
    set_status: StatusIn | Literal[""] = ""
    add_tags: list[str] = Field(default_factory=list, max_length=20)


class MacroOut(Schema):
    id: int
    name: str
    body: str
    internal: bool
    set_status: str
    add_tags: list[str]


class SlaOut(Schema):
    first_response_due_at: datetime | None
    next_reply_due_at: datetime | None
    resolution_due_at: datetime | None
    paused: bool
    policy: str | None


class ReplyOut(Schema):
    id: int
    author: str
    body: str
    internal: bool
    from_requester: bool
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class TicketCreatedOut(Schema):
    id: int
    status: str
    sla: SlaOut


class TicketOut(Schema):
    id: int
    subject: str
    body: str
    category: str
    priority: str
    status: str
    group: str
    tags: list[str]
    source: str
    requester: str
    assignee: str | None
    incident_id: int | None
    engineering_issue: dict | None
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    sla: SlaOut
    replies: list[ReplyOut]
    attachments: list[AttachmentOut]


class TicketSummaryOut(Schema):
    id: int
    subject: str
    category: str
    priority: str
    status: str
    requester: str
    assignee: str | None
    next_due_at: datetime | None
    sla_paused: bool
    updated_at: datetime


class InboxOut(Schema):
    tickets: list[TicketSummaryOut]
    next_after: int | None


class SlaOverviewOut(Schema):
    by_status: dict[str, int]
    open: int
    breached: int
    due_within_hour: int
    paused: int


def sla_of(ticket) -> dict:
    return {"first_response_due_at": ticket.first_response_due_at, "next_reply_due_at": ticket.next_reply_due_at,
            "resolution_due_at": ticket.resolution_due_at, "paused": ticket.sla_paused,
            "policy": ticket.sla_policy.name if ticket.sla_policy_id and ticket.sla_policy else None}


def summary(ticket) -> dict:
    return {"id": ticket.pk, "subject": ticket.subject, "category": ticket.category, "priority": ticket.priority,
            "status": ticket.status, "requester": ticket.requester.username,
            "assignee": ticket.assignee.username if ticket.assignee_id else None, "next_due_at": ticket.next_due_at,
            "sla_paused": ticket.sla_paused, "updated_at": ticket.updated_at}


def detail(ticket, person, replies, attachments) -> dict:
    issue = getattr(ticket, "engineering_issue", None) if hasattr(ticket, "engineering_issue") else None
    shown_issue = None
    if issue is not None:
        shown_issue = {"id": issue.pk, "status": issue.status, "title": issue.title,
                       "engineer": issue.engineer.username if issue.engineer_id else None}
        if not access.sees_internal_notes(person, ticket):
            shown_issue.pop("engineer")
    return {**summary(ticket), "body": ticket.body, "group": ticket.group, "tags": ticket.tags,
            "source": ticket.source, "incident_id": ticket.incident_id, "engineering_issue": shown_issue,
            "created_at": ticket.created_at, "first_responded_at": ticket.first_responded_at,
            "solved_at": ticket.solved_at, "closed_at": ticket.closed_at, "sla": sla_of(ticket),
            "replies": [{"id": r.pk, "author": r.author.username if r.author_id else "trustops", "body": r.body, "internal": r.internal,
                         "from_requester": r.from_requester, "created_at": r.created_at} for r in replies],
            "attachments": [{"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                             "sha256": a.sha256, "created_at": a.created_at} for a in attachments]}
