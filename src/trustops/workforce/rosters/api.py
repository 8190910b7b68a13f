"""Shift templates, rosters (lines or a CSV) and adherence, utilisation and occupancy, per vendor."""
from datetime import date, datetime, time

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.inputs import Day, Tag
from trustops.workforce.rosters import selectors, services

router = Router(tags=["workforce rosters"])


class ShiftTemplateIn(Schema):
    key: Tag
    name: str = Field(min_length=1, max_length=200)
    site: str = Field(default="", max_length=100)
    time_zone: str = Field(max_length=64, description="The site's IANA time zone, e.g. Asia/Manila")
    starts_at: time = Field(description="Local start, HH:MM")
    ends_at: time = Field(description="Local end, HH:MM; earlier than the start means the next day")
    unpaid_break_minutes: int = Field(default=0, ge=0, le=1440)


class ShiftTemplateOut(Schema):
    id: int
    key: str
    name: str
    site: str
    time_zone: str
    starts_at: time
    ends_at: time
    crosses_midnight: bool
    unpaid_break_minutes: int


class RosterLineIn(Schema):
    agent: str = Field(min_length=1, max_length=150, description="The agent's username")
    day: Day = Field(description="The local day the shift starts")
    shift: Tag = Field(description="A shift template's key, or off")
    queue: str = Field(default="", max_length=64)


class RosterIn(Schema):
    lines: list[RosterLineIn] = Field(min_length=1, max_length=services.MAX_LINES)


class RosterCsvIn(Schema):
    csv: str = Field(max_length=2_000_000, description="agent,day,shift[,queue]; shift is a template key or off")


class RosterEntryOut(Schema):
    agent: str
    day: date
    shift: str
    queue: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    paid_seconds: int


class RosterWritten(Schema):
    entries: int


class FiguresOut(Schema):
    shifts: int
    absences: int
    late_starts: int
    early_leaves: int
    scheduled_seconds: float
    paid_seconds: float
    adherent_seconds: float
    unscheduled_seconds: float
    productive_seconds: float
    handle_seconds: float
    adherence: float | None
    utilisation: float | None
    occupancy: float | None


class DayFiguresOut(FiguresOut):
    day: date


class QueueFiguresOut(FiguresOut):
    queue: str


class AgentFiguresOut(FiguresOut):
    agent: str


class AdherenceOut(Schema):
    first: date
    last: date
    total: FiguresOut
    days: list[DayFiguresOut]
    queues: list[QueueFiguresOut]
    agents: list[AgentFiguresOut]


@router.get("/vendors/{vendor_id}/shift-templates", response=list[ShiftTemplateOut], auth=scope("workforce:read"),
            summary="The vendor's shift templates (local times in each site's time zone)")
def list_templates(request, vendor_id: Id):
    return [selectors.describe_template(t) for t in selectors.templates_visible_to(request.auth, vendor_id)]


@router.post("/vendors/{vendor_id}/shift-templates", response={201: ShiftTemplateOut},
             auth=scope("workforce:write"), summary="A new shift template; an end before the start crosses midnight")
def post_template(request, vendor_id: Id, body: ShiftTemplateIn):
    template = services.create_template(actor=request.auth, vendor_id=vendor_id,
                                        data=services.TemplateInput(**body.dict()))
    return Status(201, selectors.describe_template(template))


@router.get("/vendors/{vendor_id}/roster", response=list[RosterEntryOut], auth=scope("workforce:read"),
            summary="The vendor's roster for the local days first..last (at most 62 days)")
def get_roster(request, vendor_id: Id, first: Day, last: Day):
    return [selectors.describe_entry(e) for e in selectors.roster_visible_to(request.auth, vendor_id, first, last)]


@router.post("/vendors/{vendor_id}/roster", response=RosterWritten, auth=scope("workforce:write"),
             summary="Roster agents on days (each agent and day replaces what was there); every problem is listed "
                     "and nothing is written when there is one")
def post_roster(request, vendor_id: Id, body: RosterIn):
    lines = [services.RosterLine(**line.dict(), where=f"lines.{i}") for i, line in enumerate(body.lines)]
    return {"entries": len(services.set_roster(actor=request.auth, vendor_id=vendor_id, lines=lines))}


@router.post("/vendors/{vendor_id}/roster/csv", response=RosterWritten, auth=scope("workforce:write"),
             summary="Import a roster from CSV (agent,day,shift[,queue]); every problem is listed with its row and "
                     "nothing is written when there is one")
def post_roster_csv(request, vendor_id: Id, body: RosterCsvIn):
    return {"entries": len(services.import_roster_csv(actor=request.auth, vendor_id=vendor_id, text=body.csv))}


@router.get("/vendors/{vendor_id}/adherence", response=AdherenceOut, auth=scope("workforce:read"),
            summary="Adherence, late starts, early leaves, unscheduled work, utilisation and occupancy of the "
                    "vendor's agents against their roster, per day, queue and agent, for first..last")
def get_adherence(request, vendor_id: Id, first: Day, last: Day):
    measured = selectors.adherence_of(request.auth, vendor_id, first, last)
    return {"first": first, "last": last, **measured.as_dict()}
