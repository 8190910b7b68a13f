"""Risk feedback: backtests without look-ahead, demotion on overturned hits, counters that agree on both stores."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.test_risk_rules import event, failed_logins_rule, send
from trustops.identity.models import Notification
from trustops.kernel import clock
from trustops.risk.features import counters, spec
from trustops.risk.feedback import services as feedback
from trustops.risk.models import RuleHit, RuleVersion
from trustops.risk.rules import compiler, live
from trustops.risk.rules.engine import Engine, EventIn, RuleRun

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _fresh_rules():
    live.clear_cache()
    yield
    live.clear_cache()


def test_a_backtest_of_last_week_finds_the_seeded_pattern_without_look_ahead(api, world):
    investigator = world.person("ines", "investigator")
    week_ago = NOW - timedelta(days=7)
    burst_at = NOW - timedelta(days=3)
    noise = [event(n, actor=f"u-noise-{n % 7}", at=week_ago + timedelta(hours=n * 3)) for n in range(50)]
    burst = [event(n, actor="u-taken-over", at=burst_at + timedelta(seconds=40 * n)) for n in range(8)]
    with clock.frozen(NOW):
        send(api, noise + burst)
        rule = {k: failed_logins_rule()[k] for k in ("on", "features", "when", "outcome")}
        response = api.as_(investigator).post("/api/v1/risk/backtests", {
            **rule, "start": week_ago.isoformat(), "end": NOW.isoformat()})
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["hits"] == 4 and result["subjects"] == 1
    assert result["per_day"] == [{"day": burst_at.date().isoformat(), "hits": 4}]
    first = result["samples"][0]
    # The first hit is the fifth failure, seeing five (not the eight the burst ends with).
    assert first["event_id"] == burst[4]["id"] and first["features"] == {"fails_10m": 5}
    assert [s["features"]["fails_10m"] for s in result["samples"]] == [5, 6, 7, 8]


def test_a_rule_whose_hits_are_overturned_gets_demoted_and_its_owner_told(api, world):
    investigator = world.person("ines", "investigator")
    moderator = world.moderator()
    client = api.as_(investigator)
    with clock.frozen(NOW):
        assert client.post("/api/v1/risk/rules", failed_logins_rule(min_outcomes=3)).status_code == 201
        for actor in ("u-a", "u-b", "u-c"):
            send(api, [event(n, actor=actor, at=NOW - timedelta(minutes=9 - n)) for n in range(5)])
    assert RuleHit.objects.filter(case__isnull=False).count() == 3
    for _ in range(3):
        case = world.claim(moderator, "integrity")
        assert world.decide(moderator, case, verdict="no_violation").status_code == 200
    assert feedback.sync_outcomes() == 3
    version = RuleVersion.objects.get()
    assert version.mode == "shadow" and version.demoted_at is not None
    figures = feedback.precision(version)
    assert figures["outcomes"] == 3 and figures["precision"] == 0 and figures["high"] < 0.7
    note = Notification.objects.get(kind="risk.rule_demoted")
    assert note.recipient_id == investigator.user.pk
    body = client.get("/api/v1/risk/rules/login-bruteforce").json()
    assert body["mode"] == "shadow" and body["precision"]["outcomes"] == 3


def test_precision_uses_the_wilson_interval():
    # Newcombe (1998), table I, example: 81 of 263 -> 0.2553 to 0.3662 (Wilson, no continuity correction).
    from trustops.quality.stats.proportions import wilson_interval
    interval = wilson_interval(81, 263)
    assert round(interval.low, 4) == 0.2553 and round(interval.high, 4) == 0.3662


def _features():
    raw = [{"name": "n", "kind": "count", "by": "actor", "window_seconds": 600},
           {"name": "total", "kind": "sum", "by": "actor", "field": "amount", "window_seconds": 3600},
           {"name": "targets", "kind": "distinct", "by": "actor", "field": "to", "window_seconds": 3600},
           {"name": "low", "kind": "min", "by": ["actor", "attributes.currency"], "field": "amount",
            "window_seconds": 120},
           {"name": "high", "kind": "max", "by": "attributes.to", "field": "amount", "window_seconds": 86400}]
    features = spec.parse(raw, default_event="gift")
    when = "features.n >= 0 && (features.total >= 0 || features.targets >= 0 || true)"
    run = RuleRun(1, "all", 1, "shadow", frozenset({"gift"}), features,
                  compiler.compile_when(when + " && features.low != -1 && features.high != -1", features), {})
    return run


def _sequence():
    out = []
    for n in range(300):
        at = NOW + timedelta(seconds=n * 37)
        out.append(EventIn(None, f"g-{n}", "gift", at, f"user:u-{n % 5}", None,
                           {"amount": (n * 7) % 23 + 0.5 * (n % 2), "to": f"c-{n % 11}", "currency": "EUR"}))
    return out


def test_redis_and_database_counters_agree(db, redis_client):
    client, prefix = redis_client
    stores = [counters.DatabaseCounters(), counters.RedisCounters(client, prefix=prefix)]
    seen = []
    for store in stores:
        run = _features()
        values = []
        engine = Engine([run], store)
        events = _sequence()
        for start in range(0, len(events), 17):   # many batches: each loads and saves through the store
            values += [h.features for h in engine.run(events[start:start + 17])]
        seen.append(values)
    assert len(seen[0]) == 300 and seen[0] == seen[1]
    assert seen[0][-1]["n"] > 0 and seen[0][-1]["targets"] > 0


def test_counters_stay_bounded_per_key():
    features = spec.parse([{"name": "n", "kind": "count", "by": "actor", "window_seconds": 600}],
                          default_event="x")
    series = {}
    for second in range(0, 86400, 7):
        counters.add(series, features[0], NOW.timestamp() + second, None)
    assert len(series) <= counters.BUCKETS
    assert counters.read(series, features[0], NOW.timestamp() + 86400) in range(80, 90)
