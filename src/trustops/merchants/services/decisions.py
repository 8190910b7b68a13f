"""Figures from the platform, decisions on funds and benefits, and the merchant's appeals of them.

A decision sets a payout level, a reserve or revokes benefits, with a reason and optionally an end; reversing it
removes it. Every change re-applies the merchant's standing, so its effect and reason reach the ledger and the
platform. Each decision is also a review decision (`review.requests.record_direct_decision`), so the merchant
appeals it through review's appeals: another merchant specialist works the appeal case in the merchants queue,
and an overturn reverses the decision (`merchants/appeals.py`).
"""
from datetime import date

from django.conf import settings
from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.canonical import digest
from trustops.kernel.errors import Invalid, NotFound
from trustops.merchants import rules as rules_module
from trustops.merchants.models import DailyMetrics, Merchant
from trustops.merchants.services import standing
from trustops.merchants.services.common import locked, record, require
from trustops.review import appeals
from trustops.review.requests import record_direct_decision

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
    made = {"reason": reason, "by": getattr(actor, "username", str(actor)), "at": clock.now().isoformat(),
            "until": until.isoformat() if until else None}
    changes, said = {}, []
    if payout is not None:
        if payout not in rules_module.PAYOUTS:
            raise Invalid("invalid_field", f"payout is one of {', '.join(rules_module.PAYOUTS)}.", field="payout")
        changes["payout"] = {**made, "value": payout}
        said.append(f"payout {payout}")
    if reserve_percent is not None or reserve_days is not None:
        if reserve_percent is None or reserve_days is None:
            raise Invalid("invalid_field", "A reserve needs both its percent and its days.", field="reserve_percent")
        rules_module.check_reserve(reserve_percent, reserve_days, field="reserve")
        changes["reserve"] = {**made, "percent": reserve_percent, "days": reserve_days}
        said.append(f"reserve {reserve_percent:g}% for {reserve_days} days")
    if revoke_benefits:
        unknown = sorted(set(revoke_benefits) - set(BENEFITS))
        if unknown:
            raise Invalid("invalid_field", f"Unknown benefits {', '.join(unknown)}.", field="revoke_benefits")
        changes["benefits"] = {**made, "revoked": sorted(set(revoke_benefits))}
        said.append(f"benefits revoked: {', '.join(changes['benefits']['revoked'])}")
    if not changes:
        raise Invalid("nothing_decided", "Name a payout, a reserve or benefits to revoke.", field="payout")
    decision = record_direct_decision(subject=merchant.account, queue_key=settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"],
                                      actor=actor, rationale=f"{'; '.join(said)}. {reason}", what="funds")
    merchant.overrides = {**(merchant.overrides or {}),
                          **{what: {**change, "decision_id": decision.pk} for what, change in changes.items()}}
    record("merchant.funds_decided", merchant, actor, decision=merchant.overrides, reason=reason,
           decision_id=decision.pk)
    return standing.refresh(merchant, actor=actor)


@transaction.atomic
def reverse_decision(*, actor, external_id: str, what: str, reason: str) -> Merchant:
    require(access.governs_merchants(actor), "reverse decisions on merchants' funds and benefits")
    merchant = locked(actor, external_id)
    return remove_decision(merchant, actor, what, reason)


def remove_decision(merchant: Merchant, actor, what: str, reason: str) -> Merchant:
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
                    remove_decision(merchant, "funds-decisions", what, "the decision ran out")
                    done += 1
    return done


APPEALABLE = ("payout", "reserve", "benefits", "status")


def decision_in_force(merchant: Merchant, about: str) -> int | None:
    """The review decision behind the merchant's payout, reserve, benefits or status, if a person made one."""
    if about == "status":
        return merchant.status_decision_id
    return (merchant.overrides or {}).get(about, {}).get("decision_id")


@transaction.atomic
def appeal(*, actor, external_id: str, about: str, statement: str, idempotency_key: str = "") -> tuple[int, dict]:
    """The merchant appeals the decision behind its payout, reserve, benefits or status, through review's
    appeals: (201, the appeal) or (200, the same appeal) for a replay of its key."""
    require(access.onboards_merchants(actor), "appeal for a merchant")
    merchant = locked(actor, external_id)
    if about not in APPEALABLE:
        raise Invalid("invalid_field", f"about is one of {', '.join(APPEALABLE)}.", field="about")
    if not statement.strip():
        raise Invalid("statement_required", "Say why the decision is wrong.", field="statement")
    decision_id = decision_in_force(merchant, about)
    if decision_id is None:
        raise NotFound("decision_not_found", f"No decision on this merchant's {about} is in force to appeal.",
                       field="about")
    status, body = appeals.submit_appeal(submitter=actor, decision_id=decision_id, statement=statement,
                                         idempotency_key=idempotency_key or f"merchant:{decision_id}:{digest(statement)[:32]}")
    if status == 201:
        record("merchant.appealed", merchant, actor, about=about, decision_id=decision_id,
               appeal_id=body["appeal_id"], case=body["case_id"])
    return status, {**body, "about": about}
