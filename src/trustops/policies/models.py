from django.conf import settings
from django.db import models


class Policy(models.Model):
    """A stable node of the taxonomy (`minor_safety.grooming`). Its content lives in versions."""
    code = models.CharField(max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    current_version = models.ForeignKey("PolicyVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "policies"

    def __str__(self):
        return self.code


class PolicyVersion(models.Model):
    """Immutable once written: a change is a new version, and decisions keep the one they used."""
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    severity = models.PositiveSmallIntegerField()
    guidance = models.TextField(blank=True, default="")
    allowed_actions = models.JSONField(default=list, blank=True)
    strike_weight = models.PositiveSmallIntegerField(default=1)
    zero_tolerance = models.BooleanField(default=False)
    dsa_category = models.CharField(max_length=80)
    signal_threshold = models.FloatField(default=0.8)
    active = models.BooleanField(default=True)
    change_note = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number")]
        ordering = ["policy__code", "-number"]

    def __str__(self):
        return f"{self.policy.code} v{self.number}"

    @property
    def code(self) -> str:
        return self.policy.code


class PenaltyLadder(models.Model):
    """How violations of one policy family add up. `family` is a top-level code, or "*" for the default.

    A strike is worth `severity_points[severity] × policy.strike_weight` points and expires after
    `strike_expiry_days`. When an account's active points in the family reach a step's `at`, the step's
    account action applies (for `days`, or until reversed when no days are given).
    """
    family = models.CharField(max_length=120, unique=True)
    strike_expiry_days = models.PositiveIntegerField(default=90)
    severity_points = models.JSONField(default=dict)
    steps = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family"]

    def __str__(self):
        return f"ladder {self.family}"

    def points_for(self, severity: int, strike_weight: int) -> int:
        return int(self.severity_points.get(str(severity), 1)) * strike_weight
