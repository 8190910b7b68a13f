from django.db import models


class ActionStatus(models.TextChoices):
    ACTIVE = "active"
    ENDED = "ended"          # its time ran out
    REVERSED = "reversed"    # undone, e.g. by an overturned appeal


class ActionCause(models.TextChoices):
    DECISION = "decision"              # chosen in the decision
    LADDER = "ladder"                  # the penalty ladder escalated on points
    ZERO_TOLERANCE = "zero_tolerance"  # the policy bans at once
    AUTOMATIC = "automatic"            # an allow-listed interim measure from a detector (a risk rule), no decision


class EnforcementAction(models.Model):
    """One action applied to one subject (an item, or the owning account)."""
    target = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="enforcement_actions")
    decision = models.ForeignKey("review.Decision", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="enforcement_actions", help_text="Empty for automatic actions.")
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
    # What took an automatic action, e.g. "risk:login-bruteforce:v3", and the event that set it off.
    origin = models.CharField(max_length=120, blank=True, default="")
    origin_ref = models.CharField(max_length=200, blank=True, default="")
    # The data region the action is reported under, copied when written (a subject keeps its region): its
    # decision's subject's, or for an automatic action its target's. The transparency report counts by it.
    region = models.CharField(max_length=8, blank=True, default="", db_default="")

    class Meta:
        indexes = [models.Index(fields=["target", "status"], name="action_target_status"),
                   models.Index(fields=["status", "ends_at"], name="action_expiry"),
                   # The transparency report counts a period's restrictions.
                   models.Index(fields=["starts_at"], name="action_starts"),
                   # …and the few a detector took by itself, without reading the period's every action.
                   models.Index(fields=["starts_at"], condition=models.Q(cause="automatic"),
                                name="action_automatic_starts")]

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
