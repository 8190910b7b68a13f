"""Entering shift templates and rosters (the vendor manager, in the console or through the API, or a roster's
CSV), and the sign-in sessions that adherence is measured from.

Every batch is checked whole before anything is written, and every problem is listed with where it is:
unknown agents, templates or queues, a shift whose end is its start, duplicate (agent, day) rows, and shifts of
one agent that overlap (within the batch or with what is already rostered). A roster that cannot be taken whole
is not taken at all.
"""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction

from trustops.identity import access
from trustops.identity.models import User, Vendor
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.review.models import Queue
from trustops.workforce.rosters import shifts
from trustops.workforce.rosters.models import RosterEntry, ShiftTemplate, WorkSession

DAY_OFF = "off"
CSV_COLUMNS = ("agent", "day", "shift")
MAX_LINES = 20_000
MAX_OPEN_HOURS = 12


@dataclass
class TemplateInput:
    key: str
    name: str
    time_zone: str
    starts_at: time
    ends_at: time
    site: str = ""
    unpaid_break_minutes: int = 0


@dataclass
class RosterLine:
    agent: str          # username
    day: date           # local day the shift starts
    shift: str          # a template's key, or "off"
    queue: str = ""     # optional queue key
    where: str = ""     # where the line came from (field path), for the problems


def _refuse(code: str, problems: list[dict]):
    raise Invalid(code, "; ".join(f"{p['field']}: {p['message']}" for p in problems[:20]),
                  field=problems[0]["field"], details={"problems": problems})


def _vendor(actor, vendor_id: int) -> Vendor:
    vendor = Vendor.objects.filter(access.vendor_filter(actor), pk=vendor_id).first()
    if vendor is None:
        raise NotFound("vendor_not_found", "No such vendor.")
    if not access.manages_roster(actor, vendor_id):
        raise Forbidden("may_not_roster", "Only the vendor's managers and in-house vendor managers enter rosters.")
    # One roster writer per vendor at a time: two managers rostering the same agent-day (or the same template
    # key) at once would otherwise both pass the checks and one would hit the unique constraint.
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()
    return vendor


@transaction.atomic
def create_template(*, actor, vendor_id: int, data: TemplateInput) -> ShiftTemplate:
    vendor = _vendor(actor, vendor_id)
    problems = []
    if not data.key.strip():
        problems.append({"field": "key", "message": "a key is needed"})
    if not data.name.strip():
        problems.append({"field": "name", "message": "a name is needed"})
    if shifts.zone(data.time_zone) is None:
        problems.append({"field": "time_zone", "message": f"not an IANA time zone: {data.time_zone!r}"})
    if data.starts_at == data.ends_at:
        problems.append({"field": "ends_at", "message": "the shift ends when it starts"})
    else:
        length = (datetime.combine(date(2000, 1, 2 if data.ends_at < data.starts_at else 1), data.ends_at)
                  - datetime.combine(date(2000, 1, 1), data.starts_at)).total_seconds() / 60
        if not 0 <= data.unpaid_break_minutes < length:
            problems.append({"field": "unpaid_break_minutes", "message": "the break must be shorter than the shift"})
    if problems:
        _refuse("invalid_shift_template", problems)
    if ShiftTemplate.objects.filter(vendor=vendor, key=data.key).exists():
        raise Conflict("shift_template_exists", f"The vendor already has a shift {data.key!r}.", field="key")
    template = ShiftTemplate.objects.create(
        vendor=vendor, key=data.key, name=data.name.strip(), site=data.site.strip(), time_zone=data.time_zone,
        starts_at=data.starts_at, ends_at=data.ends_at, unpaid_break_minutes=data.unpaid_break_minutes,
        created_at=clock.now())
    ledger.record("workforce.shift_template_created", actor=actor, payload={
        "vendor_id": vendor.pk, "template_id": template.pk, "key": template.key, "time_zone": template.time_zone,
        "starts_at": template.starts_at.isoformat(), "ends_at": template.ends_at.isoformat()})
    return template


def _check(vendor: Vendor, lines: list[RosterLine]) -> tuple[list[RosterEntry], list[dict]]:
    """The entries the lines make, and every problem with them."""
    problems: list[dict] = []
    if not lines:
        return [], [{"field": "lines", "message": "no roster lines"}]
    if len(lines) > MAX_LINES:
        return [], [{"field": "lines", "message": f"more than {MAX_LINES:,} lines"}]
    agents = {u.username: u for u in User.objects.filter(vendor=vendor, is_active=True,
                                                           username__in={line.agent for line in lines})}
    templates = {t.key: t for t in ShiftTemplate.objects.filter(vendor=vendor)}
    queues = {q.key: q for q in Queue.objects.filter(key__in={line.queue for line in lines if line.queue})}
    seen: dict[tuple[str, date], str] = {}
    entries: list[RosterEntry] = []
    now = clock.now()
    for i, line in enumerate(lines):
        where = line.where or f"lines.{i}"
        ok = True
        agent = agents.get(line.agent)
        if agent is None:
            problems.append({"field": f"{where}.agent", "message": f"no active agent {line.agent!r} at this vendor"})
            ok = False
        template = templates.get(line.shift)
        if line.shift != DAY_OFF and template is None:
            problems.append({"field": f"{where}.shift", "message": f"no shift {line.shift!r} (or {DAY_OFF!r})"})
            ok = False
        queue = queues.get(line.queue) if line.queue else None
        if line.queue and queue is None:
            problems.append({"field": f"{where}.queue", "message": f"unknown queue {line.queue!r}"})
            ok = False
        if (line.agent, line.day) in seen:
            problems.append({"field": where, "message": f"duplicate of {seen[(line.agent, line.day)]} "
                                                        f"({line.agent}, {line.day.isoformat()})"})
            continue
        seen[(line.agent, line.day)] = where
        if not ok:
            continue
        entry = RosterEntry(vendor=vendor, agent=agent, day=line.day, template=template, queue=queue, updated_at=now)
        if template is not None:
            entry.starts_at, entry.ends_at = shifts.resolve(line.day, template.starts_at, template.ends_at,
                                                            template.time_zone)
            entry.paid_seconds = max(0, int((entry.ends_at - entry.starts_at).total_seconds())
                                     - 60 * template.unpaid_break_minutes)
        entry.where = where
        entries.append(entry)
    problems += _overlaps(entries)
    return entries, problems


def _overlaps(entries: list[RosterEntry]) -> list[dict]:
    """Shifts of one agent that overlap, among the new entries and those already rostered on nearby days
    (an entry for the same agent and day is replaced, so it does not count)."""
    problems = []
    by_agent: dict[int, list] = {}
    for entry in entries:
        if entry.starts_at is not None:
            by_agent.setdefault(entry.agent_id, []).append((entry.starts_at, entry.ends_at, entry.where, entry.day))
    for agent_id, spans in by_agent.items():
        days = {day for *_, day in spans}
        existing = RosterEntry.objects.filter(agent_id=agent_id, starts_at__isnull=False,
                                              day__gte=min(days) - timedelta(days=2),
                                              day__lte=max(days) + timedelta(days=2)).exclude(day__in=days)
        spans += [(e.starts_at, e.ends_at, f"rostered {e.day.isoformat()}", e.day) for e in existing]
        spans.sort()
        for (s1, e1, w1, _), (s2, e2, w2, _) in zip(spans, spans[1:]):
            if s2 < e1:
                problems.append({"field": w2 if not w2.startswith("rostered") else w1,
                                 "message": f"overlaps another shift of the same agent ({w1} and {w2})"})
    return problems


@transaction.atomic
def set_roster(*, actor, vendor_id: int, lines: list[RosterLine]) -> list[RosterEntry]:
    """Roster the lines' agents on their days: each (agent, day) replaces what was rostered for it."""
    vendor = _vendor(actor, vendor_id)
    entries, problems = _check(vendor, lines)
    if problems:
        _refuse("invalid_roster", problems)
    return _write(actor, vendor, entries)


def _write(actor, vendor: Vendor, entries: list[RosterEntry]) -> list[RosterEntry]:
    for entry in entries:
        RosterEntry.objects.filter(agent=entry.agent, day=entry.day).delete()
    RosterEntry.objects.bulk_create(entries)
    days = sorted({e.day for e in entries})
    ledger.record("workforce.roster_set", actor=actor, payload={
        "vendor_id": vendor.pk, "entries": len(entries), "agents": len({e.agent_id for e in entries}),
        "first_day": days[0].isoformat(), "last_day": days[-1].isoformat(),
        "days_off": sum(1 for e in entries if e.day_off)})
    return entries


def parse_csv(text: str) -> tuple[list[RosterLine], list[dict]]:
    """`agent,day,shift[,queue]`: one row per agent and local day; `shift` is a template's key or `off`."""
    if "\x00" in text:
        return [], [{"field": "csv", "message": "the file holds a NUL character"}]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [{"field": "csv.header", "message": f"missing column(s): {', '.join(missing)}; "
                                                       f"expected agent,day,shift[,queue]"}]
    reader.fieldnames = header
    lines, problems = [], []
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_LINES:
            problems.append({"field": "csv", "message": f"more than {MAX_LINES:,} rows"})
            break
        where = f"csv.row {number}"
        day_text = (record.get("day") or "").strip()
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            problems.append({"field": f"{where}.day", "message": f"not a date (YYYY-MM-DD): {day_text!r}"})
            day = None
        line = RosterLine(agent=(record.get("agent") or "").strip()[:150], day=day or date.min,
                          shift=(record.get("shift") or "").strip()[:64], queue=(record.get("queue") or "").strip()[:64],
                          where=where)
        if day is not None:
            lines.append(line)
    return lines, problems


@transaction.atomic
def import_roster_csv(*, actor, vendor_id: int, text: str) -> list[RosterEntry]:
    vendor = _vendor(actor, vendor_id)
    lines, problems = parse_csv(text)
    entries: list[RosterEntry] = []
    if lines or not problems:
        entries, more = _check(vendor, lines)
        problems += more
    if problems:
        _refuse("invalid_roster", problems)
    return _write(actor, vendor, entries)


# ---- sign-in sessions (written by the console's sign-in and sign-out) -------------------------------------
# No ledger event: a session is an activity record measured for adherence, not a decision anyone made.

def open_session(user) -> WorkSession:
    now = clock.now()
    close_session(user, at=now)
    return WorkSession.objects.create(user=user, started_at=now)


def close_session(user, *, at: datetime | None = None) -> int:
    at = at or clock.now()
    closed = 0
    for session in WorkSession.objects.filter(user=user, ended_at__isnull=True):
        session.ended_at = min(at, session.started_at + timedelta(hours=MAX_OPEN_HOURS))
        session.save(update_fields=["ended_at"])
        closed += 1
    return closed
