"""Taking events in: each checked on its own, the good ones stored and evaluated in one transaction.

Idempotent by the event's id: an id already stored is a duplicate, counted by no feature a second time and
answered with the hits it had. The same path serves the API and the stream worker (`riskworker`).
"""
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from pydantic import ValidationError

from trustops.intake.services import validation_error
from trustops.kernel import bulk, clock
from trustops.kernel.database import is_postgres
from trustops.kernel.errors import Busy, DomainError, Invalid
from trustops.kernel.inputs import refuse_unstorable
from trustops.ledger import services as ledger
from trustops.risk.events.schemas import FUTURE_SLACK_SECONDS, MAX_ATTRIBUTE_BYTES, EventIn
from trustops.risk.features import counters
from trustops.risk.features.facts import Facts
from trustops.risk.models import Event, FeatureHealth, Mode, RuleHit, RuleVersion
from trustops.risk.outcomes import services as outcomes
from trustops.risk.rules import engine, live
from trustops.subjects import services as subjects

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


def check(raw, now, *, storable: bool = False) -> tuple[EventIn, str | None]:
    """One event and its attributes as JSON text (None if they hold values JSON does not), or `Invalid` saying
    what is wrong with it. `storable`: the event is known to pass `_plainly_storable` already."""
    if not isinstance(raw, EventIn):
        if not storable and not _plainly_storable(raw):
            refuse_unstorable(raw)          # says which value cannot be stored, and why
        try:
            raw = EventIn.model_validate(raw)
        except ValidationError as error:
            raise validation_error(error) from None
    if raw.occurred_at > now + timedelta(seconds=FUTURE_SLACK_SECONDS):
        raise Invalid("occurred_in_future", f"occurred_at lies more than {FUTURE_SLACK_SECONDS} seconds ahead of "
                                            "the server's clock.", field="occurred_at")
    try:
        text = COMPACT.encode(raw.attributes)   # measured, then stored as it is
        size = len(text)
    except TypeError:
        text, size = None, len(json.dumps(raw.attributes, separators=(",", ":"), default=str))
    if size > MAX_ATTRIBUTE_BYTES:
        raise Invalid("attributes_too_large", f"attributes take {size} bytes as JSON; at most "
                                              f"{MAX_ATTRIBUTE_BYTES}.", field="attributes")
    return raw, text


BIG_NUMBER = re.compile(r"\d{19}")
COMPACT = json.JSONEncoder(separators=(",", ":"))
STRICT = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _plainly_storable(raw) -> bool:
    """A quick look that passes almost every event (the full walk of `refuse_unstorable` names the problem): no
    NaN or infinity, no NUL, no lone surrogate, no number of 19 digits or more (beyond 64 bits, perhaps)."""
    try:
        text = STRICT.encode(raw)
        text.encode("utf-8")
    except (ValueError, TypeError, UnicodeEncodeError):
        return False
    return "\\u0000" not in text and not BIG_NUMBER.search(text)


def _raw_id(raw) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else getattr(raw, "id", None)
    return value if isinstance(value, str) and 0 < len(value) <= 200 else None


def ingest(items: list, *, submitter=None, source: str = "api", store=None) -> list[Result]:
    """Results in the order of `items`; one transaction for all good events (retried on collisions)."""
    now = clock.now()
    results: list[Result | None] = [None] * len(items)
    good: dict[str, tuple[int, EventIn]] = {}
    texts: dict[str, str | None] = {}
    # One look at the whole batch instead of one per event: what passes as a whole passes item by item (the
    # items' text is part of the batch's, and no value runs into the next); otherwise each is looked at alone.
    storable = _plainly_storable(items)
    for index, raw in enumerate(items):
        try:
            item, text = check(raw, now, storable=storable)
        except Invalid as error:
            results[index] = Result(_raw_id(raw), "rejected", error)
            continue
        if item.id in good:
            results[index] = Result(item.id, "duplicate")
            continue
        good[item.id] = (index, item)
        texts[item.id] = text
    if good:
        store = store or counters.configured()
        for attempt in range(RETRIES):
            try:
                with transaction.atomic():
                    stored = _store(list(good.values()), texts, submitter, source, store, now)
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


def _subjects(fresh: list[tuple[int, EventIn]], *, whole: bool, entries: list) -> dict:
    """The events' actors and targets by (type, external_id): the known ones looked up in one query, the new
    ones created from their key alone (an event tells nothing more about a subject), their ledger entries added
    to `entries`. `whole`: as model instances, for rules that read facts or act; otherwise only ids."""
    keys = {(item.actor.type, item.actor.external_id) for _, item in fresh}
    keys |= {(item.target.type, item.target.external_id) for _, item in fresh if item.target}
    found: dict = subjects.find(keys) if whole else {k: _Known(pk) for k, pk in subjects.ids_of(keys).items()}
    missing = keys - set(found)
    if missing:
        created = subjects.create_bare(list(missing), entries=entries)
        found.update(subjects.find(created) if whole else {k: _Known(pk) for k, pk in created.items()})
    return found


@dataclass(frozen=True)
class _Known:
    pk: int


def _hit_body(version: RuleVersion) -> dict:
    return {"rule": version.rule.key, "version": version.version, "mode": version.mode}


EVENT_COLUMNS = ["id", "event_id", "kind", "occurred_at", "received_at", "actor_id", "target_id", "attributes",
                 "source"]


def _insert_events(rows: list[dict], texts: dict) -> list[int]:
    if not is_postgres():
        return bulk.insert(Event, rows)
    # The attributes go in as the JSON text their size was measured on, not encoded a second time.
    pks = bulk.next_ids(Event, len(rows))
    bulk.copy_rows(Event, EVENT_COLUMNS, (
        [pk, row["event_id"], row["kind"], row["occurred_at"], row["received_at"], row["actor_id"],
         row["target_id"], texts[row["event_id"]] if texts[row["event_id"]] is not None else
         json.dumps(row["attributes"]), row["source"]] for pk, row in zip(pks, rows)))
    return pks


def _insert_hits(hits: list[engine.Hit]) -> list[RuleHit]:
    """The hits stored without model instances; returned as instances only those that act (enforce), for
    `outcomes.act`."""
    pks = bulk.insert(RuleHit, [{"rule_version_id": h.rule.version_id, "event_id": h.event.pk,
                                 "subject_id": h.event.actor_id, "mode": h.rule.mode, "features": h.features,
                                 "occurred_at": h.event.occurred_at} for h in hits])
    acting = [(pk, h) for pk, h in zip(pks, hits) if h.rule.mode == Mode.ENFORCE]
    if not acting:
        return []
    versions = RuleVersion.objects.select_related("rule").in_bulk({h.rule.version_id for _, h in acting})
    out = []
    for pk, h in acting:
        hit = RuleHit(pk=pk, rule_version=versions[h.rule.version_id], event_id=h.event.pk,
                      subject_id=h.event.actor_id, mode=h.rule.mode, features=h.features,
                      occurred_at=h.event.occurred_at)
        hit._state.adding, hit._state.db = False, connection.alias
        hit.event = Event(pk=h.event.pk, event_id=h.event.event_id, kind=h.event.kind,
                          occurred_at=h.event.occurred_at)
        out.append(hit)
    return out


def _store(good: list[tuple[int, EventIn]], texts: dict, submitter, source, store, now) -> dict[int, Result]:
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
    rules = live.live_rules()
    needed = set().union(*(r.compiled.facts["actor"] | r.compiled.facts["target"] for r in rules)) if rules else set()
    enforcing = any(r.mode == Mode.ENFORCE for r in rules)
    entries: list[ledger.Entry] = []
    by_key = _subjects(fresh, whole=bool(needed) or enforcing, entries=entries)
    if entries and (submitter is None or enforcing):
        # New subjects are the submitter's (the system's, for the stream) and come first in the ledger, before
        # what acting on a hit records; otherwise they go with the hits' entries in one write.
        ledger.record_many(entries, actor=submitter)
        entries = []
    rows = [{"event_id": item.id, "kind": item.kind, "occurred_at": item.occurred_at, "received_at": now,
             "actor_id": by_key[(item.actor.type, item.actor.external_id)].pk,
             "target_id": by_key[(item.target.type, item.target.external_id)].pk if item.target else None,
             "attributes": item.attributes, "source": source} for _, item in fresh]
    pks = _insert_events(rows, texts)
    events = [engine.EventIn(pk, item.id, item.kind, item.occurred_at, f"{item.actor.type}:{item.actor.external_id}",
                             f"{item.target.type}:{item.target.external_id}" if item.target else None,
                             item.attributes, row["actor_id"], row["target_id"])
              for pk, (_, item), row in zip(pks, fresh, rows)]
    by_pk = {s.pk: s for s in by_key.values()}
    facts = Facts(by_pk, needed=needed, since=min(e.occurred_at for e in events))
    run = engine.Engine(rules, store, facts)
    # Redis is outside the transaction: its counters are written last, once nothing else here can fail.
    deferred = getattr(store, "per_event", False)
    hits = run.run(events, save=not deferred)
    acted = _insert_hits(hits)
    outcomes.act(acted, by_pk, facts)
    _record_stats(run.stats)
    hits_by_event: dict[int, list] = {}
    for h in hits:
        hits_by_event.setdefault(h.event.pk, []).append({"rule": h.rule.key, "version": h.rule.version,
                                                         "mode": h.rule.mode})
    for (index, item), event in zip(fresh, events):
        out[index] = Result(item.id, "accepted", hits=hits_by_event.get(event.pk, []))
    # What acting did, for the enforce hits; a shadow hit has no effect and no case.
    done = {(hit.rule_version_id, hit.event_id): hit for hit in acted}
    for h in hits:
        hit = done.get((h.rule.version_id, h.event.pk))
        entries.append(ledger.Entry("risk.rule_hit", {
            "rule": h.rule.key, "version": h.rule.version, "mode": h.rule.mode, "event_id": h.event.event_id,
            "effect": hit.effect if hit else "", "features": h.features},
            subject_id=h.event.actor_id, case_id=hit.case_id if hit else None))
    entries.append(ledger.Entry("risk.events_received", {"count": len(events), "source": source,
                                                         "hits": len(hits)}))
    ledger.record_many(entries, actor=submitter or "risk")
    if deferred:
        run.save()
    return out


def _record_stats(stats: engine.Stats) -> None:
    """The batch's evaluations and feature reads added to each version's totals: one statement per table."""
    versions = sorted(stats.evaluations)
    reads = sorted(stats.reads)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if versions:
                cursor.execute(
                    f"UPDATE {RuleVersion._meta.db_table} AS v SET evaluations = v.evaluations + t.n, "
                    "errors = v.errors + t.e FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS t(id, n, e) "
                    "WHERE v.id = t.id",
                    [versions, [stats.evaluations[v] for v in versions], [stats.errors.get(v, 0) for v in versions]])
            if reads:
                cursor.execute(
                    f"UPDATE {FeatureHealth._meta.db_table} AS h SET reads = h.reads + t.n, missing = h.missing + t.m "
                    "FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::bigint[]) AS t(v, f, n, m) "
                    "WHERE h.rule_version_id = t.v AND h.feature = t.f",
                    [[v for v, _ in reads], [f for _, f in reads], [stats.reads[k] for k in reads],
                     [stats.missing.get(k, 0) for k in reads]])
        return
    for version_id in versions:
        RuleVersion.objects.filter(pk=version_id).update(
            evaluations=F("evaluations") + stats.evaluations[version_id],
            errors=F("errors") + stats.errors.get(version_id, 0))
    for (version_id, name) in reads:
        FeatureHealth.objects.filter(rule_version_id=version_id, feature=name).update(
            reads=F("reads") + stats.reads[(version_id, name)],
            missing=F("missing") + stats.missing.get((version_id, name), 0))
