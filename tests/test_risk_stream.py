"""The stream worker against the real NATS JetStream server: a killed worker loses nothing and counts nothing twice."""
import uuid
from datetime import timedelta

import pytest

from tests.test_risk_rules import event, failed_logins_rule
from trustops.kernel import clock
from trustops.risk.features import counters, spec
from trustops.risk.models import CounterSeries, Event, RuleHit
from trustops.risk.outcomes import services as outcomes
from trustops.risk.rules import live
from trustops.risk.worker import stream


class Killed(Exception):
    pass


@pytest.fixture
def jetstream(nats_url):
    """A stream of its own, deleted afterwards."""
    name = f"TEST_RISK_{uuid.uuid4().hex[:12].upper()}"
    subject = f"test.risk.{name.lower()}"
    yield name, subject
    import asyncio

    import nats

    async def drop():
        connection = await nats.connect(nats_url)
        try:
            await connection.jetstream().delete_stream(name)
        finally:
            await connection.close()
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(drop())
    finally:
        loop.close()


def _worker(name, subject):
    worker = stream.StreamWorker(stream=name, subject=subject, durable="riskworker", batch=4, ack_wait=1.0,
                                 store=counters.DatabaseCounters())
    worker.connect()
    return worker


def _drain(worker, *, idle=3):
    empty = 0
    while empty < idle:
        empty = 0 if worker.run_batch(timeout=1.0) else empty + 1


@pytest.mark.slow
def test_a_killed_worker_loses_nothing_and_counts_nothing_twice(api, world, jetstream, monkeypatch):
    name, subject = jetstream
    live.clear_cache()
    now = clock.now()
    investigator = world.person("ines", "investigator")
    assert api.as_(investigator).post("/api/v1/risk/rules", failed_logins_rule(mode="shadow")).status_code == 201
    sent = [event(n, at=now - timedelta(seconds=300 - 20 * n)) for n in range(12)]
    # The worker creates the stream; then the platform publishes.
    first = _worker(name, subject)
    stream.publish(sent, subject=subject)

    # Killed after its transaction committed, before acknowledging: the batch will come again.
    assert first.run_batch() == 4
    first.before_ack = lambda: (_ for _ in ()).throw(Killed())
    with pytest.raises(Killed):
        first.run_batch()
    first.close()
    assert Event.objects.count() == 8

    # Killed in the middle of a batch, before its commit: nothing of that batch stays.
    second = _worker(name, subject)
    real_act = outcomes.act
    calls = {"n": 0}

    def dies_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Killed()
        return real_act(*args, **kwargs)
    monkeypatch.setattr(outcomes, "act", dies_once)
    with pytest.raises(Killed):
        _drain(second)
    second.close()
    assert Event.objects.count() <= 8

    third = _worker(name, subject)
    _drain(third)
    third.close()

    assert sorted(Event.objects.values_list("event_id", flat=True)) == sorted(e["id"] for e in sent)
    assert set(Event.objects.values_list("source", flat=True)) == {"stream"}
    hits = list(RuleHit.objects.values_list("event__event_id", flat=True))
    assert len(hits) == len(set(hits)) and len(hits) >= 1
    feature = spec.parse(failed_logins_rule()["features"], default_event="login_failed")[0]
    row = CounterSeries.objects.get(feature=feature.signature, entity="user:u-1")
    assert counters.read(counters.loads(row.buckets), feature, now.timestamp()) == 12   # each failure once
    live.clear_cache()
