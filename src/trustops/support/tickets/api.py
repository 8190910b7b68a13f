"""Tickets API: the help desk's contract (`POST /tickets`, `GET /tickets/{id}`, replies, status), the agent
inbox, screenshots, macros and the IM bot's inbound API."""
from typing import Literal

from django.http import HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.errors import PayloadTooLarge
from trustops.kernel.inputs import Id
from trustops.support.engineering import services as engineering
from trustops.support.models import Source
from trustops.support.tickets import attachments as screenshot_rules
from trustops.support.tickets import schemas as s
from trustops.support.tickets import selectors, services

router = Router(tags=["support"])


def _detail(request, ticket_id: int) -> dict:
    ticket = selectors.get_ticket(request.auth, ticket_id)
    return s.detail(ticket, request.auth, selectors.replies_for(request.auth, ticket),
                    selectors.attachments_for(request.auth, ticket))


@router.post("/tickets", response={201: s.TicketCreatedOut}, auth=scope("tickets:write"),
             summary="Ask the support desk for help")
def open_ticket(request, body: s.TicketIn):
    ticket = services.open_ticket(requester=request.auth, source=Source.API, **body.dict())
    return Status(201, {"id": ticket.pk, "status": ticket.status, "sla": s.sla_of(ticket)})


class InboxQuery(Schema):
    view: Literal["mine", "unassigned", "breaching", "all"] = "mine"
    limit: int = Field(50, ge=1, le=200)
    after: Id | None = None


@router.get("/tickets", response=s.InboxOut, auth=scope("tickets:read"),
            summary="The agent inbox (open tickets by the earliest running due time); for requesters, their own")
def inbox(request, q: Query[InboxQuery]):
    tickets = selectors.inbox(request.auth, q.view if services.access.works_support_desk(request.auth) or
                              q.view != "mine" else "all", limit=q.limit, after_id=q.after)
    return {"tickets": [s.summary(t) for t in tickets],
            "next_after": tickets[-1].pk if len(tickets) == q.limit else None}


@router.get("/tickets/sla-overview", response=s.SlaOverviewOut, auth=scope("tickets:read"),
            summary="Open tickets per status, breached and due within the hour")
def sla_overview(request):
    return selectors.sla_overview(request.auth)


@router.get("/tickets/{ticket_id}", response=s.TicketOut, auth=scope("tickets:read"))
def read_ticket(request, ticket_id: Id):
    return _detail(request, ticket_id)


@router.post("/tickets/{ticket_id}/replies", response={201: s.ReplyOut}, auth=scope("tickets:write"),
             summary="A public reply, or an internal note (desk and engineering only)")
def post_reply(request, ticket_id: Id, body: s.ReplyIn):
    reply = services.reply(actor=request.auth, ticket_id=ticket_id, body=body.body, internal=body.internal)
    return Status(201, {"id": reply.pk, "author": reply.author.username if reply.author_id else "trustops", "body": reply.body,
                        "internal": reply.internal, "from_requester": reply.from_requester,
                        "created_at": reply.created_at})


@router.post("/tickets/{ticket_id}/status", response=s.TicketOut, auth=scope("tickets:write"))
def post_status(request, ticket_id: Id, body: s.StatusChangeIn):
    services.change_status(actor=request.auth, ticket_id=ticket_id, status=body.status, reason=body.reason)
    return _detail(request, ticket_id)


@router.post("/tickets/{ticket_id}/assignment", response=s.TicketOut, auth=scope("tickets:write"))
def post_assignment(request, ticket_id: Id, body: s.AssignIn):
    services.assign(actor=request.auth, ticket_id=ticket_id, assignee=body.assignee, group=body.group)
    return _detail(request, ticket_id)


@router.post("/tickets/{ticket_id}/tags", response=s.TicketOut, auth=scope("tickets:write"))
def post_tags(request, ticket_id: Id, body: s.TagsIn):
    services.set_tags(actor=request.auth, ticket_id=ticket_id, tags=body.tags)
    return _detail(request, ticket_id)


@router.post("/tickets/{ticket_id}/priority", response=s.TicketOut, auth=scope("tickets:write"))
def post_priority(request, ticket_id: Id, body: s.PriorityChangeIn):
    services.set_priority(actor=request.auth, ticket_id=ticket_id, priority=body.priority)
    return _detail(request, ticket_id)


@router.post("/tickets/{ticket_id}/macro", response=s.TicketOut, auth=scope("tickets:write"))
def post_macro(request, ticket_id: Id, body: s.MacroApplyIn):
    services.apply_macro(actor=request.auth, ticket_id=ticket_id, macro_id=body.macro_id)
    return _detail(request, ticket_id)


@router.post("/tickets/{ticket_id}/confirm-fix", response=s.TicketOut, auth=scope("tickets:write"),
             summary="The requester confirms engineering's fix")
def post_confirm_fix(request, ticket_id: Id):
    engineering.confirm_fix(actor=request.auth, ticket_id=ticket_id)
    return _detail(request, ticket_id)


@router.post("/tickets/{ticket_id}/attachments", response={201: s.AttachmentOut}, auth=scope("tickets:write"),
             summary="A screenshot (PNG, JPEG or WebP, at most 5 MB)")
def post_attachment(request, ticket_id: Id, file: File[UploadedFile]):
    if file.size is not None and file.size > screenshot_rules.MAX_BYTES:
        raise PayloadTooLarge("attachment_too_large", "A screenshot is at most 5 MB.")
    found = services.attach(actor=request.auth, ticket_id=ticket_id, filename=file.name or "screenshot",
                            content=file.read(screenshot_rules.MAX_BYTES + 1))
    return Status(201, {"id": found.pk, "filename": found.filename, "content_type": found.content_type,
                        "size": found.size, "sha256": found.sha256, "created_at": found.created_at})


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}", auth=scope("tickets:read"),
            response={200: None}, summary="A screenshot's bytes")
def read_attachment(request, ticket_id: Id, attachment_id: Id):
    found = selectors.get_attachment(request.auth, ticket_id, attachment_id)
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/macros", response=list[s.MacroOut], auth=scope("tickets:read"))
def list_macros(request):
    services._desk(request.auth)
    return [{"id": m.pk, "name": m.name, "body": m.body, "internal": m.internal, "set_status": m.set_status,
             "add_tags": m.add_tags} for m in selectors.macros()]


@router.post("/macros", response={201: s.MacroOut}, auth=scope("tickets:write"))
def create_macro(request, body: s.MacroIn):
    m = services.create_macro(actor=request.auth, **body.dict())
    return Status(201, {"id": m.pk, "name": m.name, "body": m.body, "internal": m.internal,
                        "set_status": m.set_status, "add_tags": m.add_tags})


@router.post("/support/bot/tickets", response={201: s.TicketCreatedOut}, auth=scope("tickets:write"),
             summary="The IM bot files a ticket on behalf of a trustops user (integration tokens only)")
def bot_ticket(request, body: s.BotTicketIn):
    data = body.dict()
    data.pop("tags", None)
    ticket = services.bot_open_ticket(bot=request.auth, **data)
    return Status(201, {"id": ticket.pk, "status": ticket.status, "sla": s.sla_of(ticket)})


@router.post("/support/bot/tickets/{ticket_id}/replies", response={201: s.ReplyOut}, auth=scope("tickets:write"),
             summary="The IM bot relays a requester's message to their ticket")
def bot_reply(request, ticket_id: Id, body: s.BotReplyIn):
    reply = services.bot_reply(bot=request.auth, requester=body.requester, ticket_id=ticket_id, body=body.body)
    return Status(201, {"id": reply.pk, "author": reply.author.username if reply.author_id else "trustops", "body": reply.body,
                        "internal": reply.internal, "from_requester": reply.from_requester,
                        "created_at": reply.created_at})
