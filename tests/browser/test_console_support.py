"""The support desk in the browser: a moderator asks for help from the header, the desk answers from its inbox,
and the moderator reads the answer (never the internal note)."""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in, sign_out
from trustops.support.models import Ticket
from trustops.support.tickets import services as tickets

pytestmark = pytest.mark.browser


def test_help_from_the_header_answered_from_the_inbox(page, people):
    asker = people.person("moderator", team=None)
    agent = people.person("support_specialist")
    sign_in(page, asker)
    page.get_by_role("link", name="Help").click()
    panel = page.get_by_role("form", name="Ask for help")
    expect(panel).to_be_visible()
    panel.get_by_label("Subject").fill("Blank queue page")
    panel.get_by_label("What happened?").fill("The general queue shows nothing since this morning.")
    panel.get_by_label("Category").select_option("tool_malfunction")
    panel.get_by_role("button", name="Send to the desk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Blank queue page")
    sign_out(page)

    sign_in(page, agent)
    page.goto("/support/?view=unassigned")
    page.get_by_role("link", name="Blank queue page").first.click()
    reply = page.get_by_role("form", name="Reply")
    reply.get_by_label("Reply").fill("Known issue: engineering is on it.")
    reply.get_by_label("Internal note").check()
    reply.get_by_role("button", name="Send").click()
    reply = page.get_by_role("form", name="Reply")
    reply.get_by_label("Reply").fill("Please reload with the cache cleared.")
    reply.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Please reload with the cache cleared.")).to_be_visible()
    sign_out(page)

    sign_in(page, asker)
    page.goto("/support/")
    page.get_by_role("link", name="Blank queue page").click()
    expect(page.get_by_text("Please reload with the cache cleared.")).to_be_visible()
    expect(page.get_by_text("Known issue: engineering is on it.")).to_have_count(0)


def test_a_creator_escalation_from_the_form_to_the_weekly_insights(page, people, world):
    creator = world.subject(type="creator", reach=2_500_000)
    world.report(subject=creator)
    specialist = people.person("escalations_specialist", team=None)
    sign_in(page, specialist)
    page.goto("/support/escalations/")
    form = page.get_by_role("form", name="Escalate a creator or user")
    form.get_by_label("Account id").fill(creator["external_id"])
    form.get_by_label("Escalated by").select_option("partners")
    form.get_by_label("Summary").fill("Partner reports the creator's payouts stopped.")
    form.get_by_role("button", name="Escalate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(creator["external_id"])
    expect(page.get_by_test_id("standing")).to_have_text("active")
    expect(page.get_by_text("mega (2500000 reach when escalated)")).to_be_visible()
    page.get_by_role("form", name="Owner").get_by_role("button", name="Take it").click()
    expect(page.get_by_test_id("escalation-status")).to_have_text("in_progress")
    closing = page.get_by_role("form", name="Close")
    closing.get_by_label("Root cause class").select_option("product_tech")
    closing.get_by_label("Root cause", exact=True).fill("Payout holds are invisible to partners.")
    closing.get_by_label("Insight tags").fill("payout-visibility")
    closing.get_by_role("button", name="Close").click()
    expect(page.get_by_test_id("escalation-status")).to_have_text("closed")

    page.goto("/support/escalations/insights/")
    today = datetime.now(timezone.utc).date()
    page.get_by_label("Week starting (Monday)").fill((today - timedelta(days=today.weekday())).isoformat())
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_test_id("insights-counts")).to_have_text("1 opened · 1 closed")
    expect(page.get_by_role("list").filter(has_text="payout-visibility").first).to_be_visible()


def test_the_desk_changes_an_sla_policy_and_open_tickets_are_recomputed(page, people):
    agent = people.person("support_specialist")
    asker = people.person("moderator", team=None)
    ticket = tickets.open_ticket(requester=asker, subject="Slow page", body="It is slow.", category="bug")
    sign_in(page, agent)
    page.goto("/support/sla/")
    form = page.get_by_role("form", name="Policy Normal tickets")
    form.get_by_label("Resolution (minutes)").fill("600")
    form.get_by_label("On hold pauses the resolution clock").uncheck()
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Normal tickets: saved, open tickets recomputed.")).to_be_visible()
    expect(page.get_by_role("form", name="Policy Normal tickets")).to_contain_text("version 2")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_due_at == ticket.created_at + timedelta(minutes=600)   # the desk runs 24×7

    created = page.get_by_role("form", name="New category policy")
    created.get_by_label("Priority").select_option("normal")
    created.get_by_label("Category").select_option("bug")
    created.get_by_label("Calendar").select_option("desk-24x7")
    for label, minutes in (("First response", "30"), ("Next reply", "60"), ("Resolution", "120")):
        created.get_by_label(f"{label} (minutes)").fill(minutes)
    created.get_by_role("button", name="Create").click()
    expect(page.get_by_role("form", name="Policy Normal · Bug")).to_be_visible()
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.resolution_due_at == ticket.created_at + timedelta(minutes=120)
