"""An investigator writes a rule in the console: inline validation, a backtest, publication in shadow mode."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from trustops.kernel import clock
from trustops.risk.events import services as events
from trustops.risk.rules import live

pytestmark = pytest.mark.browser


@pytest.fixture
def stored_events(platform):
    live.clear_cache()
    now = clock.now()
    events.ingest([{"id": f"b-{n}", "kind": "login_failed", "occurred_at": (now - timedelta(minutes=30 - n)).isoformat(),
                    "actor": {"type": "user", "external_id": "u-browser"}, "attributes": {}} for n in range(8)])
    yield
    live.clear_cache()


def test_an_investigator_validates_backtests_and_publishes_a_rule(page, people, stored_events):
    investigator = people.person("investigator", username="console-investigator")
    sign_in(page, investigator)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Risk").click()
    expect(page.get_by_role("heading", name="Risk rules")).to_be_visible()
    page.get_by_role("link", name="New rule").click()

    page.get_by_label("Key", exact=True).fill("browser-bruteforce")
    page.get_by_label("Name", exact=True).fill("Failed logins from the console")
    page.get_by_label("When (CEL)").fill("features.fails_1h >= 5")
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("alert")).to_contain_text("features.fails_1h at line 1, column 1")

    page.get_by_label("When (CEL)").fill("features.fails_10m >= 5")
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#validation")).to_contain_text("Dry run on the last 8 stored events: 4 hits")
    page.get_by_role("button", name="Backtest").click()
    expect(page.locator("#backtest")).to_contain_text("4 hits on 1 subjects")
    expect(page.locator("#backtest svg")).to_be_visible()

    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(re.compile(r"/risk/rules/browser-bruteforce/$"))
    expect(page.get_by_role("heading", name=re.compile("Mode"))).to_contain_text("shadow")
    page.get_by_role("link", name="Risk rules").click()
    expect(page.get_by_role("cell", name=re.compile("Failed logins from the console"))).to_be_visible()


@pytest.fixture
def acted_on(platform, people):
    """An enforce rule labelled u-acted, opened a case about it and restricted its LIVE."""
    from trustops.risk.rules import services as rules
    live.clear_cache()
    author = people.person("investigator", username="rule-author")
    rules.save_rule(actor=author, key="takeover", name="Account takeover", on=["login_failed"], features=[
        {"name": "fails_10m", "kind": "count", "by": "actor", "window_seconds": 600}],
        when="features.fails_10m >= 3", mode="enforce", outcome={
            "label": {"name": "suspected_ato", "ttl_seconds": 86400},
            "open_case": {"queue": "integrity", "policy": "scams.phishing"}, "action": {"name": "restrict_live"}})
    now = clock.now()
    events.ingest([{"id": f"a-{n}", "kind": "login_failed", "occurred_at": (now - timedelta(minutes=3 - n)).isoformat(),
                    "actor": {"type": "user", "external_id": "u-acted"}, "attributes": {}} for n in range(3)])
    yield author
    live.clear_cache()


def test_labels_show_on_the_account_and_case_pages_and_an_automatic_action_is_reversed(page, acted_on):
    from trustops.risk.models import RuleHit
    hit = RuleHit.objects.get()
    sign_in(page, acted_on)
    page.goto("/accounts/user/u-acted/")
    labels = page.get_by_role("region", name=re.compile("Risk labels"))
    expect(labels).to_contain_text("suspected_ato")
    expect(labels).to_contain_text("rule takeover v1")
    page.goto(f"/cases/{hit.case_id}/")
    expect(page.get_by_role("region", name=re.compile("Risk labels"))).to_contain_text("suspected_ato")

    page.goto("/risk/rules/takeover/")
    page.get_by_label(f"Reason for reversing hit {hit.pk}").fill("customer verified by phone")
    page.get_by_role("button", name="Reverse action").click()
    expect(page.get_by_role("cell", name=re.compile("action_reversed"))).to_be_visible()
    expect(page.get_by_role("button", name="Reverse action")).to_have_count(0)
    hit.enforcement_action.refresh_from_db()
    assert hit.enforcement_action.status == "reversed"
    assert hit.enforcement_action.close_reason == "customer verified by phone"
