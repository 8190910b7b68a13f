"""The ticket use cases: open, reply, change status, assign, tag, macros, screenshots, the IM bot."""
import hashlib
import re

from django.db import transaction

from trustops.identity import access
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.support.models import (
    Attachment,
    Category,
    Group,
    Macro,
    Priority,
    Source,
    Status,
    StatusChange,
    Ticket,
    TicketReply,
)
from trustops.support.sla import services as sla
from trustops.support.tickets import attachments
from trustops.support.tickets.selectors import get_ticket

LIMITS = {"subject": 200, "body": 20_000}
MAX_TAGS = 20
TAG = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,39}$")

# Which status may follow which. A closed ticket is final: a new question is a new ticket.
TRANSITIONS = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED},
    Status.OPEN: {Status.PENDING, Status.ON_HOLD, Status.SOLVED},
    Status.PENDING: {Status.OPEN, Status.ON_HOLD, Status.SOLVED},
    Status.ON_HOLD: {Status.OPEN, Status.PENDING, Status.SOLVED},
    Status.SOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}
# A requester's reply on these reopens the ticket.
REOPENED_BY_REQUESTER = {Status.PENDING, Status.ON_HOLD, Status.SOLVED}


def _text(name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"missing_{name}", f"{name.capitalize()} is required.", field=name)
    if len(value) > LIMITS[name]:
        raise Invalid("too_long", f"{name} is at most {LIMITS[name]:,} characters.", field=name)
    return value


def _choice(name: str, value: str, choices) -> str:
    if value not in choices.values:
        raise Invalid(f"unknown_{name}", f"Unknown {name} {value!r}: one of {', '.join(choices.values)}.", field=name)
    return value


def _tags(tags) -> list[str]:
    tags = sorted({(t or "").strip().lower() for t in (tags or [])} - {""})
    if len(tags) > MAX_TAGS:
        raise Invalid("too_many_tags", f"At most {MAX_TAGS} tags.", field="tags")
    for tag in tags:
        if not TAG.match(tag):
            raise Invalid("invalid_tag", f"Tag {tag!r}: lowercase letters, digits and _.:- (at most 40).",
                          field="tags")
    return tags


def _desk(actor) -> None:
    if not access.works_support_desk(actor):
        raise Forbidden("support_desk_only", "Only the support desk does this.")


def _locked(actor, ticket_id: int) -> Ticket:
    get_ticket(actor, ticket_id)   # 404 for what the actor may not see
    return Ticket.objects.select_for_update(of=("self",)).select_related("engineering_issue").get(pk=ticket_id)


def _save(ticket: Ticket, now) -> None:
    ticket.updated_at = now
    ticket.version += 1
    ticket.save()


@transaction.atomic
def open_ticket(*, requester: User, subject: str, body: str, category: str, priority: str = Priority.NORMAL,
                source: str = Source.API, submitted_by: User | None = None, tags=None) -> Ticket:
    now = clock.now()
    ticket = Ticket(subject=_text("subject", subject), body=_text("body", body),
                    category=_choice("category", category, Category),
                    priority=_choice("priority", priority, Priority), source=source, requester=requester,
                    submitted_by=submitted_by, tags=_tags(tags), created_at=now, updated_at=now,
                    last_requester_reply_at=None)
    sla.recompute(ticket, now=now)
    ticket.save()
    StatusChange.objects.create(ticket=ticket, to_status=Status.NEW, actor=submitted_by or requester, at=now)
    ledger.record("support.ticket_opened", actor=submitted_by or requester, payload={
        "ticket_id": ticket.pk, "category": ticket.category, "priority": ticket.priority, "source": source,
        "requester": requester.username})
    return ticket


def _apply_status(ticket: Ticket, new: str, *, actor, now, reason: str) -> None:
    old = ticket.status
    if new == old:
        return
    if new not in TRANSITIONS[old]:
        if old == Status.CLOSED:
            raise Conflict("ticket_closed", "A closed ticket cannot be reopened: open a new ticket instead.")
        raise Conflict("invalid_transition", f"A ticket cannot go from {old} to {new}.")
    sla.on_status_change(ticket, old, new, now)
    ticket.status = new
    if new == Status.SOLVED:
        ticket.solved_at = now
    elif new == Status.CLOSED:
        ticket.closed_at = now
    elif old == Status.SOLVED:
        ticket.solved_at = None   # reopened: the resolution clock runs again from its log
    StatusChange.objects.create(ticket=ticket, from_status=old, to_status=new,
                                actor=actor if isinstance(actor, User) else None, at=now)
    ledger.record("support.ticket_status_changed", actor=actor, payload={
        "ticket_id": ticket.pk, "from": old, "to": new, "reason": reason})
    if ticket.incident_id and new in (Status.SOLVED, Status.CLOSED):
        from trustops.support.incidents import services as incidents  # the timeline follows its tickets
        incidents.note_ticket_event(ticket, f"Ticket #{ticket.pk} {new}.", now=now)


def _may_set_status(actor, ticket: Ticket, new: str) -> None:
    if access.works_support_desk(actor):
        return
    v = access.viewer(actor)
    if ticket.requester_id == v.user_id and new in (Status.SOLVED, Status.OPEN):
        return   # the requester confirms a fix, or says it is not fixed after all
    raise Forbidden("support_desk_only", "Only the support desk changes a ticket's status.")


@transaction.atomic
def change_status(*, actor, ticket_id: int, status: str, reason: str = "") -> Ticket:
    _choice("status", status, Status)
    ticket = _locked(actor, ticket_id)
    _may_set_status(actor, ticket, status)
    now = clock.now()
    _apply_status(ticket, status, actor=actor, now=now, reason=reason[:200])
    sla.recompute(ticket, now=now)
    _save(ticket, now)
    return ticket


@transaction.atomic
def reply(*, actor, ticket_id: int, body: str, internal: bool = False, status: str | None = None) -> TicketReply:
    """A public reply or an internal note. The first public reply of the desk stops the first-response clock;
    a requester's reply reopens a pending, on-hold or solved ticket and starts the next-reply clock."""
    ticket = _locked(actor, ticket_id)
    body = _text("body", body)
    v = access.viewer(actor)
    is_requester = ticket.requester_id == v.user_id or ticket.submitted_by_id == v.user_id
    agent = access.sees_internal_notes(actor, ticket)
    if internal and not agent:
        raise Forbidden("internal_notes_forbidden", "Only the desk and engineering write internal notes.")
    if ticket.status == Status.CLOSED:
        raise Conflict("ticket_closed", "This ticket is closed: open a new ticket instead.")
    now = clock.now()
    from_requester = is_requester and not agent
    entry = TicketReply.objects.create(ticket=ticket, author=actor if isinstance(actor, User) else
                                       User.objects.get(pk=v.user_id), body=body, internal=internal,
                                       from_requester=from_requester, created_at=now)
    if from_requester:
        ticket.last_requester_reply_at = now
        if ticket.status in REOPENED_BY_REQUESTER:
            _apply_status(ticket, Status.OPEN, actor=actor, now=now, reason="requester replied")
    elif not internal:
        ticket.last_agent_reply_at = now
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
        if ticket.status == Status.NEW:
            _apply_status(ticket, Status.OPEN, actor=actor, now=now, reason="first response")
    if status:
        _choice("status", status, Status)
        _may_set_status(actor, ticket, status)
        _apply_status(ticket, status, actor=actor, now=now, reason="with reply")
    sla.recompute(ticket, now=now)
    _save(ticket, now)
    ledger.record("support.ticket_replied", actor=actor, payload={
        "ticket_id": ticket.pk, "reply_id": entry.pk, "internal": internal, "from_requester": from_requester})
    if not internal and not from_requester:
        outbox.enqueue("support.ticket_replied", {"ticket_id": ticket.pk, "reply_id": entry.pk,
                                                  "requester": ticket.requester.username})
    return entry


@transaction.atomic
def assign(*, actor, ticket_id: int, assignee: str | None = None, group: str | None = None) -> Ticket:
    _desk(actor)
    ticket = _locked(actor, ticket_id)
    if group is not None:
        ticket.group = _choice("group", group, Group)
    if assignee is not None:
        if assignee == "":
            ticket.assignee = None
        else:
            person = User.objects.filter(username=assignee, is_active=True,
                                         role__in=[Role.SUPPORT_SPECIALIST, Role.ADMIN, Role.ESCALATIONS_SPECIALIST,
                                                   Role.ENGINEER]).first()
            if person is None:
                raise Invalid("unknown_assignee", f"No desk member {assignee!r}.", field="assignee")
            ticket.assignee = person
    now = clock.now()
    _save(ticket, now)
    ledger.record("support.ticket_assigned", actor=actor, payload={
        "ticket_id": ticket.pk, "assignee": ticket.assignee.username if ticket.assignee else None,
        "group": ticket.group})
    return ticket


@transaction.atomic
def set_tags(*, actor, ticket_id: int, tags: list[str]) -> Ticket:
    _desk(actor)
    ticket = _locked(actor, ticket_id)
    ticket.tags = _tags(tags)
    _save(ticket, clock.now())
    ledger.record("support.ticket_tagged", actor=actor, payload={"ticket_id": ticket.pk, "tags": ticket.tags})
    return ticket


@transaction.atomic
def set_priority(*, actor, ticket_id: int, priority: str) -> Ticket:
    """A new priority means a new policy: the clocks are recomputed from the pause log."""
    _desk(actor)
    ticket = _locked(actor, ticket_id)
    ticket.priority = _choice("priority", priority, Priority)
    now = clock.now()
    sla.recompute(ticket, now=now)
    _save(ticket, now)
    ledger.record("support.ticket_priority_changed", actor=actor, payload={"ticket_id": ticket.pk,
                                                                          "priority": priority})
    return ticket


@transaction.atomic
def apply_macro(*, actor, ticket_id: int, macro_id: int) -> TicketReply:
    _desk(actor)
    macro = Macro.objects.filter(pk=macro_id, active=True).first()
    if macro is None:
        raise NotFound("macro_not_found", "No such macro.")
    entry = reply(actor=actor, ticket_id=ticket_id, body=macro.body, internal=macro.internal,
                  status=macro.set_status or None)
    if macro.add_tags:
        ticket = Ticket.objects.get(pk=ticket_id)
        set_tags(actor=actor, ticket_id=ticket_id, tags=[*ticket.tags, *macro.add_tags])
    return entry


@transaction.atomic
def create_macro(*, actor, name: str, body: str, internal: bool = False, set_status: str = "",
                 add_tags=None) -> Macro:
    _desk(actor)
    name = (name or "").strip()[:200]
    if not name:
        raise Invalid("missing_name", "A macro needs a name.", field="name")
    if set_status:
        _choice("status", set_status, Status)
    if Macro.objects.filter(name=name).exists():
        raise Conflict("macro_exists", "A macro of that name exists.")
    macro = Macro.objects.create(name=name, body=_text("body", body), internal=internal, set_status=set_status,
                                 add_tags=_tags(add_tags))
    ledger.record("support.macro_created", actor=actor, payload={"macro_id": macro.pk, "name": name})
    return macro


@transaction.atomic
def attach(*, actor, ticket_id: int, filename: str, content: bytes, reply_id: int | None = None) -> Attachment:
    kind = attachments.check(content)
    ticket = _locked(actor, ticket_id)
    if ticket.status == Status.CLOSED:
        raise Conflict("ticket_closed", "This ticket is closed.")
    if ticket.attachments.count() >= attachments.MAX_PER_TICKET:
        raise Conflict("too_many_attachments", f"At most {attachments.MAX_PER_TICKET} screenshots per ticket.")
    reply_row = None
    if reply_id is not None:
        reply_row = TicketReply.objects.filter(pk=reply_id, ticket=ticket).first()
        if reply_row is None:
            raise NotFound("reply_not_found", "No such reply on this ticket.")
    v = access.viewer(actor)
    found = Attachment.objects.create(
        ticket=ticket, reply=reply_row, uploaded_by_id=v.user_id, filename=(filename or "screenshot")[:200],
        content_type=kind, size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
        created_at=clock.now())
    ledger.record("support.attachment_added", actor=actor, payload={
        "ticket_id": ticket.pk, "attachment_id": found.pk, "content_type": kind, "size": len(content),
        "sha256": found.sha256})
    return found


def requester_by_username(username: str) -> User:
    person = User.objects.filter(username=username, is_active=True).exclude(role=Role.INTEGRATION).first()
    if person is None:
        raise Invalid("unknown_requester", f"No active trustops user {username!r}.", field="requester")
    return person


def bot_open_ticket(*, bot, requester: str, subject: str, body: str, category: str,
                    priority: str = Priority.NORMAL) -> Ticket:
    """The IM bot files a ticket on behalf of a trustops user, named by username."""
    if access.viewer(bot).role != Role.INTEGRATION:
        raise Forbidden("integration_only", "Only an integration token posts for someone else.")
    return open_ticket(requester=requester_by_username(requester), subject=subject, body=body, category=category,
                       priority=priority, source=Source.IM_BOT, submitted_by=bot)


def bot_reply(*, bot, requester: str, ticket_id: int, body: str) -> TicketReply:
    """The IM bot relays the requester's message; only to a ticket that person asked."""
    if access.viewer(bot).role != Role.INTEGRATION:
        raise Forbidden("integration_only", "Only an integration token posts for someone else.")
    person = requester_by_username(requester)
    if not Ticket.objects.filter(pk=ticket_id, requester=person).exists():
        raise NotFound("ticket_not_found", "No such ticket.")
    return reply(actor=person, ticket_id=ticket_id, body=body)
