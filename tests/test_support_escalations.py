"""High-priority creator and user escalations: a ticket about a creator becomes a case in the creator-escalations
queue, routed by reach tier, worked with the account's whole context, closed with a root cause and insight tags
that add up to the weekly insights report."""
import csv
import io
from datetime import date, timedelta

import pytest

from tests.support_helpers import T0, Desk
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.outbox.models import OutboxMessage
from trustops.review.models import Case
from trustops.support.escalations import selectors, services
from trustops.support.escalations.services import tier_of
from trustops.support.models import CreatorEscalation

WEEK = date(2026, 3, 2)   # T0's Monday


@pytest.fixture
def team(world):
    desk = Desk(world)
    desk.specialist = world.person("excellence", "escalations_specialist")
    return desk


def account(world, reach, type="creator"):
    subject = world.subject(type=type, reach=reach)
    world.report(subject=subject)
    return subject


def escalate(team, subject, person=None, **body):
    body = {"account_type": subject["type"], "external_id": subject["external_id"], "source": "partners",
            "summary": "Top creator's livestream was cut mid-event.", **body}
    return team.api(person or team.specialist).post("/api/v1/escalations", body)


def test_reach_tiers():
    assert [tier_of(r)[0] for r in (0, 9_999, 10_000, 100_000, 999_999, 1_000_000)] == [
        "micro", "micro", "mid", "macro", "macro", "mega"]


def test_a_ticket_about_a_creator_is_escalated_worked_and_closed_into_the_weekly_insights(world, team):
    mega, small = account(world, 3_000_000), account(world, 500)
    with clock.frozen(T0):
        ticket = team.ticket(subject="Partner says their creator was banned by mistake", category="policy_question")
        from_ticket = escalate(team, mega, person=team.agent, source="support", ticket_id=ticket["id"])
        from_partner = escalate(team, small, source="communications", summary="Press asking about a user.")
    assert from_ticket.status_code == 201, from_ticket.content
    big, little = from_ticket.json(), from_partner.json()
    assert (big["reach_tier"], big["status"], big["ticket_id"]) == ("mega", "open", ticket["id"])
    assert little["reach_tier"] == "micro"
    # Each is its own case in the creator-escalations queue; the mega creator's comes first.
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[big["case_id"], little["case_id"]])}
    assert {c.queue.key for c in cases.values()} == {"creator-escalations"}
    assert {c.kind for c in cases.values()} == {"escalation"}
    assert cases[big["case_id"]].priority > cases[little["case_id"]].priority
    assert OutboxMessage.objects.filter(kind="support.creator_escalation_opened").count() == 2

    # The escalation's page shows the account's context: its standing, the report case's decision, the ticket.
    esc = CreatorEscalation.objects.get(pk=big["id"])
    context = selectors.account_context(team.specialist.user, esc)
    assert context["standing"]["status"] == "active" and context["reach"] == 3_000_000
    assert [t.pk for t in context["tickets"]] == [ticket["id"]]
    assert context["case_outcome"] == "undecided (open)"

    # Owned, then closed with its root cause and tags; the case's outcome is kept with it.
    taken = team.api(team.specialist).post(f"/api/v1/escalations/{big['id']}/owner", {})
    assert taken.status_code == 200 and taken.json()["status"] == "in_progress"
    assert taken.json()["owner"] == team.specialist.username
    with clock.frozen(T0 + timedelta(days=1)):
        closed = team.api(team.specialist).post(f"/api/v1/escalations/{big['id']}/closure", {
            "rca_category": "product_tech", "root_cause": "The ban appeal form dropped partner context.",
            "insight_tags": ["appeal-form", "partner-context"]})
        team.api(team.specialist).post(f"/api/v1/escalations/{little['id']}/closure", {
            "rca_category": "process", "root_cause": "Comms had no contact in the desk.",
            "insight_tags": ["appeal-form"]})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed" and closed.json()["case_outcome"] == "undecided (open)"
    again = team.api(team.specialist).post(f"/api/v1/escalations/{big['id']}/closure", {
        "rca_category": "policy", "root_cause": "x"})
    assert again.status_code == 409
    assert LedgerEvent.objects.filter(kind="support.creator_escalation_closed").count() == 2

    # The weekly insights: counts by tag and tier, top drivers, product gaps; kept and exported as CSV.
    generated = team.api(team.specialist).post(f"/api/v1/escalations/insights/{WEEK}")
    assert generated.status_code == 200, generated.content
    figures = generated.json()["figures"]
    assert (figures["opened"], figures["closed"]) == (2, 2)
    assert figures["opened_by_tier"] == {"mega": 1, "micro": 1}
    assert figures["by_tag"] == {"appeal-form": 2, "partner-context": 1}
    assert figures["by_tag_and_tier"]["appeal-form"] == {"mega": 1, "micro": 1}
    assert figures["top_drivers"][0] == {"tag": "appeal-form", "count": 2}
    assert figures["product_gaps"] == [{"tag": "appeal-form", "count": 1}, {"tag": "partner-context", "count": 1}]
    exported = team.api(team.specialist).get(f"/api/v1/escalations/insights/{WEEK}/report.csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert ["by_tag_and_tier", "appeal-form", "mega", "1"] in rows and ["closed", "", "", "2"] in rows
    assert services.generate_weekly_insights(week_start=WEEK).figures == figures   # the same figures again


def test_bad_escalations_are_refused_and_leave_nothing(world, team):
    creator = account(world, 50_000)
    ticket = team.ticket()
    cases = Case.objects.count()
    assert escalate(team, creator, source="press").status_code == 422
    assert escalate(team, {"type": "video", "external_id": "v-1"}).status_code == 422
    assert escalate(team, {"type": "creator", "external_id": "nobody"}).status_code == 404
    # A ticket comes with the support source; someone else's ticket is not found.
    assert escalate(team, creator, source="partners", ticket_id=ticket["id"], person=team.agent).status_code == 422
    assert escalate(team, creator, source="support", ticket_id=ticket["id"]).status_code == 404
    # A moderator neither escalates nor sees escalations.
    assert escalate(team, creator, person=team.requester).status_code == 403
    assert Case.objects.count() == cases and not CreatorEscalation.objects.exists()
    made = escalate(team, creator).json()
    assert team.api(team.requester).get(f"/api/v1/escalations/{made['id']}").status_code == 404
    bad_close = team.api(team.specialist).post(f"/api/v1/escalations/{made['id']}/closure", {
        "rca_category": "weather", "root_cause": "x"})
    assert bad_close.status_code == 422
    bad_tags = team.api(team.specialist).post(f"/api/v1/escalations/{made['id']}/closure", {
        "rca_category": "policy", "root_cause": "x", "insight_tags": ["Not A Tag!"]})
    assert bad_tags.status_code == 422
    assert CreatorEscalation.objects.get(pk=made["id"]).status == "open"
    assert team.api(team.specialist).post(f"/api/v1/escalations/{made['id']}/owner",
                                          {"owner": team.requester.username}).status_code == 422
