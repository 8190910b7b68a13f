"""Writing contracts: a contract with its first version, and later versions (amendments).

A version is whole or refused: every problem in its terms and dates is listed at once (a 422 with the field
paths), and nothing is written. Versions of one vendor's contracts never overlap; a new version that starts
inside the open-ended version in force ends that version the day before it starts (an amendment); any other
overlap is refused, naming the versions in the way.
"""
from datetime import date

from django.db import transaction
from django.db.models import Max, Q

from trustops.identity import access
from trustops.identity.models import Vendor
from trustops.kernel import clock
from trustops.kernel.errors import Forbidden
from trustops.ledger import services as ledger
from trustops.review.models import Queue
from trustops.workforce.contracts import selectors
from trustops.workforce.contracts import terms as contract_terms
from trustops.workforce.contracts.models import Contract, ContractVersion
from trustops.workforce.problems import refuse
from trustops.workforce.vendors import selectors as vendor_selectors


def _require_manager(actor) -> None:
    if not access.manages_vendors(actor):
        raise Forbidden("not_vendor_manager", "Only in-house vendor managers and admins write contracts.")


def _check_version(vendor: Vendor, *, effective_from: date, effective_to: date | None, terms: dict,
                   problems: list[dict], prefix: str) -> tuple[contract_terms.Terms | None, list[ContractVersion]]:
    """The parsed terms and the open-ended version the new one amends (ended the day it starts), with every
    problem appended to `problems`."""
    known = set(Queue.objects.values_list("key", flat=True))
    parsed, found = contract_terms.parse(terms, known_queues=known, prefix=f"{prefix}terms")
    problems.extend(found)
    if effective_to is not None and effective_to <= effective_from:
        problems.append({"field": f"{prefix}effective_to", "message": "must be after effective_from"})
        return parsed, []
    others = ContractVersion.objects.select_for_update().filter(vendor=vendor)
    overlapping = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from))
    if effective_to is not None:
        overlapping = overlapping.filter(effective_from__lt=effective_to)
    amended, blocking = [], []
    for other in overlapping.select_related("contract"):
        if other.effective_to is None and other.effective_from < effective_from:
            amended.append(other)
        else:
            blocking.append(other)
    for other in blocking:
        until = other.effective_to.isoformat() if other.effective_to else "open-ended"
        problems.append({"field": f"{prefix}effective_from", "message":
                         f"overlaps {other.contract.reference} version {other.number} "
                         f"({other.effective_from.isoformat()} to {until})"})
    return parsed, amended


def _write_version(contract: Contract, *, actor, effective_from, effective_to, parsed, amended, note: str):
    for other in amended:
        other.effective_to = effective_from
        other.save(update_fields=["effective_to"])
        ledger.record("contract.version_ended", actor=actor, payload={
            "contract": other.contract.reference, "version": other.number, "effective_to": effective_from.isoformat()})
    number = (contract.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ContractVersion.objects.create(
        contract=contract, vendor_id=contract.vendor_id, number=number, effective_from=effective_from,
        effective_to=effective_to, terms=contract_terms.as_document(parsed), note=note, created_by=actor,
        created_at=clock.now())
    ledger.record("contract.version_added", actor=actor, payload={
        "contract": contract.reference, "vendor_id": contract.vendor_id, "version": number,
        "effective_from": effective_from.isoformat(),
        "effective_to": effective_to.isoformat() if effective_to else None, "terms": version.terms})
    return version


@transaction.atomic
def create_contract(*, actor, vendor_id: int, reference: str, name: str, effective_from: date,
                    effective_to: date | None, terms: dict, note: str = "") -> Contract:
    vendor = vendor_selectors.vendor_for(actor, vendor_id)
    _require_manager(actor)
    Vendor.objects.select_for_update().filter(pk=vendor.pk).first()   # one vendor's versions, one writer
    problems: list[dict] = []
    if not reference.strip():
        problems.append({"field": "reference", "message": "a contract needs a reference"})
    elif Contract.objects.filter(vendor=vendor, reference=reference.strip()).exists():
        problems.append({"field": "reference", "message": f"{reference!r} is taken"})
    if not name.strip():
        problems.append({"field": "name", "message": "a contract needs a name"})
    parsed, amended = _check_version(vendor, effective_from=effective_from, effective_to=effective_to, terms=terms,
                                     problems=problems, prefix="")
    refuse(problems)
    contract = Contract.objects.create(vendor=vendor, reference=reference.strip(), name=name.strip(),
                                       created_at=clock.now())
    ledger.record("contract.created", actor=actor, payload={"contract": contract.reference, "vendor": vendor.key})
    _write_version(contract, actor=actor, effective_from=effective_from, effective_to=effective_to, parsed=parsed,
                   amended=amended, note=note)
    return contract


@transaction.atomic
def add_version(*, actor, vendor_id: int, contract_id: int, effective_from: date, effective_to: date | None,
                terms: dict, note: str = "") -> ContractVersion:
    contract = selectors.contract_for(actor, contract_id, vendor_id=vendor_id)
    _require_manager(actor)
    vendor = Vendor.objects.select_for_update().get(pk=contract.vendor_id)
    problems: list[dict] = []
    parsed, amended = _check_version(vendor, effective_from=effective_from, effective_to=effective_to, terms=terms,
                                     problems=problems, prefix="")
    refuse(problems)
    return _write_version(contract, actor=actor, effective_from=effective_from, effective_to=effective_to,
                          parsed=parsed, amended=amended, note=note)
