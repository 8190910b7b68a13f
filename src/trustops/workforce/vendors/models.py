"""A BPO vendor's profile: the working side of the identity tenant (`identity.Vendor`), one to one."""
from django.db import models


class VendorStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    IMPROVEMENT_PLAN = "improvement_plan", "On improvement plan"
    OFFBOARDING = "offboarding", "Off-boarding"


# Where a vendor may go from each status; every move needs a reason and is a ledger event.
TRANSITIONS = {
    VendorStatus.PROSPECT: {VendorStatus.ONBOARDING, VendorStatus.OFFBOARDING},
    VendorStatus.ONBOARDING: {VendorStatus.ACTIVE, VendorStatus.OFFBOARDING},
    VendorStatus.ACTIVE: {VendorStatus.IMPROVEMENT_PLAN, VendorStatus.OFFBOARDING},
    VendorStatus.IMPROVEMENT_PLAN: {VendorStatus.ACTIVE, VendorStatus.OFFBOARDING},
    VendorStatus.OFFBOARDING: set(),
}


class VendorProfile(models.Model):
    vendor = models.OneToOneField("identity.Vendor", on_delete=models.PROTECT, related_name="profile")
    status = models.CharField(max_length=20, choices=VendorStatus.choices, default=VendorStatus.PROSPECT)
    status_reason = models.TextField(blank=True, default="")
    status_changed_at = models.DateTimeField()
    sites = models.JSONField(default=list, blank=True, help_text="Delivery sites, e.g. Manila, Lisbon.")
    languages = models.JSONField(default=list, blank=True, help_text="Review languages (ISO 639-1).")
    skills = models.JSONField(default=list, blank=True, help_text="e.g. live, merchants, minor_safety.")
    contact = models.CharField(max_length=200, blank=True, default="")
    updated_at = models.DateTimeField()

    def __str__(self):
        return f"profile of vendor {self.vendor_id} ({self.status})"
