"""What support offers outside itself: the incidents port for risk's monitors, and the review queue hook."""
from datetime import datetime

from trustops.review import hooks
from trustops.support.models import Incident, IncidentStatus


class IncidentPort:
    """`kernel.ports.get("support.incidents")`: a monitor opens an incident without importing support."""

    def declare(self, title: str, severity: str, summary: str, affected_queues, source: str) -> int:
        from trustops.support.incidents import services
        return services.declare(actor=source or "monitor", title=title, severity=severity, summary=summary,
                                affected_queues=list(affected_queues or []), source=source or "monitor").pk


class QueueIncidentsProvider(hooks.QueueIncidents):
    def for_queues(self, queue_keys) -> dict[str, list[hooks.QueueIncident]]:
        keys = set(queue_keys)
        out: dict[str, list[hooks.QueueIncident]] = {}
        if not keys:
            return out
        live = Incident.objects.exclude(status=IncidentStatus.CLOSED).only(
            "pk", "title", "severity", "status", "affected_queues", "pause_queue_sla")
        for incident in live:
            for key in set(incident.affected_queues) & keys:
                out.setdefault(key, []).append(hooks.QueueIncident(
                    incident_id=incident.pk, title=incident.title, severity=incident.severity,
                    status=incident.status, pauses_sla=incident.pause_queue_sla))
        return out


class QueueSlaPausesProvider(hooks.QueueSlaPauses):
    """An incident configured to pause its queues' SLA clocks pauses them for every span it is active: from its
    declaration until it is stable or closed, and again each time it goes back to active."""

    def paused_intervals(self, queue_keys) -> dict[str, list[hooks.PauseInterval]]:
        keys = set(queue_keys)
        out: dict[str, list[hooks.PauseInterval]] = {}
        if not keys:
            return out
        pausing = Incident.objects.filter(pause_queue_sla=True).only("affected_queues", "active_periods")
        for incident in pausing:
            spans = [(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
                     for start, end in incident.active_periods]
            for key in set(incident.affected_queues) & keys:
                out.setdefault(key, []).extend(spans)
        return out
