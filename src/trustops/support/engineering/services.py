"""Escalation to engineering and the follow-up until the requester confirms the fix.

The issue's status comes back through a signed inbound webhook (HMAC-SHA256 like outbound webhooks,
`outbox.signatures`, with the shared secret `TRUSTOPS["SUPPORT_ENGINEERING_SECRET"]`); each change also goes out
(the outbox). Once engineering reports a fix, the ticket waits on the requester (pending) and the requester is
reminded every `REMINDER_EVERY` until they confirm; after `QUIET_PERIOD` without an answer the ticket is solved
and closed, with notice.
"""
import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound, Unauthorized
from trustops.ledger import services as ledger
from trustops.outbox import services as outbox
from trustops.outbox import signatures
from trustops.support.models import EngineeringIssue, Group, IssueStatus, Status, Ticket, TicketReply
from trustops.support.tickets import services as tickets

REMINDER_EVERY = timedelta(hours=24)
QUIET_PERIOD = timedelta(days=3)
MAX_REMINDERS = 3
SYSTEM = "support-follow-up"


def _out(issue: EngineeringIssue, kind: str) -> None:
    payload = {"issue_id": issue.pk, "ticket_id": issue.ticket_id, "status": issue.status, "title": issue.title,
               "engineer": issue.engineer.username if issue.engineer else None}
    ledger.record(f"support.{kind}", payload=payload)
    outbox.enqueue(f"support.{kind}", payload)


@transaction.atomic
def escalate(*, actor, ticket_id: int, engineer: str | None = None, title: str = "") -> EngineeringIssue:
    """Open an engineering issue for a ticket: the ticket goes on hold, in the engineering group."""
    tickets._desk(actor)
    ticket = tickets._locked(actor, ticket_id)
    if EngineeringIssue.objects.filter(ticket=ticket).exists():
        raise Conflict("already_escalated", "This ticket already has an engineering issue.")
    if ticket.status in (Status.SOLVED, Status.CLOSED):
        raise Conflict("ticket_not_open", "Only an open ticket is escalated.")
    person = None
    if engineer:
        person = User.objects.filter(username=engineer, role=Role.ENGINEER, is_active=True).first()
        if person is None:
            raise Invalid("unknown_engineer", f"No engineer {engineer!r}.", field="engineer")
    now = clock.now()
    issue = EngineeringIssue.objects.create(ticket=ticket, engineer=person, title=(title or ticket.subject)[:200],
                                            created_at=now, updated_at=now)
    ticket.group = Group.ENGINEERING
    tickets._apply_status(ticket, Status.ON_HOLD, actor=actor, now=now, reason="escalated to engineering")
    tickets.sla.recompute(ticket, now=now)
    tickets._save(ticket, now)
    _out(issue, "engineering_issue_opened")
    return issue


def _apply_issue_status(issue: EngineeringIssue, status: str, note: str, now) -> None:
    if status not in IssueStatus.values:
        raise Invalid("unknown_status", f"One of {', '.join(IssueStatus.values)}.", field="status")
    if status == issue.status:
        return
    issue.status, issue.updated_at = status, now
    ticket = Ticket.objects.select_for_update().get(pk=issue.ticket_id)
    if status in (IssueStatus.FIXED, IssueStatus.WONT_FIX):
        issue.fixed_at = now
        text = ("Engineering has fixed this. Please check and confirm it works for you."
                if status == IssueStatus.FIXED else "Engineering will not change this; the desk will follow up.")
        if note:
            text += f"\n\n{note}"
        TicketReply.objects.create(ticket=ticket, author=issue.engineer, body=text[:20_000], created_at=now)
        ticket.last_agent_reply_at = now
        ticket.first_responded_at = ticket.first_responded_at or now
        if ticket.status not in (Status.SOLVED, Status.CLOSED):
            tickets._apply_status(ticket, Status.PENDING, actor=SYSTEM, now=now, reason=f"engineering: {status}")
    elif ticket.status == Status.PENDING:
        tickets._apply_status(ticket, Status.ON_HOLD, actor=SYSTEM, now=now, reason=f"engineering: {status}")
    tickets.sla.recompute(ticket, now=now)
    tickets._save(ticket, now)
    issue.save()
    _out(issue, "engineering_issue_updated")


@transaction.atomic
def update_issue(*, actor, issue_id: int, status: str, note: str = "") -> EngineeringIssue:
    """An engineer (or the desk) moves the issue along in the console."""
    issue = EngineeringIssue.objects.select_for_update(of=("self",)).select_related("engineer").filter(pk=issue_id).first()
    if issue is None:
        raise NotFound("issue_not_found", "No such engineering issue.")
    tickets._locked(actor, issue.ticket_id)
    v = access.viewer(actor)
    if not (access.works_support_desk(actor) or (v.role == Role.ENGINEER and issue.engineer_id == v.user_id)):
        raise NotFound("issue_not_found", "No such engineering issue.")
    _apply_issue_status(issue, status, (note or "")[:5000], clock.now())
    return issue


def secret() -> str:
    return settings.TRUSTOPS.get("SUPPORT_ENGINEERING_SECRET", "")


@transaction.atomic
def receive_webhook(*, body: bytes, signature: str) -> EngineeringIssue:
    """The tracker tells trustops an issue changed: `{"issue_id", "status", "note"?, "external_ref"?}`."""
    shared = secret()
    if not shared or not signatures.verify(shared, body, signature or ""):
        raise Unauthorized("bad_signature", "The webhook signature is missing, stale or wrong.")
    try:
        data = json.loads(body)
    except ValueError:
        raise Invalid("malformed_json", "The body is not JSON.") from None
    if not isinstance(data, dict) or not isinstance(data.get("issue_id"), int) or isinstance(data.get("issue_id"), bool):
        raise Invalid("invalid_field", "issue_id must be an integer.", field="issue_id")
    status = data.get("status")
    if not isinstance(status, str):
        raise Invalid("invalid_field", "status must be a string.", field="status")
    note = data.get("note") or ""
    if not isinstance(note, str) or "\x00" in note:
        raise Invalid("invalid_field", "note must be text.", field="note")
    issue = EngineeringIssue.objects.select_for_update(of=("self",)).select_related("engineer").filter(
        pk=data["issue_id"]).first()
    if issue is None:
        raise NotFound("issue_not_found", "No such engineering issue.")
    ref = data.get("external_ref")
    if isinstance(ref, str) and "\x00" not in ref:
        issue.external_ref = ref[:100]
    _apply_issue_status(issue, status, note[:5000], clock.now())
    return issue


@transaction.atomic
def confirm_fix(*, actor, ticket_id: int) -> Ticket:
    """The requester confirms the fix: the issue is confirmed and the ticket solved."""
    ticket = tickets._locked(actor, ticket_id)
    issue = EngineeringIssue.objects.select_for_update().filter(ticket=ticket).first()
    v = access.viewer(actor)
    if ticket.requester_id != v.user_id and not access.works_support_desk(actor):
        raise NotFound("ticket_not_found", "No such ticket.")
    if issue is None or issue.status != IssueStatus.FIXED:
        raise Conflict("nothing_to_confirm", "Engineering has not reported a fix for this ticket.")
    now = clock.now()
    issue.confirmed_at = now
    issue.save()
    tickets._apply_status(ticket, Status.SOLVED, actor=actor, now=now, reason="requester confirmed the fix")
    tickets.sla.recompute(ticket, now=now)
    tickets._save(ticket, now)
    ledger.record("support.fix_confirmed", actor=actor, payload={"ticket_id": ticket.pk, "issue_id": issue.pk})
    return ticket


@transaction.atomic
def follow_up(*, now=None) -> dict:
    """Remind requesters of fixes they have not confirmed; solve and close, with notice, after the quiet
    period. Idempotent at any frequency (the periodic task runs it hourly)."""
    now = now or clock.now()
    reminded = closed = 0
    issues = (EngineeringIssue.objects.select_for_update().select_related("ticket")
              .filter(status=IssueStatus.FIXED, confirmed_at__isnull=True, ticket__status=Status.PENDING))
    drafts = []
    for issue in issues:
        ticket = issue.ticket
        quiet_since = max(d for d in (issue.fixed_at, ticket.last_requester_reply_at) if d is not None)
        if now - quiet_since >= QUIET_PERIOD:
            text = ("We have not heard back since engineering fixed this, so we are closing the ticket. "
                    "If the problem comes back, open a new ticket.")
            TicketReply.objects.create(ticket=ticket, author=None,
                                       body=text, created_at=now)
            tickets._apply_status(ticket, Status.SOLVED, actor=SYSTEM, now=now, reason="quiet after fix")
            tickets._apply_status(ticket, Status.CLOSED, actor=SYSTEM, now=now, reason="quiet after fix")
            tickets.sla.recompute(ticket, now=now)
            tickets._save(ticket, now)
            drafts.append(identity.NotificationDraft(
                recipient_id=ticket.requester_id, kind="support.ticket_auto_closed", topic="ticket",
                topic_id=ticket.pk, title=f"Ticket #{ticket.pk} closed: {ticket.subject}"[:200], body=text))
            closed += 1
        elif (issue.reminders_sent < MAX_REMINDERS
              and now - (issue.last_reminder_at or issue.fixed_at) >= REMINDER_EVERY):
            issue.reminders_sent += 1
            issue.last_reminder_at = now
            issue.save()
            drafts.append(identity.NotificationDraft(
                recipient_id=ticket.requester_id, kind="support.fix_reminder", topic="ticket", topic_id=ticket.pk,
                title=f"Is ticket #{ticket.pk} fixed for you?"[:200],
                body="Engineering reported a fix. Confirm it on the ticket, or reply if it still fails."))
            ledger.record("support.fix_reminder_sent", payload={"ticket_id": ticket.pk, "issue_id": issue.pk,
                                                                "reminder": issue.reminders_sent})
            reminded += 1
    identity.notify_many(drafts)
    return {"reminded": reminded, "closed": closed}
