"""One source of time so tests and the simulation can move it."""
from datetime import datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen or timezone.now()


class frozen:
    """Context manager fixing `now()`; used by the simulation to replay history and by tests."""

    def __init__(self, at: datetime):
        self.at = at

    def __enter__(self):
        global _frozen
        self._previous, _frozen = _frozen, self.at
        return self.at

    def __exit__(self, *exc):
        global _frozen
        _frozen = self._previous
