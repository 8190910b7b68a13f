from django.conf import settings
from django.db import models


class Sample(models.Model):
    """A reproducible draw of decisions to audit, stratified, with each draw's inclusion probability kept."""
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    filters = models.JSONField(default=dict)
    strata = models.JSONField(default=list)
    design = models.JSONField(default=dict, help_text="Size or margin, confidence, expected accuracy, oversampling.")
    seed = models.BigIntegerField()
    population = models.PositiveIntegerField()
    allocation = models.JSONField(default=list, help_text="Per stratum: key, population, sampled.")
    blind = models.BooleanField(default=True)


class TaskStatus(models.TextChoices):
    OPEN = "open"
    DONE = "done"


class AuditTask(models.Model):
    """One sampled decision waiting in the QA queue."""
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="tasks")
    decision = models.ForeignKey("review.Decision", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=300)
    inclusion_probability = models.FloatField()
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    status = models.CharField(max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sample", "decision"], name="task_once_per_sample")]
        indexes = [models.Index(fields=["status", "assignee"], name="task_queue")]


class ErrorType(models.TextChoices):
    CORRECT = "correct"
    FALSE_POSITIVE = "false_positive"    # enforced where nothing was wrong (over-enforcement)
    FALSE_NEGATIVE = "false_negative"    # missed a violation
    WRONG_POLICY = "wrong_policy"
    WRONG_ACTION = "wrong_action"


class RcaCategory(models.TextChoices):
    PRODUCT_TECH = "product_tech"
    PROCESS = "process"
    POLICY = "policy"
    HUMAN_TRAINING = "human_training"


class AuditStatus(models.TextChoices):
    FINAL = "final"
    DISPUTED = "disputed"


class Audit(models.Model):
    """An auditor's judgement of one decision. The error type is derived, never typed in."""
    decision = models.ForeignKey("review.Decision", on_delete=models.PROTECT, related_name="audits")
    task = models.OneToOneField(AuditTask, null=True, blank=True, on_delete=models.PROTECT, related_name="audit")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits_made")
    correct_verdict = models.CharField(max_length=16)
    correct_policy = models.ForeignKey("policies.Policy", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    correct_actions = models.JSONField(null=True, blank=True)
    error_type = models.CharField(max_length=16, choices=ErrorType.choices)
    rca_category = models.CharField(max_length=16, choices=RcaCategory.choices, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    status = models.CharField(max_length=12, choices=AuditStatus.choices, default=AuditStatus.FINAL)
    created_at = models.DateTimeField(db_index=True)
    revised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision"], name="one_audit_per_decision")]


class DisputeStatus(models.TextChoices):
    OPEN = "open"
    UPHELD = "upheld"        # the audit stands
    REVISED = "revised"      # the QA lead changed the audit


class Dispute(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    arbitrated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    arbitration_note = models.TextField(blank=True, default="")
    arbitrated_at = models.DateTimeField(null=True, blank=True)
    # What the audit said before a revision, so the history is never lost.
    audit_before = models.JSONField(null=True, blank=True)


class CalibrationSession(models.Model):
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calibrations")


class CalibrationItem(models.Model):
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("review.Case", on_delete=models.PROTECT, related_name="+")
    benchmark_label = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "case"], name="calibration_item_once")]


class CalibrationLabel(models.Model):
    item = models.ForeignKey(CalibrationItem, on_delete=models.CASCADE, related_name="labels")
    participant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=120, help_text="A policy code or no_violation.")
    labelled_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "participant"], name="one_label_per_participant")]


class RcaStatus(models.TextChoices):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class RootCauseAnalysis(models.Model):
    """Why a group of audited errors happened, and what will be done about it, by whom, by when."""
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=RcaCategory.choices)
    root_cause = models.TextField()
    corrective_action = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rcas_owned")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=RcaStatus.choices, default=RcaStatus.OPEN)
    audits = models.ManyToManyField(Audit, blank=True, related_name="rcas")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)


class QualityReport(models.Model):
    """A generated report (the Monthly Quality Report), kept as it was when generated."""
    kind = models.CharField(max_length=40, default="monthly_quality")
    month = models.DateField(help_text="The first day of the month reported on.")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", help_text="Empty when the schedule generated it.")
    data = models.JSONField()
    html = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["kind", "month", "generated_at"], name="quality_report_month")]


class GoldenItem(models.Model):
    """A case with a known answer placed in a live queue; reviewers cannot tell it apart from the others."""
    case = models.OneToOneField("review.Case", on_delete=models.PROTECT, related_name="+")
    source_case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expected_verdict = models.CharField(max_length=16)
    expected_policy = models.ForeignKey("policies.Policy", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft"
    RUNNING = "running"
    FINISHED = "finished"


class Experiment(models.Model):
    """A controlled comparison, e.g. new guideline text against the old, by reviewer or by item."""
    name = models.CharField(max_length=200, unique=True)
    hypothesis = models.TextField(blank=True, default="")
    unit = models.CharField(max_length=12, choices=[("reviewer", "reviewer"), ("item", "item")])
    arms = models.JSONField(default=list)
    seed = models.BigIntegerField(default=1)
    queue = models.ForeignKey("review.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()


class ExperimentAssignment(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    arm = models.CharField(max_length=60)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "reviewer"], condition=models.Q(reviewer__isnull=False),
                                    name="one_arm_per_reviewer"),
            models.UniqueConstraint(fields=["experiment", "case"], condition=models.Q(case__isnull=False),
                                    name="one_arm_per_case"),
        ]
