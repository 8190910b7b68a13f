"""The built-in listing checks against category policy; risk's rules are added through the port when present.

- Prohibited services: a category's `prohibited_services` phrase in the title or description blocks the listing.
- Misleading claims: a category's `misleading_phrases` asks for review.
- Price anomaly: the robust z-score of the price against the category's live listings,
  z = 0.6745 (x − median) / MAD (Iglewicz and Hoaglin, 1993), beyond `price_z_limit` (3.5, their cut-off) asks for
  review; with a MAD of 0 the interquartile fence (Tukey: beyond Q1 − 3·IQR or Q3 + 3·IQR) is used instead.
"""
import re
from statistics import median

import numpy as np

from trustops.kernel import ports
from trustops.merchants.ports import LISTING_RULES, Finding, ListingFacts


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", text.lower()) is not None


def robust_z(value: float, peers: list[float]) -> float | None:
    if not peers:
        return None
    centre = median(peers)
    mad = median(abs(p - centre) for p in peers)
    if mad == 0:
        return None
    return 0.6745 * (value - centre) / mad


def iqr_outlier(value: float, peers: list[float], k: float = 3.0) -> bool:
    q1, q3 = np.percentile(peers, [25, 75])
    iqr = q3 - q1
    if iqr == 0:
        return False   # no spread to judge a price against
    return bool(value < q1 - k * iqr or value > q3 + k * iqr)


def builtin(facts: ListingFacts, *, prohibited: list[str], misleading: list[str], peers: list[float],
            rules: dict) -> list[Finding]:
    text = f"{facts.title}\n{facts.description}"
    found = [Finding("prohibited_service", f"Prohibited in {facts.category}: {p!r}.", blocking=True)
             for p in prohibited if _contains(text, p)]
    found += [Finding("misleading_claim", f"Misleading claim: {p!r}.") for p in misleading if _contains(text, p)]
    if len(peers) >= rules["price_min_peers"]:
        z = robust_z(facts.price, peers)
        if z is not None and abs(z) > rules["price_z_limit"]:
            found.append(Finding("price_anomaly", f"Price {facts.price:g} is {z:+.1f} robust z from the "
                                                  f"category's median {median(peers):g}."))
        elif z is None and iqr_outlier(facts.price, peers):
            found.append(Finding("price_anomaly", f"Price {facts.price:g} lies outside the category's fences."))
    return found


def check(facts: ListingFacts, **context) -> list[Finding]:
    found = builtin(facts, **context)
    external = ports.get(LISTING_RULES)
    if external is not None:
        found += list(external.check(facts))
    return found
