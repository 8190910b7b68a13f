"""Counter backfill: a version published with a windowed feature nobody counts yet gets that feature's counters
rebuilt from the stored events of its window, so the rule sees history from its first event instead of zero. A
rule re-enabled after being disabled (its counters stood still meanwhile) has them rebuilt the same way.

Features whose counters already exist (another live rule defines the same aggregate: same `signature`) are left
alone, so nothing is counted twice. The replay is the engine's own loop over the events of the last window
(at most `backtests.MAX_EVENTS`), in the publishing transaction; with Redis the counters are written once it
commits.
"""
import math
from datetime import timedelta

from django.db import transaction

from trustops.kernel import clock
from trustops.ledger import services as ledger
from trustops.risk.backtests.services import stored_events
from trustops.risk.events.schemas import FUTURE_SLACK_SECONDS
from trustops.risk.features import counters
from trustops.risk.models import CounterSeries
from trustops.risk.rules.engine import Engine


def _counted(store, signature: str) -> bool:
    """Whether any key of this aggregate has counters in the store."""
    if isinstance(store, counters.RedisCounters):
        return next(iter(store.client.scan_iter(match=f"{store.prefix}{signature}:*", count=1000)), None) is not None
    if isinstance(store, counters.MemoryCounters):
        return any(f == signature for f, _ in store.series)
    return CounterSeries.objects.filter(feature=signature).exists()


def backfill(run, *, store=None, actor=None, counted_by=None) -> dict[str, int]:
    """Rebuild the uncounted windowed features of `run` (a `RuleRun`); returns feature name -> keys written.

    `counted_by`: the live rules that kept counting while `run` did not (a rule re-enabled after being disabled).
    Its own counters stood still meanwhile, so every feature none of those rules counts is rebuilt from the
    stored events, whatever counters it has left over."""
    store = store or counters.configured()
    if counted_by is None:
        missing = [f for f in run.features if not _counted(store, f.signature)]
    else:
        kept = {f.signature for other in counted_by if other.key != run.key for f in other.features}
        missing = [f for f in run.features if f.signature not in kept]
    if not missing:
        return {}
    now = clock.now()
    longest = max(f.window_seconds for f in missing)
    events = stored_events({f.event for f in missing}, now - timedelta(seconds=longest), now + timedelta(seconds=FUTURE_SLACK_SECONDS))
    if not events:
        return {}
    replay = Engine([run], counters.MemoryCounters())
    replay.run(events, hits_from=math.inf)           # count only: no rule is evaluated
    signatures = {f.signature for f in missing}
    rebuilt = {key: series for key, series in replay.store.series.items() if key[0] in signatures}
    if isinstance(store, counters.RedisCounters):
        transaction.on_commit(lambda: store.save(rebuilt, replay.windows))
    else:
        store.save(rebuilt, replay.windows)
    written = {f.name: sum(1 for key in rebuilt if key[0] == f.signature) for f in missing}
    ledger.record("risk.counters_backfilled", actor=actor, payload={
        "rule": run.key, "version": run.version, "events": len(events), "keys": written,
        "reason": "published" if counted_by is None else "re-enabled"})
    return written
