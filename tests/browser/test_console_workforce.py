"""A vendor manager settles Northwind's February in a real browser: the vendors compared, the vendor's
scorecard, the invoice computed with its SLA credit, the vendor's count imported and reconciled, the first
approval. A vendor's own manager sees their vendor only."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.console import sign_in
from tests.workforce_month import MONTH, NORTHWIND_TERMS, NOW, vendor_id, work_the_month
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.contracts import services as contracts

pytestmark = pytest.mark.browser


def test_a_vendor_manager_settles_the_month(page, people, world, tmp_path):
    manager = people.person("vendor_manager", username="console-vm")
    with clock.frozen(NOW):
        contracts.create_contract(actor=manager, vendor_id=vendor_id(setup.VENDOR_A), reference="NW-1", name="MSA",
                                  effective_from=NOW.date().replace(month=1, day=1), effective_to=None,
                                  terms=NORTHWIND_TERMS)
        work_the_month(world)
        sign_in(page, manager)
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Vendors").click()
        expect(page.get_by_role("heading", name="Vendors", level=1)).to_be_visible()
        table = page.get_by_role("table", name="Vendors compared")
        expect(table).to_contain_text(setup.VENDOR_A)
        expect(table).to_contain_text(setup.VENDOR_B)
        table.get_by_role("link", name=setup.VENDOR_A).click()

        expect(page.get_by_role("heading", name=re.compile(setup.VENDOR_A), level=1)).to_be_visible()
        expect(page.get_by_role("img", name="SLA attainment and audited accuracy by month")).to_be_visible()
        expect(page.get_by_role("table", name="Queues")).to_contain_text("60.0%")
        page.get_by_role("button", name=f"Compute the {MONTH} invoice").click()

        expect(page.get_by_role("heading", name=re.compile(f"Invoice {MONTH}"))).to_be_visible()
        lines = page.get_by_role("table", name="Invoice lines")
        expect(lines).to_contain_text("SLA credit: general-us")
        expect(lines).to_contain_text("60.0% decided within 24")
        expect(lines).to_contain_text("4.65")

        counts = tmp_path / "northwind-february.csv"
        counts.write_text("queue,day,decisions\ngeneral-us,2026-02-03,2\n")
        page.get_by_label("The vendor's CSV (queue,day,decisions)").set_input_files(str(counts))
        page.get_by_role("button", name="Import and reconcile").click()
        expect(page.get_by_text("The counts differ")).to_be_visible()
        expect(page.get_by_role("table", name="Differences")).to_contain_text("2026-02-03")

        page.get_by_role("button", name="Approve as vendor manager").click()
        expect(page.get_by_role("heading", name=re.compile("Approved by the vendor manager"))).to_be_visible()


def test_a_vendors_own_manager_sees_only_their_vendor(page, people):
    own = people.person("vendor_manager", vendor=setup.VENDOR_B, username="lumen-vm")
    with clock.frozen(NOW):
        sign_in(page, own)
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Vendors").click()
        table = page.get_by_role("table", name="Vendors compared")
        expect(table).to_contain_text(setup.VENDOR_B)
        expect(table).not_to_contain_text(setup.VENDOR_A)
        page.goto(f"/vendors/{vendor_id(setup.VENDOR_A)}/")
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
