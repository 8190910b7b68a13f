"""Error trends and the Pareto of error causes. Reads only, always through the quality scope.

Everything here is counted by the database (one GROUP BY per table of figures) and shaped in Python from those
counts, so the cost depends on the number of groups, not on the number of audits.

Audits are placed in time by their decision (`decided_at`): a trend shows when errors were made, not when QA
happened to look at them. Weeks are ISO weeks (Monday to Sunday, UTC).

The counting starts from `decisions_in_quality_scope(user)` — the rule `audits_visible_to` is made of — with
the period applied to the decisions and their audits joined on, so the database reads each decision once.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from operator import itemgetter

from django.db.models import BigIntegerField, Case, Count, DateField, F, Min, Q, QuerySet, When
from django.db.models.functions import Coalesce, TruncWeek

from trustops.identity.models import User
from trustops.policies.models import Policy
from trustops.quality.models import AuditStatus, AuditTask, ErrorType
from trustops.quality.selectors import decisions_in_quality_scope
from trustops.quality.stats import proportions
from trustops.review.models import Appeal, Decision, Queue

ERROR_TYPES = [e.value for e in ErrorType if e != ErrorType.CORRECT]
IN_HOUSE = "in-house"
NO_POLICY = "no_violation"
UNCATEGORISED = "uncategorised"
VITAL_FEW_SHARE = 0.8      # the Pareto's "vital few": the causes that make up the first 80% of errors
EXAMPLES = 10

# Dimensions an audited decision can be counted by: name → ORM expression on the decision.
DIMENSIONS = {
    "week": TruncWeek("decided_at", output_field=DateField()),
    "vendor": F("reviewer__vendor__key"),
    "vendor_name": F("reviewer__vendor__name"),
    "queue": F("queue__key"),
    "queue_name": F("queue__name"),
    "policy": F("policy__code"),
    "agent": F("reviewer__username"),
    "rca_category": F("audits__rca_category"),
    # The policy an error is about: the one the reviewer cited, or for a missed violation the one QA named.
    "error_policy": Coalesce(F("policy__code"), F("audits__correct_policy__code")),
    # Ids group faster than names; the names of the few ids found are looked up afterwards (`names`).
    "queue_id": F("queue_id"),
    "reviewer_id": F("reviewer_id"),
    "error_policy_id": Case(When(audits__error_type__in=ERROR_TYPES,
                                 then=Coalesce(F("policy_id"), F("audits__correct_policy_id"))),
                            default=None, output_field=BigIntegerField()),
    # The sample stratum an audit was drawn from (all None for an audit not drawn through a sample).
    "sample_id": F("audits__task__sample_id"),
    "stratum": F("audits__task__stratum"),
    "inclusion_probability": F("audits__task__inclusion_probability"),
}
EMPTY = {"vendor": IN_HOUSE, "policy": NO_POLICY, "error_policy": NO_POLICY, "rca_category": UNCATEGORISED,
         "queue": "(unknown)", "agent": "(unknown)"}
# Audits worth a second look, counted (with a few example audit ids) in the same GROUP BY as the figures.
FLAGS = {
    "auditor_is_reviewer": Q(audits__auditor_id=F("reviewer_id")),
    "disputed": Q(audits__status=AuditStatus.DISPUTED),
    "error_without_rca_category": Q(audits__rca_category="", audits__error_type__in=ERROR_TYPES),
}
TREND_GROUPS = ("error_type", "policy", "queue", "vendor")


def decisions_between(user, date_from: datetime | None, date_to: datetime | None) -> QuerySet[Decision]:
    """The reader's decisions made in [date_from, date_to)."""
    qs = decisions_in_quality_scope(user)
    if date_from:
        qs = qs.filter(decided_at__gte=date_from)
    if date_to:
        qs = qs.filter(decided_at__lt=date_to)
    return qs


@dataclass
class Tally:
    """Audits by group and error type: {(value of each dimension, …): {error type: audits}}, "correct"
    included; and for each flag asked for, how many audits carry it and a few of their ids."""
    counts: dict[tuple, dict[str, int]]
    flags: dict[str, dict] = field(default_factory=dict)


def tally(decisions: QuerySet[Decision], *dimensions: str, errors_only: bool = False,
          flags: tuple[str, ...] = ()) -> Tally:
    """The audits of these decisions counted by the given dimensions and by error type, in one GROUP BY."""
    names = [f"d_{name}" for name in dimensions]
    audited = decisions.filter(audits__error_type__in=ERROR_TYPES if errors_only else [e.value for e in ErrorType])
    extra = {}
    for flag in flags:
        extra[f"f_{flag}"] = Count("audits__id", filter=FLAGS[flag])
        extra[f"x_{flag}"] = Min("audits__id", filter=FLAGS[flag])
    rows = (audited.order_by().annotate(**{n: DIMENSIONS[d] for n, d in zip(names, dimensions)})
            .values(*names, "audits__error_type").annotate(n=Count("audits__id"), **extra)
            .values_list(*names, "audits__error_type", "n", *extra))
    width = len(dimensions)
    cleaned = [(i, d) for i, d in enumerate(dimensions) if d == "week" or d in EMPTY]
    counts: dict[tuple, dict[str, int]] = {}
    flagged = {flag: {"count": 0, "examples": set()} for flag in flags}
    for row in rows:
        key = row[:width]
        if cleaned:
            key = list(key)
            for i, dimension in cleaned:
                key[i] = _value(dimension, key[i])
            key = tuple(key)
        by_type = counts.get(key)
        if by_type is None:
            counts[key] = by_type = {}
        error_type, n = row[width], row[width + 1]
        by_type[error_type] = by_type.get(error_type, 0) + n
        for offset, flag in enumerate(flags):
            flagged[flag]["count"] += row[width + 2 + 2 * offset]
            example = row[width + 3 + 2 * offset]
            if example is not None:
                flagged[flag]["examples"].add(example)
    for result in flagged.values():
        result["examples"] = sorted(result["examples"])[:EXAMPLES]
    return Tally(counts, flagged)


def rollups(counts: dict[tuple, dict[str, int]], **views: tuple[int, ...]) -> dict[str, dict[tuple, dict[str, int]]]:
    """Several roll-ups of one tally in one pass: each view keeps the dimensions at its positions."""
    out: dict[str, dict[tuple, dict[str, int]]] = {name: {} for name in views}
    plan = [(out[name], itemgetter(*positions) if len(positions) > 1 else _single(positions[0]))
            for name, positions in views.items()]
    for key, by_type in counts.items():
        items = by_type.items()
        for target, sub_key in plan:
            sub = sub_key(key)
            into = target.get(sub)
            if into is None:
                target[sub] = dict(by_type)
                continue
            for error_type, n in items:
                into[error_type] = into.get(error_type, 0) + n
    return out


def _single(position: int):
    return lambda key: (key[position],)


def names(*, queues=(), reviewers=(), policies=()) -> dict:
    """Names for the ids a tally grouped by: queue id → (key, name), reviewer id → (username, vendor key or
    None, vendor name or None), policy id → code."""
    return {
        "queues": {pk: (key, name) for pk, key, name in
                   Queue.objects.filter(pk__in=set(queues)).values_list("pk", "key", "name")} if queues else {},
        "reviewers": {pk: (username, vendor_key, vendor_name) for pk, username, vendor_key, vendor_name in
                      User.objects.filter(pk__in=set(reviewers)).values_list("pk", "username", "vendor__key",
                                                                               "vendor__name")} if reviewers else {},
        "policies": dict(Policy.objects.filter(pk__in=set(policies)).values_list("pk", "code")) if policies else {},
    }


def population_estimate(by_stratum: dict[tuple, dict[str, int]]) -> dict | None:
    """The stratified population estimate (as `analytics.population_estimate`) from audits already counted.

    `by_stratum`: {(sample id, stratum, inclusion probability): {error type: audits}}; audits not drawn through
    a sample (key of Nones) have no known probability and are left out. Each stratum's population is its drawn
    tasks divided by their inclusion probability.
    """
    sampled = {key: by_type for key, by_type in by_stratum.items() if key[0] is not None}
    if not sampled:
        return None
    drawn = {(row["sample_id"], row["stratum"], row["inclusion_probability"]): row["n"] for row in (
        AuditTask.objects.filter(sample_id__in={key[0] for key in sampled})
        .values("sample_id", "stratum", "inclusion_probability").annotate(n=Count("id")))}
    strata = [proportions.Stratum(population=round(drawn[key] / key[2]), audited=sum(by_type.values()),
                                 correct=by_type.get(ErrorType.CORRECT, 0)) for key, by_type in sampled.items()]
    estimate = proportions.stratified_accuracy(strata)
    if estimate is None:
        return None
    return {**{k: round(v, 4) if isinstance(v, float) else v for k, v in estimate.as_dict().items()},
            "method": "stratified by sample stratum, weights = inverse inclusion probability"}


def _value(dimension: str, value):
    if dimension == "week":
        return _week_start(value)
    return value if value not in (None, "") else EMPTY.get(dimension, value)


def _week_start(value) -> date:
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc).date() if value.tzinfo else value.date()
    return value - timedelta(days=value.weekday())


def week_label(start: date) -> str:
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(date_from: datetime, date_to: datetime) -> list[date]:
    """Monday of every ISO week that overlaps [date_from, date_to)."""
    first = _week_start(date_from)
    last = _week_start(date_to - timedelta(microseconds=1))
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


@lru_cache(maxsize=65_536)
def wilson(correct: int, audited: int) -> proportions.Interval | None:
    """`proportions.wilson_interval` at 95%, remembered: a report asks for the same few counts again and again,
    and each answer costs a normal quantile."""
    return proportions.wilson_interval(correct, audited) if audited else None


def proportion(correct: int, audited: int) -> dict:
    """Accuracy with its Wilson 95% interval; all None without audits."""
    bounds = wilson(correct, audited)
    return {"accuracy": round(correct / audited, 4) if audited else None,
            "wilson_low": round(bounds.low, 4) if bounds else None,
            "wilson_high": round(bounds.high, 4) if bounds else None}


def accuracy_row(by_type: dict[str, int]) -> dict:
    """One group's counts as the API and the reports show them."""
    audited = sum(by_type.values())
    correct = by_type.get(ErrorType.CORRECT, 0)
    return {"audited": audited, "correct": correct, **proportion(correct, audited),
            "errors": {e: by_type.get(e, 0) for e in ERROR_TYPES}}


def merge(*tallies: dict[str, int]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for by_type in tallies:
        for error_type, n in by_type.items():
            total[error_type] += n
    return dict(total)


def collapse(counts: dict[tuple, dict[str, int]], *positions: int) -> dict[tuple, dict[str, int]]:
    """Sum a tally over every dimension except the ones at `positions` (a roll-up, done in Python)."""
    return rollups(counts, view=positions)["view"]


def weekly(user, *, date_from: datetime, date_to: datetime, by: str) -> dict:
    """Weekly accuracy with Wilson intervals, and the same per group (or error counts per error type)."""
    if by not in TREND_GROUPS:
        raise ValueError(f"by is one of {TREND_GROUPS}")
    decisions = decisions_between(user, date_from, date_to)
    weeks = weeks_between(date_from, date_to)
    counts = tally(decisions, "week", *([] if by == "error_type" else [by])).counts
    per_week = collapse(counts, 0)
    overall = []
    for week in weeks:
        overall.append({"week": week_label(week), "starts": week.isoformat(),
                        **accuracy_row(per_week.get((week,), {}))})
    groups = []
    if by == "error_type":
        for error_type in ERROR_TYPES:
            rows = []
            for week, total in zip(weeks, overall):
                n = per_week.get((week,), {}).get(error_type, 0)
                share = wilson(n, total["audited"])
                rows.append({"week": week_label(week), "count": n,
                             "share": round(n / total["audited"], 4) if total["audited"] else None,
                             "share_low": round(share.low, 4) if share else None,
                             "share_high": round(share.high, 4) if share else None})
            groups.append({"group": error_type, "total": sum(r["count"] for r in rows), "weeks": rows})
    else:
        names = sorted({key[1] for key in counts})
        for name in names:
            rows = [{"week": week_label(week), **accuracy_row(counts.get((week, name), {}))} for week in weeks]
            groups.append({"group": name, "audited": sum(r["audited"] for r in rows), "weeks": rows})
    return {"from": date_from.isoformat(), "to": date_to.isoformat(), "by": by,
            "overall": accuracy_row(merge(*per_week.values())), "weeks": overall, "groups": groups}


def pareto_rows(counts: dict, *, limit: int | None = None) -> list[dict]:
    """Causes ordered by errors, each with its share and the cumulative share; the vital few marked.

    `counts` maps a cause (a tuple of labels) to its number of errors. Ties are ordered by the labels, so the
    order is stable. Beyond `limit` causes, the rest are summed into one "(all others)" row.
    """
    total = sum(counts.values())
    ordered = sorted(((key, n) for key, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0]))
    rows, running = [], 0
    for key, n in ordered:
        before = running
        running += n
        rows.append({"cause": key, "errors": n, "share": round(n / total, 4),
                     "cumulative_share": round(running / total, 4),
                     "vital_few": before / total < VITAL_FEW_SHARE})
    if limit is not None and len(rows) > limit:
        rest = rows[limit:]
        rows = rows[:limit] + [{"cause": None, "errors": sum(r["errors"] for r in rest),
                                "share": round(sum(r["errors"] for r in rest) / total, 4),
                                "cumulative_share": 1.0, "vital_few": False, "others": len(rest)}]
    return rows


def pareto_from_tally(errors_tally: dict[tuple, dict[str, int]], *, limit: int = 30) -> dict:
    """Both Paretos from one tally of erroneous audits by (rca_category, error_policy)."""
    by_category: dict[tuple, int] = defaultdict(int)
    by_type_policy: dict[tuple, int] = defaultdict(int)
    for (category, policy), by_type in errors_tally.items():
        for error_type, n in by_type.items():
            if error_type == ErrorType.CORRECT:
                continue
            by_category[(category,)] += n
            by_type_policy[(error_type, policy)] += n
    categories = [{"cause": row["cause"][0], **{k: v for k, v in row.items() if k != "cause"}}
                  for row in pareto_rows(by_category)]
    pairs = []
    for row in pareto_rows(by_type_policy, limit=limit):
        cause = row.pop("cause")
        pairs.append({"error_type": cause[0] if cause else None, "policy": cause[1] if cause else None, **row})
    return {"errors": sum(by_category.values()), "by_rca_category": categories,
            "by_error_type_and_policy": pairs}


def pareto(user, *, date_from: datetime | None, date_to: datetime | None, limit: int = 30) -> dict:
    decisions = decisions_between(user, date_from, date_to)
    result = pareto_from_tally(tally(decisions, "rca_category", "error_policy", errors_only=True).counts, limit=limit)
    return {"from": date_from.isoformat() if date_from else None, "to": date_to.isoformat() if date_to else None,
            **result}


def appeal_outcomes(user, *, date_from: datetime, date_to: datetime) -> dict:
    """Appeals decided in [date_from, date_to) against decisions in the reader's quality scope."""
    counts = (Appeal.objects.filter(decision__in=decisions_in_quality_scope(user), decided_at__gte=date_from,
                                    decided_at__lt=date_to, status__in=["upheld", "overturned"])
              .aggregate(decided=Count("id"), overturned=Count("id", filter=Q(status="overturned"))))
    decided, overturned = counts["decided"] or 0, counts["overturned"] or 0
    bounds = wilson(overturned, decided)
    return {"decided": decided, "overturned": overturned, "upheld": decided - overturned,
            "overturn_rate": round(overturned / decided, 4) if decided else None,
            "wilson_low": round(bounds.low, 4) if bounds else None,
            "wilson_high": round(bounds.high, 4) if bounds else None}
