"""Where child-safety report packages go. Pluggable: `TRUSTOPS["CHILD_SAFETY_SUBMITTER"]` names a class with
`name` and `submit(package) -> reference`; the default is a local stand-in that accepts every package (for the
demo and tests, and until an integration with the authority's reporting API is configured)."""
import itertools
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Submitter(Protocol):
    name: str

    def submit(self, package: dict) -> str:
        """Send the package; return the authority's reference. Raise `SubmissionFailed` when refused."""


class SubmissionFailed(Exception):
    pass


class LocalStandIn:
    """Accepts every package and answers a local reference; keeps what it received (tests read it)."""
    name = "local-stand-in"
    received: list[dict] = []
    _numbers = itertools.count(1)

    def submit(self, package: dict) -> str:
        LocalStandIn.received.append(package)
        return f"LOCAL-{next(self._numbers):06d}"


def configured() -> Submitter:
    path = settings.TRUSTOPS.get("CHILD_SAFETY_SUBMITTER") or "trustops.compliance.childsafety.submitters.LocalStandIn"
    return import_string(path)()
