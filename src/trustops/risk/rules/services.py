"""Writing rules: drafts, publication in shadow or enforce, mode changes, retirement. A published version's
definition never changes: a change is a new version, and publishing it retires the one before."""
from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.risk.features import services as features
from trustops.risk.models import FeatureHealth, Mode, Rule, RuleVersion, VersionStatus
from trustops.risk.rules import definition, live


def _require_writer(actor) -> None:
    if not access.writes_risk(actor):
        raise Forbidden("not_a_risk_writer", "Only investigators, policy managers and admins write risk rules.")


def _version_body(v: RuleVersion) -> dict:
    return {"key": v.rule.key, "name": v.rule.name, "version": v.version, "status": v.status, "mode": v.mode,
            "on": v.on, "features": v.features, "when": v.when, "outcome": v.outcome,
            "dedupe_seconds": v.dedupe_seconds, "precision_target": v.precision_target,
            "min_outcomes": v.min_outcomes, "created_at": v.created_at, "published_at": v.published_at,
            "retired_at": v.retired_at, "demoted_at": v.demoted_at}


@transaction.atomic
def save_rule(*, actor, key: str, name: str, on, features, when, outcome, mode: str = "shadow",
              publish: bool = True, dedupe_seconds: int = 86400, precision_target: float = 0.7,
              min_outcomes: int = 20) -> dict:
    """A new version of the rule (the rule itself on its first version); published at once unless a draft."""
    _require_writer(actor)
    if mode not in Mode.values:
        raise Invalid("invalid_field", "mode must be enforce, shadow or disabled.", field="mode")
    parsed = definition.parse(on=on, features=features, when=when, outcome=outcome)
    now = clock.now()
    rule, created = Rule.objects.select_for_update().get_or_create(
        key=key, defaults={"name": name, "owner_id": actor.pk, "created_at": now})
    if not created and rule.name != name:
        rule.name = name
        rule.save(update_fields=["name"])
    number = (rule.versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    version = RuleVersion.objects.create(
        rule=rule, version=number, status=VersionStatus.DRAFT, mode=mode, on=parsed.on,
        features=[f.as_dict() for f in parsed.features], when=when, outcome=parsed.outcome,
        dedupe_seconds=dedupe_seconds, precision_target=precision_target, min_outcomes=min_outcomes,
        created_by_id=actor.pk, created_at=now, changed_at=now)
    FeatureHealth.objects.bulk_create([FeatureHealth(rule_version=version, feature=f.name) for f in parsed.features])
    ledger.record("risk.rule_version_created", actor=actor, payload={"rule": key, "version": number,
                                                                     "when": when, "outcome": parsed.outcome})
    if publish:
        _publish(version, mode, actor, now)
    return _version_body(version)


def _publish(version: RuleVersion, mode: str, actor, now) -> None:
    if mode not in (Mode.ENFORCE, Mode.SHADOW):
        raise Invalid("invalid_field", "A version is published in enforce or shadow mode.", field="mode")
    previous = RuleVersion.objects.filter(rule_id=version.rule_id, status=VersionStatus.PUBLISHED).first()
    if previous is not None:
        previous.status, previous.retired_at, previous.changed_at = VersionStatus.RETIRED, now, now
        previous.save(update_fields=["status", "retired_at", "changed_at"])
    version.status, version.mode, version.published_at, version.changed_at = VersionStatus.PUBLISHED, mode, now, now
    version.save(update_fields=["status", "mode", "published_at", "changed_at"])
    ledger.record("risk.rule_published", actor=actor, payload={
        "rule": version.rule.key, "version": version.version, "mode": mode,
        "replaced": previous.version if previous else None})
    features.backfill(live.run_of(version), actor=actor)


def _version(key: str, number: int | None = None, *, lock: bool = False) -> RuleVersion:
    rows = RuleVersion.objects.select_related("rule")
    if lock:
        rows = rows.select_for_update()
    rows = rows.filter(rule__key=key)
    found = (rows.filter(version=number) if number else
             rows.filter(status=VersionStatus.PUBLISHED) or rows.order_by("-version")).first()
    if found is None:
        raise NotFound("no_rule", f"No rule {key!r}{f' version {number}' if number else ''}.")
    return found


@transaction.atomic
def publish(*, actor, key: str, version: int, mode: str) -> dict:
    _require_writer(actor)
    found = _version(key, version, lock=True)
    if found.status != VersionStatus.DRAFT:
        raise Conflict("already_published", f"Version {version} is {found.status}; publish a new version.")
    _publish(found, mode, actor, clock.now())
    return _version_body(found)


@transaction.atomic
def set_mode(*, actor, key: str, mode: str, reason: str = "") -> dict:
    """Switch the live version between enforce, shadow and disabled (its definition stays as it is)."""
    _require_writer(actor)
    if mode not in Mode.values:
        raise Invalid("invalid_field", "mode must be enforce, shadow or disabled.", field="mode")
    found = _version(key, lock=True)
    if found.status != VersionStatus.PUBLISHED:
        raise Conflict("not_published", f"Rule {key!r} has no published version.")
    before = found.mode
    found.mode, found.changed_at = mode, clock.now()
    found.save(update_fields=["mode", "changed_at"])
    ledger.record("risk.rule_mode_changed", actor=actor, payload={"rule": key, "version": found.version,
                                                                  "from": before, "to": mode, "reason": reason})
    if before == Mode.DISABLED and mode != Mode.DISABLED:
        # Nothing counted this rule's features while it was off: rebuild those no other live rule kept counting.
        live.clear_cache()
        features.backfill(live.run_of(found), actor=actor, counted_by=live.live_rules())
    return _version_body(found)


@transaction.atomic
def retire(*, actor, key: str) -> dict:
    _require_writer(actor)
    found = _version(key, lock=True)
    if found.status != VersionStatus.PUBLISHED:
        raise Conflict("not_published", f"Rule {key!r} has no published version.")
    now = clock.now()
    found.status, found.retired_at, found.changed_at = VersionStatus.RETIRED, now, now
    found.save(update_fields=["status", "retired_at", "changed_at"])
    ledger.record("risk.rule_retired", actor=actor, payload={"rule": key, "version": found.version})
    return _version_body(found)
