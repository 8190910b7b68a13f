"""A vendor manager onboards a BPO, writes its contract, and settles a month of its work: the invoice carries
a credit for the missed SLA and a quality malus, each with its reason; the vendor's own count is reconciled;
approval is two-step and locks the invoice. Bad contracts and bad CSVs are refused with every problem listed."""
from decimal import Decimal

import pytest

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
from trustops.ledger.models import LedgerEvent
from trustops.simulation import platform as setup
from trustops.workforce.billing.models import Invoice, VendorCount
from trustops.workforce.contracts.models import ContractVersion


@pytest.fixture(autouse=True)
def _march():
    with clock.frozen(NOW):
        yield


def contract(client, vendor: int, terms: dict, *, reference="MSA-1", start="2026-01-01", end=None):
    return client.post(f"/api/v1/vendors/{vendor}/contracts", {
        "reference": reference, "name": "Master services agreement", "effective_from": start,
        "effective_to": end, "terms": terms})


def test_a_vendor_moves_through_its_lifecycle_with_reasons(world):
    vm = as_(manager(world))
    created = vm.post("/api/v1/vendors", {"name": "Harbour Review Co", "sites": ["Manila", "Lisbon"],
                                          "languages": ["en", "pt"], "skills": ["live"]})
    assert created.status_code == 201, created.content
    vendor = created.json()
    assert vendor["status"] == "prospect" and vendor["sites"] == ["Lisbon", "Manila"]
    skip = vm.post(f"/api/v1/vendors/{vendor['id']}/status", {"status": "active", "reason": "eager"})
    assert skip.status_code == 409 and skip.json()["error"]["code"] == "status_transition"
    for status in ("onboarding", "active", "improvement_plan", "active", "offboarding"):
        moved = vm.post(f"/api/v1/vendors/{vendor['id']}/status", {"status": status, "reason": f"to {status}"})
        assert moved.status_code == 200 and moved.json()["status"] == status
    assert vm.post(f"/api/v1/vendors/{vendor['id']}/status",
                   {"status": "active", "reason": "back"}).status_code == 409
    events = LedgerEvent.objects.filter(kind="vendor.status_changed").order_by("id")
    assert [e.payload["to"] for e in events] == ["onboarding", "active", "improvement_plan", "active", "offboarding"]
    assert vm.post(f"/api/v1/vendors/{vendor['id']}/status", {"status": "active", "reason": ""}).status_code == 422


def test_a_contract_that_cannot_be_computed_is_refused_with_every_problem(world):
    vm = as_(manager(world))
    northwind = vendor_id(setup.VENDOR_A)
    bad = {"pricing": {"per_decision": [{"queue": "nowhere", "price": "0.5"}, {"price": "1"}]},
           "sla": [{"queue": "general-us", "within_hours": 24, "target_share": 0.9, "credit_allocation": 80},
                   {"queue": "general-us", "within_hours": 48, "target_share": 0.95, "credit_allocation": 40}],
           "credits": {"at_risk_percent": 12}}
    refused = contract(vm, northwind, bad)
    assert refused.status_code == 422
    fields = {p["field"] for p in refused.json()["error"]["details"]["problems"]}
    assert {"terms.pricing.per_decision.0.queue", "terms.pricing.per_decision.1", "terms.sla.1.queue",
            "terms.sla"} <= fields
    over = contract(vm, northwind, {**NORTHWIND_TERMS, "credits": {"at_risk_percent": 150}})
    assert over.status_code == 422
    assert over.json()["error"]["details"]["problems"][0]["field"] == "terms.credits.at_risk_percent"
    negative = contract(vm, northwind, {"pricing": {"per_decision": [{"queue": "general-us", "price": "-1"}]}})
    assert negative.status_code == 422
    assert not ContractVersion.objects.exists() and not LedgerEvent.objects.filter(kind__startswith="contract").exists()


def test_contract_versions_never_overlap_and_an_amendment_ends_the_open_version(world):
    vm = as_(manager(world))
    northwind = vendor_id(setup.VENDOR_A)
    first = contract(vm, northwind, NORTHWIND_TERMS)
    assert first.status_code == 201, first.content
    contract_id = first.json()["id"]
    cheaper = {**NORTHWIND_TERMS, "pricing": {"per_decision": [{"queue": "general-us", "price": "0.45"}]}}
    amended = vm.post(f"/api/v1/vendors/{northwind}/contracts/{contract_id}/versions",
                      {"effective_from": "2026-06-01", "terms": cheaper})
    assert amended.status_code == 201, amended.content
    versions = vm.get(f"/api/v1/vendors/{northwind}/contracts/{contract_id}").json()["versions"]
    assert [(v["number"], v["effective_from"], v["effective_to"]) for v in versions] == [
        (1, "2026-01-01", "2026-06-01"), (2, "2026-06-01", None)]
    inside = vm.post(f"/api/v1/vendors/{northwind}/contracts/{contract_id}/versions",
                     {"effective_from": "2026-03-01", "effective_to": "2026-04-01", "terms": cheaper})
    assert inside.status_code == 422 and "overlaps" in inside.json()["error"]["message"]
    other = contract(vm, northwind, cheaper, reference="SOW-2", start="2025-12-01", end="2026-02-01")
    assert other.status_code == 422 and other.json()["error"]["field"] == "effective_from"
    backwards = contract(vm, northwind, cheaper, reference="SOW-3", start="2025-06-01", end="2025-05-01")
    assert backwards.status_code == 422 and backwards.json()["error"]["field"] == "effective_to"


def test_a_month_of_two_vendors_is_invoiced_with_credits_reconciled_and_approved(world):
    vm = as_(manager(world))
    northwind, lumen = vendor_id(setup.VENDOR_A), vendor_id(setup.VENDOR_B)
    assert contract(vm, northwind, NORTHWIND_TERMS).status_code == 201
    assert contract(vm, lumen, LUMEN_TERMS, reference="LUM-1").status_code == 201
    work_the_month(world)

    computed = vm.post(f"/api/v1/vendors/{northwind}/invoices", {"month": MONTH})
    assert computed.status_code == 201, computed.content
    invoice = computed.json()
    lines = {line["kind"]: line for line in invoice["lines"]}
    # 10 decisions at 0.50; 6 of 10 within 24 h against 90%: the SLA's 50% of the 10% at risk of 5.00.
    assert Decimal(lines["decisions"]["amount"]) == Decimal("5.00")
    assert Decimal(lines["sla_credit"]["amount"]) == Decimal("-0.25")
    assert "60.0% decided within 24" in lines["sla_credit"]["reason"]
    # 3 of 4 audits correct: the Wilson lower bound (0.30) is below the 0.5 target: a 2% malus of 5.00.
    assert Decimal(lines["quality_malus"]["amount"]) == Decimal("-0.10")
    assert "3 of 4 audits correct" in lines["quality_malus"]["reason"]
    assert Decimal(invoice["total"]) == Decimal("4.65")
    assert invoice["sla"]["general-us"]["met"] is False

    lumen_invoice = vm.post(f"/api/v1/vendors/{lumen}/invoices", {"month": MONTH}).json()
    kinds = [(line["kind"], Decimal(line["amount"])) for line in lumen_invoice["lines"]]
    # 5 decisions × 120 s = 1/6 h at 18.00; 100.00 covering 3 decisions, 2 more at 0.25; SLA met: no credit.
    assert kinds == [("hours", Decimal("3.00")), ("fixed", Decimal("100.00")), ("marginal", Decimal("0.50"))]

    # Decided on Feb 3rd to 8th, and (the late ones) 10th to 13th. The vendor counts one more on the 3rd and
    # misses the 13th.
    days = [3, 4, 5, 6, 7, 8, 10, 11, 12]
    csv_text = "queue,day,decisions\n" + "".join(f"general-us,2026-02-{d:02d},{2 if d == 3 else 1}\n" for d in days)
    recon = vm.post(f"/api/v1/invoices/{invoice['id']}/vendor-count", {"csv": csv_text})
    assert recon.status_code == 200, recon.content
    body = recon.json()
    assert body["ours"] == 10 and body["theirs"] == 10 and not body["matches"]
    assert [(d["day"], d["difference"]) for d in body["differences"]] == [("2026-02-03", 1), ("2026-02-13", -1)]

    vendor_manager = world.person("nw.manager", "vendor_manager", vendor=setup.VENDOR_A)
    dispute = as_(vendor_manager).post(f"/api/v1/invoices/{invoice['id']}/disputes",
                                       {"reason": "Our tool shows Feb 12th decided in time."})
    assert dispute.status_code == 201
    assert vm.post(f"/api/v1/invoices/{invoice['id']}/approve", {}).json()["error"]["code"] == "invoice_disputed"
    resolved = vm.post(f"/api/v1/invoices/{invoice['id']}/disputes/{dispute.json()['id']}/resolve",
                       {"resolution": "Decision timestamps checked: the SLA was missed."})
    assert resolved.json()["status"] == "draft"
    assert as_(vendor_manager).post(f"/api/v1/invoices/{invoice['id']}/approve", {}).status_code == 403
    first = vm.post(f"/api/v1/invoices/{invoice['id']}/approve", {})
    assert first.json()["status"] == "manager_approved"
    finance = world.person("finance", "admin")
    assert vm.post(f"/api/v1/invoices/{invoice['id']}/approve", {}).status_code == 403
    final = as_(finance).post(f"/api/v1/invoices/{invoice['id']}/approve", {"version": first.json()["version"]})
    assert final.status_code == 200 and final.json()["locked"]
    assert vm.post(f"/api/v1/vendors/{northwind}/invoices", {"month": MONTH}).status_code == 409
    assert vm.post(f"/api/v1/invoices/{invoice['id']}/vendor-count", {"csv": csv_text}).status_code == 409
    steps = [e.payload["step"] for e in LedgerEvent.objects.filter(kind="invoice.approved").order_by("id")]
    assert steps == ["manager", "finance"]

    for fmt, magic in (("csv", b"position,kind"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        download = vm.get(f"/api/v1/invoices/{invoice['id']}/file/{fmt}")
        assert download.status_code == 200 and download.content.startswith(magic)


def test_a_bad_vendor_csv_is_refused_whole_with_every_problem(world):
    vm = as_(manager(world))
    northwind = vendor_id(setup.VENDOR_A)
    contract(vm, northwind, NORTHWIND_TERMS)
    work_the_month(world)
    invoice = vm.post(f"/api/v1/vendors/{northwind}/invoices", {"month": MONTH}).json()
    bad = ("queue,day,decisions\n"
           "general-us,2026-02-03,1\n"
           "nowhere,2026-02-04,1\n"
           "general-us,2026-03-01,1\n"
           "general-us,2026-02-05,-4\n"
           "general-us,2026-02-03,2\n"
           "general-us,someday,1\n")
    refused = vm.post(f"/api/v1/invoices/{invoice['id']}/vendor-count", {"csv": bad})
    assert refused.status_code == 422
    fields = [p["field"] for p in refused.json()["error"]["details"]["problems"]]
    assert fields == ["csv.row 3.queue", "csv.row 4.day", "csv.row 5.decisions", "csv.row 6", "csv.row 7.day"]
    assert not VendorCount.objects.exists()
    header = vm.post(f"/api/v1/invoices/{invoice['id']}/vendor-count", {"csv": "queue,count\nx,1\n"})
    assert header.status_code == 422 and header.json()["error"]["field"] == "csv.header"


def test_an_invoice_needs_a_contract_in_force(world):
    vm = as_(manager(world))
    refused = vm.post(f"/api/v1/vendors/{vendor_id(setup.VENDOR_A)}/invoices", {"month": MONTH})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "no_contract"
    assert vm.post(f"/api/v1/vendors/{vendor_id(setup.VENDOR_A)}/invoices", {"month": "2026-13"}).status_code == 422
    assert not Invoice.objects.exists()


def test_planning_reads_the_vendors_offers_from_their_contracts(world):
    from datetime import date

    from trustops.workforce import supply

    vm = as_(manager(world))
    northwind, lumen = vendor_id(setup.VENDOR_A), vendor_id(setup.VENDOR_B)
    contract(vm, northwind, NORTHWIND_TERMS)
    contract(vm, lumen, LUMEN_TERMS, reference="LUM-1")
    work_the_month(world)
    offers = {(o.vendor_name, o.queue_key): o for o in supply.current().offers(
        ["general-us", "general-intl", "integrity"], date(2026, 3, 5))}
    us = offers[(setup.VENDOR_A, "general-us")]
    assert us.price_per_decision == Decimal("0.50") and us.aht_seconds == 60
    assert us.accuracy_lower == pytest.approx(0.3006, abs=1e-4)   # Wilson, 3 of 4 (Newcombe 1998)
    assert offers[(setup.VENDOR_A, "integrity")].price_per_decision == Decimal("0.40")   # the tier 1 price
    intl = offers[(setup.VENDOR_B, "general-intl")]
    assert intl.price_per_hour == Decimal("18.00") and intl.price_per_decision == Decimal("0.25")
    assert intl.credits_at_risk == Decimal("0.1")
