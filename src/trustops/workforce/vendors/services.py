"""Writing vendor profiles: create, edit, move through the lifecycle (guarded, with a reason, in the ledger).

The queues a vendor works are the queues' own assignment (`review.Queue.vendors`), set in the platform's queue
settings or by an approved staffing requirement; the profile shows them and does not own them."""
from django.db import transaction

from trustops.identity import access
from trustops.identity import services as identity
from trustops.identity.models import Vendor
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Forbidden
from trustops.ledger import services as ledger
from trustops.workforce.problems import refuse
from trustops.workforce.vendors import selectors
from trustops.workforce.vendors.models import TRANSITIONS, VendorProfile, VendorStatus


def _require_manager(actor) -> None:
    if not access.manages_vendors(actor):
        raise Forbidden("not_vendor_manager", "Only in-house vendor managers and admins manage vendors.")


def _clean_tags(values: list[str] | None) -> list[str] | None:
    return None if values is None else sorted({v.strip() for v in values if v.strip()})


@transaction.atomic
def create_vendor(*, actor, name: str, sites=(), languages=(), skills=(), contact: str = "") -> Vendor:
    """A new vendor tenant with its profile, as a prospect."""
    _require_manager(actor)
    problems: list[dict] = []
    if not name.strip():
        problems.append({"field": "name", "message": "a vendor needs a name"})
    refuse(problems)
    existing = Vendor.objects.filter(name=name.strip()).first()
    if existing is not None and VendorProfile.objects.filter(vendor=existing).exists():
        raise Conflict("vendor_exists", f"A vendor named {name!r} exists.", field="name")
    vendor = existing or identity.ensure_vendor(name=name.strip(), actor=actor)
    if VendorProfile.objects.filter(vendor=vendor).exists():   # another name with the same key
        raise Conflict("vendor_exists", f"A vendor with the key {vendor.key!r} exists.", field="name")
    now = clock.now()
    VendorProfile.objects.create(vendor=vendor, status=VendorStatus.PROSPECT, status_changed_at=now,
                                 sites=_clean_tags(list(sites)), languages=_clean_tags(list(languages)),
                                 skills=_clean_tags(list(skills)), contact=contact, updated_at=now)
    ledger.record("vendor.profile_created", actor=actor, payload={"vendor": vendor.key})
    return vendor


def ensure_profile(vendor: Vendor) -> VendorProfile:
    """The vendor's profile, made on first use for a tenant that predates profiles (as a prospect)."""
    now = clock.now()
    profile, _ = VendorProfile.objects.get_or_create(vendor=vendor, defaults={
        "status": VendorStatus.PROSPECT, "status_changed_at": now, "updated_at": now})
    return profile


@transaction.atomic
def update_vendor(*, actor, vendor_id: int, sites=None, languages=None, skills=None, contact=None) -> Vendor:
    vendor = selectors.vendor_for(actor, vendor_id)
    _require_manager(actor)
    profile = ensure_profile(vendor)
    profile = VendorProfile.objects.select_for_update().get(pk=profile.pk)
    changed = {}
    for name, value in (("sites", _clean_tags(sites)), ("languages", _clean_tags(languages)),
                        ("skills", _clean_tags(skills)), ("contact", contact)):
        if value is not None and getattr(profile, name) != value:
            setattr(profile, name, value)
            changed[name] = value
    if changed:
        profile.updated_at = clock.now()
        profile.save()
        ledger.record("vendor.profile_updated", actor=actor, payload={"vendor": vendor.key, **changed})
    return vendor


@transaction.atomic
def change_status(*, actor, vendor_id: int, status: str, reason: str) -> VendorProfile:
    """Move the vendor along its lifecycle; a move the lifecycle does not allow is a conflict."""
    vendor = selectors.vendor_for(actor, vendor_id)
    _require_manager(actor)
    problems = []
    if status not in VendorStatus.values:
        problems.append({"field": "status", "message": f"not a status: {status!r}"})
    if not reason.strip():
        problems.append({"field": "reason", "message": "a status change needs a reason"})
    refuse(problems)
    profile = VendorProfile.objects.select_for_update().get(pk=ensure_profile(vendor).pk)
    if status not in TRANSITIONS[VendorStatus(profile.status)]:
        allowed = ", ".join(sorted(TRANSITIONS[VendorStatus(profile.status)])) or "none (off-boarding is final)"
        raise Conflict("status_transition", f"A vendor {profile.status} cannot become {status}; allowed: {allowed}.",
                       field="status")
    before = profile.status
    profile.status, profile.status_reason = status, reason.strip()
    profile.status_changed_at = profile.updated_at = clock.now()
    profile.save()
    ledger.record("vendor.status_changed", actor=actor,
                  payload={"vendor": vendor.key, "from": before, "to": status, "reason": reason.strip()})
    return profile
