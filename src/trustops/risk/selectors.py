"""Reading risk: rules and their figures for risk readers; hits and labels only about subjects the viewer sees."""
from django.db.models import Count, Q

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import NotFound
from trustops.risk.feedback import services as feedback
from trustops.risk.models import Label, Monitor, MonitorAlert, Rule, RuleHit, RuleVersion, VersionStatus
from trustops.risk.rules.services import _version_body
from trustops.subjects.selectors import subjects_visible_to


def _require_reader(user) -> None:
    if not access.reads_risk(user):
        raise NotFound("not_found", "No such resource.")


def rules(user) -> list[dict]:
    """Every rule with its live (or latest) version, hit counts, precision and mode."""
    _require_reader(user)
    out = []
    for rule in Rule.objects.order_by("key"):
        version = (rule.versions.filter(status=VersionStatus.PUBLISHED).first()
                   or rule.versions.order_by("-version").first())
        if version is None:
            continue
        out.append({**_version_body(version), "hits": visible_hits(user).filter(rule_version=version).count(),
                    "evaluations": version.evaluations, "errors": version.errors,
                    "hit_rate": (version.hits.count() / version.evaluations) if version.evaluations else None,
                    "precision": feedback.precision(version)})
    return out


def rule(user, key: str) -> dict:
    _require_reader(user)
    versions = list(RuleVersion.objects.filter(rule__key=key).select_related("rule").order_by("-version"))
    if not versions:
        raise NotFound("no_rule", f"No rule {key!r}.")
    live = next((v for v in versions if v.status == VersionStatus.PUBLISHED), versions[0])
    return {**_version_body(live), "precision": feedback.precision(live),
            "feature_health": [{"feature": h.feature, "reads": h.reads,
                                "missing_rate": h.missing / h.reads if h.reads else None}
                               for h in live.feature_health.order_by("feature")],
            "versions": [{"version": v.version, "status": v.status, "mode": v.mode, "created_at": v.created_at,
                          "precision": feedback.precision(v)} for v in versions]}


def visible_hits(user):
    if not access.reads_risk(user):
        return RuleHit.objects.none()
    return RuleHit.objects.filter(subject_id__in=subjects_visible_to(user).values("pk"))


def hits(user, key: str, *, version: int | None = None, limit: int = 100, before_id: int | None = None):
    _require_reader(user)
    if not Rule.objects.filter(key=key).exists():
        raise NotFound("no_rule", f"No rule {key!r}.")
    rows = visible_hits(user).filter(rule_version__rule__key=key)
    if version:
        rows = rows.filter(rule_version__version=version)
    if before_id:
        rows = rows.filter(pk__lt=before_id)
    return list(rows.select_related("rule_version", "event", "subject").order_by("-id")[:limit])


def labels_of(user, subject) -> list[Label]:
    """Active labels on a subject the viewer may see (an empty list otherwise: nothing is confirmed)."""
    if subject is None or not access.reads_risk(user) and not access.viewer(user).reviews_in_house:
        return []
    if not subjects_visible_to(user).filter(pk=subject.pk).exists():
        return []
    return list(Label.objects.filter(subject=subject, expires_at__gt=clock.now())
                .select_related("rule_version__rule").order_by("name"))


def labels(user, *, name: str | None = None, limit: int = 200) -> list[Label]:
    _require_reader(user)
    rows = Label.objects.filter(expires_at__gt=clock.now(), subject_id__in=subjects_visible_to(user).values("pk"))
    if name:
        rows = rows.filter(name=name)
    return list(rows.select_related("subject", "rule_version__rule").order_by("-applied_at")[:limit])


def monitors(user) -> list[Monitor]:
    _require_reader(user)
    return list(Monitor.objects.order_by("key").annotate(alert_count=Count("alerts")))


def alerts(user, *, limit: int = 100) -> list[MonitorAlert]:
    _require_reader(user)
    return list(MonitorAlert.objects.select_related("monitor").order_by("-hour")[:limit])


def hit_body(hit: RuleHit) -> dict:
    return {"id": hit.pk, "rule_version": hit.rule_version.version, "mode": hit.mode, "event_id": hit.event.event_id,
            "event_kind": hit.event.kind, "occurred_at": hit.occurred_at,
            "subject": {"type": hit.subject.type, "external_id": hit.subject.external_id},
            "features": hit.features, "acted": hit.acted, "effect": hit.effect, "case_id": hit.case_id,
            "signal_id": hit.signal_id, "enforcement_action_id": hit.enforcement_action_id,
            "outcome": hit.outcome or None}


__all__ = ["Q"]
