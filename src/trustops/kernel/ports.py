"""Ports: what one domain app offers the others that may not import it.

The domain apps above review (workforce, risk, merchants, support, compliance) sit side by side and never import
one another (DESIGN §4). When one needs another (risk's monitors opening a support incident, merchants asking
risk to check a listing, compliance counting the vendors' reviewers per language), the caller names a port here
with the small Protocol it needs, the provider registers an implementation in its `AppConfig.ready()`, and the
caller asks `ports.get(...)`, which is None when the provider is not installed: every caller works without it.
"""
from typing import Any, TypeVar

T = TypeVar("T")

_providers: dict[str, Any] = {}


def provide(name: str, implementation: Any) -> None:
    """Register the implementation of a port (once, at start-up; a second registration replaces the first)."""
    _providers[name] = implementation


def get(name: str) -> Any | None:
    """The registered implementation of a port, or None when no installed app provides it."""
    return _providers.get(name)


def withdraw(name: str) -> None:
    """Forget a provider (tests that exercise the platform without it)."""
    _providers.pop(name, None)
