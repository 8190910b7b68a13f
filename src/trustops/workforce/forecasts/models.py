"""Forecast runs: a queue's intake volume per interval ahead, with prediction intervals and a backtested error."""
from django.conf import settings
from django.db import models


class ForecastModel(models.TextChoices):
    MSTL = "mstl", "MSTL (daily and weekly seasonality) with ETS on the remainder"
    SEASONAL_NAIVE = "seasonal_naive", "Seasonal naive (same interval last week, or yesterday)"


class ForecastRun(models.Model):
    queue = models.ForeignKey("review.Queue", on_delete=models.PROTECT, related_name="+")
    model = models.CharField(max_length=20, choices=ForecastModel.choices)
    fallback_reason = models.CharField(max_length=300, blank=True, default="",
                                       help_text="Why the seasonal model was not used, when it was not.")
    interval_seconds = models.PositiveIntegerField(default=1800)
    starts_at = models.DateTimeField(help_text="The first forecast interval.")
    horizon_intervals = models.PositiveIntegerField()
    history_intervals = models.PositiveIntegerField()
    history_volume = models.PositiveIntegerField(default=0)
    wape = models.FloatField(null=True, blank=True, help_text="On the held-out last week; None without one.")
    # Per interval from starts_at: mean, the 80% interval and the 95% upper bound (all ≥ 0).
    mean = models.JSONField(default=list)
    lower = models.JSONField(default=list)
    upper = models.JSONField(default=list)
    upper_95 = models.JSONField(default=list)
    # The backtest: the held-out week's actual and predicted volume per interval.
    backtest = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["queue", "-created_at"], name="forecast_queue_recent")]
