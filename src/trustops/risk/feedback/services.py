"""What became of each hit, precision per rule version, and demotion of rules that stopped being precise.

A hit's outcome is the first decision made on its case after the hit: a violation confirms it, no violation
overturns it (appeal reversals count too: an overturned appeal turns a violation into no violation).
Precision = confirmed / decided, with a Wilson score interval. An enforce version whose interval's lower bound
falls below its target once it has `min_outcomes` outcomes is demoted to shadow, and its owner told.
"""
from django.db import transaction

from trustops.identity import services as identity
from trustops.kernel import clock
from trustops.ledger import services as ledger
from trustops.quality.stats.proportions import wilson_interval
from trustops.review.models import Decision, Verdict
from trustops.risk.models import Mode, Outcome, RuleHit, RuleVersion, VersionStatus


def _verdicts(case_ids) -> dict[int, list]:
    by_case: dict[int, list] = {}
    for d in Decision.objects.filter(case_id__in=case_ids).order_by("decided_at", "id").values(
            "case_id", "verdict", "decided_at", "appeal_of__case_id"):
        by_case.setdefault(d["case_id"], []).append(d)
    # An appeal's verdict lands on the original case.
    for d in Decision.objects.filter(appeal_of__case_id__in=case_ids).order_by("decided_at").values(
            "verdict", "decided_at", "appeal_of__case_id"):
        by_case.setdefault(d["appeal_of__case_id"], []).append({**d, "appeal": True})
    return by_case


def outcome_of(decisions: list, after) -> str:
    verdict = ""
    for d in sorted(decisions, key=lambda d: d["decided_at"]):
        if d["decided_at"] < after:
            continue
        if d.get("appeal"):
            if verdict == Outcome.VIOLATION and d["verdict"] == Verdict.OVERTURNED:
                verdict = Outcome.NO_VIOLATION
        elif not verdict:
            verdict = Outcome.VIOLATION if d["verdict"] == Verdict.VIOLATION else Outcome.NO_VIOLATION
    return verdict


@transaction.atomic
def sync_outcomes(*, limit: int = 5000) -> int:
    """Link hits on decided cases to their outcome; demote the versions that fell below target."""
    hits = list(RuleHit.objects.select_for_update(skip_locked=True).filter(case__isnull=False)
                .filter(case__status="resolved").order_by("id")[:limit])
    verdicts = _verdicts({h.case_id for h in hits})
    now = clock.now()
    changed = []
    for hit in hits:
        outcome = outcome_of(verdicts.get(hit.case_id, []), hit.occurred_at)
        if outcome and outcome != hit.outcome:
            hit.outcome, hit.outcome_at = outcome, now
            changed.append(hit)
    RuleHit.objects.bulk_update(changed, ["outcome", "outcome_at"], batch_size=500)
    for version_id in sorted({h.rule_version_id for h in changed}):
        demote_if_imprecise(version_id)
    return len(changed)


def precision(version: RuleVersion) -> dict:
    decided = version.hits.exclude(outcome=Outcome.PENDING)
    n = decided.count()
    confirmed = decided.filter(outcome=Outcome.VIOLATION).count()
    interval = wilson_interval(confirmed, n) if n else None
    return {"outcomes": n, "confirmed": confirmed, "precision": confirmed / n if n else None,
            "low": interval.low if interval else None, "high": interval.high if interval else None,
            "target": version.precision_target, "min_outcomes": version.min_outcomes}


def demote_if_imprecise(version_id: int) -> bool:
    version = RuleVersion.objects.select_for_update().select_related("rule").get(pk=version_id)
    if version.status != VersionStatus.PUBLISHED or version.mode != Mode.ENFORCE:
        return False
    figures = precision(version)
    if figures["outcomes"] < version.min_outcomes or figures["low"] >= version.precision_target:
        return False
    now = clock.now()
    version.mode, version.demoted_at, version.changed_at = Mode.SHADOW, now, now
    version.save(update_fields=["mode", "demoted_at", "changed_at"])
    ledger.record("risk.rule_demoted", actor="risk", payload={
        "rule": version.rule.key, "version": version.version, "precision": figures["precision"],
        "lower_bound": figures["low"], "target": version.precision_target, "outcomes": figures["outcomes"]})
    owner = version.rule.owner_id or version.created_by_id
    if owner:
        identity.notify_many([identity.NotificationDraft(
            recipient_id=owner, kind="risk.rule_demoted", topic="risk_rule", topic_id=version.rule_id,
            title=f"Rule {version.rule.key} v{version.version} demoted to shadow",
            body=f"Precision {figures['precision']:.0%} over {figures['outcomes']} outcomes; its lower bound "
                 f"{figures['low']:.0%} is below the target {version.precision_target:.0%}.")])
    return True
