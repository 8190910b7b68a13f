"""The support desk's tables: tickets and their SLA clocks, the knowledge base, engineering issues, incidents,
creator escalations, daily reports and shift handovers."""
from django.conf import settings
from django.db import models

from trustops.quality.models import RcaCategory

USER = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    TOOL_MALFUNCTION = "tool_malfunction", "Tool malfunction"
    ACCESS = "access", "Access"
    POLICY_QUESTION = "policy_question", "Policy question"
    DATA_REQUEST = "data_request", "Data request"
    BUG = "bug", "Bug"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending (waiting on the requester)"
    ON_HOLD = "on_hold", "On hold (waiting on engineering)"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


class Group(models.TextChoices):
    DESK = "desk", "Platform user operations"
    ENGINEERING = "engineering", "Engineering"
    ESCALATIONS = "escalations", "Creator and user excellence"


class Source(models.TextChoices):
    CONSOLE = "console", "Help form"
    CHAT = "chat", "Chat panel"
    IM_BOT = "im_bot", "IM bot"
    API = "api", "API"


class BusinessCalendar(models.Model):
    """When SLA clocks run: a time zone, working periods per weekday, holidays. `always_open` is 24×7."""
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    always_open = models.BooleanField(default=True)
    # {"0": [["09:00", "17:00"]], ...}: Monday is 0, as in Python.
    periods = models.JSONField(default=dict, blank=True)
    holidays = models.JSONField(default=list, blank=True, help_text="ISO dates, in the calendar's time zone.")

    def __str__(self):
        return self.name


class SlaPolicy(models.Model):
    """Targets for tickets of one priority (and optionally one category); the most specific policy wins."""
    name = models.CharField(max_length=200)
    priority = models.CharField(max_length=12, choices=Priority.choices)
    category = models.CharField(max_length=24, choices=Category.choices, blank=True, default="")
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="policies")
    first_response_seconds = models.PositiveIntegerField()
    next_reply_seconds = models.PositiveIntegerField()
    resolution_seconds = models.PositiveIntegerField()
    pause_on_hold = models.BooleanField(default=True, help_text="Whether on hold pauses the resolution clock.")
    warn_seconds = models.PositiveIntegerField(default=15 * 60, help_text="Warn this long before a breach.")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["priority", "category"], name="sla_policy_per_priority")]

    def __str__(self):
        return self.name


# The statuses whose tickets still have a running (or paused) SLA clock.
OPEN_STATUSES = [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]


class Ticket(models.Model):
    subject = models.CharField(max_length=200)
    body = models.TextField()
    category = models.CharField(max_length=24, choices=Category.choices)
    priority = models.CharField(max_length=12, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    group = models.CharField(max_length=16, choices=Group.choices, default=Group.DESK)
    tags = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.API)
    requester = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="support_tickets")
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     help_text="Who filed it, when not the requester (an IM bot).")
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey("Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    last_requester_reply_at = models.DateTimeField(null=True, blank=True)
    last_agent_reply_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The SLA clocks, recomputed from the policy and the pause log by sla/services.py.
    sla_policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_reply_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_paused = models.BooleanField(default=False)
    # The earliest running due time, for the inbox's "breaching soon" (null when nothing runs).
    next_due_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_due_at"], name="ticket_status_due"),
            models.Index(fields=["assignee", "status", "next_due_at"], name="ticket_assignee_due"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester"),
            models.Index(fields=["created_at"], name="ticket_created"),
            # The inbox pages open tickets by (next_due_at, id): partial indexes over open tickets only, so a
            # page is an ordered index scan that stops at the LIMIT instead of sorting every open ticket.
            models.Index(fields=["next_due_at", "id"], name="ticket_open_due",
                         condition=models.Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["assignee", "next_due_at", "id"], name="ticket_open_assignee_due",
                         condition=models.Q(status__in=OPEN_STATUSES)),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"


class TicketReply(models.Model):
    """A public reply (the requester sees it) or an internal note (only the desk and engineering)."""
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="None for trustops itself (follow-ups, engineering's fix notice).")
    body = models.TextField()
    internal = models.BooleanField(default=False)
    from_requester = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="reply_ticket")]


class Attachment(models.Model):
    """A screenshot: PNG, JPEG or WebP by its magic bytes, within the size limit."""
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(TicketReply, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    created_at = models.DateTimeField()


class StatusChange(models.Model):
    """The ticket's state history, from which the pause log is kept."""
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()


class SlaPause(models.Model):
    """One interval during which the resolution clock stood still, with its cause (the status)."""
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pauses")
    cause = models.CharField(max_length=12, choices=Status.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set right after the requester replied: a pattern worth a look (SLA gaming).
    soon_after_requester_reply = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["ticket", "started_at"], name="sla_pause_ticket")]


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response"
    NEXT_REPLY = "next_reply"
    RESOLUTION = "resolution"


class SlaEventKind(models.TextChoices):
    WARNING = "warning"
    BREACH = "breach"


class SlaEvent(models.Model):
    """A warning before a breach, or the breach: each at most once per ticket, target and due time."""
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_events")
    target = models.CharField(max_length=16, choices=SlaTarget.choices)
    kind = models.CharField(max_length=8, choices=SlaEventKind.choices)
    due_at = models.DateTimeField()
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "target", "kind", "due_at"], name="sla_event_once")]


class Macro(models.Model):
    """A canned answer: a reply, and optionally a status and tags to set with it."""
    name = models.CharField(max_length=200, unique=True)
    body = models.TextField()
    internal = models.BooleanField(default=False)
    set_status = models.CharField(max_length=12, choices=Status.choices, blank=True, default="")
    add_tags = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)


# ---- knowledge base ---------------------------------------------------------------------------------------

class Visibility(models.TextChoices):
    DRAFT = "draft", "Draft"
    INTERNAL = "internal", "Internal (support and engineering)"
    PUBLISHED = "published", "Published (every trustops user)"


class Article(models.Model):
    """A knowledge-base article or SOP; its text is the current version's (the full-text index reads it)."""
    title = models.CharField(max_length=200)
    body = models.TextField()
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.DRAFT)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    review_due = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    helpful_count = models.PositiveIntegerField(default=0)
    unhelpful_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["visibility"], name="article_visibility")]

    def __str__(self):
        return self.title


class ArticleVersion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_once")]


class ArticleFeedback(models.Model):
    """"Did this solve it?": one answer per person and article."""
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    solved = models.BooleanField()
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="article_feedback_once")]


class SearchGap(models.Model):
    """A search that found nothing: what the knowledge base is missing, counted per normalised query."""
    query = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()


# ---- engineering escalations ------------------------------------------------------------------------------

class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    FIXED = "fixed", "Fixed"
    WONT_FIX = "wont_fix", "Won't fix"


class EngineeringIssue(models.Model):
    """A ticket escalated to engineering; its status comes back through the signed inbound webhook."""
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="engineering_issue")
    engineer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    external_ref = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    fixed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)


# ---- incidents --------------------------------------------------------------------------------------------

class Severity(models.TextChoices):
    SEV1 = "sev1", "SEV1 (critical)"
    SEV2 = "sev2", "SEV2 (major)"
    SEV3 = "sev3", "SEV3 (minor)"
    SEV4 = "sev4", "SEV4 (low)"


class IncidentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    STABLE = "stable", "Stable"
    CLOSED = "closed", "Closed"


class Incident(models.Model):
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, default="")
    severity = models.CharField(max_length=6, choices=Severity.choices)
    status = models.CharField(max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE)
    source = models.CharField(max_length=64, default="manual")
    affected_tools = models.JSONField(default=list, blank=True)
    affected_queues = models.JSONField(default=list, blank=True)
    affected_regions = models.JSONField(default=list, blank=True)
    # Whether the affected review queues show their SLA clocks as paused while the incident is active.
    pause_queue_sla = models.BooleanField(default=False)
    commander = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scribe = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    liaison = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    declared_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField()
    stable_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Every span the incident was active, as [start, end] ISO times (end null while it still is): an incident
    # back from stable to active pauses its queues' SLA clocks again, and each span is kept.
    active_periods = models.JSONField(default=list, blank=True)
    subscribers = models.ManyToManyField(USER, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "-declared_at"], name="incident_status")]

    def __str__(self):
        return self.title


class TimelineKind(models.TextChoices):
    DECLARED = "declared"
    TICKET_LINKED = "ticket_linked"
    STATUS = "status"
    UPDATE = "update"
    NOTE = "note"
    ROLE = "role"
    TASK = "task"
    POSTMORTEM = "postmortem"


class TimelineEntry(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=16, choices=TimelineKind.choices)
    text = models.TextField()
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    pinned = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["incident", "at"], name="timeline_incident")]


class IncidentTask(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)


# The postmortem's causes: quality's RCA taxonomy, without the reviewer-training class, which fits audits only.
POSTMORTEM_CAUSES = [RcaCategory.PRODUCT_TECH, RcaCategory.PROCESS, RcaCategory.POLICY]


class Postmortem(models.Model):
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    summary = models.TextField()
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()


class RootCause(models.Model):
    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="root_causes")
    category = models.CharField(max_length=16, choices=[(c.value, c.label) for c in POSTMORTEM_CAUSES])
    description = models.TextField()


class ActionItem(models.Model):
    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)


# ---- creator and user escalations -------------------------------------------------------------------------

class EscalationSource(models.TextChoices):
    SUPPORT = "support"
    PARTNERS = "partners"
    COMMUNICATIONS = "communications"


class EscalationStatus(models.TextChoices):
    OPEN = "open"                  # waiting for someone of creator and user excellence
    IN_PROGRESS = "in_progress"    # an owner works it
    CLOSED = "closed"              # closed with its root cause and insight tags


class ReachTier(models.TextChoices):
    """How far the account reaches (`Subject.reach`, its followers): the tier sets the case's priority."""
    MEGA = "mega", "Mega (1M+)"
    MACRO = "macro", "Macro (100k+)"
    MID = "mid", "Mid (10k+)"
    MICRO = "micro", "Micro"


class CreatorEscalation(models.Model):
    """A high-priority escalation about a creator or user, worked as a case in the creator-escalations queue."""
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    account_type = models.CharField(max_length=12)
    account_external_id = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=EscalationSource.choices)
    summary = models.TextField()
    reach_tier = models.CharField(max_length=8, choices=ReachTier.choices)
    reach = models.BigIntegerField(default=0, help_text="The account's reach when it was escalated.")
    case_id = models.BigIntegerField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=EscalationStatus.choices, default=EscalationStatus.OPEN)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case_outcome = models.CharField(max_length=16, blank=True, default="",
                                    help_text="The linked case's verdict when the escalation was closed.")
    rca_category = models.CharField(max_length=16, choices=RcaCategory.choices, blank=True, default="")
    root_cause = models.TextField(blank=True, default="")
    insight_tags = models.JSONField(default=list, blank=True)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["status", "-opened_at"], name="creator_escalation_status"),
                   models.Index(fields=["resolved_at"], name="creator_escalation_resolved")]


class WeeklyInsights(models.Model):
    """The creator-escalations insights of one week (Monday to Sunday, UTC), kept as generated."""
    week_start = models.DateField(unique=True)
    generated_at = models.DateTimeField()
    figures = models.JSONField()


# ---- the daily report and shift handovers -----------------------------------------------------------------

class DailyReport(models.Model):
    day = models.DateField(unique=True)
    generated_at = models.DateTimeField()
    figures = models.JSONField()


class Handover(models.Model):
    """What the outgoing shift hands the incoming one, acknowledged by someone of the incoming shift."""
    shift_starts_at = models.DateTimeField(unique=True)
    generated_at = models.DateTimeField()
    content = models.JSONField()
    acknowledged_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
