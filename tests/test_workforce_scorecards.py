"""The Monthly Business Review: a vendor manager reads each vendor's scorecard (SLA, quality with its interval,
productivity, cost per decision, credits, headcount, the trend), compares the vendors, downloads XLSX and PDF,
and settles the month from the console: compute, import the vendor's count, approve."""
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.test_console_access import console, verified_console
from tests.workforce_month import (
    LUMEN_TERMS,
    MONTH,
    NORTHWIND_TERMS,
    NOW,
    as_,
    manager,
    vendor_id,
    work_the_month,
)
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.billing.models import Invoice, InvoiceStatus


@pytest.fixture
def month(world):
    with clock.frozen(NOW):
        vm = manager(world)
        for name, terms, ref in ((setup.VENDOR_A, NORTHWIND_TERMS, "NW"), (setup.VENDOR_B, LUMEN_TERMS, "LU")):
            response = as_(vm).post(f"/api/v1/vendors/{vendor_id(name)}/contracts", {
                "reference": ref, "name": ref, "effective_from": "2026-01-01", "terms": terms})
            assert response.status_code == 201, response.content
        work_the_month(world)
        yield vm


def test_the_scorecard_shows_the_month_and_its_trend(world, month):
    with clock.frozen(NOW):
        card = as_(month).get(f"/api/v1/vendors/{vendor_id(setup.VENDOR_A)}/scorecard", month=MONTH).json()
    total = card["total"]
    assert total["volume"] == 10 and total["sla_attainment"] == pytest.approx(0.6)
    assert total["aht_seconds"] == 60 and total["decisions_per_productive_hour"] == pytest.approx(60)
    # 3 of 4 correct: Wilson 95% interval 0.3006 – 0.9544 (Newcombe 1998, method 3).
    assert total["accuracy"] == 0.75
    assert total["accuracy_low"] == pytest.approx(0.3006, abs=1e-4)
    assert total["accuracy_high"] == pytest.approx(0.9544, abs=1e-4)
    # Six decided within the hour, four after 30 hours: the median in the first hour, the 90th after a day.
    assert total["time_to_decision"]["p50"] == 3600 and total["time_to_decision"]["p90"] == 30 * 3600
    money = card["money"]
    assert money["source"] == "estimate" and Decimal(money["total"]) == Decimal("4.65")
    assert Decimal(money["cost_per_decision"]) == Decimal("0.4650")
    assert card["headcount"]["working"] == 1 and card["headcount"]["rostered"] == 1
    assert [row["month"] for row in card["trend"]] == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01",
                                                      "2026-02"]
    assert card["trend"][-1]["volume"] == 10 and card["trend"][0]["volume"] == 0
    queue = {q["queue"]: q for q in card["queues"]}["general-us"]
    assert queue["sla_target"] == 0.9 and queue["sla_met"] is False


def test_vendors_compared_and_the_files(world, month):
    with clock.frozen(NOW):
        rows = as_(month).get("/api/v1/vendors/scorecards", month=MONTH).json()
        assert {row["vendor"]: row["volume"] for row in rows} == {setup.VENDOR_A: 10, setup.VENDOR_B: 5}
        xlsx = as_(month).get(f"/api/v1/vendors/{vendor_id(setup.VENDOR_A)}/scorecard/file/xlsx", month=MONTH)
        sheets = load_workbook(io.BytesIO(xlsx.content))
        assert sheets.sheetnames == ["Scorecard", "Queues", "Trend"]
        figures = {row[0].value: row[1].value for row in sheets["Scorecard"].iter_rows(min_row=2)}
        assert figures["decisions"] == 10 and figures["sla_attainment_percent"] == 60
        pdf = as_(month).get(f"/api/v1/vendors/{vendor_id(setup.VENDOR_A)}/scorecard/file/pdf", month=MONTH)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_vendor_manager_settles_the_month_in_the_console(world, month):
    northwind = vendor_id(setup.VENDOR_A)
    with clock.frozen(NOW):
        page = console(month.user)
        listing = page.get("/vendors/", {"month": MONTH})
        assert listing.status_code == 200 and b"60.0%" in listing.content
        vendor_page = page.get(f"/vendors/{northwind}/", {"month": MONTH})
        assert b"<svg" in vendor_page.content and b"nw.agent" in vendor_page.content
        computed = page.post(f"/vendors/{northwind}/invoices/", {"month": MONTH})
        invoice = Invoice.objects.get(vendor_id=northwind)
        assert computed.status_code == 302 and computed["Location"] == f"/invoices/{invoice.pk}/"
        shown = page.get(f"/invoices/{invoice.pk}/")
        assert b"SLA credit: general-us" in shown.content and b"4.65" in shown.content
        upload = io.BytesIO(b"queue,day,decisions\ngeneral-us,2026-02-03,3\n")
        upload.name = "northwind-february.csv"
        page.post(f"/invoices/{invoice.pk}/vendor-count/", {"counts": upload})
        assert b"The counts differ" in page.get(f"/invoices/{invoice.pk}/").content
        bad = io.BytesIO(b"queue,day,decisions\nnowhere,2026-02-03,1\n")
        bad.name = "bad.csv"
        refused = page.post(f"/invoices/{invoice.pk}/vendor-count/", {"counts": bad}, follow=True)
        assert b"unknown queue" in refused.content
        page.post(f"/invoices/{invoice.pk}/approve/", {"version": Invoice.objects.get(pk=invoice.pk).version})
        assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.MANAGER_APPROVED
        finance = verified_console(world.person("finance", "admin").user)
        finance.post(f"/invoices/{invoice.pk}/approve/", {"version": Invoice.objects.get(pk=invoice.pk).version})
        assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.APPROVED
        assert page.get(f"/invoices/{invoice.pk}/invoice.pdf").content.startswith(b"%PDF")
