from django.conf import settings
from django.db import models
from django.db.models import Q

from trustops.identity.access import CLEARANCES


class Queue(models.Model):
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    sla_seconds = models.PositiveIntegerField(default=24 * 3600, help_text="Time from a case opening to its decision.")
    tier = models.PositiveSmallIntegerField(default=1, help_text="1 = frontline; higher tiers take escalations.")
    severe_content = models.BooleanField(default=False, help_text="Exposure time is tracked for its reviewers.")
    requires_certification = models.BooleanField(
        default=False, help_text="Only reviewers certified on this queue (workforce training) may claim from it.")
    required_clearance = models.CharField(
        max_length=40, blank=True, default="", choices=[(k, v) for k, v in CLEARANCES.items()],
        help_text="Restricted content: only people holding this clearance see and work its cases, admins included.")
    teams = models.ManyToManyField("identity.Team", blank=True, related_name="queues")
    vendors = models.ManyToManyField("identity.Vendor", blank=True, related_name="queues",
                                     help_text="BPO vendors contracted to work this queue.")
    allowed_actions = models.JSONField(default=list, blank=True,
                                       help_text="Actions allowed here; empty means whatever the policy allows.")
    is_default = models.BooleanField(default=False, help_text="Where cases go when no routing rule matches.")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tier", "key"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="one_default_queue")]

    def __str__(self):
        return self.key


class RoutingRule(models.Model):
    """Ordered; the first enabled rule whose every condition holds decides the queue. Empty lists match all."""
    position = models.PositiveIntegerField(db_index=True)
    name = models.CharField(max_length=200)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="routing_rules")
    subject_types = models.JSONField(default=list, blank=True)
    policy_prefixes = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    min_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    min_reach = models.BigIntegerField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.position}. {self.name} → {self.queue.key}"


class CaseKind(models.TextChoices):
    REPORT_REVIEW = "report_review"
    APPEAL = "appeal"
    ESCALATION = "escalation"
    RISK_ALERT = "risk_alert"
    MERCHANT_REVIEW = "merchant_review"


class CaseStatus(models.TextChoices):
    OPEN = "open"             # waiting in its queue
    IN_REVIEW = "in_review"   # claimed under a lease
    RESOLVED = "resolved"


OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_REVIEW)
# Kinds deduplicated to one open case per subject; appeals and escalations are about one decision each.
DEDUPLICATED_KINDS = (CaseKind.REPORT_REVIEW, CaseKind.RISK_ALERT, CaseKind.MERCHANT_REVIEW)


class Case(models.Model):
    kind = models.CharField(max_length=24, choices=CaseKind.choices, default=CaseKind.REPORT_REVIEW)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="cases")
    # `case_claim_order` leads with the queue; nothing looks cases up by policy or excluded reviewer.
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="cases", db_index=False)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    priority = models.PositiveIntegerField(default=0)
    policy = models.ForeignKey("policies.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False, help_text="The most severe policy reported so far.")
    severity = models.PositiveSmallIntegerField(default=1)
    report_count = models.PositiveIntegerField(default=0)
    signal_count = models.PositiveIntegerField(default=0)
    max_source_trust = models.FloatField(default=0)
    opened_at = models.DateTimeField()
    last_reported_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    sla_due_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_cases", db_index=False)  # partial index below
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")
    # Appeals are never offered to the reviewer who made the decision under appeal.
    excluded_reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", db_index=False)
    appeal_of = models.ForeignKey("Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  db_index=False, help_text="For appeal cases: the decision under appeal.")
    escalation_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["subject", "kind"],
            condition=Q(status__in=["open", "in_review"], kind__in=["report_review", "risk_alert", "merchant_review"]),
            name="one_open_case_per_subject")]
        indexes = [
            models.Index(fields=["queue", "status", "-priority", "opened_at"], name="case_claim_order"),
            models.Index(fields=["status", "sla_due_at"], name="case_sla"),
            # Most cases have neither: partial indexes spare every new or requeued case an entry in each.
            models.Index(fields=["assignee"], condition=Q(assignee__isnull=False), name="case_assignee"),
            models.Index(fields=["appeal_of"], condition=Q(appeal_of__isnull=False), name="case_appeal_of"),
        ]

    def __str__(self):
        return f"case {self.pk} ({self.kind}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseSkip(models.Model):
    """A reviewer passed on a case; it is not offered to them again."""
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="skips")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    skipped_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "reviewer"], name="one_skip_per_reviewer")]


class Verdict(models.TextChoices):
    VIOLATION = "violation"
    NO_VIOLATION = "no_violation"
    UPHELD = "upheld"            # appeal: the original decision stands
    OVERTURNED = "overturned"    # appeal: the original decision is reversed


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    policy = models.ForeignKey("policies.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    policy_version = models.ForeignKey("policies.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    actions = models.JSONField(default=list, blank=True)
    rationale = models.TextField()
    handle_seconds = models.PositiveIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(db_index=True)
    appeal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="appeal_decisions")
    bulk_operation = models.CharField(max_length=40, blank=True, default="")
    # The case subject's data region, copied when the decision is written (a subject keeps its region): the
    # transparency report counts a year's decisions by region without joining case and subject.
    region = models.CharField(max_length=8, blank=True, default="", db_default="")

    class Meta:
        indexes = [models.Index(fields=["reviewer", "decided_at"], name="decision_reviewer")]

    def __str__(self):
        return f"decision {self.pk} on case {self.case_id}: {self.verdict}"

    def save(self, *args, **kwargs):
        # Here rather than in each service, so that no use case that writes a decision can leave it out.
        if not self.region and self.case_id:
            self.region = self.case.subject.region
        super().save(*args, **kwargs)


class Exposure(models.Model):
    """Time a reviewer spent with a case from a severe-content queue (wellbeing tracking)."""
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exposures")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    seconds = models.PositiveIntegerField()
    ended_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["reviewer", "ended_at"], name="exposure_reviewer")]


class AppealStatus(models.TextChoices):
    PENDING = "pending"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Appeal(models.Model):
    """The affected owner contests one decision; a different reviewer re-reviews it in an appeal case."""
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="appeal")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    statement = models.TextField()
    received_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    outcome = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"], name="appeal_idempotency"),
            models.UniqueConstraint(fields=["decision"], name="one_appeal_per_decision"),
        ]


class SlaAlertKind(models.TextChoices):
    AT_RISK = "at_risk"      # inside the last quarter of its queue's SLA target (selectors.SLA_RISK_SHARE)
    BREACHED = "breached"    # past its SLA deadline, still undecided


class SlaAlert(models.Model):
    """That a case was alerted for an SLA state: each case is alerted once per kind, however often the job runs."""
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_alerts", db_index=False)
    kind = models.CharField(max_length=12, choices=SlaAlertKind.choices)
    alerted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="one_sla_alert_per_kind")]
