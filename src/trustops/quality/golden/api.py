"""API for golden items: place one in a live queue, list them with their results, accuracy on them."""
from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id, Moment
from trustops.quality.golden import selectors, services

router = Router(tags=["quality"])


class GoldenItemIn(Schema):
    source_case_id: int
    queue: str = Field(min_length=1, max_length=64)
    expected_verdict: Literal["violation", "no_violation"]
    expected_policy: str | None = None


class GoldenItemOut(Schema):
    golden_item_id: Id
    case_id: int
    source_case_id: int | None
    queue: str
    expected_verdict: str
    expected_policy: str | None
    created_by: str
    created_at: datetime
    status: str
    result: dict | None


def _golden_out(item, result: dict | None) -> dict:
    return {"golden_item_id": item.pk, "case_id": item.case_id, "source_case_id": item.source_case_id,
            "queue": item.case.queue.key, "expected_verdict": item.expected_verdict,
            "expected_policy": item.expected_policy.code if item.expected_policy_id else None,
            "created_by": item.created_by.username, "created_at": item.created_at, "status": item.case.status,
            "result": result}


def _golden_rows(user, items) -> list[dict]:
    decided = {row["case_id"]: row for row in selectors.results(
        selectors.golden_results_visible_to(user).filter(case_id__in=[i.case_id for i in items]))}
    return [_golden_out(item, None if item.case_id not in decided else {
        "decision_id": decided[item.case_id]["id"], "reviewer": decided[item.case_id]["reviewer__username"],
        "verdict": decided[item.case_id]["verdict"], "policy": decided[item.case_id]["policy__code"],
        "error_type": decided[item.case_id]["error_type"], "decided_at": decided[item.case_id]["decided_at"]})
        for item in items]


@router.post("/qa/golden-items", response={201: GoldenItemOut}, auth=scope("quality:write"),
             summary="Place a resolved case, whose answer is known, back into a live queue as an ordinary case",
             operation_id="trustops_quality_measurement_api_post_golden_item")
def post_golden_item(request, body: GoldenItemIn):
    item = services.create_golden_item(
        actor=request.auth, source_case_id=body.source_case_id, queue_key=body.queue,
        expected_verdict=body.expected_verdict, expected_policy=body.expected_policy)
    item = selectors.golden_items_visible_to(request.auth).select_related(
        "case__queue", "expected_policy", "created_by").get(pk=item.pk)
    return Status(201, _golden_rows(request.auth, [item])[0])


class GoldenListQuery(Schema):
    status: Literal["open", "in_review", "resolved"] | None = None
    limit: int = Field(default=100, ge=1, le=500)


@router.get("/qa/golden-items", response=list[GoldenItemOut], auth=scope("quality:read"),
            summary="Golden items, newest first, with the decision each received (QA readers only)",
            operation_id="trustops_quality_measurement_api_list_golden_items")
def list_golden_items(request, q: Query[GoldenListQuery]):
    items = selectors.golden_items_visible_to(request.auth).select_related("case__queue", "expected_policy",
                                                                           "created_by")
    if q.status:
        items = items.filter(case__status=q.status)
    return _golden_rows(request.auth, list(items.order_by("-id")[:q.limit]))


class GoldenAccuracyQuery(Schema):
    group_by: Literal["agent", "vendor"] = "agent"
    date_from: Moment | None = Field(default=None, alias="from")
    date_to: Moment | None = Field(default=None, alias="to")


@router.get("/qa/golden-accuracy", auth=scope("quality:read"),
            summary="Accuracy on golden items per agent or vendor, with Wilson 95% intervals",
            operation_id="trustops_quality_measurement_api_read_golden_accuracy")
def read_golden_accuracy(request, q: Query[GoldenAccuracyQuery]):
    return selectors.golden_accuracy(request.auth, date_from=q.date_from, date_to=q.date_to, group_by=q.group_by)
