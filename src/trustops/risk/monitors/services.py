"""Monitors: an ecosystem metric per hour against its seasonal baseline (the same hour of the week over the four
weeks before). An hour is anomalous when it holds at least `min_volume` events and exceeds the baseline's median
by more than `threshold` robust deviations (1.4826 × the median absolute deviation, at least the Poisson
deviation √median, at least 1). An anomaly raises one alert per monitor and hour, notifies investigators and
admins, opens an investigation case about the account that drove the hour, and declares an incident when the
support desk is installed (`risk.ports.IncidentDesk`)."""
import statistics
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncHour

from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import User
from trustops.identity.roles import Role
from trustops.kernel import clock, ports
from trustops.kernel.errors import Forbidden, Invalid
from trustops.ledger import services as ledger
from trustops.policies import selectors as policies
from trustops.review import services as review
from trustops.risk.models import Event, Monitor, MonitorAlert
from trustops.risk.ports import INCIDENTS
from trustops.subjects.models import Subject

WEEKS = 4
HOUR = timedelta(hours=1)


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _events(monitor: Monitor):
    rows = Event.objects.filter(kind=monitor.event_kind)
    if monitor.attribute:
        rows = rows.filter(**{f"attributes__{monitor.attribute}": monitor.attribute_value})
    return rows


def hourly(monitor: Monitor, start: datetime, end: datetime) -> dict[datetime, int]:
    rows = (_events(monitor).filter(occurred_at__gte=start, occurred_at__lt=end)
            .annotate(h=TruncHour("occurred_at")).values("h").annotate(n=Count("id")))
    return {row["h"]: row["n"] for row in rows}


def baseline(counts: dict[datetime, int], hour: datetime) -> tuple[float, float]:
    """(median, robust deviation) of the same hour of the week over the previous weeks."""
    past = [counts.get(hour - timedelta(weeks=w), 0) for w in range(1, WEEKS + 1)]
    median = statistics.median(past)
    mad = statistics.median(abs(v - median) for v in past)
    return median, max(1.4826 * mad, median ** 0.5, 1.0)


def is_anomalous(monitor: Monitor, observed: int, median: float, deviation: float) -> bool:
    return observed >= monitor.min_volume and observed > median + monitor.threshold * deviation


def series(monitor: Monitor, *, hours: int, now: datetime | None = None) -> dict:
    end = _hour(now or clock.now())
    start = end - timedelta(hours=hours)
    counts = hourly(monitor, start - timedelta(weeks=WEEKS), end)
    points = [start + HOUR * i for i in range(hours)]
    alerts = set(MonitorAlert.objects.filter(monitor=monitor, hour__gte=start).values_list("hour", flat=True))
    if not any(counts.get(h) for h in points):
        return {"hours": [], "observed": [], "expected": [], "alerts": []}
    return {"hours": points, "observed": [counts.get(h, 0) for h in points],
            "expected": [baseline(counts, h)[0] for h in points], "alerts": sorted(alerts)}


@transaction.atomic
def save_monitor(*, actor, key: str, name: str, event_kind: str, attribute: str = "", attribute_value: str = "",
                 min_volume: int = 20, threshold: float = 4.0, queue_key: str = "", policy_code: str = "") -> Monitor:
    if not access.writes_risk(actor):
        raise Forbidden("not_a_risk_writer", "Only investigators, policy managers and admins write monitors.")
    if policy_code and policy_code not in policies.active_catalogue():
        raise Invalid("unknown_policy", f"No active policy {policy_code!r}.", field="policy_code")
    monitor, created = Monitor.objects.update_or_create(key=key, defaults=dict(
        name=name, event_kind=event_kind, attribute=attribute, attribute_value=attribute_value,
        min_volume=min_volume, threshold=threshold, queue_key=queue_key, policy_code=policy_code,
        created_at=clock.now()))
    ledger.record("risk.monitor_saved", actor=actor, payload={"monitor": key, "event_kind": event_kind,
                                                              "created": created})
    return monitor


def check_monitors(*, now: datetime | None = None) -> list[MonitorAlert]:
    """Judge the last complete hour of every active monitor; each monitor in its own transaction."""
    hour = _hour(now or clock.now()) - HOUR
    raised = []
    for monitor in Monitor.objects.filter(active=True).order_by("key"):
        with transaction.atomic():
            if MonitorAlert.objects.filter(monitor=monitor, hour=hour).exists():
                continue
            counts = hourly(monitor, hour - timedelta(weeks=WEEKS), hour + HOUR)
            observed = counts.get(hour, 0)
            median, deviation = baseline(counts, hour)
            if is_anomalous(monitor, observed, median, deviation):
                raised.append(_raise(monitor, hour, observed, median))
    return raised


def _raise(monitor: Monitor, hour: datetime, observed: int, expected: float) -> MonitorAlert:
    alert = MonitorAlert.objects.create(monitor=monitor, hour=hour, observed=observed, expected=expected,
                                        raised_at=clock.now())
    catalogue = policies.active_catalogue()
    if monitor.policy_code in catalogue:
        top = (_events(monitor).filter(occurred_at__gte=hour, occurred_at__lt=hour + HOUR).values("actor_id")
               .annotate(n=Count("id")).order_by("-n").first())
        if top:
            subject = Subject.objects.get(pk=top["actor_id"])
            filed = review.file_notices([review.Notice(subject=subject, policy=catalogue[monitor.policy_code],
                                                       source="automated", is_signal=True,
                                                       queue_key=monitor.queue_key or None)], actor="risk")[0]
            alert.case_id = filed.case_id
            alert.save(update_fields=["case"])
    title = f"{monitor.name}: {observed} events in the hour from {hour:%Y-%m-%d %H:%M} UTC (expected {expected:.0f})"
    ledger.record("risk.monitor_alert", actor="risk", case_id=alert.case_id,
                  payload={"monitor": monitor.key, "hour": hour, "observed": observed, "expected": expected})
    identity.notify_many([identity.NotificationDraft(recipient_id=pk, kind="risk.monitor_alert", title=title,
                                                     topic="risk_monitor", topic_id=monitor.pk)
                          for pk in User.objects.filter(role__in=[Role.INVESTIGATOR, Role.ADMIN], is_active=True,
                                                        vendor__isnull=True).values_list("pk", flat=True)])
    desk = ports.get(INCIDENTS)
    if desk is not None:
        desk.declare(title=title, severity="sev2", affected_queues=[], source="risk.monitor",
                     summary=f"Monitor {monitor.key} raised an anomaly (risk monitor alert {alert.pk}).")
    return alert
