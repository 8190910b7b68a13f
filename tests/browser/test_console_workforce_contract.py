"""The vendor manager drafts Northwind's next contract version in a real browser: an overlapping draft over
100% at risk is shown back with both problems, then a good draft is published."""
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
        # The draft is version 1, field by field.
        expect(page.get_by_label("Price 1: price")).to_have_value("0.50")
        page.get_by_label("Amount at risk %").fill("150")
        page.get_by_label("Effective from").fill("2025-12-01")
        page.get_by_role("button", name="Publish the version").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("2 problems: nothing was published")
        expect(alert).to_contain_text("terms.credits.at_risk_percent")
        expect(alert).to_contain_text("overlaps NW-1 version 1")
        at_risk = page.get_by_label("Amount at risk %")
        expect(at_risk).to_have_value("150")
        expect(at_risk).to_have_attribute("aria-invalid", "true")

        at_risk.fill("8")
        page.get_by_label("SLA 2: queue").fill("general-intl")
        page.get_by_label("SLA 2: within hours").fill("48")
        page.get_by_label("SLA 2: target share (0–1)").fill("0.85")
        page.get_by_label("Effective from").fill("2026-04-01")
        page.get_by_role("button", name="Publish the version").click()
        expect(page.get_by_text("NW-1 version 2 published, in force from 2026-04-01.")).to_be_visible()
        second = contracts_version(2)
        assert second.terms["credits"]["at_risk_percent"] == "8"
        assert [s["queue"] for s in second.terms["sla"]] == ["general-us", "general-intl"]


def contracts_version(number: int):
    from trustops.workforce.contracts.models import ContractVersion
    return ContractVersion.objects.get(number=number)
