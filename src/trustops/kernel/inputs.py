"""What the edge accepts from outside: values every database column and JSON field can store.

PostgreSQL refuses NUL in text and jsonb, neither database stores an integer beyond 64 bits, a lone UTF-16
surrogate cannot be encoded, and NaN or Infinity are not JSON (RFC 8259 §6). Such input is refused where it
comes in, with the path of the offending value, instead of failing later inside a transaction.
Bounded field types for the API's schemas live here too, so every id, count and duration has one range.
"""
import json
import math
from datetime import datetime, timezone
from typing import Annotated, Any

from ninja.parser import Parser
from pydantic import AfterValidator, BaseModel, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

from trustops.kernel.errors import Invalid

INT64_MAX = 2 ** 63 - 1
INT32_MAX = 2 ** 31 - 1


def _problem_in_text(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain unpaired surrogates"
    return None


def first_unstorable(value: Any, path: tuple = ()) -> tuple[str, str] | None:
    """The first value that no column could hold, as (dotted path, why), or None."""
    if isinstance(value, str):
        problem = _problem_in_text(value)
        return (".".join(map(str, path)), problem) if problem else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not -INT64_MAX - 1 <= value <= INT64_MAX:
            return ".".join(map(str, path)), "must fit in a signed 64-bit integer"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (".".join(map(str, path)), "must be a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_unstorable(key, (*path, key)) or first_unstorable(item, (*path, key))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = first_unstorable(item, (*path, index))
            if found:
                return found
    return None


def refuse_unstorable(value: Any, *, prefix: str = "") -> None:
    found = first_unstorable(value)
    if found:
        field, why = found
        field = ".".join(p for p in (prefix, field) if p)
        raise Invalid("invalid_field", f"{field or 'body'}: {why}.", field=field or None)


# Bodies whose top-level list is validated item by item, so one bad item fails alone (by URL name).
ITEMWISE_BODIES: dict[str, str] = {}


def validate_item_by_item(url_name: str, field: str) -> None:
    ITEMWISE_BODIES[url_name] = field


class DocumentedAs:
    """Accepts any value, but documents it as `model` in the OpenAPI document.

    For the items of a body validated item by item: the body itself must take whatever an item holds, so that
    a bad item is refused alone and by index, while integrators still read each item's full schema and limits.
    """

    def __init__(self, model: type[BaseModel]):
        self.model = model

    def __get_pydantic_core_schema__(self, source, handler: GetCoreSchemaHandler):
        return core_schema.any_schema()

    def __get_pydantic_json_schema__(self, schema, handler: GetJsonSchemaHandler):
        return handler(self.model.__pydantic_core_schema__)


class StrictJsonParser(Parser):
    """Ninja's JSON body parser, refusing what cannot be stored (see the module docstring) with a 422."""

    def parse_body(self, request):
        data = json.loads(request.body)
        match = getattr(request, "resolver_match", None)
        itemwise = ITEMWISE_BODIES.get(match.url_name) if match else None
        if itemwise and isinstance(data, dict) and isinstance(data.get(itemwise), list):
            # Each item is checked when it is validated; the rest of the body here.
            refuse_unstorable({k: v for k, v in data.items() if k != itemwise})
        else:
            refuse_unstorable(data)
        return data


# ---- bounded field types for schemas ------------------------------------------------------------------------

Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
"""A row id in a path, query or body: anything else names nothing, and is refused rather than looked up."""
Seconds = Annotated[int, Field(ge=0, le=INT32_MAX, description="A duration in whole seconds")]
"""A duration as the decision tables store it (a 32-bit column); a negative one is a client's clock error."""


# Far enough from datetime's own limits (years 1 and 9999) that adding weeks or a year to a moment never
# overflows, and before any trust & safety record could exist.
MOMENT_MIN = datetime(1900, 1, 1, tzinfo=timezone.utc)
MOMENT_MAX = datetime(9000, 1, 1, tzinfo=timezone.utc)


def _in_utc(moment: datetime) -> datetime:
    """A naive moment is taken as UTC; an aware one is converted, since PostgreSQL refuses offsets past ±16 h."""
    try:
        moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("lies outside the calendar") from None
    if not MOMENT_MIN <= moment < MOMENT_MAX:
        raise ValueError(f"must lie between {MOMENT_MIN:%Y-%m-%d} and {MOMENT_MAX:%Y-%m-%d}")
    return moment


Moment = Annotated[datetime, AfterValidator(_in_utc)]
"""A point in time from outside, in UTC."""
