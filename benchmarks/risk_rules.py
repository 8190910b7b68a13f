"""Risk rule evaluation: events/s for 5 windowed features and 10 CEL rules, counters included, in one process,
next to a bare loop that only updates the same counters in the same run. With --api, also events/s through
`POST /api/v1/events/batch` on PostgreSQL (whole HTTP stack in-process, the same ruleset published), next to a
raw COPY of as many event rows.

    .venv/bin/python benchmarks/risk_rules.py [--events 200000] [--batch 1000] [--api] [--api-events 50000]
        [--database-url postgresql://postgres@127.0.0.1:5432/]
"""
import argparse
import cProfile
import gc
import json
import os
import pstats
import random
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
from common import configure_django, drop_database, recreate_database, with_database  # noqa: E402

TARGET_ENGINE = 25_000
TARGET_API = 5_000
KINDS = {"login": 30, "login_failed": 20, "gift": 20, "upload": 15, "refund": 5, "booking": 7, "merchant_edit": 3}
FEATURES = [
    {"name": "fails_10m", "kind": "count", "event": "login_failed", "by": "actor", "window_seconds": 600},
    {"name": "gifts_1h", "kind": "sum", "event": "gift", "by": "actor", "field": "amount", "window_seconds": 3600},
    {"name": "recipients_1h", "kind": "distinct", "event": "gift", "by": "actor", "field": "to",
     "window_seconds": 3600},
    {"name": "refund_max_1d", "kind": "max", "event": "refund", "by": "actor", "field": "amount",
     "window_seconds": 86400},
    {"name": "uploads_device_10m", "kind": "count", "event": "upload", "by": "attributes.device",
     "window_seconds": 600},
]
F = {f["name"]: f for f in FEATURES}
RULES = [
    ("bruteforce", ["login_failed"], ["fails_10m"], "features.fails_10m >= 8"),
    ("bruteforce-then-login", ["login"], ["fails_10m"], "features.fails_10m >= 3 && event.attributes.new_device"),
    ("gift-burst", ["gift"], ["gifts_1h"], "features.gifts_1h > 5000"),
    ("gift-spray", ["gift"], ["recipients_1h"], "features.recipients_1h >= 25"),
    ("gift-big-new", ["gift"], ["gifts_1h", "recipients_1h"],
     "event.attributes.amount > 900 && features.recipients_1h <= 2"),
    ("refund-large", ["refund"], ["refund_max_1d"], "features.refund_max_1d > 400"),
    ("refund-odd", ["refund"], ["refund_max_1d"], "event.attributes.amount > 50 && event.attributes.reason == 'other'"),
    ("upload-farm", ["upload"], ["uploads_device_10m"], "features.uploads_device_10m > 30"),
    ("booking-night", ["booking"], [], "event.attributes.hour < 5 && event.attributes.amount > 300"),
    ("merchant-payout-edit", ["merchant_edit"], [], "event.attributes.field == 'payout_account'"),
]


def workload(count: int, seed: int = 20261202):
    rng = random.Random(seed)
    kinds, weights = list(KINDS), list(KINDS.values())
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    out = []
    for n in range(count):
        kind = rng.choices(kinds, weights)[0]
        actor = f"u-{int(20000 * rng.random() ** 3)}"   # skewed: a few very active accounts
        attributes = {}
        if kind == "gift":
            attributes = {"amount": rng.choice([1, 5, 10, 50, 100, 1000]), "to": f"c-{rng.randrange(3000)}"}
        elif kind == "refund":
            attributes = {"amount": rng.randrange(5, 600), "reason": rng.choice(["late", "quality", "other"])}
        elif kind == "upload":
            attributes = {"device": f"d-{rng.randrange(5000)}"}
        elif kind == "login":
            attributes = {"new_device": rng.random() < 0.1}
        elif kind == "booking":
            attributes = {"hour": rng.randrange(24), "amount": rng.randrange(20, 500)}
        elif kind == "merchant_edit":
            attributes = {"field": rng.choice(["name", "hours", "payout_account"])}
        out.append({"id": f"ev-{seed}-{n}", "kind": kind,
                    "occurred_at": (start + timedelta(milliseconds=n * 50)).isoformat(),
                    "actor": {"type": "user", "external_id": actor}, "attributes": attributes})
    return out


def engine_rules():
    from trustops.risk.features import spec
    from trustops.risk.rules.compiler import compile_when
    from trustops.risk.rules.engine import RuleRun
    runs = []
    for i, (key, on, names, when) in enumerate(RULES):
        features = spec.parse([F[n] for n in names], default_event=on[0])
        runs.append(RuleRun(i + 1, key, 1, "shadow", frozenset(on), features, compile_when(when, features), {}))
    return runs


def bench_engine(events: list[dict], batch: int) -> None:
    from trustops.risk.features import counters, spec
    from trustops.risk.rules.engine import Engine, EventIn, attribute_value, entity_of
    rows = [EventIn(None, e["id"], e["kind"], datetime.fromisoformat(e["occurred_at"]),
                    f"user:{e['actor']['external_id']}", None, e["attributes"]) for e in events]
    features = spec.parse(FEATURES, default_event="login")
    by_kind = {}
    for f in features:
        by_kind.setdefault(f.event, []).append(f)

    # Baseline: the same counters updated and nothing evaluated.
    series: dict = {}
    started = time.process_time()
    for start in range(0, len(rows), batch):
        for event in rows[start:start + batch]:
            for feature in by_kind.get(event.kind, ()):
                entity = entity_of(feature, event)
                if entity is None:
                    continue
                key = (feature.signature, entity)
                counters.add(series.setdefault(key, {}), feature, event.ts,
                             None if feature.kind == "count" else attribute_value(feature, event))
    bare = time.process_time() - started

    engine = Engine(engine_rules(), counters.MemoryCounters())
    hits = 0
    started = time.process_time()
    for start in range(0, len(rows), batch):
        hits += len(engine.run(rows[start:start + batch]))
    full = time.process_time() - started
    evaluations = sum(engine.stats.evaluations.values())
    rate, base_rate = len(rows) / full, len(rows) / bare
    print(f"events: {len(rows):,} in batches of {batch}; 5 windowed features, 10 CEL rules; "
          f"{evaluations:,} evaluations, {hits:,} hits, {sum(engine.stats.errors.values())} errors")
    print(f"  rules + counters (trustops engine)   {rate:>10,.0f} events/s CPU ({full:.2f} s)")
    print(f"  baseline: bare loop, counters only   {base_rate:>10,.0f} events/s CPU ({bare:.2f} s)")
    print(f"target >= {TARGET_ENGINE:,} events/s: {'PASS' if rate >= TARGET_ENGINE else 'MISS'}")


def bench_api(events: list[dict], batch: int, url: str, name: str, profile: bool = False) -> None:
    dsn = with_database(url, name)
    recreate_database(url, name)
    try:
        configure_django(dsn)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        call_command("migrate", verbosity=0)
        from trustops.identity import services as identity
        from trustops.kernel import clock
        from trustops.risk.rules import services as rules
        from trustops.simulation import platform as setup
        setup.install()
        author = setup.person("bench-investigator", "investigator")
        machine = setup.person("bench-platform", "integration")
        _, token = identity.issue_token(user=machine)
        for key, on, names, when in RULES:
            rules.save_rule(actor=author, key=key, name=key, on=on, features=[F[n] for n in names], when=when,
                            outcome={"signal": {"score": 0.5}}, mode="shadow")
        client = Client()
        last = datetime.fromisoformat(events[-1]["occurred_at"])
        with clock.frozen(last + timedelta(minutes=1)):
            # Untimed: the first request loads the URL configuration and the API's modules.
            warm = [dict(e, id=f"warm-{e['id']}") for e in workload(200, seed=99)]
            assert client.post("/api/v1/events/batch", json.dumps({"events": warm}), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
            # What the migrations and the setup left behind is not traced by every collection, as in a server
            # process that has been started once.
            gc.collect()
            gc.freeze()
            profiler = cProfile.Profile() if profile else None
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            for start in range(0, len(events), batch):
                response = client.post("/api/v1/events/batch", json.dumps({"events": events[start:start + batch]}),
                                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
                assert response.status_code == 200, response.content[:300]
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumtime").print_stats(70)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE event_copy (LIKE risk_event INCLUDING DEFAULTS)")
            cursor.execute("SELECT id, event_id, kind, occurred_at, received_at, actor_id, target_id, attributes, "
                           "source FROM risk_event")
            stored = cursor.fetchall()
            started = time.perf_counter()
            for start in range(0, len(stored), batch):
                with cursor.cursor.copy("COPY event_copy (id, event_id, kind, occurred_at, received_at, actor_id, "
                                        "target_id, attributes, source) FROM STDIN") as copy:
                    for row in stored[start:start + batch]:
                        copy.write_row([*row[:7], json.dumps(row[7]), row[8]])
            copied = time.perf_counter() - started
        rate = len(events) / elapsed
        print(f"batch API on PostgreSQL: {len(events):,} events in batches of {batch}, 10 rules published")
        print(f"  POST /api/v1/events/batch            {rate:>10,.0f} events/s wall ({elapsed:.2f} s; "
              f"{len(events) / cpu:,.0f} events/s of this process's CPU)")
        print(f"  baseline: raw COPY of the rows       {len(stored) / copied:>10,.0f} rows/s wall ({copied:.2f} s)")
        print(f"target >= {TARGET_API:,} events/s: {'PASS' if rate >= TARGET_API else 'MISS'}")
        connection.close()
    finally:
        drop_database(url, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--api", action="store_true")
    parser.add_argument("--api-events", type=int, default=50_000)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--database-name", default="trustops_bench_risk")
    parser.add_argument("--profile", action="store_true", help="print a profile of the timed part")
    args = parser.parse_args()
    if args.api:
        bench_api(workload(args.api_events, seed=7), args.batch, args.database_url, args.database_name,
                  args.profile)
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustops.settings")
        os.environ.setdefault("TRUSTOPS_VAR_DIR", "/tmp/trustops-bench-risk")
        import django
        django.setup()
    bench_engine(workload(args.events), args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
