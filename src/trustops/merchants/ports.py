"""What merchants ask of apps beside it, by port (kernel/ports.py): risk's listing rules, when installed."""
from dataclasses import dataclass
from typing import Protocol

LISTING_RULES = "risk.listing_rules"


@dataclass(frozen=True)
class Finding:
    """Something wrong with a listing: the rule that found it, what it found, and whether it blocks the listing
    (hidden until reviewed) or only asks for review."""
    rule: str
    message: str
    blocking: bool = False

    def as_dict(self) -> dict:
        return {"rule": self.rule, "message": self.message, "blocking": self.blocking}


@dataclass(frozen=True)
class ListingFacts:
    """What a listing rule is given: the listing and its merchant's context."""
    external_id: str
    merchant_external_id: str
    category: str
    region: str
    title: str
    description: str
    price: float
    merchant_band: str
    merchant_status: str


class ListingRules(Protocol):
    def check(self, listing: ListingFacts) -> list[Finding]: ...
