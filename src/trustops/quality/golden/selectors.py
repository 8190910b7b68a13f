"""Golden items: cases with a known answer placed in live queues. Reading them and their results.

A reviewer must never learn which cases are golden. Nothing in review's case outputs points here; only quality
readers see golden items, vendor managers see their own vendor's reviewers' results and nothing else, and
reviewers see neither (not even their own results, which would reveal which of their cases were golden).
"""
from collections import defaultdict
from datetime import datetime

from django.db.models import QuerySet

from trustops.identity import access
from trustops.identity.roles import AUDITOR_ROLES, REVIEWER_ROLES, Role
from trustops.intake.selectors import reports_for_case, signals_for_case
from trustops.quality.errors import derive_error_type
from trustops.quality.models import ErrorType, GoldenItem
from trustops.quality.selectors import decisions_in_quality_scope
from trustops.quality.stats import proportions
from trustops.review.hooks import Disguise
from trustops.review.models import OPEN_STATUSES, Decision

GROUPS = {"agent": "reviewer__username", "vendor": "reviewer__vendor__key"}
IN_HOUSE = "in-house"


def is_golden(case_id: int) -> bool:
    return GoldenItem.objects.filter(case_id=case_id).exists()


def withholds_enforcement(case) -> bool:
    """True for a golden case no real notice has reached: deciding it must change nothing outside quality data.

    Intake joins a new report or signal about a subject to that subject's open case, golden or not. Once a real
    notice has arrived, the case carries real work, so its decision is enforced and answered like any other
    (and still counts as a golden result).
    """
    if not is_golden(case.pk):
        return False
    return not reports_for_case(case, limit=1) and not signals_for_case(case, limit=1)


def disguise_for(case) -> Disguise | None:
    item = (GoldenItem.objects.select_related("source_case").filter(case_id=case.pk)
            .exclude(source_case__isnull=True).first())
    if item is None:
        return None
    source = item.source_case
    return Disguise(source_case_id=source.pk, source_opened_at=source.opened_at,
                    source_span=(source.last_reported_at - source.opened_at).total_seconds(),
                    opened_at=case.opened_at, span=(case.last_reported_at - case.opened_at).total_seconds(),
                    queue_key=case.queue.key)


def withheld_golden_case_ids() -> QuerySet:
    """Ids of golden cases no real notice has reached (a subquery): what `withholds_enforcement` says of each."""
    return (GoldenItem.objects.exclude(case__reports__isnull=False).exclude(case__signals__isnull=False)
            .values("case_id"))


def golden_items_visible_to(user) -> QuerySet[GoldenItem]:
    """Quality readers, within their cleared regions. Nobody else learns which cases are golden, and a quality
    reader who also takes cases (a team lead, a policy manager) sees a golden case only once it is decided."""
    if not access.reads_quality(user):
        return GoldenItem.objects.none()
    qs = GoldenItem.objects.all()
    if user.role in REVIEWER_ROLES and user.role not in AUDITOR_ROLES:
        qs = qs.exclude(case__status__in=OPEN_STATUSES)
    return qs.filter(access.case_filter(user, "case__"))


def golden_results_visible_to(user) -> QuerySet[Decision]:
    """Review decisions on golden cases. Quality readers: those in their quality scope. Vendor managers: their
    vendor's reviewers' decisions. Reviewers and everyone else: none."""
    if user.role == Role.VENDOR_MANAGER and user.vendor_id:
        qs = decisions_in_quality_scope(user)
    elif access.reads_quality(user):
        qs = decisions_in_quality_scope(user)
    else:
        return Decision.objects.none()
    return qs.filter(case__in=GoldenItem.objects.values("case_id"), verdict__in=["violation", "no_violation"],
                     appeal_of__isnull=True)


def golden_outcome(*, verdict: str, policy_code: str | None, actions: list[str], item: GoldenItem) -> str:
    """The error type of a decision judged against the golden answer (actions are not part of the answer)."""
    return derive_error_type(decided_verdict=verdict, decided_policy=policy_code, decided_actions=actions,
                             correct_verdict=item.expected_verdict,
                             correct_policy=item.expected_policy.code if item.expected_policy_id else None,
                             correct_actions=None)


def results(decisions: QuerySet[Decision]) -> list[dict]:
    """Each decision on a golden case with the answer it should have given and the derived error type."""
    rows = list(decisions.values("id", "case_id", "verdict", "policy__code", "actions", "decided_at",
                                 "handle_seconds", "reviewer__username", "reviewer__vendor__key"))
    items = {g.case_id: g for g in GoldenItem.objects.select_related("expected_policy")
             .filter(case_id__in={r["case_id"] for r in rows})}
    for row in rows:
        row["error_type"] = golden_outcome(verdict=row["verdict"], policy_code=row["policy__code"],
                                           actions=row["actions"], item=items[row["case_id"]])
    return rows


def _interval(correct: int, judged: int) -> tuple[float | None, float | None]:
    bounds = proportions.wilson_interval(correct, judged) if judged else None
    return (None, None) if bounds is None else (round(bounds.low, 4), round(bounds.high, 4))


def _summary(group: str | None, rows: list[dict]) -> dict:
    judged = len(rows)
    correct = sum(r["error_type"] == ErrorType.CORRECT for r in rows)
    low, high = _interval(correct, judged)
    errors = {e.value: sum(r["error_type"] == e for r in rows) for e in ErrorType if e != ErrorType.CORRECT}
    row = {"judged": judged, "correct": correct, "accuracy": round(correct / judged, 4) if judged else None,
           "wilson_low": low, "wilson_high": high, "errors": errors}
    return row if group is None else {"group": group, **row}


def golden_accuracy(user, *, date_from: datetime | None = None, date_to: datetime | None = None,
                    group_by: str = "agent") -> dict:
    """Per reviewer (or vendor) accuracy on golden items, with Wilson 95% intervals; no audit effort needed."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by is one of {', '.join(GROUPS)}")
    decisions = golden_results_visible_to(user)
    if date_from:
        decisions = decisions.filter(decided_at__gte=date_from)
    if date_to:
        decisions = decisions.filter(decided_at__lt=date_to)
    judged = results(decisions)
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in judged:
        key = row["reviewer__username"] if group_by == "agent" else row["reviewer__vendor__key"] or IN_HOUSE
        groups[key].append(row)
    return {"group_by": group_by, "date_from": date_from, "date_to": date_to,
            "rows": [_summary(key, groups[key]) for key in sorted(groups)],
            "overall": _summary(None, judged),
            "method": "decisions on golden cases judged against the known answer; Wilson 95% intervals"}


class GoldenProvider:
    """What review asks of golden items (review/hooks.py), registered by `QualityConfig.ready`."""

    def withholds_enforcement(self, case) -> bool:
        return withholds_enforcement(case)

    def withheld_case_ids(self):
        return withheld_golden_case_ids()

    def disguise_for(self, case) -> Disguise | None:
        return disguise_for(case)

    def golden_case_ids(self):
        return GoldenItem.objects.values("case_id")
