"""What the workforce API takes and gives. Bounds that make a solve meaningless are refused here (422)."""
from typing import Annotated

from ninja import Schema
from pydantic import Field, model_validator

from trustops.workforce.staffing import MAX_AGENTS

# Longer patience than this is Erlang C in all but the last digits: send null instead.
MAX_PATIENCE_SECONDS = 10_000_000
MAX_INTERVAL_SECONDS = 31 * 24 * 3600
MAX_AHT_SECONDS = 24 * 3600

Probability = Annotated[float, Field(gt=0, lt=1)]


class StaffingTarget(Schema):
    """One or more of: a service level within `answer_seconds`, a maximum probability of waiting, a maximum
    average speed of answer."""
    service_level: Probability | None = None
    answer_seconds: float | None = Field(default=None, ge=0, le=MAX_AHT_SECONDS)
    max_wait_probability: Probability | None = None
    max_asa_seconds: float | None = Field(default=None, gt=0, le=MAX_PATIENCE_SECONDS)

    @model_validator(mode="after")
    def _complete(self):
        if self.service_level is None and self.max_wait_probability is None and self.max_asa_seconds is None:
            raise ValueError("give service_level (with answer_seconds), max_wait_probability or max_asa_seconds")
        if self.service_level is not None and self.answer_seconds is None:
            raise ValueError("a service_level target needs answer_seconds")
        return self


class StaffingIn(Schema):
    interval_seconds: float = Field(gt=0, le=MAX_INTERVAL_SECONDS)
    volume: float = Field(ge=0, le=1e9)
    aht_seconds: float = Field(gt=0, le=MAX_AHT_SECONDS)
    target: StaffingTarget
    max_occupancy: float = Field(default=1.0, gt=0, le=1)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    patience_seconds: float | None = Field(default=None, gt=0, le=MAX_PATIENCE_SECONDS)
    agents: int | None = Field(default=None, ge=0, le=MAX_AGENTS)


class StaffingOut(Schema):
    model: str
    agents: int
    scheduled: int
    load_erlangs: float
    service_level: float
    wait_probability: float
    asa_seconds: float | None
    occupancy: float
    abandonment: float
