"""Compliance records: statements of reasons and their submission, legal clocks, holds, retention, data subjects."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class DecisionGround(models.TextChoices):
    ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT", "Illegal content"
    INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT", "Incompatible with the terms and conditions"


class DsaMapping(models.Model):
    """How a policy's decisions are stated to the DSA Transparency Database, beyond the category its versions
    carry (`PolicyVersion.dsa_category`): the ground, the law cited, keywords. A policy without a row is stated
    as a breach of the terms and conditions; a row for a family (`privacy`) covers its descendants."""
    policy_code = models.CharField(max_length=120, unique=True)
    decision_ground = models.CharField(max_length=40, choices=DecisionGround.choices,
                                       default=DecisionGround.INCOMPATIBLE)
    legal_ground = models.CharField(max_length=500, blank=True, default="",
                                    help_text="The law the content breaks (required with the illegal-content ground).")
    keywords = models.JSONField(default=list, blank=True, help_text="KEYWORD_* values (category_specification).")
    terms_reference_url = models.URLField(max_length=500, blank=True, default="")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["policy_code"]

    def __str__(self):
        return f"DSA mapping {self.policy_code}"


class StatementKind(models.TextChoices):
    ORIGINAL = "original"
    CORRECTION = "correction"     # an overturned appeal ended the restriction


class StatementStatus(models.TextChoices):
    GAP = "gap"                   # cannot be stated (no DSA mapping, or fails validation): listed, never sent
    PENDING = "pending"           # valid, waiting for (or retrying) submission
    SUBMITTED = "submitted"
    REFUSED = "refused"           # the database refused it alone: listed for correction


class Statement(models.Model):
    """One statement of reasons for one restricting decision on an EU/EEA subject. Written in the decision's
    transaction: the row is the outbox entry its submission is driven from (nothing is lost if a worker dies)."""
    decision = models.ForeignKey("review.Decision", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=StatementKind.choices, default=StatementKind.ORIGINAL)
    puid = models.CharField(max_length=500, unique=True)
    region = models.CharField(max_length=8)
    body = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=StatementStatus.choices)
    problems = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "kind"], name="one_statement_per_decision_kind")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="statement_due"),
                   models.Index(fields=["decision"], name="statement_decision")]

    def __str__(self):
        return f"statement {self.puid} ({self.status})"


class SubmissionBatch(models.Model):
    """One call to the database's batch endpoint, as sent and as answered."""
    sent_at = models.DateTimeField()
    size = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True, default="")
    puids = models.JSONField(default=list)


class ClockKind(models.TextChoices):
    NCII = "ncii", "NCII removal request (48 h)"
    REMOVAL_ORDER = "removal_order", "Terrorist content removal order (1 h)"
    AUTHORITY_ORDER = "authority_order", "Authority order (its own deadline)"


class ClockStatus(models.TextChoices):
    RUNNING = "running"
    MET = "met"                  # handled in time
    MET_LATE = "met_late"        # handled after the deadline (a breach was reported)
    WITHDRAWN = "withdrawn"      # the requester or authority withdrew it


class LegalClock(models.Model):
    """A deadline set in law. It never pauses: no case or queue status stops it (only handling or withdrawal)."""
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey("intake.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=200, blank=True, default="")
    authority = models.CharField(max_length=200, blank=True, default="")
    member_state = models.CharField(max_length=8, blank=True, default="")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=ClockStatus.choices, default=ClockStatus.RUNNING)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by_decision = models.ForeignKey("review.Decision", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    escalated_half_at = models.DateTimeField(null=True, blank=True)
    escalated_late_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    copies = models.JSONField(default=list, blank=True, help_text="Ids of subjects carrying identical media.")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"], name="clock_running")]
        constraints = [models.UniqueConstraint(fields=["report"], condition=Q(report__isnull=False),
                                               name="one_clock_per_report")]

    def __str__(self):
        return f"{self.kind} clock on {self.subject_id} ({self.status})"


class HoldKind(models.TextChoices):
    LEGAL = "legal"
    CHILD_SAFETY = "child_safety"      # REPORT Act: CyberTipline report contents kept one year


class LegalHold(models.Model):
    """Keeps a subject's records from retention purges and erasure until released or expired."""
    kind = models.CharField(max_length=16, choices=HoldKind.choices, default=HoldKind.LEGAL)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    placed_at = models.DateTimeField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until released.")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject", "released_at"], name="hold_subject")]


class DataClass(models.TextChoices):
    REPORT_TEXTS = "report_texts", "Report texts"
    MEDIA_REFERENCES = "media_references", "Media references"
    REPORTER_PERSONAL_DATA = "reporter_personal_data", "Reporters' personal data"
    TICKET_CONTENTS = "ticket_contents", "Support ticket contents"
    LEDGER_PERSONAL_PARTS = "ledger_personal_parts", "Personal parts of ledger events"


class RetentionPolicy(models.Model):
    data_class = models.CharField(max_length=32, choices=DataClass.choices, unique=True)
    keep_days = models.PositiveIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["data_class"]
        verbose_name_plural = "retention policies"


class PurgeRun(models.Model):
    data_class = models.CharField(max_length=32, choices=DataClass.choices)
    ran_at = models.DateTimeField()
    cutoff = models.DateTimeField()
    purged = models.PositiveIntegerField(default=0)
    kept_under_hold = models.PositiveIntegerField(default=0)


class RequestKind(models.TextChoices):
    EXPORT = "export"
    ERASURE = "erasure"


class RequestStatus(models.TextChoices):
    COMPLETED = "completed"
    PARTIAL = "partial"       # erased, except what the law requires to keep (listed)
    REFUSED = "refused"       # under legal hold


class DataSubjectRequest(models.Model):
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=RequestStatus.choices)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    outcome = models.JSONField(default=dict, blank=True)
    archive = models.JSONField(null=True, blank=True)


class ChildSafetyStatus(models.TextChoices):
    ASSEMBLED = "assembled"      # the package is ready, evidence under hold
    SUBMITTED = "submitted"      # the submitter took it (with its reference)
    FAILED = "failed"            # the submitter refused or could not be reached: try again


class ChildSafetyReport(models.Model):
    """A report to the child-protection authority (e.g. NCMEC's CyberTipline) about a child-safety case: the
    package assembled from the case, its evidence preserved under a one-year hold, its submission tracked."""
    case = models.ForeignKey("review.Case", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    hold = models.ForeignKey(LegalHold, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ChildSafetyStatus.choices, default=ChildSafetyStatus.ASSEMBLED)
    package = models.JSONField(default=dict)
    submitter = models.CharField(max_length=60, blank=True, default="")
    reference = models.CharField(max_length=200, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case"], name="one_child_safety_report_per_case")]


class SuspensionKind(models.TextChoices):
    NOTICES = "notices"          # a notifier who frequently submits manifestly unfounded notices (DSA Art. 23(2))
    COMPLAINTS = "complaints"    # a complainant who frequently files manifestly unfounded complaints (Art. 23(2))


class SuspensionStatus(models.TextChoices):
    WARNED = "warned"            # the prior warning Art. 23(2) requires; nothing is suspended yet
    SUSPENDED = "suspended"      # processing stopped until `ends_at`
    LIFTED = "lifted"            # ended early, or the warning withdrawn


class ProcessingSuspension(models.Model):
    """A notifier's notices or a complainant's complaints suspended for a reasonable period after a warning.
    `party` is the external id the integrating platform sends: the reporter's for notices, the complaining
    account's for complaints."""
    kind = models.CharField(max_length=10, choices=SuspensionKind.choices)
    party = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=SuspensionStatus.choices, default=SuspensionStatus.WARNED)
    unfounded = models.PositiveIntegerField(help_text="Manifestly unfounded submissions that led to the warning.")
    reason = models.TextField()
    warned_at = models.DateTimeField()
    warned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    suspended_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["kind", "party", "status"], name="suspension_party"),
                   models.Index(fields=["suspended_at"], name="suspension_imposed")]
