"""A simulated month of work by the demo's two BPO vendors, with the timestamps a scenario needs."""
from datetime import datetime, timedelta, timezone

from tests.conftest import ApiClient
from trustops.identity.models import Vendor
from trustops.kernel import clock
from trustops.quality.audits import services as audits
from trustops.simulation import platform as setup

MONTH = "2026-02"
NOW = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
DAY_ONE = datetime(2026, 2, 3, 9, tzinfo=timezone.utc)

NORTHWIND_TERMS = {
    "currency": "USD",
    "pricing": {"per_decision": [{"queue": "general-us", "price": "0.50"}, {"tier": 1, "price": "0.40"}]},
    "sla": [{"queue": "general-us", "within_hours": 24, "target_share": 0.9, "credit_allocation": 50}],
    "quality": {"target_accuracy": 0.5, "min_audits": 4, "malus_percent": 2},
    "credits": {"at_risk_percent": 10, "earn_back_months": 0},
}
LUMEN_TERMS = {
    "currency": "USD",
    "pricing": {"per_productive_hour": "18.00", "fixed_monthly": {"fee": "100.00", "included_decisions": 3,
                                                                  "marginal_price": "0.25"}},
    "sla": [{"queue": "general-intl", "within_hours": 24, "target_share": 0.9, "credit_allocation": 100}],
    "credits": {"at_risk_percent": 10},
}


def vendor_id(name: str) -> int:
    return Vendor.objects.get(name=name).pk


def decide_later(world, agent, queue: str, *, opened: datetime, after: timedelta, handle_seconds: int) -> dict:
    """A report at `opened`, decided by the agent `after` later."""
    with clock.frozen(opened):
        world.report(subject=world.subject(region="US" if queue == "general-us" else "DE"))
    with clock.frozen(opened + after):
        case = world.claim(agent, queue)
        response = world.decide(agent, case, verdict="no_violation", handle_seconds=handle_seconds)
        assert response.status_code == 200, response.content
        return response.json()


def work_the_month(world) -> dict:
    """Northwind decides 10 US cases: 6 within the hour, 4 after 30 hours (60% against a 90% SLA). Lumen decides
    5 international cases, all within 2 hours. QA audits 4 of Northwind's decisions, 3 correct."""
    northwind = world.vendor_agent("nw.agent", vendor=setup.VENDOR_A)
    lumen = world.vendor_agent("lu.agent", vendor=setup.VENDOR_B)
    decisions = {"northwind": [], "lumen": []}
    for i in range(10):
        late = i >= 6
        decisions["northwind"].append(decide_later(
            world, northwind, "general-us", opened=DAY_ONE + timedelta(days=i),
            after=timedelta(hours=30 if late else 1), handle_seconds=60))
    for i in range(5):
        decisions["lumen"].append(decide_later(
            world, lumen, "general-intl", opened=DAY_ONE + timedelta(days=i, hours=2),
            after=timedelta(hours=2), handle_seconds=120))
    auditor = world.person("qa.one", "qa_auditor")
    with clock.frozen(NOW - timedelta(days=5)):
        for n, decision in enumerate(decisions["northwind"][:4]):
            verdict = "no_violation" if n < 3 else "violation"
            judgement = audits.Judgement(correct_verdict=verdict,
                                         correct_policy=None if n < 3 else "harassment.bullying")
            audits.submit_audit(actor=auditor.user, decision_id=decision["decision_id"], judgement=judgement)
    return decisions


def manager(world, name="vm.inhouse"):
    return world.person(name, "vendor_manager")


def as_(person) -> ApiClient:
    return ApiClient(person.token)
