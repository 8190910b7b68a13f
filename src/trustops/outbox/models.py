"""Outbound messages and their deliveries to the integrating platform's webhook endpoints."""
from django.db import models


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
