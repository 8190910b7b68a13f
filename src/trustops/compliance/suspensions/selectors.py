"""Reading Art. 23 suspensions: compliance staff only (everyone else sees none)."""
from django.db.models import QuerySet

from trustops.compliance.models import ProcessingSuspension
from trustops.identity import access
from trustops.kernel.errors import NotFound


def suspensions_visible_to(person) -> QuerySet[ProcessingSuspension]:
    if not access.works_compliance(person):
        return ProcessingSuspension.objects.none()
    return ProcessingSuspension.objects.all()


def get_suspension(person, suspension_id: int) -> ProcessingSuspension:
    found = suspensions_visible_to(person).filter(pk=suspension_id).first()
    if found is None:
        raise NotFound("suspension_not_found", f"No suspension {suspension_id}.")
    return found
