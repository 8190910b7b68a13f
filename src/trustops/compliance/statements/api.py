"""Statements of reasons: per decision, the list with their submission state, mappings, restating gaps."""
from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from trustops.compliance.models import DecisionGround
from trustops.compliance.statements import selectors, services, submission
from trustops.identity import access
from trustops.identity.auth import scope
from trustops.kernel.errors import Forbidden, NotFound
from trustops.kernel.inputs import Id
from trustops.kernel.pagination import page_by_id

router = Router(tags=["compliance"])


class StatementOut(Schema):
    id: int
    decision_id: int
    kind: str
    puid: str
    region: str
    status: str
    problems: list[dict]
    attempts: int
    last_error: str
    created_at: datetime
    submitted_at: datetime | None
    statement: dict


class DecisionStatementOut(Schema):
    decision_id: int
    submission_configured: bool
    statement: StatementOut
    correction: StatementOut | None


class StatementPageOut(Schema):
    statements: list[StatementOut]
    next_cursor: str | None


def statement_out(s) -> dict:
    return {"id": s.pk, "decision_id": s.decision_id, "kind": s.kind, "puid": s.puid, "region": s.region,
            "status": s.status, "problems": s.problems, "attempts": s.attempts, "last_error": s.last_error,
            "created_at": s.created_at, "submitted_at": s.submitted_at, "statement": s.body}


def require_compliance(person) -> None:
    if not access.works_compliance(person):
        raise Forbidden("compliance_only", "Only compliance officers and admins do this.")


@router.get("/decisions/{decision_id}/statement-of-reasons", response=DecisionStatementOut,
            auth=scope("compliance:read"), summary="The DSA statement of reasons of a decision and its submission")
def get_statement(request, decision_id: Id):
    original, correction = selectors.for_decision(request.auth, decision_id)
    return {"decision_id": decision_id, "submission_configured": submission.configured(),
            "statement": statement_out(original), "correction": statement_out(correction) if correction else None}


class StatementFilter(Schema):
    status: Literal["gap", "pending", "submitted", "refused"] | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=200)


@router.get("/compliance/statements", response=StatementPageOut, auth=scope("compliance:read"),
            summary="Statements of reasons, newest first; gaps and refusals carry their problems")
def list_statements(request, filters: Query[StatementFilter]):
    rows = selectors.statements_visible_to(request.auth)
    if filters.status:
        rows = rows.filter(status=filters.status)
    page, cursor = page_by_id(rows, cursor=filters.cursor, limit=filters.limit)
    return {"statements": [statement_out(s) for s in page], "next_cursor": cursor}


class RestateOut(Schema):
    fixed: int
    still_gaps: int


@router.post("/compliance/statements/restate", response=RestateOut, auth=scope("compliance:write"),
             summary="Build the gaps again after their policies' mappings were fixed")
def post_restate(request):
    require_compliance(request.auth)
    visible = list(selectors.statements_visible_to(request.auth).filter(status="gap").values_list("decision_id",
                                                                                                  flat=True))
    return services.restate_gaps(actor=request.auth, decision_ids=visible)


@router.post("/compliance/statements/{statement_id}/resubmit", response=StatementOut, auth=scope("compliance:write"),
             summary="Send a refused statement again")
def post_resubmit(request, statement_id: Id):
    require_compliance(request.auth)
    if not selectors.statements_visible_to(request.auth).filter(pk=statement_id).exists():
        raise NotFound("statement_not_found", f"No statement {statement_id}.")
    return statement_out(submission.resubmit(statement_id=statement_id, actor=request.auth))


class MappingIn(Schema):
    decision_ground: Literal["DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"] = \
        DecisionGround.INCOMPATIBLE.value
    legal_ground: str = Field(default="", max_length=500)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    terms_reference_url: str = Field(default="", max_length=500)


class MappingOut(Schema):
    policy_code: str
    decision_ground: str
    legal_ground: str
    keywords: list[str]
    terms_reference_url: str
    updated_at: datetime


def mapping_out(m) -> dict:
    return {"policy_code": m.policy_code, "decision_ground": m.decision_ground, "legal_ground": m.legal_ground,
            "keywords": m.keywords, "terms_reference_url": m.terms_reference_url, "updated_at": m.updated_at}


@router.get("/compliance/dsa-mappings", response=list[MappingOut], auth=scope("compliance:read"),
            summary="How policies are stated to the Transparency Database beyond their category")
def list_mappings(request):
    return [mapping_out(m) for m in selectors.mappings(request.auth)]


@router.put("/compliance/dsa-mappings/{policy_code}", response=MappingOut, auth=scope("compliance:write"),
            summary="Set a policy's (or family's) DSA ground, legal basis and keywords")
def put_mapping(request, policy_code: str, body: MappingIn):
    require_compliance(request.auth)
    if len(policy_code) > 120:
        raise NotFound("policy_not_found", "No such policy.")
    return mapping_out(services.save_mapping(policy_code=policy_code, actor=request.auth, **body.dict()))
