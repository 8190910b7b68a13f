"""Reading incidents through `identity.access.incident_filter`."""
from django.db.models import QuerySet

from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.support.models import Incident, IncidentStatus


def incidents_visible_to(person) -> QuerySet[Incident]:
    return Incident.objects.filter(access.incident_filter(person)).distinct()


def get_incident(person, incident_id: int) -> Incident:
    incident = incidents_visible_to(person).filter(pk=incident_id).first()
    if incident is None:
        raise NotFound("incident_not_found", "No such incident.")
    return Incident.objects.select_related("commander", "scribe", "liaison", "declared_by").get(pk=incident.pk)


def live_incidents(person) -> list[Incident]:
    return list(incidents_visible_to(person).exclude(status=IncidentStatus.CLOSED).order_by("severity", "-declared_at"))


def timeline(incident: Incident):
    return incident.timeline.select_related("actor", "ticket").order_by("at", "id")
