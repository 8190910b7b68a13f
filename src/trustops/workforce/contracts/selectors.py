"""Reading contracts, scoped by the vendor they belong to (`access.vendor_filter`)."""
from datetime import date

from django.db.models import Q, QuerySet

from trustops.identity import access
from trustops.kernel.errors import NotFound
from trustops.workforce.contracts import terms as contract_terms
from trustops.workforce.contracts.models import Contract, ContractVersion


def contracts_visible_to(person) -> QuerySet[Contract]:
    return Contract.objects.filter(access.vendor_filter(person, "vendor__")).order_by("reference")


def contract_for(person, contract_id: int, *, vendor_id: int | None = None) -> Contract:
    contracts = contracts_visible_to(person).filter(pk=contract_id)
    if vendor_id is not None:
        contracts = contracts.filter(vendor_id=vendor_id)
    contract = contracts.first()
    if contract is None:
        raise NotFound("contract_not_found", "No such contract.")
    return contract


def in_force(vendor_id: int, day: date) -> ContractVersion | None:
    """The version of the vendor's contracts in force on `day` (versions never overlap)."""
    return (ContractVersion.objects.filter(vendor_id=vendor_id, effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))
            .select_related("contract").first())


def versions_in_force(vendor_ids, day: date) -> dict[int, ContractVersion]:
    rows = (ContractVersion.objects.filter(vendor_id__in=list(vendor_ids), effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day)).select_related("contract"))
    return {row.vendor_id: row for row in rows}


def terms_of(version: ContractVersion) -> contract_terms.Terms:
    return contract_terms.Terms.model_validate(version.terms)


def describe_version(version: ContractVersion) -> dict:
    return {"id": version.pk, "number": version.number, "effective_from": version.effective_from,
            "effective_to": version.effective_to, "terms": version.terms, "note": version.note,
            "created_at": version.created_at}


def describe(contract: Contract) -> dict:
    return {"id": contract.pk, "vendor_id": contract.vendor_id, "reference": contract.reference,
            "name": contract.name, "created_at": contract.created_at,
            "versions": [describe_version(v) for v in contract.versions.order_by("number")]}
