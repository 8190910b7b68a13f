"""The platform is told what to enforce: signed webhooks from a durable outbox, retried with backoff."""
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from trustops.kernel import clock
from trustops.outbox import services as outbox
from trustops.outbox import signatures
from trustops.outbox.models import Delivery, OutboxMessage

SECRET = "a-shared-signing-secret"


class Endpoint:
    """A stand-in for the integrating platform: fails the first `failures` requests, then accepts."""

    def __init__(self, failures: int):
        self.failures = failures
        self.received: list[tuple[dict, bytes]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.received.append((dict(self.headers), body))
                status = 503 if len(endpoint.received) <= endpoint.failures else 204
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/trustops"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def endpoint(db):
    ep = Endpoint(failures=1)
    outbox.save_endpoint(name="platform", url=ep.url, secret=SECRET, event_kinds=["enforcement.applied"])
    yield ep
    ep.close()


def test_enforcement_is_delivered_signed_and_retried_after_a_failure(world, endpoint):
    mod = world.moderator()
    world.report(subject=world.subject(region="US"))
    world.violation(mod, "general-us", "harassment.bullying")
    delivery = Delivery.objects.get()
    assert delivery.message.kind == "enforcement.applied"

    assert outbox.deliver(delivery.pk) == "pending"                 # the endpoint answers 503
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status_code == 503
    assert outbox.due_deliveries() == []                               # backing off
    with clock.frozen(delivery.next_attempt_at + timedelta(seconds=1)):
        assert outbox.deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2

    headers, body = endpoint.received[-1]
    assert signatures.verify(SECRET, body, headers[signatures.HEADER])
    assert not signatures.verify("another-secret-entirely", body, headers[signatures.HEADER])
    assert not signatures.verify(SECRET, body + b" ", headers[signatures.HEADER])
    event = json.loads(body)
    assert event["kind"] == "enforcement.applied"
    assert {a["action"] for a in event["payload"]["actions"]} >= {"remove", "strike"}
    assert headers["Trustops-Event"] == "enforcement.applied"


def test_outbox_rows_roll_back_with_the_decision(world, endpoint):
    mod = world.moderator()
    world.report(subject=world.subject(region="US"))
    case = world.claim(mod, "general-us")
    bad = world.decide(mod, case, verdict="violation", policy="harassment.bullying", actions=["ban"])
    assert bad.status_code == 422
    assert not OutboxMessage.objects.exists() and not Delivery.objects.exists()


def test_a_delivery_gives_up_after_the_last_retry(db):
    ep = Endpoint(failures=100)
    try:
        outbox.save_endpoint(name="down", url=ep.url, secret=SECRET)
        outbox.enqueue("appeal.decided", {"appeal_id": 1})
        delivery = Delivery.objects.get()
        for _ in range(outbox.MAX_ATTEMPTS):
            status = outbox.deliver(delivery.pk)
        assert status == "dead"
        assert delivery.attempt_log.count() == outbox.MAX_ATTEMPTS
    finally:
        ep.close()


def test_backoff_grows_and_is_capped():
    delays = [outbox.backoff(n).total_seconds() for n in range(1, 14)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 6 * 3600 and delays == sorted(delays)


def test_endpoints_must_use_https_except_on_loopback(db):
    from trustops.kernel.errors import Invalid
    with pytest.raises(Invalid):
        outbox.save_endpoint(name="plain", url="http://platform.example/hook", secret=SECRET)
    with pytest.raises(Invalid):
        outbox.save_endpoint(name="weak", url="https://platform.example/hook", secret="short")
    assert outbox.save_endpoint(name="ok", url="https://platform.example/hook", secret=SECRET).pk


def test_signature_timestamps_expire():
    header = signatures.sign(SECRET, b"{}", timestamp=1_000_000)
    assert signatures.verify(SECRET, b"{}", header, now=1_000_100)
    assert not signatures.verify(SECRET, b"{}", header, now=1_000_000 + 3600)


def test_a_delivery_whose_worker_died_is_sent_by_the_sweep(db):
    ep = Endpoint(failures=0)
    try:
        outbox.save_endpoint(name="platform", url=ep.url, secret=SECRET)
        outbox.enqueue("enforcement.applied", {"decision_id": 7})
        delivery = Delivery.objects.get()
        assert outbox._take(delivery.pk) is not None         # a worker leased it and died before sending
        assert outbox.deliver_due() == 0                      # still leased: nobody sends it twice
        with clock.frozen(clock.now() + timedelta(seconds=outbox.LOCK_SECONDS + 1)):
            assert outbox.deliver_due() == 1
        delivery.refresh_from_db()
        assert delivery.status == "delivered" and len(ep.received) == 1
    finally:
        ep.close()
