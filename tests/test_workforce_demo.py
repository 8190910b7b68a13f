"""The demo world has the vendor manager's month: profiles, contracts, invoices from the seeded decisions."""
from datetime import time

import pytest

from trustops.identity.models import Vendor
from trustops.simulation import platform
from trustops.simulation.seed import seed_world
from trustops.workforce.billing.models import Invoice, InvoiceStatus
from trustops.workforce.rosters import adherence
from trustops.workforce.rosters.models import RosterEntry, ShiftTemplate
from trustops.workforce.vendors.models import VendorProfile


@pytest.fixture
def tiny_world(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path    # the demo token file, never in a developer's var directory
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return seed_world(seed=7, size="tiny")


def test_the_demo_vendors_have_contracts_and_last_months_invoices(tiny_world):
    invoices = {i.vendor.name: i for i in Invoice.objects.select_related("vendor")}
    assert set(invoices) == {platform.VENDOR_A, platform.VENDOR_B}
    northwind, lumen = invoices[platform.VENDOR_A], invoices[platform.VENDOR_B]
    assert northwind.status == InvoiceStatus.APPROVED and northwind.lines.filter(kind="decisions").exists()
    assert northwind.figures["total"]["volume"] > 0
    assert lumen.status == InvoiceStatus.DISPUTED and lumen.vendor_counts.exists()
    assert tiny_world["vendor_month"] == northwind.month.isoformat()[:7]
    statuses = dict(VendorProfile.objects.values_list("vendor__name", "status"))
    assert statuses == {platform.VENDOR_A: "active", platform.VENDOR_B: "improvement_plan"}


def test_the_demo_vendors_have_rosters_and_measured_adherence(tiny_world):
    assert tiny_world["rostered_agent_days"] == RosterEntry.objects.count() > 0
    assert ShiftTemplate.objects.filter(time_zone="Asia/Manila", ends_at__lt=time(22)).exists()
    for name in (platform.VENDOR_A, platform.VENDOR_B):
        vendor = Vendor.objects.get(name=name)
        month = RosterEntry.objects.filter(vendor=vendor).earliest("day").day
        figures = adherence.month_summary(vendor.pk, month)
        assert figures["shifts"] > 0 and 0.5 < figures["adherence"] <= 1
