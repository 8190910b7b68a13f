"""Risk discovery: platform events, rules and their versions, hits, labels, windowed counters, monitors."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class Event(models.Model):
    """Something that happened on the platform (a login, an upload, a gift, a refund), idempotent by its id."""
    event_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    actor = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+", db_index=False)
    target = models.ForeignKey("subjects.Subject", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    attributes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=8, default="api")   # api | stream

    class Meta:
        indexes = [models.Index(fields=["occurred_at"], name="risk_event_time"),
                   models.Index(fields=["actor", "occurred_at"], name="risk_event_actor")]


class Mode(models.TextChoices):
    ENFORCE = "enforce"    # hits recorded and acted on
    SHADOW = "shadow"      # hits recorded, nothing acted on
    DISABLED = "disabled"  # not evaluated


class VersionStatus(models.TextChoices):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class Rule(models.Model):
    """A rule's stable identity across its versions."""
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField()

    def __str__(self):
        return self.key


class RuleVersion(models.Model):
    """One immutable definition of a rule. Once published only its mode and status change (each in the ledger)."""
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SHADOW)
    on = models.JSONField(default=list)
    features = models.JSONField(default=list)
    when = models.TextField()
    outcome = models.JSONField(default=dict)
    dedupe_seconds = models.PositiveIntegerField(default=86400)
    precision_target = models.FloatField(default=0.7)
    min_outcomes = models.PositiveIntegerField(default=20)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    demoted_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()
    evaluations = models.BigIntegerField(default=0)
    errors = models.BigIntegerField(default=0, help_text="Evaluations that failed (a type error, a missing key).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "version"], name="risk_rule_version"),
                       models.UniqueConstraint(fields=["rule"], condition=Q(status="published"),
                                               name="risk_one_live_version")]

    def __str__(self):
        return f"{self.rule.key} v{self.version}"


class FeatureHealth(models.Model):
    """How often a version's feature had no value when the rule read it (no key, no attribute)."""
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="feature_health")
    feature = models.CharField(max_length=48)
    reads = models.BigIntegerField(default=0)
    missing = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule_version", "feature"], name="risk_feature_health")]


class Outcome(models.TextChoices):
    PENDING = ""
    VIOLATION = "violation"
    NO_VIOLATION = "no_violation"


class RuleHit(models.Model):
    """A rule version matched an event: what it saw (feature values) and what became of it."""
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="hits")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="hits", db_index=False)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+", db_index=False)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    features = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
    acted = models.BooleanField(default=False)
    effect = models.CharField(max_length=120, blank=True, default="")  # case_opened,labelled,signalled...
    case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    signal = models.ForeignKey("intake.Signal", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    enforcement_action = models.ForeignKey("enforcement.EnforcementAction", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+", db_index=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule_version", "event"], name="risk_hit_once")]
        indexes = [models.Index(fields=["rule_version", "occurred_at"], name="risk_hit_version"),
                   models.Index(fields=["case"], condition=Q(case__isnull=False), name="risk_hit_case"),
                   models.Index(fields=["subject", "rule_version", "occurred_at"], name="risk_hit_subject")]


class Label(models.Model):
    """A mark on a subject with a time to live, readable by later rules and shown on case and account pages."""
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+", db_index=False)
    name = models.CharField(max_length=64)
    applied_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    rule_version = models.ForeignKey(RuleVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hit = models.ForeignKey(RuleHit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["subject", "expires_at"], name="risk_label_subject")]


class CounterSeries(models.Model):
    """The buckets of one windowed feature for one key: at most `features.counters.BUCKETS` of them."""
    feature = models.CharField(max_length=64)     # the feature's signature (what it counts, by what, how long)
    entity = models.CharField(max_length=600)     # the key's value, e.g. "user:u-1"
    buckets = models.JSONField(default=dict)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feature", "entity"], name="risk_counter_key")]


class BreakerTrip(models.Model):
    """An automatic action stopped because its hourly volume jumped far above its trailing baseline."""
    action = models.CharField(max_length=40)
    tripped_at = models.DateTimeField()
    hourly_volume = models.PositiveIntegerField()
    baseline = models.FloatField()
    reset_at = models.DateTimeField(null=True, blank=True)
    reset_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")


class Monitor(models.Model):
    """An ecosystem metric: hourly count of events of a kind (optionally one attribute value)."""
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    event_kind = models.CharField(max_length=64)
    attribute = models.CharField(max_length=64, blank=True, default="")
    attribute_value = models.CharField(max_length=200, blank=True, default="")
    min_volume = models.PositiveIntegerField(default=20)
    threshold = models.FloatField(default=4.0, help_text="How many robust deviations above the seasonal baseline.")
    queue_key = models.CharField(max_length=64, blank=True, default="")
    policy_code = models.CharField(max_length=120, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()


class MonitorAlert(models.Model):
    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="alerts")
    hour = models.DateTimeField()
    observed = models.PositiveIntegerField()
    expected = models.FloatField()
    raised_at = models.DateTimeField()
    case = models.ForeignKey("review.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "hour"], name="risk_alert_once")]
