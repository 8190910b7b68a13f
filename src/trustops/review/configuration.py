"""Configuring review: queues and the ordered routing rules that fill them, and the routing tester.

Each public function is one administrator's use case in one transaction, recorded in the ledger. The console,
the API and the configuration file (`trustops.config`) all come through here. A queue's SLA is copied onto a
case when it opens, so changing it applies to cases opened afterwards only.
"""
import re

from django.db import transaction
from django.db.models import Max

from trustops.identity import access
from trustops.identity.access import CLEARANCES
from trustops.identity.models import Team, Vendor
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.policies.actions import ACTIONS, SEVERITIES
from trustops.policies.models import Policy
from trustops.policies.selectors import get_active
from trustops.review import routing
from trustops.review.models import Queue, RoutingRule
from trustops.review.priority import SOURCE_TRUST
from trustops.subjects.models import SUBJECT_TYPES

KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
REGION = re.compile(r"^[A-Z]{2,3}$")
MAX_TIER = 9
MAX_SLA_SECONDS = 90 * 24 * 3600
POSITION_STEP = 10

QUEUE_SETTINGS = ("name", "description", "sla_seconds", "tier", "severe_content", "required_clearance",
                  "allowed_actions", "is_default", "active", "requires_certification")
RULE_CONDITIONS = ("subject_types", "policy_prefixes", "regions", "languages", "sources", "min_severity",
                   "min_reach")
RULE_SETTINGS = ("name", "queue", "position", "enabled", *RULE_CONDITIONS)


def _allowed(actor) -> None:
    """People must configure the platform by role; a label (`"config"`, `"init"`) is the system itself."""
    if getattr(actor, "pk", None) is not None and not access.configures_platform(actor):
        raise Forbidden("not_a_configurer", "Only admins and policy managers configure the platform.")


# ---- queues -----------------------------------------------------------------------------------------------

def _check_queue(changes: dict) -> None:
    if "name" in changes and not (isinstance(changes["name"], str) and changes["name"].strip()):
        raise Invalid("invalid_field", "A queue needs a name.", field="name")
    if "sla_seconds" in changes and not (isinstance(changes["sla_seconds"], int)
                                         and 60 <= changes["sla_seconds"] <= MAX_SLA_SECONDS):
        raise Invalid("invalid_sla", "The SLA is between 60 seconds and 90 days.", field="sla_seconds")
    if "tier" in changes and not (isinstance(changes["tier"], int) and 1 <= changes["tier"] <= MAX_TIER):
        raise Invalid("invalid_tier", f"The tier is between 1 and {MAX_TIER}.", field="tier")
    if changes.get("required_clearance") and changes["required_clearance"] not in CLEARANCES:
        raise Invalid("unknown_clearance", f"A queue requires one of: {', '.join(CLEARANCES)}.",
                      field="required_clearance")
    unknown = sorted(set(changes.get("allowed_actions") or []) - set(ACTIONS))
    if unknown:
        raise Invalid("unknown_action", f"Unknown actions: {', '.join(unknown)}.", field="allowed_actions")


def _by_keys(model, keys, field: str) -> list:
    keys = list(dict.fromkeys(keys))
    found = {obj.key: obj for obj in model.objects.filter(key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        raise Invalid(f"unknown_{field[:-1]}", f"Unknown {field}: {', '.join(missing)}.", field=field)
    return [found[k] for k in keys]


def queue_settings(queue: Queue) -> dict:
    """A queue as its configuration: what `create_queue` takes, with its teams' and vendors' keys."""
    return {"key": queue.key, **{name: getattr(queue, name) for name in QUEUE_SETTINGS},
            "teams": sorted(t.key for t in queue.teams.all()), "vendors": sorted(v.key for v in queue.vendors.all())}


def _write_queue(queue: Queue, changes: dict, *, created: bool, actor) -> Queue:
    teams = _by_keys(Team, changes.pop("teams"), "teams") if "teams" in changes else None
    vendors = _by_keys(Vendor, changes.pop("vendors"), "vendors") if "vendors" in changes else None
    _check_queue(changes)
    if "allowed_actions" in changes:
        changes["allowed_actions"] = list(dict.fromkeys(changes["allowed_actions"]))
    before = None if created else queue_settings(queue)
    becomes_default = changes.get("is_default", queue.is_default)
    if not becomes_default and not created and queue.is_default:
        raise Conflict("default_required", "Cases that no rule takes need a default queue: make another queue "
                                           "the default instead.", field="is_default")
    if becomes_default and not changes.get("active", queue.active):
        raise Conflict("default_inactive", "The default queue must stay active.", field="active")
    for name, value in changes.items():
        setattr(queue, name, value)
    if becomes_default:
        Queue.objects.filter(is_default=True).exclude(pk=queue.pk).update(is_default=False)
    queue.save()
    if teams is not None:
        queue.teams.set(teams)
    if vendors is not None:
        queue.vendors.set(vendors)
    after = queue_settings(queue)
    changed = {k: v for k, v in after.items() if before is None or before[k] != v}
    if changed:
        ledger.record("queue.created" if created else "queue.changed", actor=actor,
                      payload={"queue": queue.key, **changed})
    return queue


@transaction.atomic
def create_queue(*, key: str, name: str, actor=None, **settings) -> Queue:
    _allowed(actor)
    if not isinstance(key, str) or not KEY.match(key):
        raise Invalid("invalid_key", "A queue key is lower-case letters, digits and dashes (up to 64).",
                      field="key")
    unknown = sorted(set(settings) - set(QUEUE_SETTINGS) - {"teams", "vendors"})
    if unknown:
        raise Invalid("unknown_field", f"Unknown queue settings: {', '.join(unknown)}.", field=unknown[0])
    if Queue.objects.filter(key=key).exists():
        raise Conflict("queue_exists", f"A queue {key!r} exists already.", field="key")
    # The first queue of a platform takes what no rule takes.
    settings.setdefault("is_default", not Queue.objects.filter(is_default=True).exists())
    return _write_queue(Queue(key=key), {"name": name, **settings}, created=True, actor=actor)


@transaction.atomic
def update_queue(*, key: str, actor=None, **changes) -> Queue:
    _allowed(actor)
    unknown = sorted(set(changes) - set(QUEUE_SETTINGS) - {"teams", "vendors"})
    if unknown:
        raise Invalid("unknown_field", f"Unknown queue settings: {', '.join(unknown)}.", field=unknown[0])
    queue = Queue.objects.select_for_update().filter(key=key).first()
    if queue is None:
        raise NotFound("queue_not_found", f"No queue {key!r}.")
    return _write_queue(queue, changes, created=False, actor=actor)


# ---- routing rules ----------------------------------------------------------------------------------------

def _strings(value, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Invalid("invalid_field", f"{field} is a list of non-empty strings.", field=field)
    return list(dict.fromkeys(value))


def _check_conditions(conditions: dict) -> dict:
    checked = {}
    for name in ("subject_types", "policy_prefixes", "regions", "languages", "sources"):
        if name in conditions:
            checked[name] = _strings(conditions[name], name)
    for name, known in (("subject_types", SUBJECT_TYPES), ("sources", SOURCE_TRUST)):
        unknown = [v for v in checked.get(name, []) if v not in known]
        if unknown:
            raise Invalid(f"unknown_{name[:-1]}", f"Unknown {name}: {', '.join(unknown)}; one of: "
                                                  f"{', '.join(known)}.", field=name)
    bad = [r for r in checked.get("regions", []) if not REGION.match(r)]
    if bad:
        raise Invalid("invalid_region", f"Regions are upper-case codes (US, GB, EU): {', '.join(bad)}.",
                      field="regions")
    codes = list(Policy.objects.values_list("code", flat=True))
    unknown = [p for p in checked.get("policy_prefixes", [])
               if not any(c == p or c.startswith(p + ".") for c in codes)]
    if unknown:
        raise Invalid("unknown_policy", f"No policy is or lies under {', '.join(unknown)}.",
                      field="policy_prefixes")
    if "min_severity" in conditions:
        value = conditions["min_severity"]
        if value is not None and value not in SEVERITIES:
            raise Invalid("invalid_severity", "min_severity is 1–5, or null.", field="min_severity")
        checked["min_severity"] = value
    if "min_reach" in conditions:
        value = conditions["min_reach"]
        if value is not None and not (isinstance(value, int) and 0 <= value < 2 ** 62):
            raise Invalid("invalid_reach", "min_reach is a whole number ≥ 0, or null.", field="min_reach")
        checked["min_reach"] = value
    return checked


def rule_settings(rule: RoutingRule) -> dict:
    return {"id": rule.pk, "position": rule.position, "name": rule.name, "queue": rule.queue.key,
            "enabled": rule.enabled, **{name: getattr(rule, name) for name in RULE_CONDITIONS}}


def _queue(key) -> Queue:
    queue = Queue.objects.filter(key=key).first() if isinstance(key, str) else None
    if queue is None:
        raise Invalid("unknown_queue", f"No queue {key!r}.", field="queue")
    return queue


def _position(value) -> int:
    if not isinstance(value, int) or not 0 <= value < 2 ** 31:
        raise Invalid("invalid_position", "A position is a whole number ≥ 0.", field="position")
    return value


@transaction.atomic
def create_rule(*, name: str, queue: str, actor=None, position: int | None = None, enabled: bool = True,
                **conditions) -> RoutingRule:
    """A new rule; without a position it goes last."""
    _allowed(actor)
    unknown = sorted(set(conditions) - set(RULE_CONDITIONS))
    if unknown:
        raise Invalid("unknown_field", f"Unknown rule settings: {', '.join(unknown)}.", field=unknown[0])
    if not isinstance(name, str) or not name.strip():
        raise Invalid("invalid_field", "A rule needs a name.", field="name")
    if position is None:
        position = (RoutingRule.objects.aggregate(m=Max("position"))["m"] or 0) + POSITION_STEP
    rule = RoutingRule.objects.create(name=name, queue=_queue(queue), position=_position(position),
                                      enabled=bool(enabled), **_check_conditions(conditions))
    ledger.record("routing_rule.created", actor=actor, payload=rule_settings(rule))
    return rule


@transaction.atomic
def update_rule(*, rule_id: int, actor=None, **changes) -> RoutingRule:
    _allowed(actor)
    unknown = sorted(set(changes) - set(RULE_SETTINGS))
    if unknown:
        raise Invalid("unknown_field", f"Unknown rule settings: {', '.join(unknown)}.", field=unknown[0])
    rule = RoutingRule.objects.select_for_update().select_related("queue").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("rule_not_found", f"No routing rule {rule_id}.")
    before = rule_settings(rule)
    if "name" in changes:
        if not isinstance(changes["name"], str) or not changes["name"].strip():
            raise Invalid("invalid_field", "A rule needs a name.", field="name")
        rule.name = changes["name"]
    if "queue" in changes:
        rule.queue = _queue(changes["queue"])
    if "position" in changes:
        rule.position = _position(changes["position"])
    if "enabled" in changes:
        rule.enabled = bool(changes["enabled"])
    for name, value in _check_conditions(changes).items():
        setattr(rule, name, value)
    after = rule_settings(rule)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        rule.save()
        ledger.record("routing_rule.changed", actor=actor, payload={"id": rule.pk, **changed})
    return rule


@transaction.atomic
def delete_rule(*, rule_id: int, actor=None) -> None:
    _allowed(actor)
    rule = RoutingRule.objects.select_related("queue").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("rule_not_found", f"No routing rule {rule_id}.")
    settings = rule_settings(rule)
    rule.delete()
    ledger.record("routing_rule.deleted", actor=actor, payload=settings)


@transaction.atomic
def move_rule(*, rule_id: int, by: int, actor=None) -> RoutingRule:
    """Move a rule up (by < 0) or down in the order; positions are renumbered in steps of ten."""
    _allowed(actor)
    rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    index = next((i for i, r in enumerate(rules) if r.pk == rule_id), None)
    if index is None:
        raise NotFound("rule_not_found", f"No routing rule {rule_id}.")
    rule = rules.pop(index)
    rules.insert(max(0, min(len(rules), index + by)), rule)
    moved = []
    for n, each in enumerate(rules, start=1):
        if each.position != n * POSITION_STEP:
            each.position = n * POSITION_STEP
            each.save(update_fields=["position", "updated_at"])
            moved.append({"id": each.pk, "position": each.position})
    if moved:
        ledger.record("routing_rule.reordered", actor=actor, payload={"moved": moved})
    return rule


# ---- the tester -------------------------------------------------------------------------------------------

def which_rule(*, subject_type: str, policy_code: str, region: str, language: str = "", source: str = "user",
               reach: int = 0) -> dict:
    """Which rule would take a report like this, and into which queue. Reads only; nothing is stored."""
    policy = get_active(policy_code)
    if policy is None:
        raise Invalid("unknown_policy", f"No active policy {policy_code!r}.", field="reason")
    if source not in SOURCE_TRUST:
        raise Invalid("unknown_source", f"Unknown source {source!r}.", field="source")
    rule_id, queue = routing.table().match(routing.RoutingInput(
        subject_type=subject_type, policy_code=policy.code, region=region, language=language, source=source,
        severity=policy.severity, reach=reach))
    rule = RoutingRule.objects.filter(pk=rule_id).values("id", "name", "position").first() if rule_id else None
    return {"rule": rule, "queue": queue.key, "default": rule is None}
