"""Feature definitions: what a rule may name as `features.NAME`, and how each is checked before publishing.

A windowed feature aggregates the events of one kind over a sliding window, per key:
- `kind`: count | sum | distinct | min | max (sum, distinct, min and max read `field`, an event attribute);
- `event`: the event kind it aggregates (default: every kind the rule is triggered on, the first of them);
- `by`: actor | target | attributes.NAME, or a list of those (a combined key);
- `window_seconds`: 1 second to 90 days.
Two rules defining the same aggregate share its counters (`signature`).
"""
import re
from dataclasses import dataclass
from functools import cached_property

from trustops.kernel.canonical import digest
from trustops.kernel.errors import Invalid

KINDS = ("count", "sum", "distinct", "min", "max")
MAX_WINDOW = 90 * 86400
NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
EVENT_KIND = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
KEY_PART = re.compile(r"^(actor|target|attributes\.[A-Za-z_][A-Za-z0-9_]{0,63})$")
MAX_FEATURES = 20


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str
    event: str
    by: tuple[str, ...]
    window_seconds: int
    field: str = ""           # an attribute name, for sum, distinct, min and max

    @cached_property
    def signature(self) -> str:
        return digest({"kind": self.kind, "event": self.event, "by": list(self.by),
                       "window": self.window_seconds, "field": self.field})[:32]

    @cached_property
    def buckets(self) -> tuple[int, int]:
        """(bucket width in seconds, buckets per window): see `counters`."""
        from trustops.risk.features.counters import span, width
        return width(self.window_seconds), span(self.window_seconds)

    def as_dict(self) -> dict:
        body = {"name": self.name, "kind": self.kind, "event": self.event,
                "by": self.by[0] if len(self.by) == 1 else list(self.by), "window_seconds": self.window_seconds}
        if self.field:
            body["field"] = self.field
        return body


def parse(raw: list, *, default_event: str) -> list[Feature]:
    """Check and normalise a rule's feature list; `Invalid` names the offending `features.N.field`."""
    if not isinstance(raw, list):
        raise Invalid("invalid_field", "features must be a list.", field="features")
    if len(raw) > MAX_FEATURES:
        raise Invalid("too_many_features", f"A rule names at most {MAX_FEATURES} features.", field="features")
    out, seen = [], set()
    for i, item in enumerate(raw):
        where = f"features.{i}"
        if not isinstance(item, dict):
            raise Invalid("invalid_field", f"{where} must be an object.", field=where)
        unknown = set(item) - {"name", "kind", "event", "by", "window_seconds", "field"}
        if unknown:
            raise Invalid("unknown_field", f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}.",
                          field=f"{where}.{sorted(map(str, unknown))[0]}")
        name = item.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise Invalid("invalid_field", f"{where}.name must be lower_snake_case, at most 48 characters.",
                          field=f"{where}.name")
        if name in seen:
            raise Invalid("duplicate_feature", f"Feature {name!r} is defined twice.", field=f"{where}.name")
        seen.add(name)
        kind = item.get("kind")
        if kind not in KINDS:
            raise Invalid("invalid_field", f"{where}.kind must be one of {', '.join(KINDS)}.", field=f"{where}.kind")
        event = item.get("event", default_event)
        if not isinstance(event, str) or not EVENT_KIND.match(event):
            raise Invalid("invalid_field", f"{where}.event must be an event kind.", field=f"{where}.event")
        by = item.get("by", "actor")
        by = [by] if isinstance(by, str) else by
        if not isinstance(by, list) or not 1 <= len(by) <= 3 or not all(isinstance(p, str) and KEY_PART.match(p)
                                                                        for p in by):
            raise Invalid("invalid_field", f"{where}.by must be actor, target, attributes.NAME or a list of up "
                                           "to three of them.", field=f"{where}.by")
        window = item.get("window_seconds")
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_WINDOW:
            raise Invalid("invalid_window", f"{where}.window_seconds must be a whole number of seconds from 1 to "
                                            f"{MAX_WINDOW}.", field=f"{where}.window_seconds")
        field = item.get("field", "")
        if kind != "count":
            if not isinstance(field, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", field):
                raise Invalid("invalid_field", f"{where}.field must name the event attribute a {kind} reads.",
                              field=f"{where}.field")
        elif field:
            raise Invalid("invalid_field", f"{where}.field is only for sum, distinct, min and max.",
                          field=f"{where}.field")
        out.append(Feature(name, kind, event, tuple(by), window, field))
    return out
