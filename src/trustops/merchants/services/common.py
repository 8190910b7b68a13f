"""What every merchant use case shares: finding the merchant under a lock, recording, telling the platform."""
from django.conf import settings

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden, Invalid, NotFound
from trustops.ledger import services as ledger
from trustops.merchants import rules as rules_module
from trustops.merchants.models import Category, Merchant, Rules
from trustops.outbox import services as outbox


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise Forbidden("forbidden", f"Your role may not {what}.")


def locked(actor, external_id: str) -> Merchant:
    """The merchant under a row lock, if the actor may see it (else 404)."""
    visible = Merchant.objects.filter(access.merchant_filter(actor), external_id=external_id).values("pk")
    merchant = Merchant.objects.select_for_update().filter(pk__in=visible).first()
    if merchant is None:
        raise NotFound("merchant_not_found", f"No merchant {external_id!r}.")
    return merchant


def entry(event: str, merchant: Merchant, /, **payload) -> ledger.Entry:
    """A merchant's ledger event, for `record` or a batch through `ledger.record_many`."""
    return ledger.Entry(event, {"merchant": merchant.external_id, **payload}, subject_id=merchant.account_id)


def record(event: str, merchant: Merchant, actor=None, /, **payload) -> None:
    found = entry(event, merchant, **payload)
    ledger.record(event, actor=actor, subject_id=found.subject_id, payload=found.payload)


def message(merchant: Merchant, /, **payload) -> dict:
    """A message to the platform about a merchant, for `tell` or a batch through `outbox.enqueue_many`."""
    return {"merchant": {"external_id": merchant.external_id, "region": merchant.region}, "at": clock.now(),
            **payload}


def tell(event: str, merchant: Merchant, /, **payload) -> None:
    outbox.enqueue(event, message(merchant, **payload))


def current_rules() -> dict:
    row = Rules.objects.filter(key="default").first()
    return rules_module.validated(row.body if row else {})


def category(code: str, field: str = "category") -> Category:
    found = Category.objects.filter(code=code, active=True).first()
    if found is None:
        raise Invalid("unknown_category", f"No active category {code!r}.", field=field)
    return found


def ancestors(cat: Category) -> list[Category]:
    chain, seen = [], set()
    while cat is not None and cat.pk not in seen:
        chain.append(cat)
        seen.add(cat.pk)
        cat = cat.parent
    return chain


def required_kinds(cat: Category, region: str) -> list[str]:
    """A category needs what it and every category above it need in the region."""
    return sorted({kind for c in ancestors(cat) for kind in c.required_kinds(region)})


def required_documents(cat: Category) -> list[str]:
    return sorted({kind for c in ancestors(cat) for kind in (c.documents or [])})


def retention_days() -> int:
    return int(settings.TRUSTOPS.get("MERCHANT_RETENTION_DAYS", 5 * 365))
