"""The support desk in the browser: a moderator asks for help from the header, the desk answers from its inbox,
and the moderator reads the answer (never the internal note)."""
import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in, sign_out

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
