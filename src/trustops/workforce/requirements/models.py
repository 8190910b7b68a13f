"""Staffing requirements filed by stakeholders, their proposed allocation across vendors, and the addenda an
approved requirement leaves for the vendors' contracts."""
from django.conf import settings
from django.db import models


class RequirementStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed (awaiting the vendor manager)"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Requirement(models.Model):
    title = models.CharField(max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    queues = models.ManyToManyField("review.Queue", related_name="+")
    daily_volume = models.FloatField(null=True, blank=True, help_text="Expected decisions per day, all queues.")
    forecast = models.ForeignKey("workforce.ForecastRun", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    aht_seconds = models.FloatField()
    sla_seconds = models.PositiveIntegerField()
    service_level = models.FloatField(default=0.9)
    shrinkage = models.FloatField(default=0.3)
    languages = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    starts_on = models.DateField()
    duration_days = models.PositiveIntegerField()
    headcount = models.PositiveIntegerField(default=0, help_text="Scheduled agents needed (after shrinkage).")
    agents = models.PositiveIntegerField(default=0, help_text="Agents on the floor at the busiest interval.")
    # Per vendor: vendor_id, vendor, headcount, price, accuracy, cost_per_correct, reason.
    proposal = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=RequirementStatus.choices, default=RequirementStatus.PROPOSED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["status", "-created_at"], name="requirement_status")]


class Addendum(models.Model):
    """What an approved requirement adds to a vendor's contract; the contracts side takes it up from here."""
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="addenda")
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.PROTECT, related_name="+")
    queue_keys = models.JSONField(default=list)
    headcount = models.PositiveIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    taken_up_at = models.DateTimeField(null=True, blank=True, help_text="When the contract took it in.")
