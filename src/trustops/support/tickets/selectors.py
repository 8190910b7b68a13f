"""Reading tickets, always through `identity.access.ticket_filter`."""
from datetime import timedelta

from django.db.models import Count, Q, QuerySet

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.support.models import Attachment, Macro, Status, Ticket, TicketReply

OPEN = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
INBOX_VIEWS = ("mine", "unassigned", "breaching", "all")
BREACHING_SOON = timedelta(hours=1)


def tickets_visible_to(person) -> QuerySet[Ticket]:
    return Ticket.objects.filter(access.ticket_filter(person))


def get_ticket(person, ticket_id: int) -> Ticket:
    ticket = (tickets_visible_to(person).select_related("requester", "assignee", "engineering_issue",
                                                         "engineering_issue__engineer", "incident", "sla_policy")
              .filter(pk=ticket_id).first())
    if ticket is None:
        raise NotFound("ticket_not_found", "No such ticket.")
    return ticket


def replies_for(person, ticket: Ticket) -> QuerySet[TicketReply]:
    """The conversation; internal notes only for those who may read them (never the requester)."""
    replies = TicketReply.objects.filter(ticket=ticket).select_related("author").order_by("created_at", "id")
    if not access.sees_internal_notes(person, ticket):
        replies = replies.filter(internal=False)
    return replies


def attachments_for(person, ticket: Ticket) -> QuerySet[Attachment]:
    visible = Q(reply__isnull=True) | Q(reply__in=replies_for(person, ticket))
    return Attachment.objects.filter(ticket=ticket).filter(visible).defer("content").order_by("id")


def get_attachment(person, ticket_id: int, attachment_id: int) -> Attachment:
    ticket = get_ticket(person, ticket_id)
    found = attachments_for(person, ticket).filter(pk=attachment_id).first()
    if found is None:
        raise NotFound("attachment_not_found", "No such attachment.")
    return Attachment.objects.get(pk=found.pk)


def inbox(person, view: str = "mine", *, limit: int = 50, after_id: int | None = None) -> list[Ticket]:
    """The agent inbox: open tickets by the earliest running due time. `mine` (assigned to me), `unassigned`,
    `breaching` (a running clock due within the hour, or already past), `all`. Keyset-paged by (due, id)."""
    v = access.viewer(person)
    tickets = tickets_visible_to(v).filter(status__in=OPEN)
    if view == "mine":
        tickets = tickets.filter(assignee_id=v.user_id)
    elif view == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    elif view == "breaching":
        tickets = tickets.filter(next_due_at__lte=clock.now() + BREACHING_SOON)
    if after_id:
        last = tickets.filter(pk=after_id).values("next_due_at").first()
        if last and last["next_due_at"] is not None:
            tickets = tickets.filter(Q(next_due_at__gt=last["next_due_at"])
                                     | Q(next_due_at=last["next_due_at"], pk__gt=after_id)
                                     | Q(next_due_at__isnull=True))
    return list(tickets.select_related("requester", "assignee").order_by("next_due_at", "id")[:limit])


def my_tickets(person, *, limit: int = 50) -> list[Ticket]:
    v = access.viewer(person)
    return list(Ticket.objects.filter(requester_id=v.user_id).order_by("-created_at", "-id")[:limit])


def sla_overview(person) -> dict:
    """Open tickets per status, and how many running clocks are breached or due within the hour."""
    now = clock.now()
    # One grouped scan: per status, the open count and the clocks breached, due soon and paused among them.
    rows = (tickets_visible_to(person).filter(status__in=OPEN).order_by().values("status")
            .annotate(n=Count("id"), breached=Count("id", filter=Q(next_due_at__lte=now)),
                      due_soon=Count("id", filter=Q(next_due_at__gt=now, next_due_at__lte=now + BREACHING_SOON)),
                      paused=Count("id", filter=Q(sla_paused=True))))
    rows = list(rows)
    by_status = {row["status"]: row["n"] for row in rows}
    return {"by_status": by_status, "open": sum(by_status.values()),
            "breached": sum(row["breached"] for row in rows),
            "due_within_hour": sum(row["due_soon"] for row in rows),
            "paused": sum(row["paused"] for row in rows)}


def macros() -> list[Macro]:
    return list(Macro.objects.filter(active=True).order_by("name"))
