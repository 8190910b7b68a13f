"""Each closed day's decisions by each vendor, kept per queue and per 12-second step of the time from intake to
decision, so a month is measured from a few thousand rows instead of every decision (`rollups.py`)."""
from django.db import models


class DecisionRollup(models.Model):
    """Decisions of one vendor in one queue on one day (UTC) whose intake → decision time, rounded up to a
    whole number of `rollups.STEP_SECONDS`, is `step`; with their handle time. Only days in `RolledDay` have
    rows, and a rolled day has all of them."""
    vendor = models.ForeignKey("identity.Vendor", on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey("review.Queue", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    step = models.IntegerField()
    decisions = models.PositiveIntegerField()
    handle_seconds = models.BigIntegerField()
    timed = models.PositiveIntegerField(help_text="Decisions that recorded a handle time.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "day", "queue", "step"],
                                               name="one_rollup_per_vendor_day_queue_step")]

    def __str__(self):
        return f"rollup {self.vendor_id} {self.day} {self.queue_id} {self.step}"


class RolledDay(models.Model):
    """A closed day whose decisions are in `DecisionRollup`, for every vendor."""
    day = models.DateField(unique=True)
    decisions = models.PositiveIntegerField()
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"rolled {self.day}"
