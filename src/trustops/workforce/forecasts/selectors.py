"""Reading forecasts, and the intake history they are fitted on (counted in the database, per half-hour)."""
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Value, When
from django.db.models.functions import TruncHour

from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.review import hooks
from trustops.review.models import Case, Queue
from trustops.workforce.forecasts.models import ForecastRun

INTERVAL = timedelta(minutes=30)


def floor_interval(moment: datetime) -> datetime:
    return moment.replace(minute=30 if moment.minute >= 30 else 0, second=0, microsecond=0)


def planning_queues(viewer):
    return Queue.objects.filter(access.planning_queue_filter(viewer), active=True).order_by("key")


def get_planning_queue(viewer, key: str) -> Queue:
    queue = planning_queues(viewer).filter(key=key).first()
    if queue is None:
        raise NotFound("queue_not_found", f"No queue {key!r}.")
    return queue


def intake_history(queue: Queue, *, until: datetime, since: datetime) -> tuple[datetime, np.ndarray]:
    """Cases opened in the queue per half-hour from its first intake after `since` up to `until` (excluded),
    golden cases left out: (first interval, counts). One grouped query."""
    rows = (Case.objects.filter(queue=queue, opened_at__gte=since, opened_at__lt=until)
            .exclude(pk__in=hooks.golden.golden_case_ids())
            .annotate(hour=TruncHour("opened_at"),
                      half=Choose(When(opened_at__minute__gte=30, then=Value(1)), default=Value(0),
                                 output_field=IntegerField()))
            .values("hour", "half").annotate(n=Count("id")).order_by())
    counts = {row["hour"] + row["half"] * INTERVAL: row["n"] for row in rows}
    if not counts:
        return until, np.zeros(0)
    first = min(counts)
    size = int((until - first) / INTERVAL)
    series = np.zeros(size)
    for at, n in counts.items():
        index = int((at - first) / INTERVAL)
        if 0 <= index < size:
            series[index] = n
    return first, series


def forecasts_visible_to(viewer):
    return (ForecastRun.objects.filter(access.planning_queue_filter(viewer, "queue__"))
            .select_related("queue", "created_by").order_by("-created_at", "-pk"))


def get_forecast(viewer, forecast_id: int) -> ForecastRun:
    run = forecasts_visible_to(viewer).filter(pk=forecast_id).first()
    if run is None:
        raise NotFound("forecast_not_found", f"No forecast {forecast_id}.")
    return run


def interval_starts(run) -> list[datetime]:
    return [run.starts_at + i * timedelta(seconds=run.interval_seconds) for i in range(run.horizon_intervals)]
