"""Improvement plans: a QA lead turns an RCA into a corrective action for a vendor; its owner moves it along;
the vendor's own manager sees their vendor's plans only."""
from datetime import timedelta

import pytest

from tests.conftest import ApiClient
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.quality.rca import services as rca_services
from trustops.simulation import platform as setup


@pytest.fixture
def people(world):
    # A QA lead's default token reads quality only; this one is issued for workforce work too.
    return {"lead": world.person("qa-lead", "qa_lead", scopes=["quality:read", "workforce:read", "workforce:write"]),
            "coach": world.person("nw-coach", "vendor_manager", vendor=setup.VENDOR_A),
            "lumen_manager": world.person("lumen-vm", "vendor_manager", vendor=setup.VENDOR_B),
            "analyst": world.person("analyst", "analyst"),
            "agent": world.vendor_agent("nw-agent")}


def _body(rca_id=None, **extra):
    return {"title": "Bullying misses on general-us", "kind": "human_error", "owner": "nw-coach",
            "due_on": (clock.now().date() + timedelta(days=30)).isoformat(), "metric": "accuracy",
            "vendor": "northwind-bpo", "queue": "general-us", "rca_id": rca_id, "baseline": 0.88, "target": 0.95,
            **extra}


def test_an_rca_becomes_a_corrective_action_that_its_owner_closes(world, people):
    rca = rca_services.create_rca(actor=people["lead"].user, fields=rca_services.RcaFields(
        title="Bullying context missed", category="human_training", root_cause="New agents miss indirect threats.",
        corrective_action="Coaching on indirect threats.", owner="qa-lead",
        due_date=clock.now().date() + timedelta(days=30)))
    lead = ApiClient(people["lead"].token)
    response = lead.post("/api/v1/workforce/improvement-plans", _body(rca.pk))
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["rca_id"] == rca.pk and plan["status"] == "open" and plan["vendor"] == "northwind-bpo"
    assert not plan["overdue"]

    coach = ApiClient(people["coach"].token)
    assert [p["id"] for p in coach.get("/api/v1/workforce/improvement-plans").json()] == [plan["id"]]
    moved = coach.post(f"/api/v1/workforce/improvement-plans/{plan['id']}/status", {"status": "in_progress"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    done = coach.post(f"/api/v1/workforce/improvement-plans/{plan['id']}/status", {"status": "done"})
    assert done.json()["status"] == "done" and done.json()["closed_at"]
    again = coach.post(f"/api/v1/workforce/improvement-plans/{plan['id']}/status", {"status": "open"})
    assert again.status_code == 409
    kinds = list(LedgerEvent.objects.filter(kind__startswith="workforce.improvement").values_list("kind", flat=True))
    assert kinds.count("workforce.improvement_plan_moved") == 2

    # Lumen's manager sees none of Northwind's plans; the analyst sees all.
    lumen = ApiClient(people["lumen_manager"].token)
    assert lumen.get("/api/v1/workforce/improvement-plans").json() == []
    assert lumen.get(f"/api/v1/workforce/improvement-plans/{plan['id']}").status_code == 404
    assert len(ApiClient(people["analyst"].token).get("/api/v1/workforce/improvement-plans").json()) == 1


def test_a_bad_plan_is_refused_with_every_problem(world, people):
    body = _body(kind="magic", metric="vibes", owner="nobody", due_on="2020-01-01", vendor="nope", rca_id=999)
    response = ApiClient(people["lead"].token).post("/api/v1/workforce/improvement-plans", body)
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["error"]["details"]["problems"]}
    assert fields == {"kind", "metric", "owner", "due_on", "vendor", "rca_id"}
    # A vendor's own manager does not open plans (their token has the scope; the role may not).
    assert ApiClient(people["coach"].token).post("/api/v1/workforce/improvement-plans", _body()).status_code == 403
