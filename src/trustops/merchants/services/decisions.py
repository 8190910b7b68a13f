"""Figures from the platform, decisions on funds and benefits, and contests of them.

A decision sets a payout level, a reserve or revokes benefits, with a reason and optionally an end; reversing it
removes it. Every change re-applies the merchant's standing, so its effect and reason reach the ledger and the
platform. A contest is the merchant's appeal of such a change: review's appeals are of case decisions, which
these are not, so a contest is recorded here and routed as a merchant review case; upholding or reversing it is
a merchant specialist's act here, and reversing removes the decision contested.
"""
from datetime import date

from django.conf import settings
from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.merchants import rules as rules_module
from trustops.merchants.models import Contest, DailyMetrics, Merchant
from trustops.merchants.services import standing
from trustops.merchants.services.common import locked, record, require
from trustops.review.models import CaseKind
from trustops.review.requests import open_review_case

METRIC_FIELDS = ("orders", "gross_amount", "refunds", "refund_amount", "chargebacks", "chargeback_amount",
                 "no_shows", "complaints", "response_minutes", "audits_failed")
BENEFITS = ("promotion_eligible", "ranking_boost", "subsidies", "badges")


@transaction.atomic
def post_metrics(*, actor, external_id: str, days: list[dict]) -> Merchant:
    require(access.onboards_merchants(actor), "send merchants' figures")
    merchant = locked(actor, external_id)
    today = clock.now().date()
    for i, row in enumerate(days):
        if row["day"] > today:
            raise Invalid("day_in_future", "Figures are for days that have passed.", field=f"days.{i}.day")
        if row.get("refunds", 0) > row.get("orders", 0) or row.get("no_shows", 0) > row.get("orders", 0):
            raise Invalid("invalid_field", "Refunds and no-shows cannot exceed orders.", field=f"days.{i}.refunds")
        DailyMetrics.objects.update_or_create(merchant=merchant, day=row["day"],
                                              defaults={k: row.get(k, 0) for k in METRIC_FIELDS})
    record("merchant.metrics_received", merchant, actor, days=[str(r["day"]) for r in days])
    return standing.refresh(merchant, actor=actor)


@transaction.atomic
def decide_funds(*, actor, external_id: str, reason: str, payout: str | None = None,
                 reserve_percent: float | None = None, reserve_days: int | None = None,
                 revoke_benefits: list[str] | None = None, until: date | None = None) -> Merchant:
    require(access.governs_merchants(actor), "decide on merchants' funds and benefits")
    merchant = locked(actor, external_id)
    if not reason.strip():
        raise Invalid("reason_required", "A decision on funds or benefits needs a reason.", field="reason")
    overrides = dict(merchant.overrides or {})
    made = {"reason": reason, "by": getattr(actor, "username", str(actor)), "at": clock.now().isoformat(),
            "until": until.isoformat() if until else None}
    if payout is not None:
        if payout not in rules_module.PAYOUTS:
            raise Invalid("invalid_field", f"payout is one of {', '.join(rules_module.PAYOUTS)}.", field="payout")
        overrides["payout"] = {**made, "value": payout}
    if reserve_percent is not None or reserve_days is not None:
        if reserve_percent is None or reserve_days is None:
            raise Invalid("invalid_field", "A reserve needs both its percent and its days.", field="reserve_percent")
        rules_module.check_reserve(reserve_percent, reserve_days, field="reserve")
        overrides["reserve"] = {**made, "percent": reserve_percent, "days": reserve_days}
    if revoke_benefits:
        unknown = sorted(set(revoke_benefits) - set(BENEFITS))
        if unknown:
            raise Invalid("invalid_field", f"Unknown benefits {', '.join(unknown)}.", field="revoke_benefits")
        overrides["benefits"] = {**made, "revoked": sorted(set(revoke_benefits))}
    if overrides == (merchant.overrides or {}):
        raise Invalid("nothing_decided", "Name a payout, a reserve or benefits to revoke.", field="payout")
    merchant.overrides = overrides
    record("merchant.funds_decided", merchant, actor, decision=overrides, reason=reason)
    return standing.refresh(merchant, actor=actor)


@transaction.atomic
def reverse_decision(*, actor, external_id: str, what: str, reason: str) -> Merchant:
    require(access.governs_merchants(actor), "reverse decisions on merchants' funds and benefits")
    merchant = locked(actor, external_id)
    return _reverse(merchant, actor, what, reason)


def _reverse(merchant: Merchant, actor, what: str, reason: str) -> Merchant:
    overrides = dict(merchant.overrides or {})
    if what not in ("payout", "reserve", "benefits") or what not in overrides:
        raise NotFound("decision_not_found", f"No decision on {what} is in force.")
    if not reason.strip():
        raise Invalid("reason_required", "A reversal needs a reason.", field="reason")
    removed = overrides.pop(what)
    merchant.overrides = overrides
    record("merchant.funds_decision_reversed", merchant, actor, what=what, decision=removed, reason=reason)
    return standing.refresh(merchant, actor=actor)


def expire_decisions(today: date | None = None) -> int:
    """Decisions past their end are reversed by the nightly job."""
    today = today or clock.now().date()
    done = 0
    for merchant_id in Merchant.objects.exclude(overrides={}).values_list("pk", flat=True):
        with transaction.atomic():
            merchant = Merchant.objects.select_for_update().get(pk=merchant_id)
            for what, decision in list((merchant.overrides or {}).items()):
                if decision.get("until") and date.fromisoformat(decision["until"]) < today:
                    _reverse(merchant, "funds-decisions", what, "the decision ran out")
                    done += 1
    return done


@transaction.atomic
def contest(*, actor, external_id: str, about: str, statement: str) -> Contest:
    require(access.onboards_merchants(actor), "contest for a merchant")
    merchant = locked(actor, external_id)
    if about not in ("payout", "reserve", "benefits", "status"):
        raise Invalid("invalid_field", "about is payout, reserve, benefits or status.", field="about")
    if not statement.strip():
        raise Invalid("statement_required", "Say why the change is wrong.", field="statement")
    case = open_review_case(subject=merchant.account, kind=CaseKind.MERCHANT_REVIEW,
                            queue_key=settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"], actor=actor,
                            reason=f"merchant contests its {about}: {statement[:200]}")
    found = Contest.objects.create(merchant=merchant, about=about, statement=statement, case_id=case.pk,
                                   opened_at=clock.now())
    record("merchant.contested", merchant, actor, contest=found.pk, about=about, case=case.pk)
    return found


@transaction.atomic
def decide_contest(*, actor, external_id: str, contest_id: int, outcome: str, reason: str) -> Contest:
    require(access.governs_merchants(actor), "decide merchants' contests")
    merchant = locked(actor, external_id)
    found = Contest.objects.filter(merchant=merchant, pk=contest_id).first()
    if found is None:
        raise NotFound("contest_not_found", f"No contest {contest_id} of this merchant.")
    if found.outcome:
        raise Conflict("already_decided", f"This contest was {found.outcome}.")
    if outcome not in ("upheld", "reversed"):
        raise Invalid("invalid_field", "outcome is upheld or reversed.", field="outcome")
    if not reason.strip():
        raise Invalid("reason_required", "A contest's outcome needs a reason.", field="reason")
    found.outcome, found.reason, found.decided_at = outcome, reason, clock.now()
    found.save()
    record("merchant.contest_decided", merchant, actor, contest=found.pk, outcome=outcome, reason=reason)
    if outcome == "reversed" and found.about in (merchant.overrides or {}):
        _reverse(merchant, actor, found.about, f"contest {found.pk} reversed: {reason}")
    return found
