"""Reading vendors, always through `access.vendor_filter`: a vendor one may not see does not exist."""
from django.db.models import QuerySet

from trustops.identity import access
from trustops.identity.models import Vendor
from trustops.kernel.errors import NotFound
from trustops.workforce.vendors.models import VendorProfile, VendorStatus


def vendors_visible_to(person) -> QuerySet[Vendor]:
    return Vendor.objects.filter(access.vendor_filter(person)).order_by("name")


def vendor_for(person, vendor_id: int) -> Vendor:
    vendor = vendors_visible_to(person).filter(pk=vendor_id).first()
    if vendor is None:
        raise NotFound("vendor_not_found", "No such vendor.")
    return vendor


def profile_of(vendor: Vendor) -> VendorProfile | None:
    return VendorProfile.objects.filter(vendor=vendor).first()


def describe(vendor: Vendor) -> dict:
    """A vendor with its profile (a vendor without one yet reads as a prospect) and the queues it works."""
    profile = profile_of(vendor)
    return {
        "id": vendor.pk, "key": vendor.key, "name": vendor.name,
        "status": profile.status if profile else VendorStatus.PROSPECT.value,
        "status_reason": profile.status_reason if profile else "",
        "sites": profile.sites if profile else [], "languages": profile.languages if profile else [],
        "skills": profile.skills if profile else [], "contact": profile.contact if profile else "",
        "queues": sorted(vendor.queues.values_list("key", flat=True)),
    }
