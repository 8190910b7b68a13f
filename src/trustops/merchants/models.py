"""Merchants of Local Services: who they are (KYB), what they may sell (categories, qualifications, listings),
how healthy they are, which benefits they earn and how their money flows (funds)."""
from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    APPLIED = "applied"
    DOCUMENTS_REQUESTED = "documents_requested"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVISION_REQUESTED = "revision_requested"
    ACTIVE = "active"
    RESTRICTED = "restricted"
    SUSPENDED = "suspended"
    OFFBOARDING = "offboarding"
    CLOSED = "closed"


class Band(models.TextChoices):
    HEALTHY = "healthy"
    AT_RISK = "at_risk"
    CRITICAL = "critical"


class Payout(models.TextChoices):
    NORMAL = "normal"
    DELAYED = "delayed"
    HELD = "held"


class Category(models.Model):
    """A node of the category tree. `requirements` maps a region (or "*" for every region) to the kinds of
    qualification a merchant needs to sell in this category there."""
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    requirements = models.JSONField(default=dict, blank=True)
    documents = models.JSONField(default=list, blank=True, help_text="Document kinds onboarding needs.")
    prohibited_services = models.JSONField(default=list, blank=True)
    misleading_phrases = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code

    def required_kinds(self, region: str) -> list[str]:
        reqs = self.requirements or {}
        return sorted(set(reqs.get("*", [])) | set(reqs.get(region, [])))


class Merchant(models.Model):
    account = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="merchant_profile")
    external_id = models.CharField(max_length=200, unique=True)
    legal_name = models.CharField(max_length=200)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="merchants")
    region = models.CharField(max_length=8, db_index=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.APPLIED, db_index=True)
    status_reason = models.CharField(max_length=500, blank=True, default="")
    # A specialist's restrictive move is a review decision the merchant may appeal; overturned, it moves back.
    status_decision_id = models.BigIntegerField(null=True, blank=True)
    status_decided_from = models.CharField(max_length=16, blank=True, default="")
    # Business identity (KYB): personal and bank data, masked for vendor staff (subjects.masking).
    registration_number = models.CharField(max_length=64, blank=True, default="", db_index=True)
    address = models.CharField(max_length=300, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    device_id = models.CharField(max_length=120, blank=True, default="")
    bank_account_fingerprint = models.CharField(max_length=128, blank=True, default="")
    owners = models.JSONField(default=list, blank=True)   # [{"name", "date_of_birth", "share_percent"}]
    pois = models.JSONField(default=list, blank=True)
    verification = models.JSONField(default=dict, blank=True)  # what the provider answered, never a stamp
    evasion_matches = models.JSONField(default=list, blank=True)
    # Band, benefits and funds as last computed (the score and its figures are in `Health`).
    health_band = models.CharField(max_length=16, choices=Band.choices, default=Band.HEALTHY)
    band_since = models.DateTimeField(null=True, blank=True)
    recovering_since = models.DateTimeField(null=True, blank=True)   # the raw band better than the band since
    benefits = models.JSONField(default=dict, blank=True)
    funds = models.JSONField(default=dict, blank=True)
    licence_state = models.JSONField(default=dict, blank=True)   # the last applied desired state (expiry.py)
    overrides = models.JSONField(default=dict, blank=True)       # decisions on funds and benefits, by decision id
    # The rules' payout, reserve or benefits recorded as a decision when the merchant appealed them: what→id.
    rule_decisions = models.JSONField(default=dict, blank=True)
    settlement = models.JSONField(default=dict, blank=True)
    retention_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["bank_account_fingerprint"], name="merchant_bank"),
                   models.Index(fields=["phone"], name="merchant_phone"),
                   models.Index(fields=["device_id"], name="merchant_device")]

    def __str__(self):
        return f"merchant {self.external_id}"

    @property
    def health_score(self) -> int:
        try:
            return self.health.score
        except Health.DoesNotExist:
            return 100


class Health(models.Model):
    """A merchant's score as last computed and the figures it came from (named as `health.Figures`).

    Apart from the merchant's wide row: the nightly pass rewrites most of these every night, and a narrow row
    with one index is rewritten in place on PostgreSQL (a heap-only update, fillfactor 50), where rewriting the
    merchant row would rewrite its ten indexes too. The contributions are derived from the figures on reading."""
    merchant = models.OneToOneField(Merchant, primary_key=True, on_delete=models.CASCADE, related_name="health")
    score = models.PositiveSmallIntegerField(default=100)
    violations = models.FloatField(default=0)
    strike_points = models.FloatField(default=0)
    complaints = models.FloatField(default=0)
    refund_rate = models.FloatField(default=0)
    chargeback_rate = models.FloatField(default=0)
    no_show_rate = models.FloatField(default=0)
    response_minutes = models.FloatField(default=0)
    audits_failed = models.FloatField(default=0)


class QualificationStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Qualification(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(max_length=64)
    number = models.CharField(max_length=64)
    authority = models.CharField(max_length=200, blank=True, default="")
    issued_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=16, choices=QualificationStatus.choices, default=QualificationStatus.PENDING)
    reason = models.CharField(max_length=500, blank=True, default="")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    submitted_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "expires_on"], name="qualification_expiry")]


class DocumentStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Document(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=64)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    reason = models.CharField(max_length=500, blank=True, default="")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    submitted_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)


class ListingStatus(models.TextChoices):
    LIVE = "live"
    PENDING_REVIEW = "pending_review"
    HIDDEN = "hidden"        # by the licence rules: comes back by itself when the licence does
    DELISTED = "delisted"    # by a person, with a reason; relisted by a person


class Listing(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="listings")
    subject = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="merchant_listing")
    external_id = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True, default="")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="listings")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=16, choices=ListingStatus.choices, default=ListingStatus.LIVE)
    reason = models.CharField(max_length=500, blank=True, default="")
    findings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()


class DailyMetrics(models.Model):
    """What the platform reports about a merchant's day: orders and what went wrong with them."""
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="metrics")
    day = models.DateField()
    orders = models.PositiveIntegerField(default=0)
    gross_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refunds = models.PositiveIntegerField(default=0)
    refund_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    chargebacks = models.PositiveIntegerField(default=0)
    chargeback_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    no_shows = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    response_minutes = models.PositiveIntegerField(default=0)
    audits_failed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "day"], name="one_metrics_row_per_day")]


class Rules(models.Model):
    """The health weights, bands and funds rules in force (one row; edited in the console or the API)."""
    key = models.CharField(max_length=16, unique=True, default="default")
    body = models.JSONField(default=dict)
    updated_at = models.DateTimeField()


class OwnerKey(models.Model):
    """A beneficial owner's matching key (kyb.owner_key), so a newcomer is matched against leavers by index."""
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="owner_keys")
    key = models.CharField(max_length=32, db_index=True)
