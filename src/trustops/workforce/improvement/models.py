"""Improvement plans: corrective actions with an owner, a due date and the metric they should move."""
from django.conf import settings
from django.db import models


class Metric(models.TextChoices):
    ACCURACY = "accuracy", "Audited accuracy"
    SLA_ATTAINMENT = "sla_attainment", "SLA attainment"
    AHT = "aht", "Average handle time"
    APPEAL_OVERTURN = "appeal_overturn", "Appeal overturn rate"
    ADHERENCE = "adherence", "Schedule adherence"


class ActionKind(models.TextChoices):
    HUMAN_ERROR = "human_error", "Human error (coaching, training)"
    PROCESS = "process", "Process"
    TOOLING = "tooling", "Tooling"
    POLICY = "policy", "Policy clarification"


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ImprovementPlan(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=ActionKind.choices)
    vendor = models.ForeignKey("identity.Vendor", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey("review.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rca = models.ForeignKey("quality.RootCauseAnalysis", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    metric = models.CharField(max_length=16, choices=Metric.choices)
    baseline = models.FloatField(null=True, blank=True)
    target = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
