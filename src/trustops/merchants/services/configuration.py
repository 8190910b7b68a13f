"""The category tree and the health, benefits and funds rules: what merchant governance configures."""
from django.db import transaction

from trustops.identity import access
from trustops.kernel import clock
from trustops.kernel.errors import Invalid
from trustops.ledger import services as ledger
from trustops.merchants import rules as rules_module
from trustops.merchants.models import Category, Rules
from trustops.merchants.services.common import require


def _phrases(values, field) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in values):
        raise Invalid("invalid_field", f"{field} is a list of phrases.", field=field)
    return sorted(set(v.strip() for v in values))


@transaction.atomic
def save_category(*, actor, code: str, name: str, parent: str | None = None, requirements: dict | None = None,
                  documents: list[str] | None = None, prohibited_services: list[str] | None = None,
                  misleading_phrases: list[str] | None = None, active: bool = True) -> Category:
    if actor is not None and not isinstance(actor, str):
        require(access.configures_merchants(actor), "configure merchant categories")
    parent_row = None
    if parent:
        parent_row = Category.objects.filter(code=parent).first()
        if parent_row is None:
            raise Invalid("unknown_category", f"No category {parent!r}.", field="parent")
        walk = parent_row
        while walk is not None:
            if walk.code == code:
                raise Invalid("category_cycle", "A category cannot sit under itself.", field="parent")
            walk = walk.parent
    requirements = requirements or {}
    for region, kinds in requirements.items():
        if not isinstance(kinds, list) or not all(isinstance(k, str) and k for k in kinds):
            raise Invalid("invalid_field", "requirements maps a region to kinds.", field=f"requirements.{region}")
    fields = {"name": name, "parent": parent_row,
              "requirements": {r: sorted(set(k)) for r, k in requirements.items()},
              "documents": _phrases(documents or [], "documents"),
              "prohibited_services": _phrases(prohibited_services or [], "prohibited_services"),
              "misleading_phrases": _phrases(misleading_phrases or [], "misleading_phrases"), "active": active}
    category, created = Category.objects.update_or_create(code=code, defaults=fields)
    ledger.record("merchant.category_created" if created else "merchant.category_changed", actor=actor,
                  payload={"category": code, **{k: v for k, v in fields.items() if k != "parent"},
                           "parent": parent})
    return category


@transaction.atomic
def save_rules(*, actor, body: dict) -> dict:
    require(access.configures_merchants(actor), "change the merchant rules")
    checked = rules_module.validated(body)
    Rules.objects.update_or_create(key="default", defaults={"body": body, "updated_at": clock.now()})
    ledger.record("merchant.rules_changed", actor=actor, payload={"rules": body})
    return checked
