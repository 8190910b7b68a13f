"""What support offers outside itself: the incidents port for risk's monitors, and the review queue hook."""
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
    """An incident configured to pause its queues' SLA clocks pauses them from its declaration until it is stable
    or closed (the first of these; an incident that goes back to active does not pause again)."""

    def paused_intervals(self, queue_keys) -> dict[str, list[hooks.PauseInterval]]:
        keys = set(queue_keys)
        out: dict[str, list[hooks.PauseInterval]] = {}
        if not keys:
            return out
        pausing = Incident.objects.filter(pause_queue_sla=True).only(
            "affected_queues", "declared_at", "stable_at", "closed_at")
        for incident in pausing:
            ends = [t for t in (incident.stable_at, incident.closed_at) if t is not None]
            for key in set(incident.affected_queues) & keys:
                out.setdefault(key, []).append((incident.declared_at, min(ends) if ends else None))
        return out
