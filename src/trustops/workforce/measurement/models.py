"""Each closed day's decisions by each vendor, kept per queue with a histogram of the time from intake to decision
in 12-second steps, so a month is measured from a row per queue and day instead of every decision (`rollups.py`)."""
from django.db import models


class DecisionRollup(models.Model):
    """Decisions of one vendor in one queue on one day (UTC), with their handle time and, in `steps`, how many
    took each whole number of `rollups.STEP_SECONDS` (rounded up) from intake to decision. Only days in
    `RolledDay` have rows, and a rolled day has all of them."""
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey("review.Queue", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    decisions = models.PositiveIntegerField()
    handle_seconds = models.BigIntegerField()
    timed = models.PositiveIntegerField(help_text="Decisions that recorded a handle time.")
    steps = models.JSONField(default=dict, help_text="Steps from intake to decision (as text) → decisions.")
    # Audits and decided appeals of those decisions as they stood when the day was rolled (`RolledDay.built_at`);
    # the measurement reads a day's from the rows again once one of them was written after that.
    audited = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    appealed = models.PositiveIntegerField(default=0)
    overturned = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "day", "queue"],
                                               name="one_rollup_per_vendor_day_queue")]

    def __str__(self):
        return f"rollup {self.vendor_id} {self.day} {self.queue_id}"


class RolledDay(models.Model):
    """A closed day whose decisions are in `DecisionRollup`, for every vendor."""
    day = models.DateField(unique=True)
    decisions = models.PositiveIntegerField()
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"rolled {self.day}"
