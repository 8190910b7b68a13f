"""The demo's two BPO vendors as the vendor manager knows them: profiles, contracts, last month's invoices.

Northwind is paid per decision by queue, Lumen a fixed monthly fee with a marginal rate; both have SLA terms
with service credits and a quality target. Invoices are computed from the seeded decisions and audits through
the billing services: Northwind's is approved by the in-house vendor manager and by finance, Lumen's waits with
Lumen's own count imported (a few days differ) and a dispute about it.
"""
import random
from datetime import datetime

from trustops.identity.models import User, Vendor
from trustops.kernel import clock
from trustops.simulation import platform
from trustops.workforce.billing import services as billing
from trustops.workforce.contracts import services as contracts
from trustops.workforce.measurement import periods
from trustops.workforce.vendors import services as vendors

VENDOR_OPS = "vendor.ops"      # the in-house vendor manager (governance operations)
FINANCE = "admin"

PROFILES = {
    platform.VENDOR_A: {"sites": ["Manila", "Austin"], "languages": ["en", "es"],
                        "skills": ["merchants", "integrity", "general"], "contact": "ops@northwind.example"},
    platform.VENDOR_B: {"sites": ["Lisbon", "Jakarta"], "languages": ["de", "en", "fr", "id", "ja", "pt"],
                        "skills": ["live", "integrity", "general"], "contact": "delivery@lumen.example"},
}
TERMS = {
    platform.VENDOR_A: {
        "currency": "USD",
        "pricing": {"per_decision": [{"queue": "merchants", "price": "0.62"}, {"queue": "general-us", "price": "0.48"},
                                     {"tier": 1, "price": "0.35"}]},
        "sla": [{"queue": "general-us", "within_hours": 24, "target_share": 0.95, "credit_allocation": 40},
                {"queue": "merchants", "within_hours": 24, "target_share": 0.9, "credit_allocation": 30},
                {"queue": "integrity", "within_hours": 48, "target_share": 0.9, "credit_allocation": 30}],
        "quality": {"target_accuracy": 0.9, "min_audits": 30, "malus_percent": 3, "bonus_above": 0.96,
                    "bonus_percent": 2},
        "credits": {"at_risk_percent": 12, "earn_back_months": 3},
        "max_agents": {"general-us": 40, "merchants": 20},
    },
    platform.VENDOR_B: {
        "currency": "USD",
        "pricing": {"fixed_monthly": {"fee": "1500.00", "included_decisions": 2000, "marginal_price": "0.30"}},
        "sla": [{"queue": "live", "within_hours": 2, "target_share": 0.9, "credit_allocation": 60},
                {"queue": "general-intl", "within_hours": 24, "target_share": 0.9, "credit_allocation": 40}],
        "quality": {"target_accuracy": 0.88, "min_audits": 30, "malus_percent": 2},
        "credits": {"at_risk_percent": 10, "monthly_cap_percent": 10},
    },
}


def seed(*, anchor: datetime, password: str | None = None, seed: int = 7) -> dict:
    """Profiles, contracts and last month's invoices; returns a summary for the seeding's record."""
    rng = random.Random(seed)
    month = periods.following(anchor.date().replace(day=1), -1)
    start = periods.following(month, -2)
    with clock.frozen(anchor):
        ops = platform.person(VENDOR_OPS, "vendor_manager", password=password)
        finance = User.objects.get(username=FINANCE)
        invoices = {}
        for name in (platform.VENDOR_A, platform.VENDOR_B):
            vendor = Vendor.objects.get(name=name)
            vendors.ensure_profile(vendor)
            vendors.update_vendor(actor=ops, vendor_id=vendor.pk, **PROFILES[name])
            for status, reason in (("onboarding", "Master services agreement signed."),
                                   ("active", "Agents certified; production from the first of the month.")):
                vendors.change_status(actor=ops, vendor_id=vendor.pk, status=status, reason=reason)
            key = "NW" if name == platform.VENDOR_A else "LU"
            contracts.create_contract(actor=ops, vendor_id=vendor.pk, reference=f"MSA-{key}-{start:%Y}",
                                      name=f"{name} master services agreement", effective_from=start,
                                      effective_to=None, terms=TERMS[name])
            invoices[name] = billing.compute_invoice(actor=ops, vendor_id=vendor.pk, month=month)
        northwind = invoices[platform.VENDOR_A]
        billing.approve(actor=ops, invoice_id=northwind.pk)
        billing.approve(actor=finance, invoice_id=northwind.pk)
        lumen = invoices[platform.VENDOR_B]
        billing.import_vendor_counts(actor=ops, invoice_id=lumen.pk, text=_vendor_count(lumen, rng))
        billing.raise_dispute(actor=ops, invoice_id=lumen.pk,
                              reason="Lumen's count differs on a few days; checking the LIVE decisions first.")
        vendor_b = Vendor.objects.get(name=platform.VENDOR_B)
        vendors.change_status(actor=ops, vendor_id=vendor_b.pk, status="improvement_plan",
                              reason="Audited accuracy on LIVE below target two months running.")
    return {"vendor_invoices": {name: str(invoice.total) for name, invoice in invoices.items()},
            "vendor_month": periods.label(month)}


def _vendor_count(invoice, rng: random.Random) -> str:
    """The vendor's own count: ours, with a few days off by a little, as vendors' tools drift."""
    rows = ["queue,day,decisions"]
    for period in invoice.figures.get("periods", []):
        count = period["volume"]
        if rng.random() < 0.1:
            count = max(0, count + rng.choice((-3, -1, 1, 2, 4)))
        rows.append(f"{period['queue']},{period['period']},{count}")
    return "\n".join(rows) + "\n"

