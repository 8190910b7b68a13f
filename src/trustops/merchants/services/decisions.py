"""Figures from the platform, decisions on funds and benefits, and the merchant's appeals of them.

A decision sets a payout level, a reserve or revokes benefits, with a reason and optionally an end; reversing it
removes it. Every change re-applies the merchant's standing, so its effect and reason reach the ledger and the
platform. Each decision is also a review decision (`review.requests.record_direct_decision`), so the merchant
appeals it through review's appeals: another merchant specialist works the appeal case in the merchants queue,
and an overturn reverses the decision (`merchants/appeals.py`).
"""
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.kernel.canonical import digest
from trustops.kernel.errors import Invalid, NotFound
from trustops.merchants import rules as rules_module
from trustops.merchants import selectors
from trustops.merchants.models import DailyMetrics, Merchant
from trustops.merchants.services import standing
from trustops.merchants.services.common import locked, record, require
from trustops.review import appeals
from trustops.review.models import Decision
from trustops.review.requests import record_direct_decision

METRIC_FIELDS = ("orders", "gross_amount", "refunds", "refund_amount", "chargebacks", "chargeback_amount",
                 "no_shows", "complaints", "response_minutes", "audits_failed")
BENEFITS = ("promotion_eligible", "ranking_boost", "subsidies", "badges")
RELIEF_DAYS = 30        # how long an overturned appeal of the rules keeps them off the merchant
REVERSIBLE = ("payout", "reserve", "benefits", "relief_payout", "relief_reserve", "relief_benefits")
RULES_ACCOUNT = "merchant-rules"


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
    if what not in REVERSIBLE or what not in overrides:
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


@transaction.atomic
def appeal(*, actor, external_id: str, about: str, statement: str, idempotency_key: str = "") -> tuple[int, dict]:
    """The merchant appeals the decision behind its payout, reserve, benefits or status, through review's
    appeals: (201, the appeal) or (200, the same appeal) for a replay of its key."""
    require(access.onboards_merchants(actor), "appeal for a merchant")
    merchant = locked(actor, external_id)
    if about not in selectors.APPEALABLE:
        raise Invalid("invalid_field", f"about is one of {', '.join(selectors.APPEALABLE)}.", field="about")
    if not statement.strip():
        raise Invalid("statement_required", "Say why the decision is wrong.", field="statement")
    decision_id = selectors.decision_in_force(merchant, about) or _rules_decision(merchant, about)
    if decision_id is None:
        raise NotFound("decision_not_found", f"Nothing restricts this merchant's {about}: no decision to appeal.",
                       field="about")
    key = idempotency_key or f"merchant:{decision_id}:{digest(statement)[:32]}"
    status, body = appeals.submit_appeal(submitter=actor, decision_id=decision_id, statement=statement,
                                         idempotency_key=key)
    if status == 201:
        record("merchant.appealed", merchant, actor, about=about, decision_id=decision_id,
               appeal_id=body["appeal_id"], case=body["case_id"])
    return status, {**body, "about": about}


def _rules_decision(merchant: Merchant, about: str) -> int | None:
    """The rules' payout, reserve or benefits, recorded as a decision of the rules' account when the merchant
    appeals them, so that review's appeals take it like any other. None when the rules restrict nothing."""
    restricting = selectors.rules_restrictions(merchant).get(about)
    if restricting is None:
        return None
    known = (merchant.rule_decisions or {}).get(about)
    if known:
        # One appeal per standing: the same decision (a replay, or "already appealed") until the band moves.
        decided_at = Decision.objects.filter(pk=known).values_list("decided_at", flat=True).first()
        if decided_at and (merchant.band_since is None or merchant.band_since <= decided_at):
            return known
    decision = record_direct_decision(subject=merchant.account, queue_key=settings.TRUSTOPS["MERCHANT_REVIEW_QUEUE"],
                                      actor=rules_account(), what=f"rules:{about}",
                                      rationale=f"the rules set the merchant's {about}: {restricting}")
    merchant.rule_decisions = {**(merchant.rule_decisions or {}), about: decision.pk}
    merchant.save(update_fields=["rule_decisions"])
    record("merchant.rules_recorded_for_appeal", merchant, None, about=about, decision_id=decision.pk,
           reasons=restricting)
    return decision.pk


def rules_account():
    """The account the rules' own decisions are recorded under: an integration account, so that they read as
    automated wherever decisions are reported; it signs in nowhere (no password, no token, no region)."""
    found = User.objects.filter(username=RULES_ACCOUNT).first()
    return found or identity.create_user(username=RULES_ACCOUNT, role=Role.INTEGRATION, regions=[])


def grant_relief(merchant: Merchant, actor, about: str, reason: str, decision_id: int) -> Merchant:
    """An overturned appeal of the rules: for RELIEF_DAYS they count as a healthy merchant's for `about`."""
    until = clock.now().date() + timedelta(days=RELIEF_DAYS)
    merchant.overrides = {**(merchant.overrides or {}), f"relief_{about}": {
        "reason": reason, "by": getattr(actor, "username", str(actor)), "at": clock.now().isoformat(),
        "until": until.isoformat(), "decision_id": decision_id}}
    merchant.rule_decisions = {k: v for k, v in (merchant.rule_decisions or {}).items() if k != about}
    record("merchant.relief_granted", merchant, actor, about=about, until=until, decision_id=decision_id,
           reason=reason)
    return standing.refresh(merchant, actor=actor)
