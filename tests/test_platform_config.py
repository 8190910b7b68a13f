"""Configuring a fresh platform: init, queues, routing rules and webhook endpoints through the API, who may do it.

Every test starts from an empty database after migrate (the `db` fixture), as a new install does.
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.test import Client

from trustops.config import initialisation
from trustops.identity import services as identity
from trustops.ledger.models import LedgerEvent
from trustops.outbox import services as outbox
from trustops.outbox import signatures
from trustops.review.models import Case, Queue, RoutingRule
from trustops.simulation import platform as setup


class Api:
    def __init__(self, token):
        self.client, self.headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path):
        return self.client.get(path, **self.headers)

    def _send(self, method, path, body):
        return getattr(self.client, method)(path, json.dumps(body), content_type="application/json", **self.headers)

    def post(self, path, body=None):
        return self._send("post", path, body or {})

    def patch(self, path, body):
        return self._send("patch", path, body)

    def delete(self, path):
        return self.client.delete(path, **self.headers)


def person(username, role, **kwargs):
    user = identity.create_user(username=username, role=role, regions=["*"], **kwargs)
    return user, Api(identity.issue_token(user=user)[1])


def report(api, key, *, subject_type="video", region="US", reason="harassment.bullying", source="user"):
    return api.post("/api/v1/reports", {
        "idempotency_key": key, "reason": reason, "source": source,
        "subject": {"type": subject_type, "external_id": f"{subject_type}-{key}", "region": region,
                    "owner": {"type": "creator", "external_id": f"owner-{key}"}}})


@pytest.fixture
def fresh(db):
    """A database just migrated and initialised, with the integrating platform's token and an admin."""
    call_command("init", verbosity=0)
    _, integration = person("platform", "integration")
    admin_user, admin = person("root", "admin")
    return {"integration": integration, "admin": admin, "admin_user": admin_user}


def test_a_bare_migrated_database_refuses_reports_until_init(db):
    _, integration = person("platform", "integration")
    assert report(integration, "before").status_code == 422   # no policy catalogue yet: nothing to report against
    assert not Queue.objects.exists()
    call_command("init", verbosity=0)
    response = report(integration, "r-1")
    assert response.status_code == 201, response.content
    assert response.json()["queue"] == "general"
    assert Queue.objects.get(key="appeals").is_default is False
    escalations = Queue.objects.get(key="creator-escalations")   # support's escalations land here, in-house only
    assert escalations.tier == 2 and not escalations.vendors.exists() and not escalations.is_default


def test_init_runs_once_and_leaves_an_administrators_changes_alone(fresh):
    admin = fresh["admin"]
    assert admin.patch("/api/v1/queues/general", {"name": "Everything else", "sla_seconds": 7200}).status_code == 200
    events = LedgerEvent.objects.count()
    call_command("init", verbosity=0)
    assert initialisation.initialise() == []
    general = Queue.objects.get(key="general")
    assert (general.name, general.sla_seconds) == ("Everything else", 7200)
    assert LedgerEvent.objects.count() == events


def test_the_demo_is_seeded_on_top_of_an_initialised_platform(fresh):
    setup.install()
    assert Queue.objects.get(is_default=True).key == setup.DEFAULT_QUEUE
    response = report(fresh["integration"], "demo-1", region="US")
    assert response.json()["queue"] == "general-us"
    # The fresh install's empty catch-all is retired, not left beside the demo's own.
    assert not Queue.objects.get(key="general").active


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks", Receiver.received
    server.shutdown()
    server.server_close()


def test_an_admin_configures_queues_rules_and_a_webhook_and_the_next_report_follows(fresh, receiver):
    admin, integration = fresh["admin"], fresh["integration"]
    url, received = receiver
    created = admin.post("/api/v1/queues", {"key": "harassment", "name": "Harassment", "sla_seconds": 4 * 3600,
                                            "tier": 1, "allowed_actions": ["remove", "warn", "strike"]})
    assert created.status_code == 201, created.content
    assert created.json()["is_default"] is False
    rule = admin.post("/api/v1/routing-rules", {"name": "Harassment in the EU", "queue": "harassment",
                                                "policy_prefixes": ["harassment"], "regions": ["DE", "FR"]})
    assert rule.status_code == 201, rule.content
    hook = admin.post("/api/v1/webhooks", {"url": url, "events": ["report.resolved"]})
    assert hook.status_code == 201, hook.content
    secret = hook.json()["secret"]
    assert len(secret) >= 32
    assert all("secret" not in e for e in admin.get("/api/v1/webhooks").json())

    probe = admin.post("/api/v1/routing-rules/test", {"subject": {"type": "video", "region": "DE"},
                                                      "reason": "harassment.bullying"})
    assert probe.json() == {"rule": {"id": rule.json()["id"], "name": "Harassment in the EU",
                                     "position": rule.json()["position"]}, "queue": "harassment", "default": False}
    assert admin.post("/api/v1/routing-rules/test", {"subject": {"type": "video", "region": "US"},
                                                     "reason": "harassment.bullying"}).json()["queue"] == "general"
    assert not Case.objects.exists()   # the tester stores nothing

    filed = report(integration, "eu-1", region="DE")
    assert filed.status_code == 201 and filed.json()["queue"] == "harassment"
    assert report(integration, "us-1", region="US").json()["queue"] == "general"

    moderator, _ = person("mod", "moderator")
    mod_api = Api(identity.issue_token(user=moderator)[1])
    case = mod_api.post("/api/v1/queues/harassment/claim").json()["case"]
    decided = mod_api.post(f"/api/v1/cases/{case['id']}/decision", {
        "verdict": "violation", "policy": "harassment.bullying", "actions": ["remove"],
        "rationale": "Targeted insults.", "version": case["version"]})
    assert decided.status_code == 200, decided.content
    outbox.deliver_due()
    assert len(received) == 1
    headers, body = received[0]
    assert signatures.verify(secret, body, headers[signatures.HEADER])
    assert json.loads(body)["kind"] == "report.resolved"

    test = admin.post(f"/api/v1/webhooks/{hook.json()['id']}/test")
    assert test.status_code == 202
    outbox.deliver_due()
    assert json.loads(received[-1][1])["kind"] == "webhook.test"
    assert signatures.verify(secret, received[-1][1], received[-1][0][signatures.HEADER])


def test_a_new_sla_applies_to_cases_opened_afterwards(fresh):
    admin, integration = fresh["admin"], fresh["integration"]
    first = Case.objects.get(pk=report(integration, "a").json()["case_id"])
    assert admin.patch("/api/v1/queues/general", {"sla_seconds": 3600}).status_code == 200
    second = Case.objects.get(pk=report(integration, "b").json()["case_id"])
    assert (first.sla_due_at - first.opened_at).total_seconds() == 24 * 3600
    assert (second.sla_due_at - second.opened_at).total_seconds() == 3600
    first.refresh_from_db()
    assert (first.sla_due_at - first.opened_at).total_seconds() == 24 * 3600
    assert LedgerEvent.objects.filter(kind="queue.changed").count() == 1


def test_routing_rules_are_reordered_changed_and_deleted(fresh):
    admin = fresh["admin"]
    admin.post("/api/v1/queues", {"key": "live", "name": "LIVE"})
    admin.post("/api/v1/queues", {"key": "spam", "name": "Spam"})
    broad = admin.post("/api/v1/routing-rules", {"name": "Everything", "queue": "spam"}).json()
    live = admin.post("/api/v1/routing-rules", {"name": "Livestreams", "queue": "live",
                                                "subject_types": ["livestream"]}).json()
    body = {"subject": {"type": "livestream", "region": "US"}, "reason": "harassment.bullying"}
    assert admin.post("/api/v1/routing-rules/test", body).json()["queue"] == "spam"
    moved = admin.patch(f"/api/v1/routing-rules/{live['id']}", {"position": 1})
    assert moved.status_code == 200 and moved.json()["position"] == 1
    assert [r["name"] for r in admin.get("/api/v1/routing-rules").json()] == ["Livestreams", "Everything"]
    assert admin.post("/api/v1/routing-rules/test", body).json()["queue"] == "live"
    assert admin.delete(f"/api/v1/routing-rules/{live['id']}").status_code == 204
    assert admin.delete(f"/api/v1/routing-rules/{live['id']}").status_code == 404
    assert admin.patch(f"/api/v1/routing-rules/{broad['id']}", {"enabled": False}).status_code == 200
    assert admin.post("/api/v1/routing-rules/test", body).json() == {"rule": None, "queue": "general",
                                                                     "default": True}
    kinds = list(LedgerEvent.objects.filter(kind__startswith="routing_rule.").values_list("kind", flat=True))
    assert sorted(kinds) == sorted(["routing_rule.created"] * 2 + ["routing_rule.changed"] * 2
                                   + ["routing_rule.deleted"])


@pytest.mark.parametrize("path, body, status, code", [
    ("/api/v1/queues", {"key": "Bad Key", "name": "x"}, 422, None),
    ("/api/v1/queues", {"key": "general", "name": "Again"}, 409, "queue_exists"),
    ("/api/v1/queues", {"key": "x", "name": "x", "teams": ["nobody"]}, 422, "unknown_team"),
    ("/api/v1/queues", {"key": "x", "name": "x", "allowed_actions": ["explode"]}, 422, "unknown_action"),
    ("/api/v1/queues", {"key": "x", "name": "x", "required_clearance": "top-secret"}, 422, "unknown_clearance"),
    ("/api/v1/routing-rules", {"name": "r", "queue": "missing"}, 422, "unknown_queue"),
    ("/api/v1/routing-rules", {"name": "r", "queue": "general", "policy_prefixes": ["nope"]}, 422, "unknown_policy"),
    ("/api/v1/routing-rules", {"name": "r", "queue": "general", "sources": ["pigeon"]}, 422, "unknown_source"),
    ("/api/v1/routing-rules/test", {"subject": {"type": "video"}, "reason": "nope"}, 422, "unknown_policy"),
    ("/api/v1/webhooks", {"url": "http://example.com/hook", "events": []}, 422, "https_required"),
    ("/api/v1/webhooks", {"url": "https://example.com/hook", "events": ["nope"]}, 422, "unknown_event"),
])
def test_bad_configuration_is_refused_with_the_usual_error_and_nothing_written(fresh, path, body, status, code):
    events = LedgerEvent.objects.count()
    response = fresh["admin"].post(path, body)
    assert response.status_code == status, response.content
    assert "error" in response.json()
    if code:
        assert response.json()["error"]["code"] == code
    assert LedgerEvent.objects.count() == events


def test_the_default_queue_cannot_be_switched_off(fresh):
    admin = fresh["admin"]
    assert admin.patch("/api/v1/queues/general", {"is_default": False}).json()["error"]["code"] == "default_required"
    assert admin.patch("/api/v1/queues/general", {"active": False}).json()["error"]["code"] == "default_inactive"
    assert admin.patch("/api/v1/queues/appeals", {"is_default": True}).status_code == 200
    assert Queue.objects.get(is_default=True).key == "appeals"


def test_a_removed_endpoint_with_history_is_deactivated(fresh, receiver):
    admin = fresh["admin"]
    hook = admin.post("/api/v1/webhooks", {"url": receiver[0], "events": []}).json()
    admin.post(f"/api/v1/webhooks/{hook['id']}/test")
    removed = admin.delete(f"/api/v1/webhooks/{hook['id']}")
    assert removed.json() == {"id": hook["id"], "outcome": "deactivated"}
    assert admin.post(f"/api/v1/webhooks/{hook['id']}/test").status_code == 409
    other = admin.post("/api/v1/webhooks", {"url": receiver[0], "events": [], "name": "spare"}).json()
    assert admin.delete(f"/api/v1/webhooks/{other['id']}").json()["outcome"] == "deleted"


def test_redelivering_sends_a_given_up_delivery_again(fresh, receiver):
    admin = fresh["admin"]
    hook = admin.post("/api/v1/webhooks", {"url": receiver[0], "events": []}).json()
    delivery = outbox.send_test(endpoint_id=hook["id"], actor=fresh["admin_user"])
    outbox.deliver(delivery.pk)
    assert len(receiver[1]) == 1
    again = outbox.redeliver(delivery_id=delivery.pk, actor=fresh["admin_user"])
    assert again.status == "pending"
    outbox.deliver(delivery.pk)
    assert len(receiver[1]) == 2
    assert LedgerEvent.objects.filter(kind="delivery.redelivered").count() == 1


# ---- who may configure ----

def test_policy_managers_configure_and_others_are_refused(fresh):
    _, manager = person("pm", "policy_manager")
    assert manager.post("/api/v1/queues", {"key": "pm-queue", "name": "PM"}).status_code == 201
    for role in ("moderator", "team_lead", "analyst", "engineer", "integration"):
        _, api = person(f"who-{role}", role)
        assert api.post("/api/v1/queues", {"key": f"q-{role}", "name": "x"}).status_code == 403
        assert api.patch("/api/v1/queues/general", {"name": "x"}).status_code in (403,)
        assert api.get("/api/v1/routing-rules").status_code == 403
        assert api.post("/api/v1/webhooks", {"url": "https://example.com/h"}).status_code == 403
    # A token given the scope by hand does not make a moderator a configurer.
    moderator = identity.create_user(username="sneaky", role="moderator", regions=["*"])
    sneaky = Api(identity.issue_token(user=moderator, scopes=["config:write", "queues:read"])[1])
    assert sneaky.post("/api/v1/queues", {"key": "sneaky", "name": "x"}).status_code == 403
    assert sneaky.get("/api/v1/routing-rules").status_code == 403
    assert sneaky.get("/api/v1/webhooks").status_code == 403
    assert not Queue.objects.filter(key__in=["sneaky", "q-moderator"]).exists()


def test_queue_settings_are_read_only_where_the_queue_is_visible(fresh):
    admin = fresh["admin"]
    identity.ensure_vendor(name="Northwind BPO")
    identity.ensure_vendor(name="Lumen Outsourcing")
    admin.post("/api/v1/queues", {"key": "northwind", "name": "N", "vendors": ["northwind-bpo"]})
    admin.post("/api/v1/queues", {"key": "restricted", "name": "R",
                                  "required_clearance": "restricted:child_safety"})
    _, agent = person("agent", "vendor_agent", vendor="Northwind BPO")
    _, other = person("other", "vendor_agent", vendor="Lumen Outsourcing")
    _, moderator = person("mod", "moderator")
    assert agent.get("/api/v1/queues/northwind").json()["vendors"] == ["northwind-bpo"]
    assert other.get("/api/v1/queues/northwind").status_code == 404
    assert agent.get("/api/v1/queues/general").status_code == 404
    assert moderator.get("/api/v1/queues/restricted").status_code == 404
    assert moderator.get("/api/v1/queues/general").status_code == 200
    assert admin.get("/api/v1/queues/restricted").status_code == 200    # configurers see every queue's settings
    assert [q["key"] for q in agent.get("/api/v1/queues").json()] == ["northwind"]
    assert agent.patch("/api/v1/queues/northwind", {"name": "mine"}).status_code == 403
    assert RoutingRule.objects.count() == 0


def test_the_console_settings_are_for_configurers_only(fresh):
    identity.ensure_vendor(name="Northwind BPO")
    manager = identity.create_user(username="pm", role="policy_manager", regions=["*"])
    client = Client()
    client.force_login(manager)
    for page in ("/settings/queues/", "/settings/routing/", "/settings/webhooks/", "/settings/queues/general/"):
        assert client.get(page).status_code == 200, page
    created = client.post("/settings/queues/", {"key": "from-console", "name": "From the console",
                                                "sla_hours": "2", "active": "on", "requires_certification": "on"})
    assert created.status_code == 302
    assert Queue.objects.get(key="from-console").sla_seconds == 7200
    assert Queue.objects.get(key="from-console").requires_certification
    assert b'name="requires_certification" checked' in client.get("/settings/queues/from-console/").content
    refused = client.post("/settings/queues/", {"key": "Bad Key", "name": "x", "active": "on"})
    assert refused.status_code == 422 and b"lower-case letters" in refused.content
    hook = client.post("/settings/webhooks/", {"url": "https://hooks.example.com/x", "events": ["webhook.test"]})
    assert hook.status_code == 201 and b"new-secret" in hook.content
    assert b"new-secret" not in client.get("/settings/webhooks/").content
    for role, extra in (("moderator", {}), ("team_lead", {}), ("vendor_agent", {"vendor": "Northwind BPO"})):
        other = Client()
        other.force_login(identity.create_user(username=f"c-{role}", role=role, regions=["*"], **extra))
        for page in ("/settings/queues/", "/settings/routing/", "/settings/webhooks/"):
            assert other.get(page).status_code in (302, 403), (role, page)
        assert other.post("/settings/queues/", {"key": f"x-{role}", "name": "x"}).status_code in (302, 403)
        assert not Queue.objects.filter(key=f"x-{role}").exists()
