"""The vendor manager drafts Northwind's next contract version in a real browser: an overlapping draft over
100% at risk is shown back with both problems, then a good draft is published."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from tests.workforce_month import NORTHWIND_TERMS, NOW, vendor_id
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.contracts import services as contracts

pytestmark = pytest.mark.browser


def test_a_vendor_manager_drafts_and_publishes_a_contract_version(page, people):
    manager = people.person("vendor_manager", username="console-contract-vm")
    with clock.frozen(NOW):
        contracts.create_contract(actor=manager, vendor_id=vendor_id(setup.VENDOR_A), reference="NW-1", name="MSA",
                                  effective_from=date(2026, 1, 1), effective_to=None, terms=NORTHWIND_TERMS)
        sign_in(page, manager)
        page.goto(f"/vendors/{vendor_id(setup.VENDOR_A)}/")
        page.get_by_role("link", name="Draft a new version of NW-1").click()
        expect(page.get_by_role("heading", name="New version of NW-1", level=1)).to_be_visible()
        terms = page.get_by_label(re.compile("^Terms"))
        drafted = terms.input_value()
        terms.fill(re.sub(r'"at_risk_percent": [^,\n]+', '"at_risk_percent": 150', drafted))
        page.get_by_label("Effective from").fill("2025-12-01")
        page.get_by_role("button", name="Publish the version").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("2 problems: nothing was published")
        expect(alert).to_contain_text("terms.credits.at_risk_percent")
        expect(alert).to_contain_text("overlaps NW-1 version 1")

        page.get_by_label(re.compile("^Terms")).fill(re.sub(r'"at_risk_percent": [^,\n]+', '"at_risk_percent": 8',
                                                            drafted))
        page.get_by_label("Effective from").fill("2026-04-01")
        page.get_by_role("button", name="Publish the version").click()
        expect(page.get_by_text("NW-1 version 2 published, in force from 2026-04-01.")).to_be_visible()
