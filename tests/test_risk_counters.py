"""Windowed counters under concurrency: workers sharing keys never lose a count, and no event counts twice.

Against the real Redis (127.0.0.1:6379; skipped with a notice without it, except in CI) and, for the ingestion
path, PostgreSQL with real threads and connections.
"""
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection

from tests import test_concurrency_review as concurrency
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.risk.events import services as events
from trustops.risk.features import counters, spec
from trustops.risk.models import Event
from trustops.risk.rules import compiler, live
from trustops.risk.rules.engine import Engine, EventIn, RuleRun
from trustops.subjects.models import Subject

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
FEATURES = [{"name": "n", "kind": "count", "by": "actor", "window_seconds": 600},
            {"name": "total", "kind": "sum", "by": "actor", "field": "amount", "window_seconds": 3600},
            {"name": "targets", "kind": "distinct", "by": "actor", "field": "to", "window_seconds": 3600},
            {"name": "largest", "kind": "max", "by": "actor", "field": "amount", "window_seconds": 3600}]


def _rule() -> RuleRun:
    features = spec.parse(FEATURES, default_event="gift")
    return RuleRun(1, "gifts", 1, "shadow", frozenset({"gift"}), features,
                   compiler.compile_when("features.n >= 0 && features.total >= 0 && features.targets >= 0", features),
                   {})


def _gifts(worker: int, count: int) -> list[EventIn]:
    """Gifts by five shared accounts over two hours: every worker touches every key, old buckets fall out."""
    return [EventIn(None, f"w{worker}-{n}", "gift", T0 + timedelta(seconds=(n * 4 + worker) * 7), f"user:u-{n % 5}",
                    None, {"amount": (n * 7 + worker) % 23 + 0.5 * (n % 2), "to": f"c-{(n + worker) % 40}"})
            for n in range(count)]


def _values(store, rule: RuleRun, at: datetime) -> dict:
    """Every feature of every account as of `at`, read through the store."""
    keys = {(f.signature, f"user:u-{a}"): f for f in rule.features for a in range(5)}
    series = store.load(keys)
    return {(f.name, key[1]): counters.read(series.get(key), f, at.timestamp()) for key, f in keys.items()}


def _in_threads(count, work):
    assert concurrency._in_threads(count, work) == []


def test_concurrent_workers_on_shared_keys_lose_no_count_in_redis(db, redis_client):
    client, prefix = redis_client
    workers, per_worker = 4, 300

    def work(i):
        engine = Engine([_rule()], counters.RedisCounters(client, prefix=prefix))
        gifts = _gifts(i, per_worker)
        for start in range(0, per_worker, 20):   # each batch loads, counts and writes while the others do too
            engine.run(gifts[start:start + 20])

    _in_threads(workers, work)

    # The same events counted by one writer, in the database.
    database = counters.DatabaseCounters()
    everything = [e for i in range(workers) for e in _gifts(i, per_worker)]
    Engine([_rule()], database).run(everything)
    end = max(e.occurred_at for e in everything)
    in_redis, in_database = _values(counters.RedisCounters(client, prefix=prefix), _rule(), end), _values(
        database, _rule(), end)
    assert in_redis == in_database
    assert sum(v for (name, _), v in in_redis.items() if name == "n") > 0


def test_an_event_written_again_to_redis_counts_once(db, redis_client):
    """A transaction that rolled back after writing Redis is retried: its events are already counted there."""
    client, prefix = redis_client
    store = counters.RedisCounters(client, prefix=prefix)
    gifts = _gifts(0, 30)
    Engine([_rule()], store).run(gifts)
    Engine([_rule()], counters.MemoryCounters()).run(gifts)   # what the retry counts, in memory
    retried = Engine([_rule()], store)
    retried.run(gifts, save=False)
    changed, applied = retried.unsaved
    store.save(changed, retried.windows, applied=applied)   # the same events, the same ids: skipped

    database = counters.DatabaseCounters()
    Engine([_rule()], database).run(gifts)
    end = gifts[-1].occurred_at
    assert _values(store, _rule(), end) == _values(database, _rule(), end)


@pytest.fixture
def pg_world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent ingestion is tested on PostgreSQL only (no PostgreSQL in this run)")
    from tests.conftest import World
    from trustops.risk.rules import services as rules
    from trustops.simulation import platform
    world = World(platform.install())
    live.clear_cache()
    with clock.frozen(T0 + timedelta(hours=3)):
        rules.save_rule(actor=world.person("ines", "investigator"), key="gifts", name="Gifts", on=["gift"],
                        features=FEATURES, when="features.n >= 1000", outcome={"signal": {"score": 0.5}},
                        mode="shadow")
    yield world
    live.clear_cache()


def _body(n: int, actor: int) -> dict:
    return {"id": f"gift-{n}", "kind": "gift", "occurred_at": (T0 + timedelta(seconds=10 * n)).isoformat(),
            "actor": {"type": "user", "external_id": f"u-{actor}"}, "attributes": {"amount": n % 9, "to": f"c-{n}"}}


@pytest.mark.slow
@pytest.mark.parametrize("store", ["database", "redis"])
def test_concurrent_batches_with_overlapping_ids_count_each_event_once(pg_world, redis_client, store):
    client, prefix = redis_client
    make = (lambda: counters.DatabaseCounters()) if store == "database" else (
        lambda: counters.RedisCounters(client, prefix=prefix))
    # Four senders, each resending half of its neighbour's events: 250 distinct events, 400 sent.
    batches = [[_body(n, n % 3) for n in range(i * 50, i * 50 + 100)] for i in range(4)]
    statuses = []

    def work(i):
        with clock.frozen(T0 + timedelta(hours=3)):
            statuses.extend(r.status for r in events.ingest(batches[i], store=make()))

    _in_threads(4, work)

    assert sorted(set(statuses)) == ["accepted", "duplicate"] and statuses.count("accepted") == 250
    assert Event.objects.count() == 250
    rule = _rule()
    total = next(f for f in rule.features if f.name == "total")
    loaded = make().load({(total.signature, f"user:u-{a}") for a in range(3)})
    for actor in range(3):
        stored = [int(e["id"].split("-")[1]) for e in (b for batch in batches for b in batch)
                  if e["actor"]["external_id"] == f"u-{actor}"]
        stored = sorted(set(stored))
        # Counted once each: the whole series over the buckets it keeps (windows long enough to hold them).
        assert sum(b[0] for b in loaded[(total.signature, f"user:u-{actor}")].values()) == len(stored)
        assert sum(b[1] for b in loaded[(total.signature, f"user:u-{actor}")].values()) == sum(s % 9 for s in stored)
    # The actors were new to all four senders at once: each created once, and recorded once.
    actors = {f"u-{a}" for a in range(3)}
    assert Subject.objects.filter(type="user", external_id__in=actors).count() == 3
    created = [p["external_id"] for p in LedgerEvent.objects.filter(kind="subject.created").values_list(
        "payload", flat=True) if p["external_id"] in actors]
    assert sorted(created) == sorted(actors)
