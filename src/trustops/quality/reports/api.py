"""API for quality figures: accuracy per group, weekly trends and the Pareto of error causes."""
from datetime import datetime, timedelta, timezone
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel import clock
from trustops.kernel.errors import Invalid
from trustops.kernel.inputs import Moment
from trustops.quality.reports import accuracy, trends

router = Router(tags=["quality"])

MAX_RANGE_DAYS = 400
DEFAULT_WEEKS = 12


class AccuracyQuery(Schema):
    group_by: Literal["vendor", "team", "agent", "queue", "policy"] = "vendor"
    date_from: Moment | None = Field(default=None, alias="from")
    date_to: Moment | None = Field(default=None, alias="to")


@router.get("/qa/accuracy", auth=scope("quality:read"),
            summary="Accuracy per group with Wilson 95% intervals, a weighted population estimate, "
                    "precision/recall per policy and the appeal overturn rate",
            operation_id="trustops_quality_api_read_accuracy")
def read_accuracy(request, q: Query[AccuracyQuery]):
    return accuracy.accuracy(request.auth, group_by=q.group_by, date_from=q.date_from, date_to=q.date_to)


# ---- trends and Pareto -------------------------------------------------------------------------------------

class RangeQuery(Schema):
    date_from: Moment | None = Field(default=None, alias="from", description="Start (inclusive); default: 12 weeks before `to`")
    date_to: Moment | None = Field(default=None, alias="to", description="End (exclusive); default: now")


class TrendQuery(RangeQuery):
    by: Literal["error_type", "policy", "queue", "vendor"] = "error_type"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _range(q: RangeQuery) -> tuple[datetime, datetime]:
    date_to = _aware(q.date_to) if q.date_to else clock.now()
    date_from = _aware(q.date_from) if q.date_from else date_to - timedelta(weeks=DEFAULT_WEEKS)
    if date_from >= date_to:
        raise Invalid("invalid_range", "`from` must be before `to`.", field="from")
    if date_to - date_from > timedelta(days=MAX_RANGE_DAYS):
        raise Invalid("range_too_long", f"At most {MAX_RANGE_DAYS} days at a time.", field="from")
    return date_from, date_to


@router.get("/qa/trends", auth=scope("quality:read"),
            summary="Weekly (ISO week) accuracy with Wilson intervals, and error counts by error type, "
                    "or accuracy per policy, queue or vendor",
            operation_id="trustops_quality_rca_api_read_trends")
def read_trends(request, q: Query[TrendQuery]):
    date_from, date_to = _range(q)
    return trends.weekly(request.auth, date_from=date_from, date_to=date_to, by=q.by)


@router.get("/qa/pareto", auth=scope("quality:read"),
            summary="Pareto of error causes: by RCA category, and by error type × policy, with cumulative shares",
            operation_id="trustops_quality_rca_api_read_pareto")
def read_pareto(request, q: Query[RangeQuery]):
    date_from, date_to = _range(q)
    return trends.pareto(request.auth, date_from=date_from, date_to=date_to)
