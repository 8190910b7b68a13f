"""API for calibration sessions: create, label, close, and the agreement of the participants."""
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.quality.calibration import selectors, services

router = Router(tags=["quality"])


class CalibrationIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    items: list[int] = Field(min_length=1, max_length=500)
    participants: list[str] = Field(min_length=2, max_length=100)


class CalibrationOut(Schema):
    calibration_id: Id
    name: str
    items: list[int]
    participants: list[str]
    closed: bool


def _calibration_out(session) -> dict:
    return {"calibration_id": session.pk, "name": session.name,
            "items": sorted(session.items.values_list("case_id", flat=True)),
            "participants": sorted(session.participants.values_list("username", flat=True)),
            "closed": session.closed_at is not None}


@router.post("/calibrations", response={201: CalibrationOut}, auth=scope("quality:write"),
             operation_id="trustops_quality_api_post_calibration")
def post_calibration(request, body: CalibrationIn):
    return Status(201, _calibration_out(services.create_session(
        actor=request.auth, name=body.name, case_ids=body.items, participants=body.participants)))


class LabelIn(Schema):
    item: int
    label: str = Field(min_length=1, max_length=120)


@router.post("/calibrations/{calibration_id}/labels", response={201: dict}, auth=scope("quality:write"),
             summary="A participant labels one item (a policy code or no_violation); labelling again replaces it",
             operation_id="trustops_quality_api_post_label")
def post_label(request, calibration_id: Id, body: LabelIn):
    row = services.submit_label(actor=request.auth, session_id=calibration_id, case_id=body.item, label=body.label)
    return Status(201, {"item": body.item, "label": row.label})


class CloseIn(Schema):
    benchmarks: dict[Id, str] = {}


@router.post("/calibrations/{calibration_id}/close", response=CalibrationOut, auth=scope("quality:write"),
             summary="A QA lead closes the session, optionally with the benchmark answer per item",
             operation_id="trustops_quality_api_post_close")
def post_close(request, calibration_id: Id, body: CloseIn | None = None):
    return _calibration_out(services.close_session(actor=request.auth, session_id=calibration_id,
                                                   benchmarks=body.benchmarks if body else None))


@router.get("/calibrations/{calibration_id}/agreement", auth=scope("quality:read"),
            summary="Agreement coefficients; undefined ones are null with the reason",
            operation_id="trustops_quality_api_read_agreement")
def read_agreement(request, calibration_id: Id):
    return selectors.calibration_agreement(request.auth, calibration_id)
