"""The vendor manager drafts Northwind's next contract version in the console from the one in force: a draft
that cannot be computed or that overlaps another version is shown back with every problem and nothing is
published; a good draft is published and ends the open-ended version the day it starts."""
from datetime import date

from tests.test_console_access import console
from tests.workforce_month import NORTHWIND_TERMS, NOW, vendor_id
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.simulation import platform as setup
from trustops.workforce.contracts import services as contracts
from trustops.workforce.contracts.models import ContractVersion
from trustops.workforce.pages import contract_form


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
        assert draft.status_code == 200 and b'value="2026-04-01"' in draft.content
        page = draft.content.decode()
        # The draft starts from version 1, field by field, with blank rows to add more.
        assert 'name="pricing.per_decision.0.price" value="0.50"' in page
        assert 'name="sla.0.within_hours" value="24"' in page and 'name="sla.1.queue" value=""' in page
        fields = contract_form.from_terms(NORTHWIND_TERMS).values

        broken = {**fields, "credits.at_risk_percent": "150", "sla.0.queue": "no-such-queue"}
        before = LedgerEvent.objects.count()
        refused = client.post(url, {"effective_from": "2025-12-01", **broken})
        assert refused.status_code == 422
        text = refused.content.decode()
        assert "terms.credits.at_risk_percent" in text and "overlaps NW-1 version 1" in text
        assert 'name="sla.0.queue" value="no-such-queue"' in text   # the draft is kept as typed
        # …and each problem is shown beside its field.
        assert 'name="credits.at_risk_percent" value="150" class="invalid" aria-invalid="true"' in text
        assert LedgerEvent.objects.count() == before and ContractVersion.objects.count() == 1
        # A blank row above a filled one is dropped, and a problem in the filled one still lands on its inputs.
        gap = {**fields, "sla.0.queue": "", "sla.0.within_hours": "", "sla.0.target_share": "",
               "sla.0.credit_allocation": "", "sla.1.queue": "general-us", "sla.1.within_hours": "0",
               "sla.1.target_share": "0.9"}
        text = client.post(url, {"effective_from": "2026-04-01", **gap}).content.decode()
        assert "terms.sla.0.within_hours" in text
        assert 'name="sla.1.within_hours" value="0" aria-label="SLA 2: within hours" class="invalid"' in text

        better = {**fields, "pricing.per_decision.0.price": "0.55", "languages": "en, es",
                  "max_agents.0.queue": "general-us", "max_agents.0.agents": "40"}
        published = client.post(url, {"effective_from": "2026-04-01", "note": "Q2", **better})
        assert published.status_code == 302
        first, second = ContractVersion.objects.order_by("number")
        assert first.effective_to == date(2026, 4, 1) and second.effective_from == date(2026, 4, 1)
        assert second.terms["pricing"]["per_decision"][0]["price"] == "0.55"
        assert second.terms["languages"] == ["en", "es"] and second.terms["max_agents"] == {"general-us": 40}
        assert second.terms["sla"] == first.terms["sla"] and second.terms["quality"] == first.terms["quality"]


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
                                              **contract_form.from_terms(NORTHWIND_TERMS).values}).status_code == 404
        assert ContractVersion.objects.count() == 1
