"""Shifts and rosters of a vendor's agents, and the sign-in sessions their adherence is measured from.

A shift template is a site's working pattern in the site's own time zone (IANA, e.g. Asia/Manila): it starts
and ends at a local time, and ends on the next day when its end is earlier than its start (a night shift).
A roster entry is one agent's day: a shift from a template (resolved to UTC when it is rostered, so a change of
daylight-saving time is honoured) or a day off. A work session is one console sign-in to sign-out.
"""
from django.conf import settings
from django.db import models


class ShiftTemplate(models.Model):
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.PROTECT, related_name="shift_templates")
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    site = models.CharField(max_length=100, blank=True, default="")
    time_zone = models.CharField(max_length=64, help_text="The site's IANA time zone, e.g. Asia/Manila.")
    starts_at = models.TimeField(help_text="Local start.")
    ends_at = models.TimeField(help_text="Local end; earlier than the start means the next day.")
    unpaid_break_minutes = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "key"], name="shift_template_key_per_vendor")]

    def __str__(self):
        return f"{self.key} {self.starts_at:%H:%M}–{self.ends_at:%H:%M} {self.time_zone}"


class RosterEntry(models.Model):
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roster_entries")
    day = models.DateField(help_text="The local day the shift starts on.")
    template = models.ForeignKey(ShiftTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    queue = models.ForeignKey("review.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Null on a day off.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    paid_seconds = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "day"], name="one_roster_entry_per_agent_day")]
        indexes = [models.Index(fields=["vendor", "day"])]

    @property
    def day_off(self) -> bool:
        return self.template_id is None

    def __str__(self):
        return f"{self.agent_id} {self.day} {'off' if self.day_off else self.template_id}"


class WorkSession(models.Model):
    """Written at console sign-in and closed at sign-out; an open session counts up to MAX_OPEN_HOURS."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_sessions")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "started_at"])]

    def __str__(self):
        return f"{self.user_id} {self.started_at}–{self.ended_at}"
