"""Contracts of a vendor and their versions. Terms are one document (docs/concepts/workforce.md, "Contracts"):
every problem in it is listed at once in the 422's `details.problems`."""
from datetime import date, datetime
from typing import Any

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.contracts import selectors, services
from trustops.workforce.inputs import Day, Text
from trustops.workforce.vendors import selectors as vendor_selectors

router = Router(tags=["vendors"])

TERMS_HELP = ("pricing {per_decision [{queue | tier, price}], per_productive_hour, fixed_monthly {fee, "
              "included_decisions, marginal_price}}, sla [{queue, within_hours, target_share, credit_allocation}], "
              "quality {target_accuracy, confidence, min_audits, malus_percent, bonus_above, bonus_percent}, "
              "credits {at_risk_percent, pool_percent, monthly_cap_percent, earn_back_months}, currency, "
              "languages, skills, max_agents {queue: agents}")


class VersionOut(Schema):
    id: int
    number: int
    effective_from: date
    effective_to: date | None
    terms: dict[str, Any]
    note: str
    created_at: datetime


class ContractOut(Schema):
    id: int
    vendor_id: int
    reference: str
    name: str
    created_at: datetime
    versions: list[VersionOut]


class VersionIn(Schema):
    effective_from: Day
    effective_to: Day | None = Field(default=None, description="Exclusive; none: open-ended")
    terms: dict[str, Any] = Field(description=TERMS_HELP)
    note: Text = ""


class ContractIn(VersionIn):
    reference: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)


@router.get("/vendors/{vendor_id}/contracts", response=list[ContractOut], auth=scope("workforce:read"),
            summary="A vendor's contracts with their versions")
def list_contracts(request, vendor_id: Id):
    vendor = vendor_selectors.vendor_for(request.auth, vendor_id)
    return [selectors.describe(c) for c in selectors.contracts_visible_to(request.auth).filter(vendor=vendor)]


@router.post("/vendors/{vendor_id}/contracts", response={201: ContractOut}, auth=scope("workforce:write"),
             summary="A contract with its first version; refused with every problem when it cannot be computed")
def post_contract(request, vendor_id: Id, body: ContractIn):
    contract = services.create_contract(actor=request.auth, vendor_id=vendor_id, **body.dict())
    return Status(201, selectors.describe(contract))


@router.get("/vendors/{vendor_id}/contracts/{contract_id}", response=ContractOut, auth=scope("workforce:read"),
            summary="One contract with its versions")
def get_contract(request, vendor_id: Id, contract_id: Id):
    return selectors.describe(selectors.contract_for(request.auth, contract_id, vendor_id=vendor_id))


@router.post("/vendors/{vendor_id}/contracts/{contract_id}/versions", response={201: VersionOut},
             auth=scope("workforce:write"),
             summary="A new version (amendment); it may not overlap another version, except that it ends the "
                     "open-ended version in force on the day it starts")
def post_version(request, vendor_id: Id, contract_id: Id, body: VersionIn):
    version = services.add_version(actor=request.auth, vendor_id=vendor_id, contract_id=contract_id, **body.dict())
    return Status(201, selectors.describe_version(version))
