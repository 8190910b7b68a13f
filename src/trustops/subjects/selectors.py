"""Reading subjects, through identity/access.py's `subject_filter`."""
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.subjects.masking import is_personal
from trustops.subjects.models import ACCOUNT_LINK_KEYS, ACCOUNT_TYPES, Subject


def subjects_visible_to(user) -> QuerySet[Subject]:
    rule = access.subject_filter(user)
    if rule == access.NOTHING:
        return Subject.objects.none()
    if access.viewer(user).is_vendor_staff:
        # For vendor staff the rule joins the subject's cases: one row per subject through a subquery.
        return Subject.objects.filter(pk__in=Subject.objects.filter(rule).values("pk"))
    return Subject.objects.filter(rule)


def get_subject(user, subject_type: str, external_id: str) -> Subject:
    subject = (subjects_visible_to(user).select_related("owner")
               .filter(type=subject_type, external_id=external_id).first())
    if subject is None:
        raise NotFound("subject_not_found", f"No {subject_type} {external_id!r}.")
    return subject


# Attributes that tie accounts run by the same person or ring together.


def items_owned_by(user, account: Subject, *, limit: int = 50) -> list[Subject]:
    return list(subjects_visible_to(user).filter(owner=account).order_by("-first_seen_at", "-id")[:limit])


def linked_accounts(user, account: Subject, *, keys=ACCOUNT_LINK_KEYS, limit: int = 20) -> list[dict]:
    """Other accounts the user may see that share a linking attribute value with this one.

    Vendor staff are not linked through personal data: a shared phone or email is itself personal data.
    Returns [{"account": Subject, "shared": [(key, value), ...]}].
    """
    values = {key: account.attributes.get(key) for key in keys
              if isinstance(account.attributes.get(key), (str, int)) and account.attributes.get(key) != ""}
    if access.viewer(user).is_vendor_staff:
        values = {key: value for key, value in values.items() if not is_personal(key)}
    if not values:
        return []
    shared_any = reduce(or_, (Q(**{f"attributes__{key}": value}) for key, value in values.items()))
    found = (subjects_visible_to(user).filter(type__in=ACCOUNT_TYPES).exclude(pk=account.pk).filter(shared_any)
             .order_by("type", "external_id")[:limit])
    return [{"account": other,
             "shared": [(key, value) for key, value in values.items() if other.attributes.get(key) == value]}
            for other in found]


def find_accounts(user, text: str, *, account_type: str | None = None, limit: int = 50) -> list[Subject]:
    """Accounts the user may see whose external id starts with the text or whose handle is the text (with or
    without its "@", any case)."""
    text = (text or "").strip()
    if not text:
        return []
    handle = text if text.startswith("@") else f"@{text}"
    accounts = subjects_visible_to(user).filter(type__in=ACCOUNT_TYPES).filter(
        Q(external_id__startswith=text) | Q(attributes__handle__iexact=handle) | Q(attributes__handle__iexact=text))
    if account_type:
        accounts = accounts.filter(type=account_type)
    return list(accounts.order_by("type", "external_id")[:limit])
