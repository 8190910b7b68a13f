"""The vendor manager drafts Northwind's next contract version in the console from the one in force: a draft
that cannot be computed or that overlaps another version is shown back with every problem and nothing is
published; a good draft is published and ends the open-ended version the day it starts."""
import json
from datetime import date

from tests.test_console_access import console
from tests.workforce_month import NORTHWIND_TERMS, NOW, vendor_id
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.simulation import platform as setup
from trustops.workforce.contracts import services as contracts
from trustops.workforce.contracts.models import ContractVersion


def test_a_vendor_manager_drafts_checks_and_publishes_a_contract_version(world):
    with clock.frozen(NOW):
        manager = world.person("vm.contracts", "vendor_manager").user
        vendor = vendor_id(setup.VENDOR_A)
        contract = contracts.create_contract(actor=manager, vendor_id=vendor, reference="NW-1", name="MSA",
                                             effective_from=date(2026, 1, 1), effective_to=None,
                                             terms=NORTHWIND_TERMS)
        client = console(manager)
        url = f"/vendors/{vendor}/contracts/{contract.pk}/draft/"
        assert url.encode() in client.get(f"/vendors/{vendor}/").content
        draft = client.get(url)
        assert draft.status_code == 200 and b"0.50" in draft.content and b'value="2026-04-01"' in draft.content

        broken = json.loads(json.dumps(NORTHWIND_TERMS))
        broken["credits"]["at_risk_percent"] = 150
        broken["sla"][0]["queue"] = "no-such-queue"
        before = LedgerEvent.objects.count()
        refused = client.post(url, {"effective_from": "2025-12-01", "terms": json.dumps(broken)})
        assert refused.status_code == 422
        text = refused.content.decode()
        assert "terms.credits.at_risk_percent" in text and "overlaps NW-1 version 1" in text
        assert "no-such-queue" in text   # the draft is kept as typed
        assert LedgerEvent.objects.count() == before and ContractVersion.objects.count() == 1
        assert b"not a terms document" in client.post(url, {"effective_from": "2026-04-01", "terms": "{"}).content

        better = json.loads(json.dumps(NORTHWIND_TERMS))
        better["pricing"]["per_decision"][0]["price"] = "0.55"
        published = client.post(url, {"effective_from": "2026-04-01", "terms": json.dumps(better), "note": "Q2"})
        assert published.status_code == 302
        first, second = ContractVersion.objects.order_by("number")
        assert first.effective_to == date(2026, 4, 1) and second.effective_from == date(2026, 4, 1)
        assert second.terms["pricing"]["per_decision"][0]["price"] == "0.55"


def test_only_in_house_vendor_managers_edit_contracts(world):
    with clock.frozen(NOW):
        boss = world.person("vm.boss", "vendor_manager").user
        vendor = vendor_id(setup.VENDOR_A)
        contract = contracts.create_contract(actor=boss, vendor_id=vendor, reference="NW-1", name="MSA",
                                             effective_from=date(2026, 1, 1), effective_to=None,
                                             terms=NORTHWIND_TERMS)
        url = f"/vendors/{vendor}/contracts/{contract.pk}/draft/"
        for person in (world.person("an.c", "analyst").user,
                       world.person("own.vm", "vendor_manager", vendor=setup.VENDOR_A).user,
                       world.person("other.vm", "vendor_manager", vendor=setup.VENDOR_B).user):
            assert console(person).get(url).status_code == 404
            assert console(person).post(url, {"effective_from": "2026-04-01",
                                              "terms": json.dumps(NORTHWIND_TERMS)}).status_code == 404
        assert ContractVersion.objects.count() == 1
