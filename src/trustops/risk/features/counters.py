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
        count = 0
        for b, bucket in series.items():
            if oldest < b <= index:
                count += bucket[0]
        return count
    if kind == "sum":
        total = 0
        for b, bucket in series.items():
            if oldest < b <= index:
                total += bucket[1]
        return int(total) if float(total).is_integer() else total
    live = [bucket for b, bucket in series.items() if oldest < b <= index]
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
    """One row per key (`CounterSeries`), loaded and saved set-based within the caller's transaction.

    On PostgreSQL each key is locked (a transaction-level advisory lock, taken in one order by every writer)
    before it is read, whether its row exists yet or not: two batches about the same key run one after the
    other, so neither overwrites the other's counts. SQLite lets one writer in at a time anyway.
    """

    LOCKS = 0x7269736b   # the advisory lock namespace of risk counters

    def load(self, keys):
        from trustops.risk.models import CounterSeries
        keys = set(keys)
        if not keys:
            return {}
        if connection.vendor == "postgresql":
            locks = sorted({zlib.crc32(f"{f}\x1f{e}".encode()) - 2 ** 31 for f, e in keys})
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int[]) "
                               "AS k) AS locked", [self.LOCKS, locks])
        rows = CounterSeries.objects.filter(bulk.OneOf(F("entity"), sorted({e for _, e in keys}))).values_list(
            "feature", "entity", "buckets")
        return {(f, e): loads(b) for f, e, b in rows if (f, e) in keys}

    def save(self, changed, windows):
        from trustops.risk.models import CounterSeries
        if not changed:
            return
        now = clock.now()
        if connection.vendor == "postgresql":
            # One statement for the whole batch (the keys are locked: see `load`). The rows travel as one JSON
            # array, encoded in one call: as text arrays every element would be escaped on its own.
            rows = [[f, e, dumps(s)] for (f, e), s in sorted(changed.items())]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {CounterSeries._meta.db_table} (feature, entity, buckets, updated_at) "
                    "SELECT r->>0, r->>1, r->2, %s FROM jsonb_array_elements(%s::jsonb) AS r "
                    "ON CONFLICT (feature, entity) DO UPDATE SET buckets = EXCLUDED.buckets, "
                    "updated_at = EXCLUDED.updated_at",
                    [now, json.dumps(rows, separators=(",", ":"))])
            return
        CounterSeries.objects.bulk_create(
            [CounterSeries(feature=f, entity=e, buckets=dumps(s), updated_at=now)
             for (f, e), s in sorted(changed.items())],
            update_conflicts=True, unique_fields=["feature", "entity"], update_fields=["buckets", "updated_at"],
            batch_size=500)


# Applies a batch's events to their counter hashes in one atomic step, each event at most once: an event whose
# marker exists was applied before (a retried transaction, a redelivered message) and is skipped. Per bucket b a
# key's hash holds c<b> (count), s<b> (sum), l<b>/h<b> (min/max), n<b> (distinct hashes kept) and d<b>:<hash>.
# KEYS: the counter keys; ARGV[1]: the marker prefix; ARGV[2]: JSON [[event_id, marker ttl, [[key index,
# bucket, kind, value, buckets per window, key ttl], ...]], ...]; ARGV[3]: the distinct cap.
APPLY = """
local cap = tonumber(ARGV[3])
local applied = 0
for _, event in ipairs(cjson.decode(ARGV[2])) do
  if redis.call('SET', ARGV[1] .. event[1], '1', 'NX', 'EX', event[2]) then
    applied = applied + 1
    for _, u in ipairs(event[3]) do
      local key, b, kind, value = KEYS[u[1]], u[2], u[3], u[4]
      if redis.call('HINCRBY', key, 'c' .. b, 1) == 1 then
        local oldest = b - u[5]
        for _, f in ipairs(redis.call('HKEYS', key)) do
          local at = tonumber(string.match(f, '^%a(%-?%d+)'))
          if at and at <= oldest then redis.call('HDEL', key, f) end
        end
      end
      if value ~= cjson.null then
        if kind == 'distinct' then
          if redis.call('HEXISTS', key, 'd' .. b .. ':' .. value) == 0
              and tonumber(redis.call('HGET', key, 'n' .. b) or '0') < cap then
            redis.call('HSET', key, 'd' .. b .. ':' .. value, 1)
            redis.call('HINCRBY', key, 'n' .. b, 1)
          end
        elseif kind ~= 'count' then
          redis.call('HINCRBYFLOAT', key, 's' .. b, value)
          local low = redis.call('HGET', key, 'l' .. b)
          if not low or value < tonumber(low) then redis.call('HSET', key, 'l' .. b, value) end
          local high = redis.call('HGET', key, 'h' .. b)
          if not high or value > tonumber(high) then redis.call('HSET', key, 'h' .. b, value) end
        end
      end
      redis.call('EXPIRE', key, u[6])
    end
  end
end
return applied
"""


def _number(text: bytes):
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2 ** 53 else value


def _series(fields: dict) -> Series:
    series: Series = {}
    for name, raw in fields.items():
        name = name.decode()
        tag, rest = name[0], name[1:]
        if tag == "d":
            index, _, hashed = rest.partition(":")
        else:
            index = rest
        bucket = series.setdefault(int(index), [0, 0.0, None, None, set()])
        if tag == "c":
            bucket[0] = int(raw)
        elif tag == "s":
            bucket[1] = _number(raw)
        elif tag == "l":
            bucket[2] = _number(raw)
        elif tag == "h":
            bucket[3] = _number(raw)
        elif tag == "d":
            bucket[4].add(int(hashed))
    return series


class RedisCounters:
    """One Redis hash per key; every event applied at most once, by its id, in one atomic script per batch.

    Written inside the caller's transaction, just before it commits. Concurrent workers never lose an update
    (each bucket is incremented in place, never overwritten). If the transaction then rolls back, the events'
    counts stay in Redis with their markers: the sender's retry (an API client after an error, a redelivered
    stream message) finds them applied and does not count them again, so both stores agree once the events are
    stored. An event that fails and is never sent again stays counted in Redis only (an over-count, never a
    lost one); a rebuild from the stored events repairs it.
    """

    PREFIX = "trustops:risk:counters:"    # hashes; the earlier layout (one JSON string per key) used ":counter:"
    per_event = True

    def __init__(self, client=None, prefix: str | None = None):
        if client is None:
            import redis
            client = redis.Redis.from_url(os.environ.get("TRUSTOPS_REDIS_URL") or "redis://127.0.0.1:6379/0")
        self.client = client
        self.prefix = prefix or self.PREFIX
        self._apply = client.register_script(APPLY)

    def _name(self, key: Key) -> str:
        return f"{self.prefix}{key[0]}:{key[1]}"

    def load(self, keys):
        keys = list(set(keys))
        if not keys:
            return {}
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(self._name(key))
        return {k: _series(v) for k, v in zip(keys, pipe.execute()) if v}

    def save(self, changed, windows, applied=None):
        """Apply what each event added (`applied`: (event id, key, feature, ts, value) in order)."""
        if not applied:
            return
        names: dict[Key, int] = {}
        events: dict[str, list] = {}
        ttls: dict[str, int] = {}
        for event_id, key, feature, ts, value in applied:
            index = names.setdefault(key, len(names) + 1)
            w, n = feature.buckets
            if value is not None and feature.kind == "distinct":
                value = value_hash(value)
            ttl = feature.window_seconds + 3600
            events.setdefault(event_id, []).append([index, int(ts // w), feature.kind, value, n, ttl])
            ttls[event_id] = max(ttls.get(event_id, 0), ttl)
        body = json.dumps([[e, ttls[e], u] for e, u in events.items()], separators=(",", ":"))
        self._apply(keys=[self._name(k) for k in names], args=[self.prefix + "applied:", body, DISTINCT_CAP])


def configured() -> CounterStore:
    return RedisCounters() if os.environ.get("TRUSTOPS_RISK_COUNTERS", "database") == "redis" else DatabaseCounters()


def digest_entity(entity: str) -> str:
    """A key too long to store whole, by its hash (collisions are as unlikely as SHA-256's)."""
    import hashlib
    return "sha256:" + hashlib.sha256(entity.encode()).hexdigest()
