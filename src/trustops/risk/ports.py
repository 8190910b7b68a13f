"""What risk asks of apps beside it, through `kernel.ports` (each may be absent: risk works without it)."""
from typing import Protocol

INCIDENTS = "support.incidents"


class IncidentDesk(Protocol):
    """The support desk's incidents: a monitor's anomaly is declared as one when the desk exists."""

    def declare(self, title: str, severity: str, summary: str, affected_queues, source: str) -> object:
        """Open an incident in one transaction; returns the desk's id for it."""
