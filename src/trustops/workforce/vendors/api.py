"""Vendors: list, read, create, edit the profile, move along the lifecycle."""
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from trustops.identity.auth import scope
from trustops.kernel.inputs import Id
from trustops.workforce.inputs import Tag, Text
from trustops.workforce.vendors import selectors, services
from trustops.workforce.vendors.models import VendorStatus

router = Router(tags=["vendors"])


class VendorOut(Schema):
    id: int
    key: str
    name: str
    status: str
    status_reason: str
    sites: list[str]
    languages: list[str]
    skills: list[str]
    contact: str
    queues: list[str]


class VendorIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    sites: list[Tag] = Field(default_factory=list, max_length=50)
    languages: list[Tag] = Field(default_factory=list, max_length=50)
    skills: list[Tag] = Field(default_factory=list, max_length=50)
    contact: str = Field(default="", max_length=200)


class VendorPatch(Schema):
    sites: list[Tag] | None = Field(default=None, max_length=50)
    languages: list[Tag] | None = Field(default=None, max_length=50)
    skills: list[Tag] | None = Field(default=None, max_length=50)
    contact: str | None = Field(default=None, max_length=200)


class StatusIn(Schema):
    status: VendorStatus
    reason: Text = Field(min_length=1)


@router.get("/vendors", response=list[VendorOut], auth=scope("workforce:read"),
            summary="The vendors you may see (a vendor's own managers: their vendor only)")
def list_vendors(request):
    return [selectors.describe(v) for v in selectors.vendors_visible_to(request.auth)]


@router.post("/vendors", response={201: VendorOut}, auth=scope("workforce:write"),
             summary="A new BPO vendor with its profile, as a prospect")
def post_vendor(request, body: VendorIn):
    vendor = services.create_vendor(actor=request.auth, **body.dict())
    return Status(201, selectors.describe(vendor))


@router.get("/vendors/{vendor_id}", response=VendorOut, auth=scope("workforce:read"), summary="One vendor")
def get_vendor(request, vendor_id: Id):
    return selectors.describe(selectors.vendor_for(request.auth, vendor_id))


@router.patch("/vendors/{vendor_id}", response=VendorOut, auth=scope("workforce:write"),
              summary="Change a vendor's sites, languages, skills or contact")
def patch_vendor(request, vendor_id: Id, body: VendorPatch):
    vendor = services.update_vendor(actor=request.auth, vendor_id=vendor_id, **body.dict())
    return selectors.describe(vendor)


@router.post("/vendors/{vendor_id}/status", response=VendorOut, auth=scope("workforce:write"),
             summary="Move a vendor along prospect → onboarding → active ⇄ on improvement plan → off-boarding, "
                     "with a reason")
def post_status(request, vendor_id: Id, body: StatusIn):
    services.change_status(actor=request.auth, vendor_id=vendor_id, status=body.status, reason=body.reason)
    return selectors.describe(selectors.vendor_for(request.auth, vendor_id))
