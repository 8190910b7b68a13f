"""Monthly invoices computed from trustops' records under the contract in force, the vendor's own counts for
reconciliation, and disputes. An invoice is locked once finance approved it."""
from django.conf import settings
from django.db import models


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    DISPUTED = "disputed", "Disputed"
    MANAGER_APPROVED = "manager_approved", "Approved by the vendor manager"
    APPROVED = "approved", "Approved by finance"


class Invoice(models.Model):
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.PROTECT, related_name="invoices")
    month = models.DateField(help_text="The first day of the month billed.")
    contract_version = models.ForeignKey("workforce.ContractVersion", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    currency = models.CharField(max_length=3)
    charges = models.DecimalField(max_digits=16, decimal_places=2)      # before credits and adjustments
    credits = models.DecimalField(max_digits=16, decimal_places=2)      # SLA credits net of earn-back (≤ 0)
    adjustments = models.DecimalField(max_digits=16, decimal_places=2)  # quality bonus (+) or malus (−)
    total = models.DecimalField(max_digits=16, decimal_places=2)
    figures = models.JSONField(default=dict, help_text="The measurement the invoice was computed from.")
    computed_at = models.DateTimeField()
    manager_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    manager_approved_at = models.DateTimeField(null=True, blank=True)
    finance_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    finance_approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-month", "vendor_id"]
        constraints = [models.UniqueConstraint(fields=["vendor", "month"], name="one_invoice_per_vendor_month")]

    def __str__(self):
        return f"invoice {self.vendor_id} {self.month:%Y-%m}"

    @property
    def locked(self) -> bool:
        return self.status == InvoiceStatus.APPROVED


class LineKind(models.TextChoices):
    DECISIONS = "decisions", "Decisions"
    HOURS = "hours", "Productive hours"
    FIXED = "fixed", "Fixed monthly fee"
    MARGINAL = "marginal", "Decisions above the included volume"
    SLA_CREDIT = "sla_credit", "SLA service credit"
    CREDIT_CAP = "credit_cap", "Credits above the monthly cap"
    EARN_BACK = "earn_back", "Earn-back of an earlier credit"
    QUALITY_BONUS = "quality_bonus", "Quality bonus"
    QUALITY_MALUS = "quality_malus", "Quality malus"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    queue_key = models.CharField(max_length=64, blank=True, default="")
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["position"]


class VendorCount(models.Model):
    """The vendor's own count of decisions for one queue and day, imported from its CSV."""
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="vendor_counts")
    queue_key = models.CharField(max_length=64)
    day = models.DateField()
    decisions = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "queue_key", "day"], name="one_vendor_count")]


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class InvoiceDispute(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="disputes")
    line = models.ForeignKey(InvoiceLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    resolution = models.TextField(blank=True, default="")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
