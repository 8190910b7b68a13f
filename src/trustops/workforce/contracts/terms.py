"""A contract version's terms as one document, and every check that makes it computable.

The shape is checked by pydantic (types, bounds); `problems` adds what needs the database or the whole
document (queues that exist, allocations within the pool, at least one way to be paid). Every problem is
listed with its field path, so a contract is either whole and computable or refused with all its reasons.
"""
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Money = Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"), max_digits=16, decimal_places=4)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)]
QueueKey = Annotated[str, Field(min_length=1, max_length=64)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Tag = Annotated[str, Field(min_length=1, max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionPrice(_Strict):
    """A price per decision for one queue, or for every queue of a complexity tier without its own price."""
    queue: QueueKey | None = None
    tier: int | None = Field(default=None, ge=1, le=9)
    price: Money


class FixedMonthly(_Strict):
    """A fixed monthly fee covering `included_decisions`; each decision above them at `marginal_price`."""
    fee: Money
    included_decisions: int = Field(ge=0, le=1_000_000_000)
    marginal_price: Money


class Pricing(_Strict):
    per_decision: list[DecisionPrice] = Field(default_factory=list, max_length=200)
    per_productive_hour: Money | None = None
    fixed_monthly: FixedMonthly | None = None


class SlaTerm(_Strict):
    """`target_share` of the queue's cases decided within `within_hours` of intake; a miss costs
    `credit_allocation` percent of the amount at risk (allocations may add up to more than 100: the pool)."""
    queue: QueueKey
    within_hours: Decimal = Field(gt=0, le=24 * 366, max_digits=8, decimal_places=2)
    target_share: Decimal = Field(gt=0, le=1, max_digits=6, decimal_places=4)
    credit_allocation: Percent = Decimal(0)


class QualityTerm(_Strict):
    """The lower bound of the Wilson interval of audited accuracy must reach `target_accuracy`; below it a malus
    of `malus_percent` of the charges, at or above `bonus_above` a bonus of `bonus_percent`."""
    target_accuracy: Decimal = Field(gt=0, le=1, max_digits=6, decimal_places=4)
    confidence: Decimal = Field(default=Decimal("0.95"), gt=Decimal("0.5"), lt=1, max_digits=6, decimal_places=4)
    min_audits: int = Field(default=30, ge=1, le=1_000_000)
    malus_percent: Percent = Decimal(0)
    bonus_above: Decimal | None = Field(default=None, gt=0, le=1, max_digits=6, decimal_places=4)
    bonus_percent: Percent = Decimal(0)


class Credits(_Strict):
    """Amount at risk: `at_risk_percent` of the month's charges, which also caps the month's credits.
    `pool_percent` bounds the sum of the SLA allocations. A credit is earned back when each of the next
    `earn_back_months` months meets that SLA (0: never)."""
    at_risk_percent: Percent
    pool_percent: Decimal = Field(default=Decimal(100), gt=0, le=500, max_digits=7, decimal_places=4)
    monthly_cap_percent: Percent | None = None
    earn_back_months: int = Field(default=0, ge=0, le=12)


class Terms(_Strict):
    currency: Currency = "USD"
    pricing: Pricing
    sla: list[SlaTerm] = Field(default_factory=list, max_length=200)
    quality: QualityTerm | None = None
    credits: Credits | None = None
    languages: list[Tag] = Field(default_factory=list, max_length=50)
    skills: list[Tag] = Field(default_factory=list, max_length=50)
    max_agents: dict[QueueKey, int] = Field(default_factory=dict)


def _path(loc) -> str:
    return ".".join(str(part) for part in loc)


def parse(raw: dict, *, known_queues: set[str], prefix: str = "terms") -> tuple[Terms | None, list[dict]]:
    """The terms and every problem found in them ([] when computable)."""
    try:
        terms = Terms.model_validate(raw)
    except ValidationError as error:
        return None, [{"field": _path((prefix, *e["loc"])), "message": e["msg"]} for e in error.errors()]
    return terms, problems(terms, known_queues=known_queues, prefix=prefix)


def problems(terms: Terms, *, known_queues: set[str], prefix: str = "terms") -> list[dict]:
    found = []

    def problem(field: str, message: str):
        found.append({"field": f"{prefix}.{field}", "message": message})

    pricing = terms.pricing
    if not pricing.per_decision and pricing.per_productive_hour is None and pricing.fixed_monthly is None:
        problem("pricing", "give at least one of per_decision, per_productive_hour, fixed_monthly")
    priced_queues, priced_tiers = set(), set()
    for i, price in enumerate(pricing.per_decision):
        if (price.queue is None) == (price.tier is None):
            problem(f"pricing.per_decision.{i}", "give either a queue or a tier")
        elif price.queue is not None:
            if price.queue not in known_queues:
                problem(f"pricing.per_decision.{i}.queue", f"no queue {price.queue!r}")
            if price.queue in priced_queues:
                problem(f"pricing.per_decision.{i}.queue", f"queue {price.queue!r} is priced twice")
            priced_queues.add(price.queue)
        else:
            if price.tier in priced_tiers:
                problem(f"pricing.per_decision.{i}.tier", f"tier {price.tier} is priced twice")
            priced_tiers.add(price.tier)
    seen_sla = set()
    allocated = Decimal(0)
    for i, sla in enumerate(terms.sla):
        if sla.queue not in known_queues:
            problem(f"sla.{i}.queue", f"no queue {sla.queue!r}")
        if sla.queue in seen_sla:
            problem(f"sla.{i}.queue", f"queue {sla.queue!r} has two SLA terms")
        seen_sla.add(sla.queue)
        allocated += sla.credit_allocation
        if sla.credit_allocation > 0 and terms.credits is None:
            problem(f"sla.{i}.credit_allocation", "an allocation needs credits (the amount at risk)")
    if terms.credits is not None:
        pool = terms.credits.pool_percent
        if allocated > pool:
            problem("sla", f"the SLA credit allocations add up to {allocated}%, above the pool of {pool}%")
        cap = terms.credits.monthly_cap_percent
        if cap is not None and cap > terms.credits.at_risk_percent:
            problem("credits.monthly_cap_percent", "the monthly cap cannot exceed the amount at risk")
    if terms.quality is not None:
        quality = terms.quality
        if quality.bonus_percent > 0 and quality.bonus_above is None:
            problem("quality.bonus_above", "a bonus needs the accuracy that earns it")
        if quality.bonus_above is not None and quality.bonus_above < quality.target_accuracy:
            problem("quality.bonus_above", "the bonus threshold is below the target")
    for key in terms.max_agents:
        if key not in known_queues:
            problem(f"max_agents.{key}", f"no queue {key!r}")
    return found


def as_document(terms: Terms) -> dict:
    """JSON-ready, decimals as strings (exact, and the same text in every database)."""
    return terms.model_dump(mode="json", exclude_none=False)
