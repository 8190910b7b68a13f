"""Sliding-window counters: the maths in one place, and two stores that keep the buckets.

A window of W seconds is cut into at most `BUCKETS` buckets of ceil(W / BUCKETS) seconds; a key keeps only the
buckets still inside its window, so its size is bounded whatever the traffic (a fixed window would let a burst
reach twice the limit at a boundary; a log of timestamps is exact but grows with traffic). Distinct counts keep
at most `DISTINCT_CAP` value hashes per bucket.

The stores (database, the embedded default; Redis, for scale-out: `TRUSTOPS_RISK_COUNTERS=redis`) only load
and save the same serialised buckets, so both give the same answers by construction; the engine works on
them in memory for a whole batch and saves once.
"""
import json
import os
import zlib
from typing import Iterable, Protocol

from django.db import connection
from django.db.models import F

from trustops.kernel import bulk, clock
from trustops.risk.features.spec import Feature

BUCKETS = 60
DISTINCT_CAP = 256
Key = tuple[str, str]          # (feature signature, entity)
Series = dict[int, list]       # bucket index -> [count, total, low, high, {distinct hashes}]


def width(window: int) -> int:
    return max(1, -(-window // BUCKETS))


def span(window: int) -> int:
    return -(-window // width(window))


def value_hash(value) -> int:
    return zlib.crc32(str(value).encode())


def add(series: Series, feature: Feature, ts: float, value) -> None:
    """Count one event at `ts` (seconds since the epoch); `value` is the attribute sum/min/max/distinct read."""
    w, n = feature.buckets
    index = int(ts // w)
    bucket = series.get(index)
    if bucket is None:
        bucket = series[index] = [0, 0.0, None, None, set()]
        oldest = index - n
        for stale in [b for b in series if b <= oldest]:
            del series[stale]
    bucket[0] += 1
    if value is not None and feature.kind != "count":
        if feature.kind == "distinct":
            seen = bucket[4]
            if len(seen) < DISTINCT_CAP:
                seen.add(value_hash(value))
        else:
            bucket[1] += value
            bucket[2] = value if bucket[2] is None or value < bucket[2] else bucket[2]
            bucket[3] = value if bucket[3] is None or value > bucket[3] else bucket[3]


def read(series: Series | None, feature: Feature, ts: float):
    """The feature's value at `ts`: over the buckets of the window that ends with `ts`'s bucket."""
    kind = feature.kind
    if not series:
        return None if kind in ("min", "max") else 0
    w, n = feature.buckets
    index = int(ts // w)
    oldest = index - n
    if kind == "count":
        return sum(bucket[0] for b, bucket in series.items() if oldest < b <= index)
    live = [bucket for b, bucket in series.items() if oldest < b <= index]
    if kind == "sum":
        total = sum(b[1] for b in live)
        return int(total) if float(total).is_integer() else total
    if kind == "distinct":
        return len(set().union(*(b[4] for b in live))) if live else 0
    values = [b[2] if kind == "min" else b[3] for b in live]
    values = [v for v in values if v is not None]
    if not values:
        return None
    return min(values) if kind == "min" else max(values)


def dumps(series: Series) -> dict:
    return {str(b): [*bucket[:4], sorted(bucket[4])] for b, bucket in series.items()}


def loads(raw: dict | None) -> Series:
    return {int(b): [*bucket[:4], set(bucket[4])] for b, bucket in (raw or {}).items()}


class CounterStore(Protocol):
    def load(self, keys: Iterable[Key]) -> dict[Key, Series]: ...

    def save(self, changed: dict[Key, Series], windows: dict[str, int]) -> None: ...


class MemoryCounters:
    """Counters for one backtest or benchmark run: nothing persisted."""

    def __init__(self):
        self.series: dict[Key, Series] = {}

    def load(self, keys):
        return {k: self.series[k] for k in keys if k in self.series}

    def save(self, changed, windows):
        self.series.update(changed)



class DatabaseCounters:
    """One row per key (`CounterSeries`), loaded and saved set-based within the caller's transaction."""

    def load(self, keys):
        from trustops.risk.models import CounterSeries
        keys = set(keys)
        if not keys:
            return {}
        rows = CounterSeries.objects.filter(bulk.OneOf(F("entity"), sorted({e for _, e in keys})))
        if connection.vendor == "postgresql":
            # Two batches about the same key wait on each other rather than lose a count.
            rows = rows.select_for_update().order_by("feature", "entity")
        return {(r.feature, r.entity): loads(r.buckets) for r in rows if (r.feature, r.entity) in keys}

    def save(self, changed, windows):
        from trustops.risk.models import CounterSeries
        if not changed:
            return
        now = clock.now()
        CounterSeries.objects.bulk_create(
            [CounterSeries(feature=f, entity=e, buckets=dumps(s), updated_at=now)
             for (f, e), s in sorted(changed.items())],
            update_conflicts=True, unique_fields=["feature", "entity"], update_fields=["buckets", "updated_at"],
            batch_size=500)


class RedisCounters:
    """One Redis string per key, expiring with its window; saved after the transaction commits."""

    PREFIX = "trustops:risk:counter:"

    def __init__(self, client=None, prefix: str | None = None):
        if client is None:
            import redis
            client = redis.Redis.from_url(os.environ.get("TRUSTOPS_REDIS_URL") or "redis://127.0.0.1:6379/0")
        self.client = client
        self.prefix = prefix or self.PREFIX

    def _name(self, key: Key) -> str:
        return f"{self.prefix}{key[0]}:{key[1]}"

    def load(self, keys):
        keys = list(set(keys))
        if not keys:
            return {}
        values = self.client.mget([self._name(k) for k in keys])
        return {k: loads(json.loads(v)) for k, v in zip(keys, values) if v is not None}

    def save(self, changed, windows):
        pipe = self.client.pipeline(transaction=False)
        for key, series in changed.items():
            pipe.set(self._name(key), json.dumps(dumps(series), separators=(",", ":")),
                     ex=windows.get(key[0], 86400) + 3600)
        pipe.execute()


def configured() -> CounterStore:
    return RedisCounters() if os.environ.get("TRUSTOPS_RISK_COUNTERS", "database") == "redis" else DatabaseCounters()


def digest_entity(entity: str) -> str:
    """A key too long to store whole, by its hash (collisions are as unlikely as SHA-256's)."""
    import hashlib
    return "sha256:" + hashlib.sha256(entity.encode()).hexdigest()
