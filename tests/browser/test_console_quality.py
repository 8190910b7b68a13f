"""A QA lead opens the quality dashboard and the Monthly Quality Report, in a real browser.

The data is March 2025 (`tests/quality_month.py`); the console is read as of April 8, 2025, so the dashboard's
last twelve weeks cover March.
"""
import csv
import io
import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests import quality_month
from tests.browser.console import sign_in
from trustops.kernel import clock

pytestmark = pytest.mark.browser

AS_OF = datetime(2025, 4, 8, 12, tzinfo=timezone.utc)
REPORT_SECTIONS = ("Summary", "Accuracy trend", "Vendor comparison", "Queue comparison", "Error Pareto",
                   "Root-cause analyses", "Calibration", "Data validation")


@pytest.fixture
def march(world):
    return quality_month.build(world)


def region(page, name: str):
    return page.get_by_role("region", name=name, exact=True)


def test_a_qa_lead_reads_the_dashboard_and_the_monthly_report(page, people, march):
    lead = people.person("qa_lead", username="console-qa-lead")
    with clock.frozen(AS_OF):
        sign_in(page, lead)
        page.get_by_role("navigation", name="Console").get_by_role("link", name="Quality").click()

        expect(page).to_have_url(re.compile(r"/quality/$"))
        expect(page.get_by_role("heading", name="Quality", level=1)).to_be_visible()
        expect(region(page, "Accuracy by week").get_by_role("img", name=re.compile(r"^Accuracy by week"))).to_be_visible()
        # Twelve weeks hold March and the two audited decisions on either side of it: 24 + 1 of 36 correct.
        expect(region(page, "Accuracy by week")).to_contain_text("69.4%")
        expect(region(page, "Accuracy by week")).to_contain_text("36 audits")
        expect(region(page, "Vendor comparison").get_by_role("img", name=re.compile("Northwind BPO: 47.1%"))).to_be_visible()
        expect(region(page, "Error causes").get_by_role("img", name=re.compile("Human . training: 7"))).to_be_visible()

        rcas = region(page, "Open RCAs")
        overdue = rcas.get_by_role("row").filter(has_text="New Northwind agent removes banter")
        expect(overdue).to_contain_text("mqr-nw-manager")
        expect(overdue).to_contain_text("Mar 28, 2025")
        expect(overdue).to_contain_text("overdue")
        expect(rcas.get_by_role("row").filter(has_text="Slur detector misses new spelling")).to_contain_text("Jun 30, 2025")
        expect(rcas).not_to_contain_text("Slur guidance misses strike rule")           # done
        expect(region(page, "Recent calibration")).to_contain_text("Bullying or banter, March")

        region(page, "Monthly Quality Reports").get_by_role("link", name="March 2025").click()

        expect(page).to_have_url(re.compile(r"/quality/reports/2025-03/$"))
        expect(page.get_by_role("heading", name="March 2025", level=1)).to_be_visible()
        for name in REPORT_SECTIONS:
            expect(region(page, name)).to_be_visible()
        expect(region(page, "Accuracy trend").get_by_role("img").first).to_be_visible()
        expect(region(page, "Data validation")).to_contain_text("made by the reviewer of the decision itself")
        expect(region(page, "Root-cause analyses")).to_contain_text("New Northwind agent removes banter")

        downloads = page.get_by_role("group", name="Downloads")
        expect(downloads.get_by_role("link", name="CSV")).to_be_visible()
        expect(downloads.get_by_role("link", name="XLSX")).to_be_visible()
        with page.expect_download() as download:
            downloads.get_by_role("link", name="CSV").click()
        assert download.value.suggested_filename == "monthly-quality-report-2025-03.csv"
        rows = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))
        assert {"section": "summary", "group": "all", "metric": "audited", "value": "34"} in rows
        with page.expect_download() as workbook:
            downloads.get_by_role("link", name="XLSX").click()
        assert workbook.value.suggested_filename == "monthly-quality-report-2025-03.xlsx"


def test_a_vendor_manager_sees_their_vendor_only_and_a_moderator_no_quality_pages(page, people, march):
    manager = people.person("vendor_manager", vendor="Northwind BPO", username="console-nw-manager")
    with clock.frozen(AS_OF):
        sign_in(page, manager)
        page.goto("/quality/reports/2025-03/")
        expect(page.get_by_role("heading", name="March 2025", level=1)).to_be_visible()
        expect(page.get_by_text("Northwind BPO only")).to_be_visible()
        vendors = region(page, "Vendor comparison").get_by_role("table")
        expect(vendors.get_by_role("row")).to_have_count(2)            # the heading row and Northwind
        expect(vendors).to_contain_text("Northwind BPO")
        for other in ("Lumen", "In-house", "General review — international"):
            expect(page.get_by_text(other)).to_have_count(0)

        page.context.clear_cookies()
        sign_in(page, people.moderator())
        expect(page.get_by_role("navigation", name="Console").get_by_role("link", name="Quality")).to_have_count(0)
        page.goto("/quality/")
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        page.goto("/quality/reports/2025-03/")
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
