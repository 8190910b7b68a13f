"""Accuracy from audits: per group with intervals, a population estimate, precision/recall per policy.

Reads only, through the quality scope; the statistics themselves live in `stats`.
"""
from collections import defaultdict

from django.db.models import Count, Q

from trustops.quality.models import AuditTask, ErrorType
from trustops.quality.selectors import audits_visible_to, decisions_in_quality_scope
from trustops.quality.stats import proportions
from trustops.review.models import Appeal

GROUPS = {"vendor": "decision__reviewer__vendor__key", "team": "decision__reviewer__team__key",
          "agent": "decision__reviewer__username", "queue": "decision__queue__key", "policy": "decision__policy__code"}
EMPTY_LABEL = {"vendor": "in-house", "team": "(no team)", "agent": "(unknown)", "queue": "(unknown)",
               "policy": "no_violation"}
ERROR_TYPES = [e.value for e in ErrorType]


def _interval(correct: int, audited: int):
    bounds = proportions.wilson_interval(correct, audited) if audited else None
    return (None, None) if bounds is None else (round(bounds[0], 4), round(bounds[1], 4))


def _audits(user, date_from, date_to):
    qs = audits_visible_to(user)
    if date_from:
        qs = qs.filter(decision__decided_at__gte=date_from)
    if date_to:
        qs = qs.filter(decision__decided_at__lt=date_to)
    return qs


def accuracy(user, *, group_by: str, date_from=None, date_to=None) -> dict:
    audits = _audits(user, date_from, date_to)
    field = GROUPS[group_by]
    counts = {f"n_{e}": Count("id", filter=Q(error_type=e)) for e in ERROR_TYPES}
    rows = []
    for row in audits.values(field).annotate(audited=Count("id"), **counts).order_by(field):
        correct = row["n_correct"]
        low, high = _interval(correct, row["audited"])
        rows.append({"group": row[field] or EMPTY_LABEL[group_by], "audited": row["audited"], "correct": correct,
                     "accuracy": round(correct / row["audited"], 4) if row["audited"] else None,
                     "wilson_low": low, "wilson_high": high,
                     "errors": {e: row[f"n_{e}"] for e in ERROR_TYPES if e != "correct"}})
    overturns = _overturn_rates(user, field.removeprefix("decision__"), date_from, date_to)
    for row in rows:
        row["appeal_overturn_rate"] = overturns.get(row["group"] if row["group"] != EMPTY_LABEL[group_by] else None)
    total = sum(r["audited"] for r in rows)
    total_correct = sum(r["correct"] for r in rows)
    low, high = _interval(total_correct, total)
    return {
        "group_by": group_by, "rows": rows,
        "overall": {"audited": total, "correct": total_correct,
                    "accuracy": round(total_correct / total, 4) if total else None,
                    "wilson_low": low, "wilson_high": high},
        "population_estimate": population_estimate(audits),
        "precision_recall": precision_recall_by_policy(audits),
    }


def _overturn_rates(user, reviewer_field: str, date_from, date_to) -> dict:
    decisions = decisions_in_quality_scope(user)
    if date_from:
        decisions = decisions.filter(decided_at__gte=date_from)
    if date_to:
        decisions = decisions.filter(decided_at__lt=date_to)
    field = f"decision__{reviewer_field}"
    rates = {}
    for row in (Appeal.objects.filter(decision__in=decisions, status__in=["upheld", "overturned"])
                .values(field).annotate(n=Count("id"), over=Count("id", filter=Q(status="overturned")))):
        rates[row[field]] = {"appeals_decided": row["n"], "overturned": row["over"],
                             "rate": round(row["over"] / row["n"], 4)}
    return rates


def population_estimate(audits) -> dict | None:
    """Weights each sampled stratum by its share of the population (the inverse of its sampling probability).

    Audits not drawn through a sample have no known probability and are left out of this estimate.
    """
    tasks = (AuditTask.objects.filter(audit__in=audits)
             .values("sample_id", "stratum", "inclusion_probability")
             .annotate(audited=Count("id"), correct=Count("id", filter=Q(audit__error_type="correct"))))
    drawn = {(t["sample_id"], t["stratum"], t["inclusion_probability"]): t["n"] for t in (
        AuditTask.objects.filter(sample_id__in={t["sample_id"] for t in tasks})
        .values("sample_id", "stratum", "inclusion_probability").annotate(n=Count("id")))}
    strata = []
    for t in tasks:
        key = (t["sample_id"], t["stratum"], t["inclusion_probability"])
        population = round(drawn[key] / t["inclusion_probability"])
        strata.append(proportions.Stratum(population=population, audited=t["audited"], correct=t["correct"]))
    if not strata:
        return None
    estimate = proportions.stratified_accuracy(strata)
    if estimate is None:
        return None
    return {**{k: _round(v) if isinstance(v, float) else v for k, v in estimate.as_dict().items()},
            "method": "stratified by sample stratum, weights = inverse inclusion probability"}


def precision_recall_by_policy(audits) -> list[dict]:
    """Per policy: precision of the reviewers' violation calls, and recall of the true violations."""
    tally: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for decided, verdict, correct_policy, correct_verdict, error_type in audits.values_list(
            "decision__policy__code", "decision__verdict", "correct_policy__code", "correct_verdict", "error_type"):
        truth = correct_policy if correct_verdict == "violation" else None
        if correct_verdict == "violation" and truth is None:
            truth = decided  # the auditor agreed it is a violation without naming another policy
        called = decided if verdict == "violation" else None
        if called and called == truth:
            tally[called]["tp"] += 1
        else:
            if called:
                tally[called]["fp"] += 1
            if truth:
                tally[truth]["fn"] += 1
    rows = []
    for policy in sorted(tally):
        t = tally[policy]
        pr = proportions.precision_recall(t["tp"], t["fp"], t["fn"])
        rows.append({"policy": policy, **t, "precision": pr.precision, "recall": pr.recall})
    return rows


def _round(value):
    return None if value is None else round(value, 4)
