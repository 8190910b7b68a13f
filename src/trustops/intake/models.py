from django.conf import settings
from django.db import models
from django.db.models import Q

REPORT_SOURCES = ("user", "trusted_flagger", "automated", "internal", "authority")


class Report(models.Model):
    """A notice about a subject. Its idempotency key is unique per sender; the fingerprint detects key reuse."""
    # Every index here is paid for by every report taken in: foreign keys that the indexes below already lead
    # with, or that nothing looks reports up by (policies are never deleted), have none of their own.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     db_index=False)
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="reports")
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+", db_index=False)
    policy_version = models.ForeignKey("policies.PolicyVersion", on_delete=models.PROTECT, related_name="+",
                                       db_index=False)
    source = models.CharField(max_length=20, choices=[(s, s) for s in REPORT_SOURCES])
    reporter_external_id = models.CharField(max_length=200, blank=True, default="")
    text = models.TextField(blank=True, default="")
    received_at = models.DateTimeField()
    case = models.ForeignKey("review.Case", on_delete=models.PROTECT, related_name="reports", db_index=False)
    opened_case = models.BooleanField(default=False)
    queue_key = models.CharField(max_length=64, help_text="Where the case was when this report arrived.")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submitted_by", "idempotency_key"],
                                               name="report_idempotency")]
        indexes = [models.Index(fields=["case", "id"], name="report_case"),
                   # The console's search finds a report by its key from any sender, and a reporter's reports.
                   models.Index(fields=["idempotency_key"], name="report_key"),
                   models.Index(fields=["reporter_external_id"], name="report_reporter",
                                condition=~models.Q(reporter_external_id="")),
                   # The transparency report counts a period's notices.
                   models.Index(fields=["received_at"], name="report_received")]

    def __str__(self):
        return f"report {self.pk} on {self.subject_id}"


class Signal(models.Model):
    """An automated score on a subject. Above its policy's threshold it opens or enriches a case."""
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="signals")
    detector = models.CharField(max_length=100)
    score = models.FloatField()
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+")
    policy_version = models.ForeignKey("policies.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    threshold = models.FloatField()
    received_at = models.DateTimeField()
    case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="signals")
    opened_case = models.BooleanField(default=False)
    queue_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submitted_by", "idempotency_key"],
                                               condition=Q(idempotency_key__isnull=False),
                                               name="signal_idempotency")]
        indexes = [models.Index(fields=["subject", "id"], name="signal_subject")]
