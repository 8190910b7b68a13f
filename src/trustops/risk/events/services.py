"""Taking events in: each checked on its own, the good ones stored and evaluated in one transaction.

Idempotent by the event's id: an id already stored is a duplicate, counted by no feature a second time and
answered with the hits it had. The same path serves the API and the stream worker (`riskworker`).
"""
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from pydantic import ValidationError

from trustops.intake.services import validation_error
from trustops.kernel import bulk, clock
from trustops.kernel.errors import Busy, DomainError, Invalid
from trustops.kernel.inputs import refuse_unstorable
from trustops.ledger import services as ledger
from trustops.risk.events.schemas import FUTURE_SLACK_SECONDS, MAX_ATTRIBUTE_BYTES, EventIn
from trustops.risk.features import counters
from trustops.risk.features.facts import Facts
from trustops.risk.models import Event, FeatureHealth, RuleHit, RuleVersion
from trustops.risk.outcomes import services as outcomes
from trustops.risk.rules import engine, live
from trustops.subjects.services import SubjectRef, upsert_many

log = logging.getLogger(__name__)
RETRIES = 5


@dataclass
class Result:
    id: str | None
    status: str                     # accepted | duplicate | rejected
    error: DomainError | None = None
    hits: list = field(default_factory=list)

    def as_body(self) -> dict:
        body = {"id": self.id, "status": self.status, "hits": self.hits}
        if self.error is not None:
            body["error"] = self.error.as_body()["error"]
        return body


def check(raw, now) -> EventIn:
    """One event, or `Invalid` saying what is wrong with it."""
    if not isinstance(raw, EventIn):
        refuse_unstorable(raw)
        try:
            raw = EventIn.model_validate(raw)
        except ValidationError as error:
            raise validation_error(error) from None
    if raw.occurred_at > now + timedelta(seconds=FUTURE_SLACK_SECONDS):
        raise Invalid("occurred_in_future", f"occurred_at lies more than {FUTURE_SLACK_SECONDS} seconds ahead of "
                                            "the server's clock.", field="occurred_at")
    size = len(json.dumps(raw.attributes, separators=(",", ":"), default=str))
    if size > MAX_ATTRIBUTE_BYTES:
        raise Invalid("attributes_too_large", f"attributes take {size} bytes as JSON; at most "
                                              f"{MAX_ATTRIBUTE_BYTES}.", field="attributes")
    return raw


def _raw_id(raw) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else getattr(raw, "id", None)
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def ingest(items: list, *, submitter=None, source: str = "api", store=None) -> list[Result]:
    """Results in the order of `items`; one transaction for all good events (retried on collisions)."""
    now = clock.now()
    results: list[Result | None] = [None] * len(items)
    good: dict[str, tuple[int, EventIn]] = {}
    for index, raw in enumerate(items):
        try:
            item = check(raw, now)
        except Invalid as error:
            results[index] = Result(_raw_id(raw), "rejected", error)
            continue
        if item.id in good:
            results[index] = Result(item.id, "duplicate")
            continue
        good[item.id] = (index, item)
    if good:
        store = store or counters.configured()
        for attempt in range(RETRIES):
            try:
                with transaction.atomic():
                    stored = _store(list(good.values()), submitter, source, store, now)
                break
            except (IntegrityError, OperationalError) as error:
                if isinstance(error, OperationalError) and "locked" not in str(error) and "deadlock" not in str(
                        error).lower():
                    raise
                log.info("risk events collided with a concurrent writer; retrying (%s)", attempt + 1)
        else:
            raise Busy("events_busy", "Events with the same ids were being stored at the same moment; send again.")
        for index, result in stored.items():
            results[index] = result
        first = {item.id: index for index, item in good.values()}
        for index, result in enumerate(results):
            if result is not None and result.status == "duplicate" and result.id in first and not result.hits:
                result.hits = results[first[result.id]].hits
    return results  # type: ignore[return-value]


def _hit_body(version: RuleVersion) -> dict:
    return {"rule": version.rule.key, "version": version.version, "mode": version.mode}


def _store(good: list[tuple[int, EventIn]], submitter, source, store, now) -> dict[int, Result]:
    out: dict[int, Result] = {}
    ids = [item.id for _, item in good]
    known = dict(Event.objects.filter(bulk.OneOf(F("event_id"), ids)).values_list("event_id", "pk"))
    if known:
        earlier: dict[int, list] = {}
        for hit in RuleHit.objects.filter(event_id__in=known.values()).select_related("rule_version__rule"):
            earlier.setdefault(hit.event_id, []).append(_hit_body(hit.rule_version))
        for index, item in good:
            if item.id in known:
                out[index] = Result(item.id, "duplicate", hits=earlier.get(known[item.id], []))
    fresh = [(index, item) for index, item in good if item.id not in known]
    if not fresh:
        return out
    refs = [SubjectRef(item.actor.type, item.actor.external_id) for _, item in fresh]
    refs += [SubjectRef(item.target.type, item.target.external_id) for _, item in fresh if item.target]
    subjects = upsert_many(refs, actor=submitter)
    rows = [{"event_id": item.id, "kind": item.kind, "occurred_at": item.occurred_at, "received_at": now,
             "actor_id": subjects[(item.actor.type, item.actor.external_id)].pk,
             "target_id": subjects[(item.target.type, item.target.external_id)].pk if item.target else None,
             "attributes": item.attributes, "source": source} for _, item in fresh]
    pks = bulk.insert(Event, rows)
    events = [engine.EventIn(pk, item.id, item.kind, item.occurred_at, f"{item.actor.type}:{item.actor.external_id}",
                             f"{item.target.type}:{item.target.external_id}" if item.target else None,
                             item.attributes, row["actor_id"], row["target_id"])
              for pk, (_, item), row in zip(pks, fresh, rows)]
    rules = live.live_rules()
    by_pk = {s.pk: s for s in subjects.values()}
    needed = set().union(*(r.compiled.facts["actor"] | r.compiled.facts["target"] for r in rules)) if rules else set()
    facts = Facts(by_pk, needed=needed, since=min(e.occurred_at for e in events))
    run = engine.Engine(rules, store, facts)
    if isinstance(store, counters.RedisCounters):
        # Redis is outside the transaction: its counters are written once the events are committed.
        pending = {}
        run.store = _Deferred(store, pending)
    hits = run.run(events)
    versions = {v.pk: v for v in RuleVersion.objects.filter(pk__in={h.rule.version_id for h in hits})
                .select_related("rule")}
    saved = [RuleHit(rule_version=versions[h.rule.version_id], event_id=h.event.pk, subject_id=h.event.actor_id,
                     mode=h.rule.mode, features=h.features, occurred_at=h.event.occurred_at) for h in hits]
    bulk_hits = RuleHit.objects.bulk_create(saved, batch_size=500)
    event_rows = {e.pk: e for e in events}
    for hit in bulk_hits:
        row = event_rows[hit.event_id]
        hit.event = Event(pk=row.pk, event_id=row.event_id, kind=row.kind, occurred_at=row.occurred_at)
    outcomes.act(bulk_hits, by_pk, facts)
    _record_stats(run.stats)
    hits_by_event: dict[int, list] = {}
    for hit in bulk_hits:
        hits_by_event.setdefault(hit.event_id, []).append(_hit_body(hit.rule_version))
    for (index, item), event in zip(fresh, events):
        out[index] = Result(item.id, "accepted", hits=hits_by_event.get(event.pk, []))
    entries = [ledger.Entry("risk.rule_hit", {"rule": h.rule_version.rule.key, "version": h.rule_version.version,
                                              "mode": h.mode, "event_id": h.event.event_id, "effect": h.effect,
                                              "features": h.features}, subject_id=h.subject_id, case_id=h.case_id)
               for h in bulk_hits]
    entries.append(ledger.Entry("risk.events_received", {"count": len(events), "source": source,
                                                         "hits": len(bulk_hits)}))
    ledger.record_many(entries, actor=submitter or "risk")
    return out


class _Deferred:
    def __init__(self, store, pending):
        self.store, self.pending = store, pending

    def load(self, keys):
        return self.store.load(keys)

    def save(self, changed, windows):
        copy = {k: {b: [*v[:4], set(v[4])] for b, v in s.items()} for k, s in changed.items()}
        transaction.on_commit(lambda: self.store.save(copy, windows))


def _record_stats(stats: engine.Stats) -> None:
    for version_id in sorted(stats.evaluations):
        RuleVersion.objects.filter(pk=version_id).update(
            evaluations=F("evaluations") + stats.evaluations[version_id],
            errors=F("errors") + stats.errors.get(version_id, 0))
    for (version_id, name) in sorted(stats.reads):
        FeatureHealth.objects.filter(rule_version_id=version_id, feature=name).update(
            reads=F("reads") + stats.reads[(version_id, name)],
            missing=F("missing") + stats.missing.get((version_id, name), 0))
