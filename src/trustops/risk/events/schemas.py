"""The events contract: `POST /events/batch`."""
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trustops.kernel.inputs import DocumentedAs, Moment
from trustops.subjects.models import SUBJECT_TYPES

SubjectType = Literal[SUBJECT_TYPES]  # type: ignore[valid-type]
MAX_ATTRIBUTES = 64
MAX_ATTRIBUTE_BYTES = 8192
BATCH_MAX = 1000
FUTURE_SLACK_SECONDS = 300


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EntityIn(Strict):
    type: SubjectType
    external_id: str = Field(min_length=1, max_length=200)


class EventIn(Strict):
    id: str = Field(min_length=1, max_length=200, description="Unique per event; a resend is a duplicate.")
    kind: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$", description="e.g. login_failed, upload, gift, refund")
    occurred_at: Moment = Field(description=f"At most {FUTURE_SLACK_SECONDS} seconds ahead of the server's clock.")
    actor: EntityIn
    target: EntityIn | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, max_length=MAX_ATTRIBUTES,
                                       description=f"At most {MAX_ATTRIBUTES} keys and {MAX_ATTRIBUTE_BYTES} bytes "
                                                   "as JSON.")


class EventBatchIn(BaseModel):
    events: list[Annotated[Any, DocumentedAs(EventIn)]] = Field(
        min_length=1, json_schema_extra={"maxItems": BATCH_MAX},
        description="Each item is an EventIn, checked on its own: a bad event fails alone.")


class HitOut(BaseModel):
    rule: str
    version: int
    mode: str


class EventResultOut(BaseModel):
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    error: dict | None = None
    hits: list[HitOut] = []


class EventBatchOut(BaseModel):
    results: list[EventResultOut]
