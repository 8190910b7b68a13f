"""Evaluating rules over a batch of events, in memory: counters loaded once, updated per event, saved once.

Events are taken in the order they occurred. For each event, first every windowed feature that aggregates its
kind counts it, then every rule triggered on its kind reads its features as of that event (the event itself
included, nothing later): live ingestion, dry runs and backtests share this loop, so a backtest sees exactly
what the live rule would have seen. Programs are compiled once per rule version.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import cel

from trustops.risk.features import counters
from trustops.risk.features.spec import Feature
from trustops.risk.rules.compiler import Compiled


@dataclass
class RuleRun:
    """A rule version ready to evaluate."""
    version_id: int | None
    key: str
    version: int
    mode: str
    on: frozenset
    features: list[Feature]
    compiled: Compiled
    outcome: dict
    dedupe_seconds: int = 86400

    def __post_init__(self):
        named = set(self.compiled.features)
        self.read = [f for f in self.features if f.name in named]
        self.variables = set(self.compiled.program.variables())


@dataclass
class EventIn:
    """An event as the engine needs it."""
    pk: int | None
    event_id: str
    kind: str
    occurred_at: datetime
    actor_key: str                 # "type:external_id"
    target_key: str | None
    attributes: dict
    actor_id: int | None = None
    target_id: int | None = None
    ts: float = 0.0
    entities: dict = field(default_factory=dict)

    def __post_init__(self):
        self.ts = self.occurred_at.timestamp()


@dataclass
class Hit:
    rule: RuleRun
    event: EventIn
    features: dict


@dataclass
class Stats:
    evaluations: dict = field(default_factory=lambda: defaultdict(int))
    errors: dict = field(default_factory=lambda: defaultdict(int))
    reads: dict = field(default_factory=lambda: defaultdict(int))      # (version_id, feature) -> reads
    missing: dict = field(default_factory=lambda: defaultdict(int))


def entity_of(feature: Feature, event: EventIn) -> str | None:
    parts = []
    for part in feature.by:
        if part == "actor":
            value = event.actor_key
        elif part == "target":
            value = event.target_key
        else:
            value = event.attributes.get(part[11:])
            if isinstance(value, (dict, list)):
                value = None
        if value is None:
            return None
        parts.append(str(value))
    entity = "|".join(parts)
    return entity if len(entity) <= 600 else counters.digest_entity(entity)


def attribute_value(feature: Feature, event: EventIn):
    value = event.attributes.get(feature.field)
    if feature.kind == "distinct":
        return None if isinstance(value, (dict, list)) else value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


EMPTY: dict = {}


class Engine:
    """Runs a set of rule versions over events against a counter store; facts come from `facts(event)`."""

    def __init__(self, rules: list[RuleRun], store, facts=None):
        self.rules = rules
        self.store = store
        self.facts = facts
        self.updates: dict[str, list[Feature]] = defaultdict(list)   # event kind -> features counting it
        seen = set()
        for rule in rules:
            for feature in rule.features:
                if feature.signature not in seen:
                    seen.add(feature.signature)
                    self.updates[feature.event].append(feature)
        self.windows = {f.signature: f.window_seconds for fs in self.updates.values() for f in fs}
        self.by_kind: dict[str, list[RuleRun]] = defaultdict(list)
        self._indexed: dict[str, list[tuple[int, RuleRun]]] = defaultdict(list)
        for index, rule in enumerate(rules):
            for kind in rule.on:
                self.by_kind[kind].append(rule)
                self._indexed[kind].append((index, rule))
        self.stats = Stats()
        self.unsaved: tuple = ({}, None)

    def _keys(self, events: list[EventIn]) -> set:
        """Every counter key the batch touches; each event keeps its own (signature -> entity) on the way."""
        keys = set()
        for event in events:
            entities = event.entities = {}
            for feature in self.updates.get(event.kind, ()):
                entity = entities[feature.signature] = entity_of(feature, event)
                if entity is not None:
                    keys.add((feature.signature, entity))
            for rule in self.by_kind.get(event.kind, ()):
                for feature in rule.read:
                    if feature.signature not in entities:
                        entity = entities[feature.signature] = entity_of(feature, event)
                        if entity is not None:
                            keys.add((feature.signature, entity))
        return keys

    def run(self, events: list[EventIn], *, hits_from: float | None = None, save: bool = True) -> list[Hit]:
        """Evaluate in time order; only events at or after `hits_from` may hit (earlier ones only count)."""
        events = sorted(events, key=lambda e: (e.ts, e.event_id))
        series = self.store.load(self._keys(events))
        touched: set = set()
        # A store that applies each event once by its id (Redis) is handed what each event added.
        applied: list | None = [] if getattr(self.store, "per_event", False) else None
        hits: list[Hit] = []
        evaluated = [0] * len(self.rules)
        missing = self.stats.missing
        errors = self.stats.errors
        add, read, value_of = counters.add, counters.read, attribute_value
        updates_of, rules_of = self.updates, self._indexed
        for event in events:
            ts = event.ts
            entities = event.entities
            kind = event.kind
            for feature in updates_of.get(kind, ()):
                signature = feature.signature
                entity = entities[signature]
                if entity is None:
                    continue
                key = (signature, entity)
                current = series.get(key)
                if current is None:
                    current = series[key] = {}
                value = None if feature.kind == "count" else value_of(feature, event)
                add(current, feature, ts, value)
                touched.add(key)
                if applied is not None:
                    applied.append((event.event_id, key, feature, ts, value))
            rules = rules_of.get(kind)
            if not rules or (hits_from is not None and ts < hits_from):
                continue
            flat = None
            bound: set = set()
            cached: dict = {}                 # feature signature -> value at this event
            entity_facts = None
            for index, rule in rules:
                for feature in rule.read:
                    signature = feature.signature
                    if signature not in cached:
                        entity = entities[signature]
                        cached[signature] = None if entity is None else read(series.get((signature, entity)),
                                                                                 feature, ts)
                    if cached[signature] is None:
                        missing[(rule.version_id, feature.name)] += 1
                compiled = rule.compiled
                if compiled.flat is not None:
                    if flat is None:
                        flat = cel.Context()
                    for variable, source, key in compiled.bindings:
                        if variable in bound:
                            continue
                        bound.add(variable)
                        if source == "feature":
                            value = cached.get(key)
                        elif source == "attribute":
                            value = event.attributes.get(key)
                        elif source == "event":
                            value = event.event_id if key == "id" else kind if key == "kind" else int(ts)
                        else:
                            if entity_facts is None:
                                entity_facts = self.facts(event) if self.facts is not None else (EMPTY, EMPTY)
                            value = entity_facts[0 if source == "actor" else 1].get(key)
                        if value is not None:         # unbound: reading it is an error, as a missing key is
                            flat.add_variable(variable, value)
                    program, context = compiled.flat, flat
                else:
                    context = cel.Context()
                    if "event" in rule.variables:
                        context.add_variable("event", {"id": event.event_id, "kind": kind,
                                                       "occurred_at": int(ts), "attributes": event.attributes})
                    if "actor" in rule.variables or "target" in rule.variables:
                        if entity_facts is None:
                            entity_facts = self.facts(event) if self.facts is not None else (EMPTY, EMPTY)
                        context.add_variable("actor", entity_facts[0])
                        context.add_variable("target", entity_facts[1])
                    context.add_variable("features", {f.name: cached[f.signature] for f in rule.read})
                    program = compiled.program
                evaluated[index] += 1
                try:
                    matched = program.execute(context)
                except (TypeError, ValueError, KeyError, RuntimeError):
                    errors[rule.version_id] += 1
                    continue
                if matched is True:
                    hits.append(Hit(rule, event, {f.name: cached[f.signature] for f in rule.read}))
                    label = rule.outcome.get("label")
                    if label and rule.mode == "enforce" and self.facts is not None and event.actor_id:
                        # Later events of the same batch already see the label.
                        self.facts.add_label(event.actor_id, label["name"], ts, ts + label["ttl_seconds"])
                        # The next rules of this event read the facts again, from a fresh context.
                        flat, bound, entity_facts = None, set(), None
        # Every evaluation reads each feature its rule names once: counted per rule, not per read.
        for rule, n in zip(self.rules, evaluated):
            if n:
                self.stats.evaluations[rule.version_id] += n
                for feature in rule.read:
                    self.stats.reads[(rule.version_id, feature.name)] += n
        self.unsaved = ({key: series[key] for key in touched}, applied)
        if save:
            self.save()
        return hits

    def save(self) -> None:
        """Write what the last `run` counted to the store (`run(save=False)` leaves it to the caller)."""
        changed, applied = self.unsaved
        if applied is not None:
            self.store.save(changed, self.windows, applied=applied)
        else:
            self.store.save(changed, self.windows)
        self.unsaved = ({}, None if applied is None else [])
