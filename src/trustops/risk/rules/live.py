"""The published rule versions the engine runs, compiled once and cached until a version changes."""
from django.db.models import Count, Max

from trustops.risk.models import Mode, RuleVersion, VersionStatus
from trustops.risk.rules import definition
from trustops.risk.rules.engine import RuleRun

_cache: dict = {"stamp": None, "rules": []}


def run_of(version: RuleVersion) -> RuleRun:
    parsed = definition.parse(on=version.on, features=version.features, when=version.when,
                              outcome=version.outcome)
    return parsed.run(version_id=version.pk, key=version.rule.key, version=version.version, mode=version.mode,
                      dedupe_seconds=version.dedupe_seconds)


def live_rules() -> list[RuleRun]:
    """Published versions in enforce or shadow mode."""
    stamp = tuple(RuleVersion.objects.aggregate(m=Max("changed_at"), n=Count("id"), x=Max("id")).values())
    if stamp != _cache["stamp"]:
        versions = (RuleVersion.objects.filter(status=VersionStatus.PUBLISHED)
                    .exclude(mode=Mode.DISABLED).select_related("rule").order_by("rule__key"))
        _cache.update(stamp=stamp, rules=[run_of(v) for v in versions])
    return _cache["rules"]


def clear_cache() -> None:
    _cache.update(stamp=None, rules=[])
