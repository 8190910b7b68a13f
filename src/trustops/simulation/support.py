"""The support desk's month for the demo: requesters asking for help, the desk answering with articles and
macros, escalations to engineering, escalations about creators and users (with last week's insights report), an
incident declared from a cluster of tickets with its postmortem, daily reports and the current shift's handover.
Deterministic for a seed."""
import random
from datetime import datetime, time, timedelta

from trustops.identity.models import User
from trustops.kernel import clock
from trustops.simulation import platform
from trustops.subjects.models import Subject
from trustops.support.engineering import services as engineering
from trustops.support.escalations import services as escalations
from trustops.support.incidents import services as incidents
from trustops.support.kb import services as kb
from trustops.support.reports import services as reports
from trustops.support.tickets import services as tickets

DAY = timedelta(days=1)
TICKETS_PER_DAY = {"tiny": 1, "small": 4, "default": 12}
ARTICLES = [
    ("Claim button does nothing", "Sign out and in again; if it persists, the lease service is degraded: "
     "report it to the desk with the queue name.", "published"),
    ("Resetting your authenticator (TOTP)", "Ask an admin to reset your device from the admin page; then scan the "
     "new QR code.", "published"),
    ("Which policy covers impersonation?", "Impersonation is under integrity.impersonation; see the guidance "
     "on the case page.", "published"),
    ("SOP: restarting the lease worker", "Page the on-call engineer; restart the worker; watch the claim latency "
     "for ten minutes.", "internal"),
    ("SOP: data requests from regulators", "Route to compliance within one business day; never export yourself.",
     "internal"),
    ("Queue page blank after release", "Clear the browser cache; a fix is rolling out.", "draft"),
]
QUESTIONS = [
    ("tool_malfunction", "Queue page is blank", "The general queue shows nothing after the release."),
    ("access", "Locked out after TOTP change", "My authenticator app was reset and now I cannot sign in."),
    ("policy_question", "Impersonation or parody?", "Is a parody account with a clear label a violation?"),
    ("data_request", "Export of my decisions", "I need my decisions of last week for a calibration."),
    ("bug", "Claim button spins", "Clicking claim spins forever in the LIVE queue."),
]
PRIORITIES = ["low", "normal", "normal", "normal", "high", "urgent"]


def _people():
    desk = platform.person("support.desk", "support_specialist", password=None)
    night = platform.person("support.night", "support_specialist", password=None)
    engineer = platform.person("engineer", "engineer", password=None)
    requesters = list(User.objects.filter(role__in=["moderator", "vendor_agent", "qa_auditor", "team_lead"])
                      .order_by("username")[:8])
    return desk, night, engineer, requesters or [desk]


def seed(*, seed: int = 7, size: str = "default", anchor: datetime | None = None) -> dict:
    rng = random.Random(seed * 31 + 13)
    anchor = anchor or clock.now()
    start = anchor - 30 * DAY
    with clock.frozen(start):
        desk, night, engineer, requesters = _people()
        for title, body, visibility in ARTICLES:
            kb.write_article(actor=desk, title=title, body=body, visibility=visibility,
                             review_due=(start + 60 * DAY).date())
        tickets.create_macro(actor=desk, name="Ask for the queue", body="Which queue and case were you in?",
                             set_status="pending", add_tags=["needs-info"])
    made, escalated = [], 0
    for day in range(30):
        for n in range(TICKETS_PER_DAY.get(size, 4)):
            at = start + day * DAY + timedelta(minutes=rng.randrange(0, 24 * 60))
            category, subject, body = rng.choice(QUESTIONS)
            with clock.frozen(at):
                ticket = tickets.open_ticket(requester=rng.choice(requesters), subject=subject, body=body,
                                             category=category, priority=rng.choice(PRIORITIES),
                                             source=rng.choice(["console", "chat", "im_bot"]))
            made.append(ticket.pk)
            if at > anchor - timedelta(hours=6):
                continue   # the newest tickets wait in the inbox
            with clock.frozen(at + timedelta(minutes=rng.randrange(5, 240))):
                tickets.assign(actor=desk, ticket_id=ticket.pk, assignee=desk.username)
                tickets.reply(actor=desk, ticket_id=ticket.pk, body="Thanks, looking into it.")
            if category == "bug" and escalated < 4:
                with clock.frozen(at + timedelta(hours=5)):
                    issue = engineering.escalate(actor=desk, ticket_id=ticket.pk, engineer=engineer.username)
                escalated += 1
                if day < 25:
                    with clock.frozen(at + timedelta(days=1)):
                        engineering.update_issue(actor=engineer, issue_id=issue.pk, status="fixed",
                                                 note="Fixed in the next release.")
                    with clock.frozen(at + timedelta(days=1, hours=3)):
                        engineering.confirm_fix(actor=ticket.requester, ticket_id=ticket.pk)
                continue
            if rng.random() < 0.3:
                with clock.frozen(at + timedelta(hours=6)):
                    tickets.change_status(actor=desk, ticket_id=ticket.pk, status="pending")
                with clock.frozen(at + timedelta(hours=6 + rng.randrange(1, 20))):
                    tickets.reply(actor=ticket.requester, ticket_id=ticket.pk, body="Here are the details.")
            if day < 28 or rng.random() < 0.5:
                with clock.frozen(at + timedelta(hours=rng.randrange(7, 30))):
                    tickets.change_status(actor=desk, ticket_id=ticket.pk, status="solved")
    # An incident from three tickets about the blank queue page, stabilised and with its postmortem.
    cluster = list(made[-40:-10:10])[:3] or made[:3]
    with clock.frozen(anchor - 10 * DAY):
        incident = incidents.declare(actor=desk, title="Review queue pages blank after release", severity="sev2",
                                     summary="Queue pages rendered empty for reviewers in every region.",
                                     affected_tools=["review-console"], affected_queues=["general-us"],
                                     affected_regions=["US"], ticket_ids=cluster, scribe=night.username,
                                     liaison=engineer.username)
        incidents.post_update(actor=desk, incident_id=incident.pk, text="Release rolled back; pages load again.",
                              status="stable")
        incidents.add_task(actor=desk, incident_id=incident.pk, title="Canary the console release",
                           owner=engineer.username, due_at=anchor - 5 * DAY)
    with clock.frozen(anchor - 9 * DAY):
        incidents.write_postmortem(actor=desk, incident_id=incident.pk,
                                   summary="A cache key change blanked the queue pages for 40 minutes.",
                                   root_causes=[{"category": "product_tech", "description": "Cache key collision"},
                                                {"category": "process", "description": "No canary for console releases"}],
                                   action_items=[{"title": "Canary console releases", "owner": engineer.username,
                                                  "due_date": (anchor + 7 * DAY).date()}])
        incidents.post_update(actor=desk, incident_id=incident.pk, text="Closed; postmortem written.", status="closed")
    escalated_accounts = _escalations(desk, rng, anchor)
    with clock.frozen(anchor):
        kb.record_gap(query="payout hold appeal")
        for back in range(1, 8):
            reports.generate_daily_report(day=(anchor - back * DAY).date())
        reports.generate_handover()
    return {"support_tickets": len(made), "support_incidents": 1, "support_escalations": escalated,
            "creator_escalations": escalated_accounts}


# Escalations about accounts: (source, summary, closed with (RCA class, root cause, insight tags) or left open).
ESCALATIONS = [
    ("partners", "Partner manager: a top creator's LIVE was cut mid-stream for 'dangerous acts' during a cooking "
                 "show (a flambé).", ("policy", "The dangerous-acts guideline does not cover cooking with fire.",
                                      ["policy-gap", "live"])),
    ("communications", "Press enquiry: a creator says their account was banned for a parody of a politician.",
     ("human_training", "Parody markers missed by a new reviewer.", ["parody", "training"])),
    ("support", "A creator's appeal has waited nine days with no answer.",
     ("process", "Appeals queue had no owner over a holiday.", ["appeals", "staffing"])),
    ("support", "A user's account is locked after a takeover; the recovery e-mail belongs to the attacker.",
     ("product_tech", "Account recovery trusts an e-mail address changed minutes before.",
      ["account-recovery", "takeover"])),
    ("partners", "A brand partner's campaign videos are held in review for three days.", None),
]


def _escalations(desk, rng, anchor) -> int:
    """Escalations about the demo's most and least followed accounts, last week and this: four closed with their
    root cause and insight tags (so last week's insights report has drivers and a product gap), one open."""
    accounts = list(Subject.objects.filter(type="creator").order_by("-reach", "pk")[:3]) + \
        list(Subject.objects.filter(type__in=["creator", "user"]).order_by("reach", "pk")[:2])
    last_monday = escalations.week_of(anchor.date()) - timedelta(days=7)
    opened = 0
    for n, ((source, summary, closing), account) in enumerate(zip(ESCALATIONS, accounts)):
        at = datetime.combine(last_monday, time(9), tzinfo=anchor.tzinfo) + timedelta(days=n, hours=rng.randrange(8))
        with clock.frozen(at):
            esc = escalations.open_escalation(actor=desk, account_type=account.type,
                                              external_id=account.external_id, source=source, summary=summary)
            escalations.assign(actor=desk, escalation_id=esc.pk)
        opened += 1
        if closing is not None:
            category, cause, tags = closing
            with clock.frozen(at + timedelta(hours=20)):
                escalations.close(actor=desk, escalation_id=esc.pk, rca_category=category, root_cause=cause,
                                  insight_tags=tags)
    with clock.frozen(anchor):
        escalations.generate_weekly_insights(week_start=last_monday, actor=desk)
    return opened



