"""The risk API: events in, rules and their lifecycle, hits, labels, backtests."""
from datetime import datetime
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.errors import PayloadTooLarge
from trustops.kernel.inputs import Id, Moment, validate_item_by_item
from trustops.risk import selectors
from trustops.risk.backtests import services as backtests
from trustops.risk.events import services as events
from trustops.risk.events.schemas import BATCH_MAX, EventBatchIn, EventBatchOut
from trustops.risk.monitors import services as monitors
from trustops.risk.outcomes import services as outcomes
from trustops.risk.rules import definition
from trustops.risk.rules import services as rules
from trustops.risk.rules.definition import Definition

router = Router(tags=["risk"])
validate_item_by_item("event_batch", field="events")


@router.post("/events/batch", response=EventBatchOut, auth=scope("events:write"), url_name="event_batch",
             summary="Send 1 to 1,000 platform events; each is accepted, a duplicate, or rejected on its own")
def post_events(request, body: EventBatchIn):
    if len(body.events) > BATCH_MAX:
        raise PayloadTooLarge("batch_too_large", f"A batch holds at most {BATCH_MAX} events; this one has "
                                                 f"{len(body.events)}.", field="events")
    results = events.ingest(body.events, submitter=request.auth)
    return JsonResponse({"results": [r.as_body() for r in results]}, encoder=DjangoJSONEncoder)


class RiskRuleIn(Schema):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    on: list[str] = Field(min_length=1, max_length=20)
    features: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    when: str = Field(min_length=1, max_length=2000)
    outcome: dict[str, Any]
    mode: Literal["enforce", "shadow", "disabled"] = "shadow"
    publish: bool = Field(default=True, description="False keeps the new version a draft.")
    dedupe_seconds: int = Field(default=86400, ge=0, le=90 * 86400)
    precision_target: float = Field(default=0.7, ge=0, le=1)
    min_outcomes: int = Field(default=20, ge=1, le=100000)


class DraftIn(Schema):
    on: list[str] = Field(min_length=1, max_length=20)
    features: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    when: str = Field(min_length=1, max_length=2000)
    outcome: dict[str, Any]


class BacktestIn(DraftIn):
    start: Moment
    end: Moment


class ModeIn(Schema):
    mode: Literal["enforce", "shadow", "disabled"]
    reason: str = Field(default="", max_length=500)


class PublishIn(Schema):
    mode: Literal["enforce", "shadow"]


def _json(body, status=200):
    return JsonResponse(body, encoder=DjangoJSONEncoder, status=status, safe=not isinstance(body, list))


@router.post("/risk/rules", response={201: dict}, auth=scope("risk:write"),
             summary="Create a rule or its next version; published in the given mode unless `publish` is false")
def post_rule(request, body: RiskRuleIn):
    return Status(201, rules.save_rule(actor=request.auth, **body.dict()))


@router.get("/risk/rules", response=list[dict], auth=scope("risk:read"), summary="Rules with hits and precision")
def get_rules(request):
    return _json(selectors.rules(request.auth))


@router.post("/risk/rules/validate", response=dict, auth=scope("risk:read"),
             summary="Compile, check the features and dry-run a draft on the last stored events")
def validate_rule(request, body: DraftIn):
    parsed: Definition = definition.parse(**body.dict())
    return _json({"valid": True, "features": [f.name for f in parsed.features],
                  "dry_run": backtests.dry_run(parsed)})


@router.post("/risk/backtests", response=dict, auth=scope("risk:read"),
             summary="Replay stored events of a period through a draft, counters rebuilt as of each event")
def post_backtest(request, body: BacktestIn):
    return _json(backtests.backtest(actor=request.auth, **body.dict()))


@router.get("/risk/rules/{key}", response=dict, auth=scope("risk:read"), summary="A rule and its versions")
def get_rule(request, key: str):
    return _json(selectors.rule(request.auth, key))


@router.post("/risk/rules/{key}/versions/{version}/publish", response=dict, auth=scope("risk:write"),
             summary="Publish a draft version")
def publish_rule(request, key: str, version: Id, body: PublishIn):
    return _json(rules.publish(actor=request.auth, key=key, version=version, mode=body.mode))


@router.post("/risk/rules/{key}/mode", response=dict, auth=scope("risk:write"), summary="Enforce, shadow or disable")
def post_mode(request, key: str, body: ModeIn):
    return _json(rules.set_mode(actor=request.auth, key=key, mode=body.mode, reason=body.reason))


@router.post("/risk/rules/{key}/retire", response=dict, auth=scope("risk:write"), summary="Retire the live version")
def post_retire(request, key: str):
    return _json(rules.retire(actor=request.auth, key=key))


class HitsQuery(Schema):
    version: Id | None = None
    before_id: Id | None = None
    limit: int = Field(default=100, ge=1, le=500)


@router.get("/risk/rules/{key}/hits", response=dict, auth=scope("risk:read"),
            summary="A rule's hits, newest first, with the version and feature values each saw")
def get_hits(request, key: str, query: Query[HitsQuery]):
    found = selectors.hits(request.auth, key, version=query.version, limit=query.limit, before_id=query.before_id)
    return _json({"hits": [selectors.hit_body(h) for h in found],
                  "next_before_id": found[-1].pk if len(found) == query.limit else None})


class HitReversalIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


@router.post("/risk/hits/{hit_id}/reverse-action", response=dict, auth=scope("risk:write"),
             summary="Undo the automatic action a hit took")
def reverse_action(request, hit_id: Id, body: HitReversalIn):
    return _json(outcomes.reverse_action(actor=request.auth, hit_id=hit_id, reason=body.reason))


@router.get("/risk/labels", response=dict, auth=scope("risk:read"), summary="Active labels")
def get_labels(request, name: str | None = Query(None, max_length=64)):
    return _json({"labels": [{"subject": {"type": la.subject.type, "external_id": la.subject.external_id},
                              "name": la.name, "applied_at": la.applied_at, "expires_at": la.expires_at,
                              "rule": la.rule_version.rule.key if la.rule_version else None}
                             for la in selectors.labels(request.auth, name=name)]})


class MonitorIn(Schema):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    event_kind: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")
    attribute: str = Field(default="", max_length=64, pattern=r"^([A-Za-z_][A-Za-z0-9_]*)?$")
    attribute_value: str = Field(default="", max_length=200)
    min_volume: int = Field(default=20, ge=1, le=10**9)
    threshold: float = Field(default=4.0, gt=0, le=100)
    queue_key: str = Field(default="", max_length=64)
    policy_code: str = Field(default="", max_length=120)


def _monitor_body(m) -> dict:
    return {"key": m.key, "name": m.name, "event_kind": m.event_kind, "attribute": m.attribute,
            "attribute_value": m.attribute_value, "min_volume": m.min_volume, "threshold": m.threshold,
            "queue_key": m.queue_key, "policy_code": m.policy_code, "active": m.active}


@router.post("/risk/monitors", response=dict, auth=scope("risk:write"), summary="Create or change a monitor")
def post_monitor(request, body: MonitorIn):
    return _json(_monitor_body(monitors.save_monitor(actor=request.auth, **body.dict())))


@router.get("/risk/monitors", response=dict, auth=scope("risk:read"), summary="Monitors and their recent alerts")
def get_monitors(request):
    return _json({"monitors": [_monitor_body(m) for m in selectors.monitors(request.auth)],
                  "alerts": [{"monitor": a.monitor.key, "hour": a.hour, "observed": a.observed,
                              "expected": a.expected, "case_id": a.case_id}
                             for a in selectors.alerts(request.auth)]})


class BreakerIn(Schema):
    action: str = Field(min_length=1, max_length=40)


@router.post("/risk/breakers/reset", response=dict, auth=scope("risk:write"),
             summary="Let a stopped automatic action go out again")
def reset_breaker(request, body: BreakerIn):
    rules._require_writer(request.auth)
    trip = outcomes.reset_breaker(action=body.action, actor=request.auth)
    return _json({"action": trip.action, "reset_at": trip.reset_at})


__all__ = ["datetime"]
