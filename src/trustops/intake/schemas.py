"""The intake contract integrating platforms rely on. Add fields if needed; never change these."""
from typing import Annotated, Any, Literal

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, field_validator

from trustops.kernel.inputs import DocumentedAs
from trustops.subjects.models import ACCOUNT_TYPES, SUBJECT_TYPES

SubjectType = Literal[SUBJECT_TYPES]  # type: ignore[valid-type]
AccountType = Literal[ACCOUNT_TYPES]  # type: ignore[valid-type]
Source = Literal["user", "trusted_flagger", "automated", "internal", "authority"]

ExternalId = Field(min_length=1, max_length=200)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OwnerIn(Strict):
    type: AccountType
    external_id: str = ExternalId


class SubjectIn(Strict):
    type: SubjectType
    external_id: str = ExternalId
    owner: OwnerIn | None = None
    region: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$", description="Data region, e.g. US, EU, GB.")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    reach: int | None = Field(default=None, ge=0, le=10**12)
    attributes: dict[str, Any] = Field(default_factory=dict, max_length=100)

    @field_validator("owner")
    @classmethod
    def items_only_have_owners(cls, owner, info):
        if owner is not None and info.data.get("type") in ACCOUNT_TYPES:
            raise ValueError("an account has no owner; owners belong to items")
        return owner


class ReportIn(Strict):
    idempotency_key: str = Field(min_length=1, max_length=200)
    subject: SubjectIn
    reason: str = Field(min_length=1, max_length=120, description="A policy code from GET /policies.")
    source: Source
    reporter_external_id: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=5000)


def _batch_limit(schema: dict) -> None:
    # The limit is a setting and a larger batch is a 413, not a 422: documented here, enforced by the endpoint.
    schema["maxItems"] = settings.TRUSTOPS["INTAKE_BATCH_MAX"]


class ReportBatchIn(BaseModel):
    # Items are validated one by one so that one bad item is reported by index and spares the others;
    # the document still shows each item as a `ReportIn`.
    reports: list[Annotated[Any, DocumentedAs(ReportIn)]] = Field(
        min_length=1, json_schema_extra=_batch_limit,
        description="Each item is a ReportIn, checked on its own: a bad item fails alone, by its index.")


class SubjectKeyOut(BaseModel):
    type: str
    external_id: str


class RefusedChangeOut(BaseModel):
    """A change to a known subject that trustops did not apply; the report itself was accepted."""
    subject: SubjectKeyOut
    field: Literal["region", "owner"]
    current: str = Field(description="What trustops keeps: a region, or an owner as type:external_id.")
    sent: str


class ReportOut(BaseModel):
    report_id: int
    case_id: int
    case_created: bool
    queue: str
    refused_changes: list[RefusedChangeOut] = []


class BatchItemOut(BaseModel):
    index: int
    status: int
    result: ReportOut | None = None
    error: dict | None = None


class BatchOut(BaseModel):
    accepted: int
    replayed: int
    failed: int
    results: list[BatchItemOut]


class SignalIn(Strict):
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)
    detector: str = Field(min_length=1, max_length=100)
    score: float = Field(ge=0, le=1)
    policy: str = Field(min_length=1, max_length=120)
    subject: SubjectIn


class SignalOut(BaseModel):
    signal_id: int
    above_threshold: bool
    threshold: float
    case_id: int | None
    case_created: bool
    queue: str | None
    refused_changes: list[RefusedChangeOut] = []
