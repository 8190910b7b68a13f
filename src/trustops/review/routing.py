"""Routing: ordered rules, first match wins, a default queue. Compiled once and cached per process."""
from dataclasses import dataclass

from django.db.models import Count, Max

from trustops.kernel.errors import Conflict
from trustops.review.models import Queue, RoutingRule


@dataclass(frozen=True)
class RoutingInput:
    subject_type: str
    policy_code: str
    region: str
    language: str
    source: str
    severity: int
    reach: int


@dataclass(frozen=True)
class CompiledRule:
    rule_id: int
    queue_id: int
    subject_types: frozenset
    policy_prefixes: tuple
    regions: frozenset
    languages: frozenset
    sources: frozenset
    min_severity: int | None
    min_reach: int | None

    def matches(self, r: RoutingInput) -> bool:
        return ((not self.subject_types or r.subject_type in self.subject_types)
                and (not self.policy_prefixes or any(r.policy_code == p or r.policy_code.startswith(p + ".")
                                                     for p in self.policy_prefixes))
                and (not self.regions or r.region in self.regions)
                and (not self.languages or r.language in self.languages)
                and (not self.sources or r.source in self.sources)
                and (self.min_severity is None or r.severity >= self.min_severity)
                and (self.min_reach is None or r.reach >= self.min_reach))


@dataclass(frozen=True)
class QueueFacts:
    id: int
    key: str
    sla_seconds: int


@dataclass
class RoutingTable:
    rules: list[CompiledRule]
    default_queue_id: int | None
    queues: dict[int, QueueFacts]

    def route(self, r: RoutingInput) -> QueueFacts:
        return self.match(r)[1]

    def match(self, r: RoutingInput) -> tuple[int | None, QueueFacts]:
        """The id of the first rule that takes the input (None: the default queue's) and its queue."""
        for rule in self.rules:
            if rule.matches(r):
                return rule.rule_id, self.queues[rule.queue_id]
        if self.default_queue_id is None:
            raise Conflict("no_default_queue", "No routing rule matched and no default queue is configured.")
        return None, self.queues[self.default_queue_id]


_cache: dict = {"stamp": None, "table": None}


def _stamp():
    rules = RoutingRule.objects.aggregate(m=Max("updated_at"), n=Count("id"))
    queues = Queue.objects.aggregate(m=Max("updated_at"), n=Count("id"))
    return (rules["m"], rules["n"], queues["m"], queues["n"])


def table() -> RoutingTable:
    stamp = _stamp()
    if stamp != _cache["stamp"]:
        queues = {q.id: QueueFacts(q.id, q.key, q.sla_seconds) for q in Queue.objects.filter(active=True)}
        rules = [
            CompiledRule(r.id, r.queue_id, frozenset(r.subject_types), tuple(r.policy_prefixes), frozenset(r.regions),
                         frozenset(r.languages), frozenset(r.sources), r.min_severity, r.min_reach)
            for r in RoutingRule.objects.filter(enabled=True, queue__active=True).order_by("position", "id")
        ]
        default = next((q.id for q in Queue.objects.filter(is_default=True, active=True)), None)
        _cache.update(stamp=stamp, table=RoutingTable(rules, default, queues))
    return _cache["table"]


def clear_cache() -> None:
    _cache.update(stamp=None, table=None)
