"""Contracts with a vendor, each a series of versions with effective dates; a version's terms are one validated
document (`contracts.terms.Terms`): pricing, SLA terms per queue, the quality target, service credits."""
from django.conf import settings
from django.db import models


class Contract(models.Model):
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=64, help_text="The contract's number, e.g. MSA-2026-014.")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "reference"], name="one_contract_reference")]

    def __str__(self):
        return self.reference


class ContractVersion(models.Model):
    """Terms in force from `effective_from` (inclusive) to `effective_to` (exclusive; None: open-ended).
    No two versions of one vendor's contracts are in force on the same day."""
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="versions")
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.PROTECT, related_name="+", db_index=False)
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    terms = models.JSONField()
    note = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["effective_from"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="one_contract_version_number")]
        indexes = [models.Index(fields=["vendor", "effective_from"], name="contract_version_in_force")]

    def __str__(self):
        return f"{self.contract_id} v{self.number}"
