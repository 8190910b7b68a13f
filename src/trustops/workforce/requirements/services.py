"""Staffing requirements: filed by a stakeholder, sized (staffing.py), proposed across vendors by cost per correct
decision within their capacity, approved (or rejected) by the vendor manager; an approval assigns the vendors to
the queues (through review's services) and records an addendum per vendor for its contract."""
import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db import transaction

from trustops.identity import access
from trustops.identity.models import Vendor
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden, Invalid
from trustops.ledger import services as ledger
from trustops.review import services as review
from trustops.review.models import Queue
from trustops.workforce import supply
from trustops.workforce.forecasts import selectors as forecasts
from trustops.workforce.plans.services import FTE_HOURS, staff_intervals
from trustops.workforce.requirements import selectors
from trustops.workforce.requirements.models import Addendum, Requirement, RequirementStatus

MAX_DURATION_DAYS = 3 * 365
MAX_QUEUES = 20


@dataclass
class RequirementInput:
    title: str
    queues: list[str]
    aht_seconds: float
    sla_seconds: int
    starts_on: date
    duration_days: int
    daily_volume: float | None = None
    forecast_id: int | None = None
    service_level: float = 0.9
    shrinkage: float = 0.3
    max_occupancy: float = 0.85
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()


def _problems(data: RequirementInput) -> list[tuple[str, str]]:
    problems = []
    if not data.title.strip():
        problems.append(("title", "a title is needed"))
    if not data.queues or len(data.queues) > MAX_QUEUES or len(set(data.queues)) != len(data.queues):
        problems.append(("queues", f"1 to {MAX_QUEUES} queues, each once"))
    if data.daily_volume is None and data.forecast_id is None:
        problems.append(("daily_volume", "give an expected daily volume or a forecast"))
    if data.daily_volume is not None and not 0 <= data.daily_volume <= 1e8:
        problems.append(("daily_volume", "a daily volume is not negative (at most 100,000,000)"))
    if not 0 < data.aht_seconds <= 24 * 3600:
        problems.append(("aht_seconds", "above 0, at most a day"))
    if not 0 < data.sla_seconds <= 90 * 24 * 3600:
        problems.append(("sla_seconds", "above 0, at most 90 days"))
    if not 0 < data.service_level < 1:
        problems.append(("service_level", "strictly between 0 and 1"))
    if not 0 <= data.shrinkage < 1:
        problems.append(("shrinkage", "from 0 up to (not including) 1"))
    if not 0 < data.max_occupancy <= 1:
        problems.append(("max_occupancy", "above 0, at most 1"))
    if not 1 <= data.duration_days <= MAX_DURATION_DAYS:
        problems.append(("duration_days", f"1 to {MAX_DURATION_DAYS} days"))
    elif not date(2000, 1, 1) <= data.starts_on <= date(9000, 1, 1):
        problems.append(("starts_on", "a start between the years 2000 and 9000"))
    return problems


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise Invalid("invalid_requirement", "; ".join(f"{f}: {m}" for f, m in problems), field=problems[0][0],
                      details={"problems": [{"field": f, "message": m} for f, m in problems]})


def size(data: RequirementInput, forecast=None) -> tuple[int, int]:
    """(agents at the busiest half-hour, headcount in FTE over a 24×7 week after shrinkage)."""
    if forecast is not None:
        volumes = np.asarray(forecast.mean[:336], dtype=float)
    else:
        volumes = np.full(336, data.daily_volume / 48)
    target = {"service_level": data.service_level, "answer_seconds": float(data.sla_seconds)}
    agents, scheduled, _ = staff_intervals(volumes, aht=data.aht_seconds, target=target,
                                           max_occupancy=data.max_occupancy, shrinkage=data.shrinkage)
    hours = float(np.asarray(scheduled).sum()) * 0.5 * (336 / len(volumes))
    return int(np.max(agents, initial=0)), int(math.ceil(hours / FTE_HOURS - 1e-9))


def _cost_per_correct(offer, aht: float, occupancy: float) -> float | None:
    """Price of one decision ÷ the chance it is right (audited accuracy, lower bound)."""
    if offer.price_per_decision is not None:
        price = float(offer.price_per_decision)
    elif offer.price_per_hour is not None:
        price = float(offer.price_per_hour) / (3600 * occupancy / aht)
    else:
        return None
    accuracy = offer.accuracy_lower if offer.accuracy_lower else 1.0
    return price / accuracy


def propose(data: RequirementInput, headcount: int, on: date) -> list[dict]:
    """Vendors offering every queue with the languages and skills asked, cheapest per correct decision first,
    each filled to its capacity; an unpriced vendor comes after the priced ones."""
    offers = supply.offers_for(list(data.queues), on, every_vendor=True)
    by_vendor: dict[int, list] = {}
    for offer in offers:
        by_vendor.setdefault(offer.vendor_id, []).append(offer)
    candidates, rows = [], []
    for vendor_id, mine in by_vendor.items():
        name = mine[0].vendor_name
        if {o.queue_key for o in mine} != set(data.queues):
            rows.append({"vendor_id": vendor_id, "vendor": name, "headcount": 0,
                         "reason": "does not offer every queue"})
            continue
        stated_languages = set().union(*(o.languages for o in mine))
        if stated_languages and not set(data.languages) <= stated_languages:
            rows.append({"vendor_id": vendor_id, "vendor": name, "headcount": 0,
                         "reason": f"lacks {', '.join(sorted(set(data.languages) - stated_languages))}"})
            continue
        stated_skills = set().union(*(o.skills for o in mine))
        if stated_skills and not set(data.skills) <= stated_skills:
            rows.append({"vendor_id": vendor_id, "vendor": name, "headcount": 0,
                         "reason": f"lacks {', '.join(sorted(set(data.skills) - stated_skills))}"})
            continue
        costs = [_cost_per_correct(o, data.aht_seconds, data.max_occupancy) for o in mine]
        cost = None if any(c is None for c in costs) else sum(costs) / len(costs)
        caps = [o.max_agents for o in mine if o.max_agents is not None]
        accuracy = [o.accuracy_lower for o in mine if o.accuracy_lower is not None]
        candidates.append({"vendor_id": vendor_id, "vendor": name, "cost_per_correct": cost,
                           "capacity": min(caps) if caps else None,
                           "accuracy": min(accuracy) if accuracy else None})
    candidates.sort(key=lambda c: (c["cost_per_correct"] is None, c["cost_per_correct"] or 0, c["vendor"]))
    left = headcount
    for c in candidates:
        take = left if c["capacity"] is None else min(left, c["capacity"])
        left -= take
        reason = ("cheapest per correct decision" if c["cost_per_correct"] is not None else "unpriced")
        rows.append({**{k: c[k] for k in ("vendor_id", "vendor", "cost_per_correct", "capacity", "accuracy")},
                     "headcount": take, "reason": reason if take else "not needed: the cheaper vendors suffice"})
    if left:
        rows.append({"vendor_id": None, "vendor": "Unallocated", "headcount": left,
                     "reason": "the vendors' capacity falls short"})
    return rows


@transaction.atomic
def file_requirement(*, actor, data: RequirementInput) -> Requirement:
    if not access.files_requirements(actor):
        raise Forbidden("may_not_file_requirements", "Your role does not file staffing requirements.")
    problems = _problems(data)
    queues = list(Queue.objects.filter(key__in=data.queues, active=True))
    unknown = sorted(set(data.queues) - {q.key for q in queues})
    if unknown:
        problems.append(("queues", f"unknown queues: {', '.join(unknown)}"))
    forecast = None
    if data.forecast_id is not None:
        forecast = forecasts.forecasts_visible_to(actor).filter(pk=data.forecast_id).first()
        if forecast is None:
            problems.append(("forecast_id", f"no forecast {data.forecast_id}"))
        elif forecast.queue.key not in data.queues:
            problems.append(("forecast_id", "the forecast is of a queue outside the requirement"))
    _refuse(problems)
    agents, headcount = size(data, forecast)
    requirement = Requirement.objects.create(
        title=data.title.strip()[:200], requested_by=actor, daily_volume=data.daily_volume, forecast=forecast,
        aht_seconds=data.aht_seconds, sla_seconds=data.sla_seconds, service_level=data.service_level,
        shrinkage=data.shrinkage, languages=sorted(set(data.languages)), skills=sorted(set(data.skills)),
        starts_on=data.starts_on, duration_days=data.duration_days, agents=agents, headcount=headcount,
        proposal=propose(data, headcount, data.starts_on), created_at=clock.now())
    requirement.queues.set(queues)
    ledger.record("workforce.requirement_filed", actor=actor, payload={
        "requirement": requirement.pk, "title": requirement.title, "queues": sorted(data.queues),
        "headcount": headcount, "proposal": [{"vendor": r["vendor"], "headcount": r["headcount"]}
                                             for r in requirement.proposal if r["headcount"]]})
    return requirement


def _require_approver(actor) -> None:
    if not access.acts_on_planning(actor):
        raise Forbidden("not_an_approver", "Only vendor managers and admins approve staffing requirements.")


@transaction.atomic
def approve(*, actor, requirement_id: int, note: str = "") -> Requirement:
    """Assign each proposed vendor to the requirement's queues and record its addendum."""
    _require_approver(actor)
    requirement = selectors.get_requirement(actor, requirement_id, lock=True)
    if requirement.status != RequirementStatus.PROPOSED:
        raise Conflict("requirement_decided", f"Requirement {requirement_id} is already {requirement.status}.")
    chosen = [r for r in requirement.proposal if r["headcount"] and r.get("vendor_id")]
    if not chosen:
        raise Conflict("nothing_to_assign", "The proposal allocates no vendor: file it again once vendors offer.")
    queues = list(requirement.queues.order_by("key"))
    vendors = {v.pk: v for v in Vendor.objects.filter(pk__in=[r["vendor_id"] for r in chosen])}
    now = clock.now()
    ends_on = requirement.starts_on + timedelta(days=requirement.duration_days - 1)
    added = {}
    for row in chosen:
        vendor = vendors[row["vendor_id"]]
        for queue in queues:
            if review.assign_vendors(queue=queue, vendors=[vendor], actor=actor,
                                     reason=f"staffing requirement {requirement.pk}"):
                added.setdefault(vendor.key, []).append(queue.key)
        addendum = Addendum.objects.create(
            requirement=requirement, vendor=vendor, queue_keys=[q.key for q in queues], headcount=row["headcount"],
            starts_on=requirement.starts_on, ends_on=ends_on, created_at=now,
            note=f"{requirement.title}: {row['headcount']} FTE on {', '.join(q.key for q in queues)}"[:500])
        ledger.record("workforce.addendum_recorded", actor=actor, payload={
            "addendum": addendum.pk, "requirement": requirement.pk, "vendor": vendor.key,
            "queues": addendum.queue_keys, "headcount": addendum.headcount, "starts_on": addendum.starts_on,
            "ends_on": ends_on})
    requirement.status, requirement.decided_by, requirement.decided_at = RequirementStatus.APPROVED, actor, now
    requirement.decision_note = note[:500]
    requirement.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    ledger.record("workforce.requirement_approved", actor=actor, payload={
        "requirement": requirement.pk, "assigned": added, "note": requirement.decision_note})
    return requirement


@transaction.atomic
def reject(*, actor, requirement_id: int, note: str) -> Requirement:
    _require_approver(actor)
    if not note.strip():
        raise Invalid("invalid_field", "note: say why the requirement is rejected", field="note")
    requirement = selectors.get_requirement(actor, requirement_id, lock=True)
    if requirement.status != RequirementStatus.PROPOSED:
        raise Conflict("requirement_decided", f"Requirement {requirement_id} is already {requirement.status}.")
    requirement.status, requirement.decided_by, requirement.decided_at = RequirementStatus.REJECTED, actor, clock.now()
    requirement.decision_note = note.strip()[:500]
    requirement.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    ledger.record("workforce.requirement_rejected", actor=actor, payload={
        "requirement": requirement.pk, "note": requirement.decision_note})
    return requirement
