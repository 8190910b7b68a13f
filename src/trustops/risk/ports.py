"""What risk asks of apps beside it, through `kernel.ports` (each may be absent: risk works without it)."""
from typing import Protocol

INCIDENTS = "support.incidents"


class IncidentDesk(Protocol):
    """The support desk's incidents: a monitor's anomaly is declared as one when the desk exists."""

    def declare(self, *, title: str, description: str, severity: str, source: str, reference: str) -> object:
        """Open (or join) an incident; returns whatever the desk uses to identify it."""
