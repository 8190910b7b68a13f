"""Export the platform's configuration as one file, and apply such a file: diff first, then one transaction.

Applying writes only through the owning apps' services (identity, policies, review, outbox, merchants), so every change
is the same ledger event an administrator's change in the console would be. Applying a file twice changes
nothing the second time; a file with any problem is refused whole.
"""
import os
import re
from dataclasses import dataclass, field

import yaml
from django.db import transaction

from trustops.config.document import PlatformFile, Problem, Refused, dotted, line_of, parse
from trustops.identity import services as identity
from trustops.identity.models import Team, Vendor
from trustops.kernel.errors import DomainError
from trustops.merchants.models import Category
from trustops.merchants.services import configuration as merchants
from trustops.outbox import services as outbox
from trustops.outbox.models import WebhookEndpoint
from trustops.policies import services as policies
from trustops.policies.models import PenaltyLadder, Policy
from trustops.review import configuration as review
from trustops.review.models import Queue, RoutingRule

ACTOR = "config"
RULE_FIELDS = ("name", "queue", "enabled", *review.RULE_CONDITIONS)
QUEUE_FIELDS = ("name", "description", "sla_seconds", "tier", "severe_content", "required_clearance", "teams",
                "vendors", "allowed_actions", "default", "active", "requires_certification")
CATEGORY_FIELDS = ("name", "parent", "requirements", "documents", "prohibited_services", "misleading_phrases",
                   "active")


@dataclass
class Change:
    action: str          # create, change, remove
    section: str
    name: str
    fields: dict = field(default_factory=dict)   # field -> (before, after)

    def __str__(self):
        sign = {"create": "+", "change": "~", "remove": "-"}[self.action]
        text = f"{sign} {self.section} {self.name}"
        if self.action == "change":
            text += ": " + "; ".join(f"{k} {before!r} → {after!r}" for k, (before, after) in self.fields.items())
        return text


# ---- what the database holds ----

def _ladder(ladder) -> dict:
    steps = [{k: v for k, v in step.items() if v is not None} for step in ladder.steps]
    return {"family": ladder.family, "strike_expiry_days": ladder.strike_expiry_days,
            "severity_points": {str(k): int(v) for k, v in sorted(ladder.severity_points.items())},
            "steps": sorted(steps, key=lambda s: s.get("at", 0))}


def _queue(queue: Queue) -> dict:
    settings = review.queue_settings(queue)
    settings["default"] = settings.pop("is_default")
    return {"key": queue.key, **{name: settings[name] for name in QUEUE_FIELDS}}


def _rule(rule: RoutingRule) -> dict:
    settings = review.rule_settings(rule)
    return {name: settings[name] for name in RULE_FIELDS}


def _category(cat: Category) -> dict:
    return {"code": cat.code, "name": cat.name, "parent": cat.parent.code if cat.parent else None,
            "requirements": {region: sorted(set(kinds)) for region, kinds in sorted((cat.requirements or {}).items())},
            **{name: sorted(set(getattr(cat, name) or [])) for name in CATEGORY_FIELDS[3:6]}, "active": cat.active}


def _category_wanted(entry) -> dict:
    """An entry as `merchants.save_category` will store it, so that a file applied twice changes nothing."""
    wanted = entry.model_dump()
    wanted["requirements"] = {region: sorted(set(kinds)) for region, kinds in sorted(wanted["requirements"].items())}
    for name in CATEGORY_FIELDS[3:6]:
        wanted[name] = sorted({phrase.strip() for phrase in wanted[name]})
    return wanted


def current() -> dict:
    """The configuration as the database holds it, section by section, keyed as the file names things."""
    return {
        "vendors": {v.key: {"key": v.key, "name": v.name} for v in Vendor.objects.order_by("key")},
        "teams": {t.key: {"key": t.key, "name": t.name, "vendor": t.vendor.key if t.vendor else None}
                  for t in Team.objects.select_related("vendor").order_by("key")},
        "policies": {p.code: {n: getattr(p.current_version, n) for n in policies.CONTENT_FIELDS}
                     for p in Policy.objects.select_related("current_version").order_by("code")
                     if p.current_version},
        "ladders": {ladder.family: _ladder(ladder) for ladder in PenaltyLadder.objects.order_by("family")},
        "queues": {q.key: _queue(q) for q in Queue.objects.prefetch_related("teams", "vendors").order_by("key")},
        "routing": [(r.pk, _rule(r)) for r in RoutingRule.objects.select_related("queue").order_by("position", "id")],
        "webhooks": {e.name: e for e in WebhookEndpoint.objects.order_by("name")},
        "merchant_categories": {c.code: _category(c) for c in Category.objects.select_related("parent")},
    }


def secret_env_for(name: str) -> str:
    return "TRUSTOPS_WEBHOOK_SECRET_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


# ---- export ----

def _compact_policies(resolved: dict[str, dict]) -> list[dict]:
    """The taxonomy format: a child says only what differs from its parent."""
    entries = []
    for code, content in sorted(resolved.items()):
        parent = resolved.get(code.rpartition(".")[0], {})
        entry = {"code": code}
        default_title = code.rpartition(".")[2].replace("_", " ").capitalize()
        if content["title"] != default_title:
            entry["title"] = content["title"]
        for name in policies.INHERITED + ("zero_tolerance",):
            inherited = parent.get(name, {"zero_tolerance": False}.get(name))
            if content[name] != inherited:
                entry[name] = content[name]
        if content["guidance"]:
            entry["guidance"] = content["guidance"]
        if not content["active"]:
            entry["active"] = False
        entries.append(entry)
    return entries


def export() -> dict:
    state = current()
    return {
        "version": 1,
        "vendors": list(state["vendors"].values()),
        "teams": [{k: v for k, v in team.items() if v is not None} for team in state["teams"].values()],
        "policies": _compact_policies(state["policies"]),
        "ladders": list(state["ladders"].values()),
        "queues": list(state["queues"].values()),
        "routing": [rule for _, rule in state["routing"]],
        "webhooks": [{"name": e.name, "url": e.url, "events": e.event_kinds, "active": e.active,
                      "secret_env": secret_env_for(e.name)} for e in state["webhooks"].values()],
        # Parents before their children; a field at its default is left out.
        "merchant_categories": [
            {k: v for k, v in cat.items() if k in ("code", "name") or (v not in (None, [], {}, True))}
            for cat in _parents_first(list(state["merchant_categories"].values()))],
    }


def _parents_first(entries: list) -> list:
    """The category tree in an order where each parent comes before its children (then by code)."""
    get = (lambda e, n: e[n]) if entries and isinstance(entries[0], dict) else getattr
    by_code, out, placed = {get(e, "code"): e for e in entries}, [], set()

    def place(entry, depth=0):
        code, parent = get(entry, "code"), get(entry, "parent")
        if code in placed or depth > len(entries):
            return
        if parent in by_code:
            place(by_code[parent], depth + 1)
        placed.add(code)
        out.append(entry)
    for code in sorted(by_code):
        place(by_code[code])
    return out


def export_yaml() -> str:
    header = ("# trustops platform configuration: `trustops config apply FILE` (see docs/configuration.md).\n"
              "# Webhook secrets are read from the environment variables named by secret_env.\n")
    return header + yaml.safe_dump(export(), sort_keys=False, allow_unicode=True, width=110)


# ---- the diff ----

@dataclass
class Plan:
    doc: PlatformFile
    lines: dict
    changes: list[Change]
    state: dict
    secrets: dict[str, str]


def _fields(before: dict, after: dict, names) -> dict:
    return {n: (before[n], after[n]) for n in names if before[n] != after[n]}


def _known(state: dict) -> dict:
    return {"vendors": set(state["vendors"]), "teams": set(state["teams"]), "queues": set(state["queues"]),
            "policies": {code for code, content in state["policies"].items() if content["active"]},
            "event_kinds": set(outbox.EVENT_KINDS)}


def plan(text: str) -> Plan:
    state = current()
    doc, lines = parse(text, _known(state))
    changes: list[Change] = []
    problems: list[Problem] = []

    def refuse(path, message):
        problems.append(Problem(line_of(lines, path), dotted(path), message))

    for section in ("vendors", "teams"):
        for i, entry in enumerate(getattr(doc, section) or []):
            wanted = entry.model_dump()
            have = state[section].get(entry.key)
            if have is None:
                if identity.key_for(entry.name) != entry.key:
                    refuse((section, i, "key"), f"the key is made from the name: {identity.key_for(entry.name)!r}")
                changes.append(Change("create", section[:-1], entry.key))
            elif _fields(have, wanted, wanted):
                refuse((section, i), f"{section[:-1]} {entry.key!r} exists with other settings; renaming or "
                                     "moving it is done in the admin")

    if doc.policies is not None:
        try:
            resolved = policies.resolve_taxonomy([e.model_dump(exclude_none=True) for e in doc.policies])
        except DomainError as error:
            refuse(("policies",), error.message)
            resolved = {}
        for code, content in resolved.items():
            have = state["policies"].get(code)
            if have is None:
                changes.append(Change("create", "policy", code))
            elif diff := _fields(have, content, policies.CONTENT_FIELDS):
                changes.append(Change("change", "policy", code, diff))
        for code, have in state["policies"].items():
            if code not in resolved and have["active"]:
                changes.append(Change("remove", "policy", code))
        for entry in doc.ladders or []:
            wanted = entry.model_dump()
            wanted["steps"] = sorted(({k: v for k, v in s.items() if v is not None} for s in wanted["steps"]),
                                     key=lambda s: s["at"])
            have = state["ladders"].get(entry.family)
            if have is None:
                changes.append(Change("create", "ladder", entry.family))
            elif diff := _fields(have, wanted, ("strike_expiry_days", "severity_points", "steps")):
                changes.append(Change("change", "ladder", entry.family, diff))

    if doc.queues is not None:
        wanted_keys = set()
        for entry in doc.queues:
            wanted = entry.model_dump()
            wanted["teams"], wanted["vendors"] = sorted(set(wanted["teams"])), sorted(set(wanted["vendors"]))
            wanted_keys.add(entry.key)
            have = state["queues"].get(entry.key)
            if have is None:
                changes.append(Change("create", "queue", entry.key))
            elif diff := _fields(have, wanted, QUEUE_FIELDS):
                changes.append(Change("change", "queue", entry.key, diff))
        for key, have in state["queues"].items():
            if key not in wanted_keys and have["active"]:
                # Cases keep their queue: a queue is never deleted, only closed to new cases.
                changes.append(Change("remove", "queue", key, {"active": (True, False)}))

    if doc.routing is not None:
        rules = state["routing"]
        for i, entry in enumerate(doc.routing):
            wanted = entry.model_dump()
            if i < len(rules):
                _, have = rules[i]
                if diff := _fields(have, wanted, RULE_FIELDS):
                    changes.append(Change("change", "routing rule", f"#{i + 1} {entry.name!r}", diff))
            else:
                changes.append(Change("create", "routing rule", f"#{i + 1} {entry.name!r}"))
        for i, (_, have) in enumerate(rules[len(doc.routing):], start=len(doc.routing)):
            changes.append(Change("remove", "routing rule", f"#{i + 1} {have['name']!r}"))

    secrets = {}
    if doc.webhooks is not None:
        names = set()
        for i, entry in enumerate(doc.webhooks):
            names.add(entry.name)
            secret = os.environ.get(entry.secret_env)
            endpoint = state["webhooks"].get(entry.name)
            if secret is not None:
                if len(secret) < 16:
                    refuse(("webhooks", i, "secret_env"), f"{entry.secret_env} holds fewer than 16 characters")
                secrets[entry.name] = secret
            elif endpoint is None:
                refuse(("webhooks", i, "secret_env"), f"{entry.secret_env} is not set in the environment")
            if endpoint is None:
                changes.append(Change("create", "webhook", entry.name))
                continue
            have = {"url": endpoint.url, "events": endpoint.event_kinds, "active": endpoint.active}
            diff = _fields(have, {"url": entry.url, "events": entry.events, "active": entry.active}, have)
            if secret is not None and secret != endpoint.secret:
                diff["secret"] = ("…", "… (from " + entry.secret_env + ")")
            if diff:
                changes.append(Change("change", "webhook", entry.name, diff))
        for name, endpoint in state["webhooks"].items():
            if name not in names and endpoint.active:
                changes.append(Change("remove", "webhook", name))
    if doc.merchant_categories is not None:
        codes = set()
        for entry in doc.merchant_categories:
            codes.add(entry.code)
            have = state["merchant_categories"].get(entry.code)
            if have is None:
                changes.append(Change("create", "merchant category", entry.code))
            elif diff := _fields(have, _category_wanted(entry), CATEGORY_FIELDS):
                changes.append(Change("change", "merchant category", entry.code, diff))
        for code, have in sorted(state["merchant_categories"].items()):
            # Merchants and listings keep their category: one left out of the file is closed to new ones.
            if code not in codes and have["active"]:
                changes.append(Change("remove", "merchant category", code, {"active": (True, False)}))
    if problems:
        raise Refused(problems)
    return Plan(doc, lines, changes, state, secrets)


# ---- applying ----

def apply(text: str, *, dry_run: bool = False) -> list[Change]:
    """The changes the file makes (made, unless `dry_run`). `Refused` with every problem; nothing written."""
    with transaction.atomic():
        the_plan = plan(text)
        if dry_run or not the_plan.changes:
            return the_plan.changes
        try:
            _apply(the_plan)
        except DomainError as error:
            # A service refused a value the file checks missed: the whole file is refused, nothing kept.
            raise Refused([Problem(None, error.field or "", error.message)]) from error
    return the_plan.changes


def _apply(p: Plan) -> None:
    doc, touched = p.doc, {(c.section, c.name) for c in p.changes}
    for entry in doc.vendors or []:
        if ("vendor", entry.key) in touched:
            identity.ensure_vendor(name=entry.name, actor=ACTOR)
    for entry in doc.teams or []:
        if ("team", entry.key) in touched:
            vendor = Vendor.objects.get(key=entry.vendor) if entry.vendor else None
            identity.ensure_team(name=entry.name, vendor=vendor, actor=ACTOR)
    if doc.policies is not None and any(c.section in ("policy", "ladder") for c in p.changes):
        policies.load_taxonomy({"policies": [e.model_dump(exclude_none=True) for e in doc.policies],
                                "ladders": [_ladder_entry(e) for e in doc.ladders or []]},
                               actor=ACTOR, note="applied from the platform file")
    if doc.queues is not None:
        _apply_queues(p)
    if doc.routing is not None:
        _apply_routing(p)
    if doc.webhooks is not None:
        _apply_webhooks(p)
    if doc.merchant_categories is not None:
        _apply_categories(p)


def _ladder_entry(entry) -> dict:
    content = entry.model_dump()
    content["steps"] = [{k: v for k, v in s.items() if v is not None} for s in content["steps"]]
    return content


def _queue_settings(entry) -> dict:
    settings = entry.model_dump()
    settings["is_default"] = settings.pop("default")
    settings.pop("key")
    return settings


def _apply_queues(p: Plan) -> None:
    changed = {c.name for c in p.changes if c.section == "queue"}
    # The new default first, so the old one is free to stop being it.
    for entry in sorted(p.doc.queues, key=lambda e: not e.default):
        if entry.key not in changed:
            continue
        if entry.key in p.state["queues"]:
            review.update_queue(key=entry.key, actor=ACTOR, **_queue_settings(entry))
        else:
            review.create_queue(key=entry.key, actor=ACTOR, **_queue_settings(entry))
    for change in p.changes:
        if change.section == "queue" and change.action == "remove":
            review.update_queue(key=change.name, active=False, actor=ACTOR)


def _apply_routing(p: Plan) -> None:
    rules = p.state["routing"]
    for i, entry in enumerate(p.doc.routing):
        wanted = entry.model_dump()
        if i < len(rules):
            rule_id, have = rules[i]
            diff = _fields(have, wanted, RULE_FIELDS)
            if diff:
                review.update_rule(rule_id=rule_id, actor=ACTOR, **{k: after for k, (_, after) in diff.items()})
        else:
            review.create_rule(actor=ACTOR, **wanted)
    for rule_id, _ in rules[len(p.doc.routing):]:
        review.delete_rule(rule_id=rule_id, actor=ACTOR)


def _apply_webhooks(p: Plan) -> None:
    changed = {c.name: c for c in p.changes if c.section == "webhook"}
    for entry in p.doc.webhooks:
        change = changed.get(entry.name)
        if change is None:
            continue
        if change.action == "create":
            outbox.create_endpoint(url=entry.url, event_kinds=entry.events, name=entry.name,
                                   secret=p.secrets[entry.name], active=entry.active, actor=ACTOR)
        else:
            endpoint = p.state["webhooks"][entry.name]
            updates = {"url": entry.url, "event_kinds": entry.events, "active": entry.active}
            if entry.name in p.secrets:
                updates["secret"] = p.secrets[entry.name]
            outbox.update_endpoint(endpoint_id=endpoint.pk, actor=ACTOR, **updates)
    for name, change in changed.items():
        if change.action == "remove":
            outbox.remove_endpoint(endpoint_id=p.state["webhooks"][name].pk, actor=ACTOR)


def _apply_categories(p: Plan) -> None:
    touched = {c.name: c for c in p.changes if c.section == "merchant category"}
    for entry in _parents_first(p.doc.merchant_categories):
        if entry.code in touched:
            merchants.save_category(actor=ACTOR, code=entry.code, **{
                name: value for name, value in entry.model_dump().items() if name != "code"})
    for code, change in touched.items():
        if change.action == "remove":
            have = dict(p.state["merchant_categories"][code])
            merchants.save_category(actor=ACTOR, **{**have, "active": False})
