"""What the vendors offer each queue, from their contracts in force and their measured work: the
`workforce.supply.Supply` that planning reads (registered in the app's `ready()`).

A vendor offers a queue it is assigned to (`Queue.vendors`) and whose contract in force prices it (by queue,
by tier, or per productive hour; a fixed fee's marginal price counts as its price per decision). Measured
figures are last full month's. Languages and skills are the contract's, else the profile's; a prospect or
an off-boarding vendor offers nothing: AHT and the lower bound of audited accuracy on that queue.
"""
from datetime import date

from trustops.identity.models import Vendor
from trustops.review.models import Queue
from trustops.workforce.contracts import selectors
from trustops.workforce.measurement import figures as measurement
from trustops.workforce.measurement import periods
from trustops.workforce.supply import VendorOffer
from trustops.workforce.vendors.models import VendorProfile, VendorStatus

# Vendors that take no new work.
CLOSED = {VendorStatus.OFFBOARDING, VendorStatus.PROSPECT}


class ContractSupply:
    def offers(self, queue_keys: list[str], on: date) -> list[VendorOffer]:
        queues = list(Queue.objects.filter(key__in=queue_keys).prefetch_related("vendors"))
        vendor_ids = {v.pk for q in queues for v in q.vendors.all()}
        versions = selectors.versions_in_force(vendor_ids, on)
        profiles = {p.vendor_id: p for p in VendorProfile.objects.filter(vendor_id__in=vendor_ids)}
        names = dict(Vendor.objects.filter(pk__in=vendor_ids).values_list("pk", "name"))
        last_month = periods.following(on.replace(day=1), -1)
        start, end = periods.bounds(last_month)
        measured: dict[int, measurement.Measurement] = {}
        offers = []
        for queue in queues:
            for vendor in queue.vendors.all():
                version = versions.get(vendor.pk)
                profile = profiles.get(vendor.pk)
                if version is None or (profile is not None and profile.status in CLOSED):
                    continue
                terms = selectors.terms_of(version)
                per_decision = _price(terms, queue)
                per_hour = terms.pricing.per_productive_hour
                if per_decision is None and per_hour is None:
                    continue
                if vendor.pk not in measured:
                    measured[vendor.pk] = measurement.measure(vendor.pk, start, end, with_histogram=False)
                counts = measured[vendor.pk].by_queue.get(queue.key)
                row = measurement.figures(counts) if counts else None
                offers.append(VendorOffer(
                    vendor_id=vendor.pk, vendor_name=names[vendor.pk], queue_key=queue.key,
                    price_per_decision=per_decision, price_per_hour=per_hour,
                    max_agents=terms.max_agents.get(queue.key), languages=frozenset(terms.languages or (profile.languages if profile else [])),
                    skills=frozenset(terms.skills or (profile.skills if profile else [])), accuracy_lower=row["accuracy_low"] if row else None,
                    aht_seconds=row["aht_seconds"] if row else None,
                    credits_at_risk=terms.credits.at_risk_percent / 100 if terms.credits else None))
        return offers


def _price(terms, queue: Queue):
    for price in terms.pricing.per_decision:
        if price.queue == queue.key:
            return price.price
    for price in terms.pricing.per_decision:
        if price.tier == queue.tier:
            return price.price
    if terms.pricing.fixed_monthly is not None:
        return terms.pricing.fixed_monthly.marginal_price
    return None
