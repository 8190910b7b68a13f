from django.apps import AppConfig

from trustops.kernel import ports
from trustops.review import hooks


class SupportConfig(AppConfig):
    name = "trustops.support"
    label = "support"
    verbose_name = "Support desk: tickets, SLAs, knowledge base, incidents, escalations"

    def ready(self):
        from trustops.support.incidents.ports import (  # models load only now
            IncidentPort,
            QueueIncidentsProvider,
            QueueSlaPausesProvider,
        )

        ports.provide("support.incidents", IncidentPort())
        hooks.queue_incidents = QueueIncidentsProvider()
        hooks.sla_pauses = QueueSlaPausesProvider()
