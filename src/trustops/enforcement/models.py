from django.conf import settings
from django.db import models


class ActionStatus(models.TextChoices):
    ACTIVE = "active"
    ENDED = "ended"          # its time ran out
    REVERSED = "reversed"    # undone, e.g. by an overturned appeal


class ActionCause(models.TextChoices):
    DECISION = "decision"              # chosen in the decision
    LADDER = "ladder"                  # the penalty ladder escalated on points
    ZERO_TOLERANCE = "zero_tolerance"  # the policy bans at once


class EnforcementAction(models.Model):
    """One action applied to one subject (an item, or the owning account)."""
    target = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="enforcement_actions")
    decision = models.ForeignKey("review.Decision", on_delete=models.PROTECT, related_name="enforcement_actions")
    action = models.CharField(max_length=32)
    cause = models.CharField(max_length=16, choices=ActionCause.choices, default=ActionCause.DECISION)
    ladder_threshold = models.PositiveIntegerField(null=True, blank=True,
                                                   help_text="For ladder actions: the points that triggered it.")
    policy_family = models.CharField(max_length=120, blank=True, default="")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until reversed.")
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.ACTIVE)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["target", "status"], name="action_target_status"),
                   models.Index(fields=["status", "ends_at"], name="action_expiry")]

    def __str__(self):
        return f"{self.action} on {self.target_id} ({self.status})"


class Strike(models.Model):
    account = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="strikes")
    decision = models.ForeignKey("review.Decision", on_delete=models.PROTECT, related_name="strikes")
    policy_version = models.ForeignKey("policies.PolicyVersion", on_delete=models.PROTECT, related_name="+")
    policy_family = models.CharField(max_length=120)
    points = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "expires_at"], name="strike_account")]


class AppealStatus(models.TextChoices):
    PENDING = "pending"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Appeal(models.Model):
    """The affected owner contests one decision; a different reviewer re-reviews it in an appeal case."""
    decision = models.ForeignKey("review.Decision", on_delete=models.PROTECT, related_name="appeals")
    case = models.OneToOneField("review.Case", on_delete=models.PROTECT, related_name="appeal")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    statement = models.TextField()
    received_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    outcome = models.ForeignKey("review.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"], name="appeal_idempotency"),
            models.UniqueConstraint(fields=["decision"], name="one_appeal_per_decision"),
        ]


class WebhookEndpoint(models.Model):
    """Where the integrating platform wants outbound events delivered, signed with its secret."""
    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200)
    event_kinds = models.JSONField(default=list, blank=True, help_text="Empty: every kind.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name

    def wants(self, kind: str) -> bool:
        return self.active and (not self.event_kinds or kind in self.event_kinds)


class OutboxMessage(models.Model):
    """Written in the same transaction as the change it announces; delivered after commit by a worker."""
    kind = models.CharField(max_length=64)
    payload = models.JSONField()
    created_at = models.DateTimeField(db_index=True)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"        # gave up after the last retry


class Delivery(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        verbose_name_plural = "deliveries"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)
