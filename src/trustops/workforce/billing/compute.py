"""An invoice's lines from a contract's terms and a month's measurement: pure arithmetic, no database.

Charges (per decision by queue or tier, per productive hour, fixed monthly plus marginal) come first; then
SLA credits, capped; then earn-back of earlier credits; then the quality bonus or malus. Every line carries the
reason it is there, and money is rounded to the cent per line (half up), so the total is the sum of the lines.

    amount at risk        R = charges × at_risk_percent / 100
    credit for a miss     C_q = R × credit_allocation_q / 100          (the SLA's share of the pool)
    credits in the month  min(Σ C_q, charges × cap / 100), cap = monthly_cap_percent or at_risk_percent
    quality               lower Wilson bound of audited accuracy < target → − charges × malus_percent / 100
                          lower bound ≥ bonus_above                     → + charges × bonus_percent / 100
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from trustops.workforce.billing.models import LineKind
from trustops.workforce.contracts.terms import Terms
from trustops.workforce.measurement.figures import Measurement, figures

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    kind: str
    description: str
    amount: Decimal
    queue_key: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    reason: str = ""


@dataclass
class EarlierCredit:
    """A credit of an earlier month that may be earned back, and whether the SLA was met in every month since."""
    month: str
    queue_key: str
    amount: Decimal            # the credit as billed (negative)
    met_since: bool


def _percent(value) -> str:
    return "n/a" if value is None else f"{float(value) * 100:.1f}%"


def sla_outcomes(terms: Terms, measurement: Measurement) -> dict[str, dict]:
    """Per SLA term: the target, what was measured, whether it was met (a queue with no decisions is not
    measured and neither meets nor misses)."""
    out = {}
    for sla in terms.sla:
        counts = measurement.by_queue.get(sla.queue)
        volume = counts.volume if counts else 0
        attainment = counts.within_sla / volume if volume else None
        out[sla.queue] = {"within_hours": float(sla.within_hours), "target_share": float(sla.target_share),
                          "volume": volume, "within_sla": counts.within_sla if counts else 0,
                          "attainment": attainment,
                          "met": None if attainment is None else attainment + 1e-12 >= float(sla.target_share),
                          "credit_allocation": float(sla.credit_allocation)}
    return out


def quality_outcome(terms: Terms, measurement: Measurement) -> dict | None:
    if terms.quality is None:
        return None
    quality = terms.quality
    measured = figures(measurement.total, float(quality.confidence))
    enough = measured["audited"] >= quality.min_audits
    low = measured["accuracy_low"]
    return {"target_accuracy": float(quality.target_accuracy), "confidence": float(quality.confidence),
            "audited": measured["audited"], "correct": measured["correct"], "accuracy": measured["accuracy"],
            "accuracy_low": low, "accuracy_high": measured["accuracy_high"], "enough_audits": enough,
            "met": (low + 1e-12 >= float(quality.target_accuracy)) if enough and low is not None else None,
            "bonus": bool(enough and low is not None and quality.bonus_above is not None
                          and low + 1e-12 >= float(quality.bonus_above))}


def charge_lines(terms: Terms, measurement: Measurement, queue_tiers: dict[str, int]) -> list[Line]:
    pricing = terms.pricing
    lines: list[Line] = []
    by_queue = {p.queue: p.price for p in pricing.per_decision if p.queue}
    by_tier = {p.tier: p.price for p in pricing.per_decision if p.tier}
    if pricing.per_decision:
        for key, counts in sorted(measurement.by_queue.items()):
            if not counts.volume:
                continue
            price, basis = by_queue.get(key), f"the {key} queue's price"
            if price is None and queue_tiers.get(key) in by_tier:
                price, basis = by_tier[queue_tiers[key]], f"the tier {queue_tiers[key]} price"
            if price is None:
                continue
            lines.append(Line(LineKind.DECISIONS, f"Decisions in {key}", money(price * counts.volume), key,
                              Decimal(counts.volume), price, f"{counts.volume:,} decisions at {basis}"))
    if pricing.per_productive_hour is not None:
        hours = Decimal(measurement.total.handle_seconds) / Decimal(3600)
        rate = pricing.per_productive_hour
        lines.append(Line(LineKind.HOURS, "Productive hours", money(hours * rate), "", hours.quantize(Decimal("0.0001")),
                          rate, f"{hours:.2f} h of handle time recorded on decisions"))
    if pricing.fixed_monthly is not None:
        fixed = pricing.fixed_monthly
        lines.append(Line(LineKind.FIXED, "Fixed monthly fee", money(fixed.fee), reason=
                          f"covers {fixed.included_decisions:,} decisions"))
        above = max(0, measurement.total.volume - fixed.included_decisions)
        if above:
            lines.append(Line(LineKind.MARGINAL, "Decisions above the included volume",
                              money(fixed.marginal_price * above), "", Decimal(above), fixed.marginal_price,
                              f"{measurement.total.volume:,} decisions, {fixed.included_decisions:,} included"))
    return lines


def credit_lines(terms: Terms, charges: Decimal, outcomes: dict[str, dict]) -> list[Line]:
    if terms.credits is None:
        return []
    at_risk = charges * terms.credits.at_risk_percent / HUNDRED
    lines = []
    for sla in terms.sla:
        outcome = outcomes[sla.queue]
        if outcome["met"] is not False or sla.credit_allocation <= 0:
            continue
        amount = money(at_risk * sla.credit_allocation / HUNDRED)
        lines.append(Line(LineKind.SLA_CREDIT, f"SLA credit: {sla.queue}", -amount, sla.queue, reason=(
            f"{_percent(outcome['attainment'])} decided within {sla.within_hours} h of intake against a target "
            f"of {_percent(sla.target_share)}; {sla.credit_allocation}% of the {terms.credits.at_risk_percent}% "
            f"at risk")))
    cap_percent = terms.credits.monthly_cap_percent
    if cap_percent is None:
        cap_percent = terms.credits.at_risk_percent
    cap = money(charges * cap_percent / HUNDRED)
    total = -sum((line.amount for line in lines), Decimal(0))
    if total > cap:
        lines.append(Line(LineKind.CREDIT_CAP, "Credits above the monthly cap", total - cap, reason=(
            f"credits of {total} exceed the cap of {cap_percent}% of charges ({cap})")))
    return lines


def earn_back_lines(terms: Terms, earlier: list[EarlierCredit]) -> list[Line]:
    if terms.credits is None or not terms.credits.earn_back_months:
        return []
    months = terms.credits.earn_back_months
    return [Line(LineKind.EARN_BACK, f"Earn-back: {credit.queue_key} ({credit.month})", -credit.amount,
                 credit.queue_key, reason=f"the SLA was met in each of the {months} months after {credit.month}")
            for credit in earlier if credit.met_since and credit.amount < 0]


def quality_lines(terms: Terms, charges: Decimal, outcome: dict | None) -> list[Line]:
    if outcome is None:
        return []
    quality = terms.quality
    measured = (f"{outcome['correct']:,} of {outcome['audited']:,} audits correct "
                f"({_percent(outcome['accuracy'])}, lower bound {_percent(outcome['accuracy_low'])})")
    if not outcome["enough_audits"]:
        return [Line(LineKind.QUALITY_MALUS, "Quality: not assessed", Decimal("0.00"), reason=(
            f"{outcome['audited']:,} audits, fewer than the {quality.min_audits} the contract needs"))]
    if outcome["bonus"] and quality.bonus_percent > 0:
        return [Line(LineKind.QUALITY_BONUS, "Quality bonus", money(charges * quality.bonus_percent / HUNDRED),
                     reason=f"{measured} reaches the bonus threshold of {_percent(quality.bonus_above)}")]
    if outcome["met"] is False and quality.malus_percent > 0:
        return [Line(LineKind.QUALITY_MALUS, "Quality malus", -money(charges * quality.malus_percent / HUNDRED),
                     reason=f"{measured} is below the target of {_percent(quality.target_accuracy)}")]
    return []


@dataclass
class Computed:
    lines: list[Line]
    charges: Decimal
    credits: Decimal
    adjustments: Decimal
    total: Decimal
    sla: dict
    quality: dict | None


def compute(terms: Terms, measurement: Measurement, *, queue_tiers: dict[str, int],
            earlier: list[EarlierCredit] = ()) -> Computed:
    charges_lines = charge_lines(terms, measurement, queue_tiers)
    charges = sum((line.amount for line in charges_lines), Decimal("0.00"))
    outcomes = sla_outcomes(terms, measurement)
    credits = credit_lines(terms, charges, outcomes) + earn_back_lines(terms, list(earlier))
    quality = quality_outcome(terms, measurement)
    adjustments = quality_lines(terms, charges, quality)
    credit_total = sum((line.amount for line in credits), Decimal("0.00"))
    adjustment_total = sum((line.amount for line in adjustments), Decimal("0.00"))
    return Computed(lines=charges_lines + credits + adjustments, charges=charges, credits=credit_total,
                    adjustments=adjustment_total, total=charges + credit_total + adjustment_total,
                    sla=outcomes, quality=quality)
