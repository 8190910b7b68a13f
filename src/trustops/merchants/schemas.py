"""What the merchants API takes and gives."""
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

Text = Field(max_length=200)
Reason = Field(min_length=1, max_length=500)
Code = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
Region = Field(min_length=2, max_length=8, pattern=r"^[A-Z]{2,8}$")
ExternalId = Field(min_length=1, max_length=200, pattern=r"^[^\s/]+$")


class BeneficialOwnerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    date_of_birth: date | None = None
    share_percent: float = Field(default=0, ge=0, le=100)


class MerchantIn(Schema):
    external_id: str = ExternalId
    legal_name: str = Field(min_length=1, max_length=200)
    category: str = Code
    region: str = Region
    registration_number: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=40)
    device_id: str = Field(default="", max_length=120)
    bank_account_fingerprint: str = Field(default="", max_length=128)
    owners: list[BeneficialOwnerIn] = Field(default_factory=list, max_length=20)
    pois: list[str] = Field(default_factory=list, max_length=50)


class TransitionIn(Schema):
    to: str = Field(min_length=1, max_length=32)
    reason: str = Reason


class QualificationIn(Schema):
    kind: str = Code
    number: str = Field(min_length=1, max_length=64)
    authority: str = Field(default="", max_length=200)
    issued_on: date = Field(ge=date(1950, 1, 1), le=date(2999, 12, 31))
    expires_on: date = Field(ge=date(1950, 1, 1), le=date(2999, 12, 31))


class ReviewIn(Schema):
    outcome: Literal["approved", "rejected"]
    reason: str = Reason


class DocumentIn(Schema):
    kind: str = Code
    filename: str = Field(min_length=1, max_length=200)
    content_type: str = Field(min_length=1, max_length=100)
    content_base64: str = Field(min_length=1, max_length=14_000_000)


class DayIn(Schema):
    day: date = Field(ge=date(2000, 1, 1), le=date(2999, 12, 31))
    orders: int = Field(default=0, ge=0, le=10_000_000)
    gross_amount: Decimal = Field(default=Decimal("0"), ge=0, le=10 ** 11, decimal_places=2)
    refunds: int = Field(default=0, ge=0, le=10_000_000)
    refund_amount: Decimal = Field(default=Decimal("0"), ge=0, le=10 ** 11, decimal_places=2)
    chargebacks: int = Field(default=0, ge=0, le=10_000_000)
    chargeback_amount: Decimal = Field(default=Decimal("0"), ge=0, le=10 ** 11, decimal_places=2)
    no_shows: int = Field(default=0, ge=0, le=10_000_000)
    complaints: int = Field(default=0, ge=0, le=10_000_000)
    response_minutes: int = Field(default=0, ge=0, le=100_000)
    audits_failed: int = Field(default=0, ge=0, le=1000)


class MetricsIn(Schema):
    days: list[DayIn] = Field(min_length=1, max_length=400)


class FundsDecisionIn(Schema):
    reason: str = Reason
    payout: Literal["normal", "delayed", "held"] | None = None
    reserve_percent: float | None = Field(default=None, ge=0, le=100)
    reserve_days: int | None = Field(default=None, ge=0, le=180)
    revoke_benefits: list[Literal["promotion_eligible", "ranking_boost", "subsidies", "badges"]] = Field(
        default_factory=list, max_length=4)
    until: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2999, 12, 31))


class ReverseIn(Schema):
    what: Literal["payout", "reserve", "benefits", "relief_payout", "relief_reserve", "relief_benefits"]
    reason: str = Reason


class ListingIn(Schema):
    external_id: str = ExternalId
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    category: str = Code
    price: Decimal = Field(ge=0, le=10 ** 9, decimal_places=2)


class ListedIn(Schema):
    reason: str = Reason


class MerchantAppealIn(Schema):
    about: Literal["payout", "reserve", "benefits", "status"]
    statement: str = Field(min_length=1, max_length=4000)
    idempotency_key: str = Field("", max_length=200, description="The platform's key for this appeal; replays "
                                 "with the same key and statement answer 200 with the same appeal")


class EvasionClearIn(Schema):
    reason: str = Reason


class CategoryIn(Schema):
    code: str = Code
    name: str = Field(min_length=1, max_length=120)
    parent: str | None = Field(default=None, max_length=64)
    requirements: dict[str, list[str]] = Field(default_factory=dict, max_length=100)
    documents: list[str] = Field(default_factory=list, max_length=20)
    prohibited_services: list[str] = Field(default_factory=list, max_length=200)
    misleading_phrases: list[str] = Field(default_factory=list, max_length=200)
    active: bool = True


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None
    requirements: dict
    documents: list
    prohibited_services: list
    misleading_phrases: list
    active: bool


class Health(Schema):
    score: int
    band: str
    band_since: datetime | None = None
    contributions: list[dict]


class MerchantOut(Schema):
    external_id: str
    status: str
    status_reason: str
    allowed_transitions: list[str]
    category: str
    region: str
    identity: dict
    verification: dict
    evasion_matches: list
    health: Health
    benefits: dict
    funds: dict
    decisions: dict
    licences: dict
    qualifications: list[dict]
    documents: list[dict]
    listings: list[dict]
    settlement: dict
    appeals: list[dict]
    retention_until: date | None
    created_at: datetime
    updated_at: datetime


class MerchantRow(Schema):
    external_id: str
    status: str
    category: str
    region: str
    health_score: int
    health_band: str


class QualificationOut(Schema):
    id: int
    kind: str
    number: str
    issued_on: date
    expires_on: date
    status: str
    reason: str


class DocumentOut(Schema):
    id: int
    kind: str
    content_type: str
    size_bytes: int
    status: str
    reason: str


class ListingOut(Schema):
    external_id: str
    title: str
    category: str
    price: str
    status: str
    reason: str
    findings: list


class MerchantAppealOut(Schema):
    appeal_id: int
    decision_id: int
    case_id: int
    status: str
    queue: str
    about: str


class RulesIn(Schema):
    rules: dict[str, dict] = Field(max_length=10)
