"""What the vendors offer a queue: the one interface between contracts (who is paid what, for which queue, with
which capacity) and planning (requirements, allocation, the optimiser), so that either side can change alone.

The contracts side registers its implementation at start-up (`register`); until it does, `current()` answers
from the queues' vendor assignments alone, with no prices and no capacity limits.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from trustops.identity.models import Vendor
from trustops.review.models import Queue


@dataclass(frozen=True)
class VendorOffer:
    """One vendor's terms and capacity for one queue on a day."""
    vendor_id: int
    vendor_name: str
    queue_key: str
    price_per_decision: Decimal | None = None    # None: not priced per decision
    price_per_hour: Decimal | None = None        # per productive hour
    min_agents: int = 0
    max_agents: int | None = None                # None: no stated limit
    languages: frozenset[str] = field(default_factory=frozenset)
    skills: frozenset[str] = field(default_factory=frozenset)
    accuracy_lower: float | None = None          # audited accuracy, lower confidence bound
    aht_seconds: float | None = None             # the vendor's measured average handle time on the queue
    credits_at_risk: Decimal | None = None       # share of the monthly invoice at risk for SLA credits


class Supply(Protocol):
    def offers(self, queue_keys: list[str], on: date) -> list[VendorOffer]:
        """Every vendor's offer for each of the queues (a vendor that does not work a queue has none)."""


_registered: Supply | None = None


def register(supply: Supply | None) -> None:
    global _registered
    _registered = supply


def current() -> Supply | None:
    """The registered supply, or None: callers then fall back to the queues' own vendor assignments."""
    return _registered


def assigned_offers(queue_keys: list[str], on: date) -> list[VendorOffer]:
    """Offers from the queues' vendor assignments alone: who works which queue, no prices, no capacity."""
    through = Queue.vendors.through.objects.filter(queue__key__in=list(queue_keys)).select_related(
        "queue", "vendor").order_by("queue__key", "vendor__name")
    return [VendorOffer(vendor_id=row.vendor_id, vendor_name=row.vendor.name, queue_key=row.queue.key)
            for row in through]


def offers_for(queue_keys: list[str], on: date, *, every_vendor: bool = False) -> list[VendorOffer]:
    """What planning asks: the registered supply's offers; a queue it has no offer for falls back to the queue's
    vendor assignments (who works it, unpriced and uncapped), so a vendor without a contract pricing the queue
    is still counted as capacity.

    `every_vendor` (requirements looking for new capacity): every vendor without an offer for a queue is also a
    candidate for it, unpriced and uncapped.
    """
    supply = current()
    offers = list(supply.offers(list(queue_keys), on)) if supply is not None else []
    offered = {o.queue_key for o in offers}
    offers += [o for o in assigned_offers([k for k in queue_keys if k not in offered], on)]
    if every_vendor:
        have = {(o.vendor_id, o.queue_key) for o in offers}
        offers += [VendorOffer(vendor_id=v.pk, vendor_name=v.name, queue_key=key)
                   for v in Vendor.objects.order_by("name") for key in queue_keys if (v.pk, key) not in have]
    return offers
