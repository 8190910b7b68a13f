"""Staffing requirements: a stakeholder files one, trustops sizes it and proposes vendors, the vendor manager
approves, and the vendors are assigned to the queues with an addendum for each contract."""
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import ApiClient
from trustops.identity.models import Vendor
from trustops.ledger.models import LedgerEvent
from trustops.review.models import Queue
from trustops.simulation import platform as setup
from trustops.workforce import supply
from trustops.workforce.requirements.models import Addendum, Requirement

BODY = {"title": "Spanish LIVE launch", "queues": ["live"], "daily_volume": 4800, "aht_seconds": 180,
        "sla_seconds": 3600, "service_level": 0.9, "shrinkage": 0.3, "languages": ["es"], "skills": [],
        "starts_on": "2026-04-01", "duration_days": 90}


@pytest.fixture
def people(world):
    return {"stakeholder": world.person("live-ops-lead", "team_lead", team=setup.IN_HOUSE_TEAM),
            "manager": world.person("vm-inhouse", "vendor_manager"),
            "vendor_manager": world.person("vm-northwind", "vendor_manager", vendor=setup.VENDOR_A)}


def test_an_approved_requirement_changes_queue_assignments(world, people):
    live = Queue.objects.get(key="live")
    assert set(live.vendors.values_list("name", flat=True)) == {setup.VENDOR_B}
    stakeholder = ApiClient(people["stakeholder"].token)
    # A team lead's token lacks workforce:write by default; the console files for them. Here: a scoped token.
    scoped = world.person("live-ops-lead-2", "team_lead", team=setup.IN_HOUSE_TEAM,
                          scopes=["workforce:read", "workforce:write"])
    response = ApiClient(scoped.token).post("/api/v1/workforce/requirements", BODY)
    assert response.status_code == 201, response.content
    requirement = response.json()
    # 100 decisions per half-hour × 180 s = 10 erlangs; 90% within the hour needs 12 at 85% occupancy, 18
    # scheduled after 30% shrinkage, 18 × 168 h / 40 h = 75.6 → 76 FTE.
    assert requirement["agents"] == 12 and requirement["headcount"] == 76
    # No contracts yet: every vendor is an unpriced candidate; the first (by name) takes all.
    proposal = {row["vendor"]: row["headcount"] for row in requirement["proposal"]}
    assert proposal == {setup.VENDOR_B: 76, setup.VENDOR_A: 0}
    # Another team lead reads the workforce API by default, but sees only the requirements they filed.
    assert stakeholder.get(f"/api/v1/workforce/requirements/{requirement['id']}").status_code == 404
    assert ApiClient(scoped.token).get(f"/api/v1/workforce/requirements/{requirement['id']}").status_code == 200

    manager = ApiClient(people["manager"].token)
    pending = manager.get("/api/v1/workforce/requirements", status="proposed").json()
    assert [r["id"] for r in pending] == [requirement["id"]]
    # A vendor's own manager never sees requirements, nor may approve them.
    vendor_manager = ApiClient(people["vendor_manager"].token)
    assert vendor_manager.get(f"/api/v1/workforce/requirements/{requirement['id']}").status_code == 404
    assert vendor_manager.get("/api/v1/workforce/requirements").json() == []
    assert vendor_manager.post(f"/api/v1/workforce/requirements/{requirement['id']}/approve",
                               {}).status_code == 403
    response = manager.post(f"/api/v1/workforce/requirements/{requirement['id']}/approve", {"note": "Go"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "vm-inhouse"
    assert manager.post(f"/api/v1/workforce/requirements/{requirement['id']}/approve", {}).status_code == 409


def test_approval_assigns_a_new_vendor_and_records_the_addendum(world, people):
    # Lumen already works LIVE; a requirement on general-us (Northwind's) proposes Lumen first by name.
    body = {**BODY, "queues": ["general-us"], "languages": []}
    requirement = Requirement.objects.get(pk=ApiClient(people["manager"].token).post(
        "/api/v1/workforce/requirements", body).json()["id"])
    assert requirement.proposal[0]["vendor"] == setup.VENDOR_B
    response = ApiClient(people["manager"].token).post(f"/api/v1/workforce/requirements/{requirement.pk}/approve", {})
    assert response.status_code == 200
    queue = Queue.objects.get(key="general-us")
    assert set(queue.vendors.values_list("name", flat=True)) == {setup.VENDOR_A, setup.VENDOR_B}
    addendum = Addendum.objects.get(requirement=requirement)
    assert addendum.vendor.name == setup.VENDOR_B and addendum.headcount == 76
    assert addendum.queue_keys == ["general-us"] and addendum.starts_on == date(2026, 4, 1)
    assert addendum.ends_on == date(2026, 6, 29)
    kinds = set(LedgerEvent.objects.values_list("kind", flat=True))
    assert {"workforce.requirement_filed", "workforce.requirement_approved", "workforce.addendum_recorded",
            "queue.vendors_assigned"} <= kinds
    # Lumen's agents may now claim from general-us.
    agent = world.vendor_agent("lumen-agent", vendor=setup.VENDOR_B)
    assert ApiClient(agent.token).post("/api/v1/queues/general-us/claim").status_code in (200, 204)


class PricedSupply:
    def offers(self, queue_keys, on):
        vendors = {v.name: v for v in Vendor.objects.all()}
        return [
            supply.VendorOffer(vendor_id=vendors[setup.VENDOR_A].pk, vendor_name=setup.VENDOR_A, queue_key=key,
                               price_per_decision=Decimal("0.50"), accuracy_lower=0.80, max_agents=50,
                               languages=frozenset({"en", "es"}))
            for key in queue_keys] + [
            supply.VendorOffer(vendor_id=vendors[setup.VENDOR_B].pk, vendor_name=setup.VENDOR_B, queue_key=key,
                               price_per_decision=Decimal("0.54"), accuracy_lower=0.96, max_agents=60,
                               languages=frozenset({"en", "es"}))
            for key in queue_keys]


def test_the_proposal_ranks_vendors_by_cost_per_correct_decision_within_capacity(people):
    installed = supply.current()
    supply.register(PricedSupply())
    try:
        requirement = ApiClient(people["manager"].token).post("/api/v1/workforce/requirements", BODY).json()
    finally:
        supply.register(installed)
    rows = {row["vendor"]: row for row in requirement["proposal"]}
    # Lumen 0.54 / 0.96 = 0.5625 beats Northwind 0.50 / 0.80 = 0.625; Lumen's 60 first, Northwind the other 16.
    assert rows[setup.VENDOR_B]["cost_per_correct"] == pytest.approx(0.5625)
    assert rows[setup.VENDOR_A]["cost_per_correct"] == pytest.approx(0.625)
    assert rows[setup.VENDOR_B]["headcount"] == 60 and rows[setup.VENDOR_A]["headcount"] == 16


def test_a_bad_requirement_is_refused_with_every_problem_listed(people):
    body = {**BODY, "queues": ["live", "nope"], "daily_volume": -5, "shrinkage": 1, "duration_days": 0,
            "service_level": 1.2}
    response = ApiClient(people["manager"].token).post("/api/v1/workforce/requirements", body)
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["error"]["details"]["problems"]}
    assert fields == {"queues", "daily_volume", "shrinkage", "duration_days", "service_level"}
    assert not Requirement.objects.exists()
    no_volume = {**BODY}
    no_volume.pop("daily_volume")
    response = ApiClient(people["manager"].token).post("/api/v1/workforce/requirements", no_volume)
    assert response.status_code == 422 and response.json()["error"]["field"] == "daily_volume"
