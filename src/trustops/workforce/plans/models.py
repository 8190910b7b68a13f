"""Staffing plans (a week per queue × interval from a forecast) and allocation runs (the optimiser)."""
from django.conf import settings
from django.db import models


class StaffingPlan(models.Model):
    queue = models.ForeignKey("review.Queue", on_delete=models.PROTECT, related_name="+")
    forecast = models.ForeignKey("workforce.ForecastRun", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="plans")
    starts_at = models.DateTimeField()
    interval_seconds = models.PositiveIntegerField(default=1800)
    aht_seconds = models.FloatField()
    target = models.JSONField(help_text="service_level + answer_seconds, max_wait_probability or max_asa_seconds.")
    max_occupancy = models.FloatField(default=1.0)
    shrinkage = models.FloatField(default=0.0)
    volume_basis = models.CharField(max_length=12, default="mean", help_text="mean, or upper (80% bound).")
    # Per interval: at, volume, agents, scheduled, service_level, occupancy.
    intervals = models.JSONField(default=list)
    # Per vendor: vendor_id, vendor, share, peak_scheduled, scheduled_hours, fte.
    vendor_headcount = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()


class AllocationRun(models.Model):
    """One solve of the allocation optimiser, its inputs and its explained answer."""
    inputs = models.JSONField()
    status = models.CharField(max_length=20)
    objective = models.FloatField(null=True, blank=True)
    result = models.JSONField(default=dict)
    queues = models.ManyToManyField("review.Queue", related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()
