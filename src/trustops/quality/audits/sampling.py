"""Drawing audit samples: stratified, reproducible, with oversampling of new or weak reviewers.

Within each stratum the decisions of oversampled reviewers form their own sub-stratum, so every draw has an
exact inclusion probability (sampled / population of its sub-stratum); estimates weight audits by its inverse.
"""
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Min, Q

from trustops.identity.models import User
from trustops.identity.roles import AUDITOR_ROLES, QA_LEAD_ROLES
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden, Invalid
from trustops.ledger import services as ledger
from trustops.quality.models import Audit, AuditTask, GoldenItem, Sample
from trustops.quality.selectors import decisions_in_quality_scope
from trustops.quality.stats import proportions
from trustops.review.models import Decision

STRATA = {"vendor": "reviewer__vendor__key", "team": "reviewer__team__key", "agent": "reviewer__username",
          "queue": "queue__key", "policy": "policy__code"}
MAX_SAMPLE = 20_000
# Below this many audits a stratum's own accuracy is too uncertain to report (insights' MIN_STABLE_AUDITS).
MIN_STRATUM_AUDITS = 30


@dataclass
class SampleRequest:
    period_start: datetime
    period_end: datetime
    strata: list[str] = field(default_factory=list)
    size: int | None = None
    margin: float | None = None
    confidence: float = 0.95
    expected_accuracy: float = 0.9
    seed: int = 1
    queues: list[str] = field(default_factory=list)
    vendors: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    oversample_new_agents_days: int | None = None
    oversample_below_accuracy: float | None = None
    oversample_factor: float = 2.0
    auditors: list[str] = field(default_factory=list)
    blind: bool = True


def _validate(request: SampleRequest) -> None:
    if request.period_end <= request.period_start:
        raise Invalid("invalid_period", "The period must end after it starts.", field="period")
    unknown = sorted(set(request.strata) - set(STRATA))
    if unknown:
        raise Invalid("unknown_stratum", f"Strata are any of {', '.join(STRATA)}.", field="strata")
    if (request.size is None) == (request.margin is None):
        raise Invalid("size_or_margin", "Give either a fixed size or a target margin of error.", field="size")
    if request.size is not None and not 1 <= request.size <= MAX_SAMPLE:
        raise Invalid("invalid_size", f"size must be within 1..{MAX_SAMPLE}.", field="size")
    if request.margin is not None and not 0 < request.margin < 0.5:
        raise Invalid("invalid_margin", "margin must be within (0, 0.5).", field="margin")
    if not 0.5 < request.confidence < 1:
        raise Invalid("invalid_confidence", "confidence must be within (0.5, 1).", field="confidence")
    if not 0 < request.expected_accuracy < 1:
        raise Invalid("invalid_expected_accuracy", "expected_accuracy must be within (0, 1).",
                      field="expected_accuracy")
    if request.oversample_factor < 1:
        raise Invalid("invalid_factor", "oversample_factor must be at least 1.", field="oversample_factor")


def _population(actor, request: SampleRequest):
    qs = (decisions_in_quality_scope(actor)
          .filter(decided_at__gte=request.period_start, decided_at__lt=request.period_end,
                  verdict__in=["violation", "no_violation"], appeal_of__isnull=True)
          .exclude(pk__in=Audit.objects.values("decision_id"))
          .exclude(pk__in=AuditTask.objects.filter(status="open").values("decision_id"))
          # Golden cases are judged against their known answer already (quality/golden/).
          .exclude(case__in=GoldenItem.objects.values("case_id")))
    if request.queues:
        qs = qs.filter(queue__key__in=request.queues)
    if request.vendors:
        in_house = "in-house" in request.vendors
        qs = qs.filter(Q(reviewer__vendor__key__in=request.vendors) | Q(reviewer__vendor__isnull=in_house)
                       if in_house else Q(reviewer__vendor__key__in=request.vendors))
    if request.teams:
        qs = qs.filter(reviewer__team__key__in=request.teams)
    if request.agents:
        qs = qs.filter(reviewer__username__in=request.agents)
    if request.policies:
        match = Q()
        for prefix in request.policies:
            match |= Q(policy__code=prefix) | Q(policy__code__startswith=prefix + ".")
        qs = qs.filter(match)
    fields = ["id", "reviewer_id", *[STRATA[s] for s in request.strata]]
    return list(qs.order_by("id").values_list(*fields))


def _oversampled_reviewers(request: SampleRequest, reviewer_ids: set[int]) -> set[int]:
    flagged: set[int] = set()
    if request.oversample_new_agents_days:
        since = request.period_end - timedelta(days=request.oversample_new_agents_days)
        firsts = (Decision.objects.filter(reviewer_id__in=reviewer_ids).values("reviewer_id")
                  .annotate(first=Min("decided_at")))
        flagged |= {row["reviewer_id"] for row in firsts if row["first"] >= since}
    if request.oversample_below_accuracy is not None:
        rows = (Audit.objects.filter(decision__reviewer_id__in=reviewer_ids, created_at__lt=request.period_end)
                .values("decision__reviewer_id")
                .annotate(n=Count("id"), ok=Count("id", filter=Q(error_type="correct"))))
        flagged |= {r["decision__reviewer_id"] for r in rows
                    if r["n"] >= 10 and r["ok"] / r["n"] < request.oversample_below_accuracy}
    return flagged


def _allocate_fixed(sizes: dict[str, float], total: int) -> dict[str, int]:
    """Proportional allocation by largest remainder; never more than a stratum holds."""
    whole = sum(sizes.values())
    if whole == 0:
        return {k: 0 for k in sizes}
    raw = {k: total * v / whole for k, v in sizes.items()}
    alloc = {k: int(v) for k, v in raw.items()}
    for key in sorted(raw, key=lambda k: raw[k] - alloc[k], reverse=True)[: total - sum(alloc.values())]:
        alloc[key] += 1
    return alloc


def _plan(actor, request: SampleRequest):
    """The population grouped by stratum and sub-stratum, each stratum's target size, the oversampled reviewers."""
    rows = _population(actor, request)
    flagged = _oversampled_reviewers(request, {r[1] for r in rows})

    # stratum → sub-stratum (oversampled or not) → decision ids (sorted, so the draw is reproducible)
    groups: dict[str, dict[bool, list[tuple[int, int]]]] = defaultdict(lambda: {True: [], False: []})
    for row in rows:
        key = "|".join(f"{name}={value if value is not None else 'in-house' if name == 'vendor' else '-'}"
                       for name, value in zip(request.strata, row[2:])) or "all"
        groups[key][row[1] in flagged].append((row[0], row[1]))

    if request.size is not None:
        targets = _allocate_fixed({k: len(g[True]) * request.oversample_factor + len(g[False])
                                   for k, g in groups.items()}, min(request.size, len(rows)))
    else:
        targets = {k: proportions.sample_size_for_proportion(
            request.expected_accuracy, request.margin, confidence=request.confidence,
            population=len(g[True]) + len(g[False])) for k, g in groups.items()}
    return groups, targets, flagged


def _draws(group: dict[bool, list], target: int, factor: float) -> dict[bool, int]:
    """How many of a stratum's oversampled (True) and other (False) decisions are drawn."""
    n_total = min(target, len(group[True]) + len(group[False]))
    split = _allocate_fixed({True: len(group[True]) * factor, False: len(group[False])}, n_total)
    return {over: min(split[over], len(group[over])) for over in (True, False)}


def stratum_too_small(sampled: int) -> bool:
    """Too few audits in a stratum for its own accuracy to mean much (the Monthly Quality Report's bar too)."""
    return sampled < MIN_STRATUM_AUDITS


def preview(*, actor, request: SampleRequest) -> dict:
    """What `draw_sample` would draw, without drawing: each stratum's population and sample size. Reads only."""
    if actor.role not in AUDITOR_ROLES | QA_LEAD_ROLES:
        raise Forbidden("auditors_only", "Only QA auditors and leads draw samples.")
    _validate(request)
    groups, targets, flagged = _plan(actor, request)
    strata = []
    for key in sorted(groups):
        group = groups[key]
        population = len(group[True]) + len(group[False])
        sampled = sum(_draws(group, targets.get(key, 0), request.oversample_factor).values())
        strata.append({"stratum": key, "population": population, "sampled": sampled,
                       "oversampled_population": len(group[True]), "too_small": stratum_too_small(sampled)})
    return {"population": sum(s["population"] for s in strata), "sampled": sum(s["sampled"] for s in strata),
            "oversampled_reviewers": len(flagged), "strata": strata}


@transaction.atomic
def draw_sample(*, actor, request: SampleRequest) -> Sample:
    if actor.role not in AUDITOR_ROLES | QA_LEAD_ROLES:
        raise Forbidden("auditors_only", "Only QA auditors and leads draw samples.")
    _validate(request)
    auditors = list(User.objects.filter(username__in=request.auditors, is_active=True))
    missing = sorted(set(request.auditors) - {a.username for a in auditors})
    if missing or any(a.role not in AUDITOR_ROLES for a in auditors):
        raise Invalid("unknown_auditor", f"Not auditors: {', '.join(missing) or 'some names'}.", field="auditors")
    groups, targets, flagged = _plan(actor, request)
    population = sum(len(g[True]) + len(g[False]) for g in groups.values())
    now = clock.now()
    sample = Sample.objects.create(
        created_by=actor, created_at=now, period_start=request.period_start, period_end=request.period_end,
        filters={"queues": request.queues, "vendors": request.vendors, "teams": request.teams,
                 "agents": request.agents, "policies": request.policies},
        strata=request.strata, seed=request.seed, population=population, blind=request.blind,
        design={"size": request.size, "margin": request.margin, "confidence": request.confidence,
                "expected_accuracy": request.expected_accuracy, "auditors": request.auditors,
                "oversample": {"new_agents_days": request.oversample_new_agents_days,
                               "below_accuracy": request.oversample_below_accuracy,
                               "factor": request.oversample_factor, "reviewers": len(flagged)}})
    tasks, allocation = [], []
    turn = 0
    for key in sorted(groups):
        group = groups[key]
        split = _draws(group, targets.get(key, 0), request.oversample_factor)
        drawn = 0
        for over in (True, False):
            members, n = group[over], split[over]
            if not members or not n:
                continue
            rng = random.Random(f"{request.seed}:{key}:{over}")
            for decision_id, reviewer_id in sorted(rng.sample(members, n)):
                eligible = [a for a in auditors if a.pk != reviewer_id]   # never one's own decisions
                assignee = eligible[turn % len(eligible)] if eligible else None
                turn += 1
                tasks.append(AuditTask(sample=sample, decision_id=decision_id, stratum=key, created_at=now,
                                       inclusion_probability=n / len(members), assignee=assignee))
            drawn += n
        allocation.append({"stratum": key, "population": len(group[True]) + len(group[False]), "sampled": drawn,
                           "oversampled_population": len(group[True])})
    AuditTask.objects.bulk_create(tasks, batch_size=1000)
    sample.allocation = allocation
    sample.save(update_fields=["allocation"])
    ledger.record("qa.sample_drawn", actor=actor, payload={
        "sample_id": sample.pk, "population": population, "tasks": len(tasks), "strata": request.strata,
        "seed": request.seed})
    return sample
