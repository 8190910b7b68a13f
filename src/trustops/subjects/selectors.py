"""Reading subjects: region clearance for everyone; vendor staff only subjects of cases they may see."""
from django.db.models import QuerySet

from trustops.kernel.errors import NotFound
from trustops.subjects.models import Subject


def subjects_visible_to(user) -> QuerySet[Subject]:
    from trustops.review.selectors import cases_visible_to

    qs = Subject.objects.all()
    if user.is_vendor_staff:
        qs = qs.filter(pk__in=cases_visible_to(user).values("subject_id"))
    elif not user.reviews_in_house:
        return qs.none()
    regions = user.region_codes()
    if regions is not None:
        qs = qs.filter(region__in=regions)
    return qs


def get_subject(user, subject_type: str, external_id: str) -> Subject:
    subject = (subjects_visible_to(user).select_related("owner")
               .filter(type=subject_type, external_id=external_id).first())
    if subject is None:
        raise NotFound("subject_not_found", f"No {subject_type} {external_id!r}.")
    return subject
