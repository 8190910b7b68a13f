"""Root-cause analyses: QA links audited errors to a cause, a corrective action, an owner and a due date; the
owner moves it along; late ones show as overdue; people see them only through the quality scope."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.quality_month import Clients
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.quality.models import Audit
from trustops.simulation import platform as setup

US = {"queue": "general-us", "region": "US", "reason": "harassment.bullying"}
INTL = {"queue": "general-intl", "region": "BR", "reason": "hate.slurs"}


@pytest.fixture
def errors(world):
    """Four audited false positives: two by a Northwind agent (US), two by a Lumen agent (BR)."""
    clients = Clients(world)
    people = {
        "nw": world.vendor_agent("rca-nw", vendor=setup.VENDOR_A, regions=["US"]),
        "lumen": world.vendor_agent("rca-lumen", vendor=setup.VENDOR_B),
        "auditor": world.person("rca-auditor", "qa_auditor"),
        "lead": world.person("rca-lead", "qa_lead"),
        "analyst": world.person("rca-analyst", "analyst"),
        "nw_manager": world.person("rca-nw-manager", "vendor_manager", vendor=setup.VENDOR_A),
        "lumen_manager": world.person("rca-lumen-manager", "vendor_manager", vendor=setup.VENDOR_B),
        "moderator": world.moderator("rca-moderator"),
    }
    audits = {"nw": [], "lumen": []}
    now = clock.now()
    for who, where in (("nw", US), ("nw", US), ("lumen", INTL), ("lumen", INTL)):
        decision = clients.decide(people[who], verdict="violation", moment=now, **where)
        audit = clients(people["auditor"]).post("/api/v1/qa/audits", {"decision_id": decision,
                                                                      "correct_verdict": "no_violation"})
        assert audit.status_code == 201, audit.content
        audits[who].append(audit.json()["audit_id"])
    return {"api": clients, "people": people, "audits": audits}


def _rca(**overrides) -> dict:
    body = {"title": "Agents remove satire", "category": "human_training",
            "root_cause": "The satire exception is not in the onboarding deck.",
            "corrective_action": "Add it to onboarding and re-run calibration.", "owner": "rca-nw-manager",
            "due_date": (clock.now().date() + timedelta(days=14)).isoformat(), "audit_ids": []}
    return {**body, **overrides}


def test_qa_records_an_rca_and_its_owner_sees_it_through(errors):
    api, people, audits = errors["api"], errors["people"], errors["audits"]
    auditor, owner = api(people["auditor"]), api(people["nw_manager"])

    created = auditor.post("/api/v1/qa/rcas", _rca(audit_ids=audits["nw"]))
    assert created.status_code == 201, created.content
    rca = created.json()
    assert rca["status"] == "open" and rca["owner"] == "rca-nw-manager" and rca["created_by"] == "rca-auditor"
    assert rca["audit_ids"] == sorted(audits["nw"]) and rca["overdue"] is False and rca["closed_at"] is None
    # The linked errors had no cause yet: they now carry the RCA's category.
    assert set(Audit.objects.filter(pk__in=audits["nw"]).values_list("rca_category", flat=True)) == {"human_training"}

    assert auditor.get(f"/api/v1/qa/rcas/{rca['rca_id']}").json()["title"] == "Agents remove satire"
    listed = auditor.get("/api/v1/qa/rcas", status="open", category="human_training", owner="rca-nw-manager").json()
    assert [r["rca_id"] for r in listed] == [rca["rca_id"]]
    assert auditor.get("/api/v1/qa/rcas", category="policy").json() == []
    assert auditor.get("/api/v1/qa/rcas", audit_id=audits["nw"][0]).json()[0]["rca_id"] == rca["rca_id"]

    started = owner.post(f"/api/v1/qa/rcas/{rca['rca_id']}/status", {"status": "in_progress", "note": "Deck drafted."})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    done = owner.post(f"/api/v1/qa/rcas/{rca['rca_id']}/status", {"status": "done"})
    assert done.json()["status"] == "done" and done.json()["closed_at"] is not None

    # A done RCA is reopened before it changes; reopening clears the closing time.
    refused = auditor.client.patch(f"/api/v1/qa/rcas/{rca['rca_id']}", '{"title": "New title"}',
                                   content_type="application/json", **auditor._headers())
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "rca_closed"
    reopened = auditor.post(f"/api/v1/qa/rcas/{rca['rca_id']}/status", {"status": "open"})
    assert reopened.json()["status"] == "open" and reopened.json()["closed_at"] is None
    patched = _patch(auditor, rca["rca_id"], {"title": "Satire removed as bullying", "audit_ids": audits["nw"][:1]})
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "Satire removed as bullying" and patched.json()["audit_ids"] == audits["nw"][:1]

    kinds = list(LedgerEvent.objects.filter(kind__startswith="qa.rca_").order_by("pk").values_list("kind", flat=True))
    assert kinds == ["qa.rca_created", "qa.rca_status_changed", "qa.rca_status_changed", "qa.rca_status_changed",
                     "qa.rca_updated"]
    update = LedgerEvent.objects.filter(kind="qa.rca_updated").get()
    assert update.payload["audits_removed"] == audits["nw"][1:] and update.actor_name == "rca-auditor"


def _patch(client, rca_id, body):
    import json
    return client.client.patch(f"/api/v1/qa/rcas/{rca_id}", json.dumps(body), content_type="application/json",
                               **client._headers())


def test_late_rcas_show_as_overdue_until_done(errors):
    api, people = errors["api"], errors["people"]
    auditor = api(people["auditor"])
    today = clock.now().date()
    late = auditor.post("/api/v1/qa/rcas", _rca(title="Late", owner="rca-lead",
                                                due_date=(today + timedelta(days=2)).isoformat())).json()
    finished = auditor.post("/api/v1/qa/rcas", _rca(title="Finished", owner="rca-lead",
                                                    due_date=(today + timedelta(days=2)).isoformat())).json()
    auditor.post(f"/api/v1/qa/rcas/{finished['rca_id']}/status", {"status": "done"})

    five_days_on = datetime.combine(today + timedelta(days=5), datetime.min.time(), tzinfo=timezone.utc)
    with clock.frozen(five_days_on + timedelta(hours=9)):
        shown = auditor.get(f"/api/v1/qa/rcas/{late['rca_id']}").json()
        assert shown["overdue"] is True and shown["days_overdue"] == 3
        assert [r["title"] for r in auditor.get("/api/v1/qa/rcas", overdue="true").json()] == ["Late"]
        assert [r["title"] for r in auditor.get("/api/v1/qa/rcas", overdue="false").json()] == ["Finished"]
        status = auditor.post(f"/api/v1/qa/rcas/{late['rca_id']}/status", {"status": "done"})
        assert status.json()["overdue"] is False
    event = LedgerEvent.objects.filter(kind="qa.rca_status_changed", payload__rca_id=late["rca_id"]).get()
    assert event.payload["overdue"] is True         # the ledger says it was closed late


def test_only_qa_writes_rcas_and_each_reader_sees_their_scope(errors):
    api, people, audits = errors["api"], errors["people"], errors["audits"]
    auditor = api(people["auditor"])
    for writer in ("moderator", "nw", "nw_manager", "analyst"):
        refused = api(people[writer]).post("/api/v1/qa/rcas", _rca())
        assert refused.status_code == 403, (writer, refused.content)
    assert api(people["moderator"]).post("/api/v1/qa/rcas", _rca()).json()["error"]["code"] == "auditors_only"

    northwind = auditor.post("/api/v1/qa/rcas", _rca(title="Northwind only", audit_ids=audits["nw"])).json()
    both = auditor.post("/api/v1/qa/rcas", _rca(title="Both vendors", owner="rca-lead",
                                                audit_ids=audits["nw"][:1] + audits["lumen"][:1])).json()
    general = auditor.post("/api/v1/qa/rcas", _rca(title="No audits yet", owner="rca-lead")).json()

    def titles(who):
        return {r["title"] for r in api(people[who]).get("/api/v1/qa/rcas").json()}

    assert titles("lead") == titles("analyst") == {"Northwind only", "Both vendors", "No audits yet"}
    assert titles("nw_manager") == {"Northwind only", "Both vendors"}
    assert titles("lumen_manager") == {"Both vendors"}
    assert titles("moderator") == set() and titles("nw") == set()
    # Inside an RCA, a vendor manager sees their own vendor's audits only.
    assert api(people["lumen_manager"]).get(f"/api/v1/qa/rcas/{both['rca_id']}").json()["audit_ids"] == audits["lumen"][:1]
    assert api(people["nw_manager"]).get(f"/api/v1/qa/rcas/{both['rca_id']}").json()["audit_ids"] == audits["nw"][:1]
    for who, rca in (("lumen_manager", northwind), ("lumen_manager", general), ("moderator", both)):
        missing = api(people[who]).get(f"/api/v1/qa/rcas/{rca['rca_id']}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "rca_not_found"
    # Someone outside the scope cannot move it either (not found, not forbidden).
    assert api(people["lumen_manager"]).post(f"/api/v1/qa/rcas/{northwind['rca_id']}/status",
                                             {"status": "done"}).status_code == 404
    assert api(people["nw"]).post(f"/api/v1/qa/rcas/{northwind['rca_id']}/status", {"status": "done"}).status_code == 404


def test_rca_input_is_checked(errors):
    api, people, audits = errors["api"], errors["people"], errors["audits"]
    auditor = api(people["auditor"])
    yesterday = (clock.now().date() - timedelta(days=1)).isoformat()
    cases = [
        (_rca(category="bad_luck"), 422, "category"),
        (_rca(owner="nobody-here"), 422, "owner"),
        (_rca(due_date=yesterday), 422, "due_date"),
        (_rca(due_date="next week"), 422, "due_date"),
        (_rca(title=""), 422, "title"),
        (_rca(root_cause="   "), 422, "root_cause"),
        (_rca(status="closed"), 422, "status"),
        (_rca(audit_ids=[999_999]), 404, "audit_ids"),
        # A Lumen manager cannot own an RCA about Northwind's audits: owning it would show them.
        (_rca(owner="rca-lumen-manager", audit_ids=audits["nw"]), 422, "owner"),
    ]
    for body, status, field in cases:
        response = auditor.post("/api/v1/qa/rcas", body)
        assert response.status_code == status, (body, response.content)
        assert response.json()["error"]["field"] == field, response.json()
    missing = auditor.post("/api/v1/qa/rcas", {k: v for k, v in _rca().items() if k != "owner"})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "owner"
    assert auditor.post("/api/v1/qa/rcas/999999/status", {"status": "done"}).status_code == 404
    rca = auditor.post("/api/v1/qa/rcas", _rca()).json()
    assert auditor.post(f"/api/v1/qa/rcas/{rca['rca_id']}/status", {"status": "finished"}).status_code == 422
    assert _patch(auditor, rca["rca_id"], {"due_date": "2001-01-01"}).status_code == 422
    assert _patch(auditor, rca["rca_id"], {"owner": "rca-lumen-manager"}).status_code == 200   # no audits yet
    assert _patch(auditor, rca["rca_id"], {"audit_ids": audits["nw"]}).json()["error"]["code"] == "owner_out_of_scope"


def test_replacing_links_keeps_the_ones_the_editor_cannot_see(errors, world):
    api, people, audits = errors["api"], errors["people"], errors["audits"]
    lead = api(people["lead"])
    rca = lead.post("/api/v1/qa/rcas", _rca(owner="rca-lead", audit_ids=audits["nw"] + audits["lumen"])).json()
    us_auditor = api(world.person("rca-us-auditor", "qa_auditor", regions=["US"]))
    assert us_auditor.get(f"/api/v1/qa/rcas/{rca['rca_id']}").json()["audit_ids"] == sorted(audits["nw"])

    changed = _patch(us_auditor, rca["rca_id"], {"audit_ids": audits["nw"][:1]})
    assert changed.status_code == 200 and changed.json()["audit_ids"] == audits["nw"][:1]
    assert lead.get(f"/api/v1/qa/rcas/{rca['rca_id']}").json()["audit_ids"] == sorted(audits["nw"][:1] + audits["lumen"])
    assert _patch(us_auditor, rca["rca_id"], {"audit_ids": audits["lumen"][:1]}).status_code == 404


def test_an_rca_due_today_is_not_yet_overdue(errors):
    api, people = errors["api"], errors["people"]
    today = clock.now().date()
    rca = api(people["auditor"]).post("/api/v1/qa/rcas", _rca(due_date=today.isoformat())).json()
    assert rca["overdue"] is False and rca["days_overdue"] == 0
