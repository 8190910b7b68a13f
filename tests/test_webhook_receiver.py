"""The demo's webhook receiver: a real delivery through the outbox arrives and verifies; a tampered or unsigned
one is refused and kept as refused. The demo registers its endpoint and enrols its leads' authenticators."""
import threading

import httpx
import pytest
from django.core.management import call_command

from trustops.outbox import services as outbox
from trustops.outbox import signatures
from trustops.outbox.models import Delivery, DeliveryStatus, WebhookEndpoint
from trustops.runtime.receiver import Receiver, received

SECRET = "a-receiver-secret-of-some-length"


@pytest.fixture
def receiver(tmp_path):
    server = Receiver(("127.0.0.1", 0), secret=SECRET, record=tmp_path / "deliveries.jsonl")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/trustops"


def test_a_real_delivery_arrives_verified_and_the_log_says_delivered(db, receiver):
    endpoint, _ = outbox.create_endpoint(url=_url(receiver), event_kinds=[], name="receiver", secret=SECRET)
    delivery = outbox.send_test(endpoint_id=endpoint.pk, actor=None)
    assert outbox.deliver(delivery.pk) == DeliveryStatus.DELIVERED
    assert Delivery.objects.get(pk=delivery.pk).last_status_code == 200
    [kept] = received(receiver.record)
    assert kept["verified"] is True and kept["event"] == "webhook.test"
    assert kept["delivery"] == str(delivery.pk) and kept["body"]["kind"] == "webhook.test"


def test_a_tampered_or_unsigned_delivery_is_refused(db, receiver):
    body = b'{"kind": "decision.made", "payload": {"actions": ["remove"]}}'
    signed = signatures.sign(SECRET, body)
    tampered = body.replace(b"remove", b"ban")
    assert httpx.post(_url(receiver), content=tampered, headers={signatures.HEADER: signed}).status_code == 401
    assert httpx.post(_url(receiver), content=body).status_code == 401
    wrong_secret = signatures.sign("another-secret-entirely-0000", body)
    assert httpx.post(_url(receiver), content=body, headers={signatures.HEADER: wrong_secret}).status_code == 401
    assert httpx.post(_url(receiver), content=body, headers={signatures.HEADER: signed}).status_code == 200
    assert [line["verified"] for line in received(receiver.record)] == [False, False, False, True]
    assert all(line["body"] is None for line in received(receiver.record)[:3]), "nothing unverified is read"


def test_a_delivery_to_an_endpoint_with_another_secret_is_refused_and_retried(db, receiver):
    endpoint, _ = outbox.create_endpoint(url=_url(receiver), event_kinds=[], name="wrong",
                                         secret="not-the-receivers-secret-000")
    delivery = outbox.send_test(endpoint_id=endpoint.pk)
    assert outbox.deliver(delivery.pk) == DeliveryStatus.PENDING
    assert Delivery.objects.get(pk=delivery.pk).last_error == "HTTP 401"


def test_the_demo_registers_its_receiver_once_and_hands_it_the_secret(db, settings, tmp_path):
    from trustops.simulation import receiver as demo

    settings.VAR_DIR = tmp_path
    secret_file = demo.register(host="127.0.0.1", port=8001)
    endpoint = WebhookEndpoint.objects.get(name=demo.NAME)
    assert endpoint.url == "http://127.0.0.1:8001/trustops" and endpoint.event_kinds == []
    assert secret_file.read_text().strip() == endpoint.secret
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    demo.register(host="127.0.0.1", port=8002)
    assert WebhookEndpoint.objects.filter(name=demo.NAME).get().url == "http://127.0.0.1:8002/trustops"
    assert secret_file.read_text().strip() == endpoint.secret, "the secret stays"


def test_totpcode_works_for_the_demo_admin_and_lead_before_they_first_sign_in(db, capsys):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trustops.simulation import seed

    seed.create_people()
    assert seed.enrol_demo_authenticators() == ["admin", "lead"]
    for username in ("admin", "lead"):
        call_command("totpcode", username)
        code = capsys.readouterr().out.strip()
        device = TOTPDevice.objects.get(user__username=username)
        assert not device.confirmed and device.verify_token(code)
    assert seed.enrol_demo_authenticators() == ["admin", "lead"]
    assert TOTPDevice.objects.filter(user__username="admin").count() == 1, "the same authenticator"
