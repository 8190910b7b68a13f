"""The vendors' access matrix: every role × every vendor surface (API and console) × own vendor / foreign vendor.

Northwind BPO and Lumen Outsourcing each have a contract and an invoice. In-house vendor managers, admins and
analysts see both. A vendor's own manager sees their vendor alone: the other vendor's profile, contract, prices,
invoice, scorecard and files are 404, and never in a list. Every other role (vendor agents included) sees no
vendor at all. Tokens carry the workforce scopes here, so that what is tested is the access rule, not the scope.
"""
from datetime import datetime, timezone

import pytest

from tests.conftest import ApiClient
from tests.test_console_access import console, verified_console
from tests.workforce_month import LUMEN_TERMS, NORTHWIND_TERMS
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.ledger.models import LedgerEvent
from trustops.simulation import platform as setup
from trustops.workforce.billing import services as billing
from trustops.workforce.billing.models import InvoiceDispute, VendorCount
from trustops.workforce.contracts import services as contracts
from trustops.workforce.vendors.models import VendorProfile

NOW = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
MONTH = "2026-02"
READERS = {Role.VENDOR_MANAGER, Role.ADMIN, Role.ANALYST}
SCOPES = ["workforce:read", "workforce:write"]
TOTP = {Role.ADMIN, Role.TEAM_LEAD}


@pytest.fixture
def vendors(world):
    with clock.frozen(NOW):
        boss = world.person("vm.setup", "vendor_manager").user
        made = {}
        for name, terms, ref in ((setup.VENDOR_A, NORTHWIND_TERMS, "NW-1"), (setup.VENDOR_B, LUMEN_TERMS, "LU-1")):
            vendor = world.platform.vendors[name]
            contract = contracts.create_contract(actor=boss, vendor_id=vendor.pk, reference=ref, name=ref,
                                                 effective_from=datetime(2026, 1, 1).date(), effective_to=None,
                                                 terms=terms)
            invoice = billing.compute_invoice(actor=boss, vendor_id=vendor.pk, month=datetime(2026, 2, 1).date())
            made[name] = {"vendor": vendor.pk, "contract": contract.pk, "invoice": invoice.pk}
        return made


def _people(world):
    """(label, person, the vendor names they should see)."""
    both = {setup.VENDOR_A, setup.VENDOR_B}
    out = []
    for role in Role.values:
        sees = both if role in READERS else set()
        out.append((role, world.person(f"m-{role}", role, scopes=SCOPES), sees))
    out.append(("northwind vendor_manager", world.person("m-nw-vm", "vendor_manager", vendor=setup.VENDOR_A,
                                                         scopes=SCOPES), {setup.VENDOR_A}))
    out.append(("northwind vendor_agent", world.person("m-nw-agent", "vendor_agent", vendor=setup.VENDOR_A,
                                                       scopes=SCOPES), set()))
    out.append(("northwind team_lead", world.person("m-nw-lead", "team_lead", vendor=setup.VENDOR_A,
                                                    scopes=SCOPES), set()))
    return out


def _api_surfaces(ids: dict) -> list[str]:
    v, c, i = ids["vendor"], ids["contract"], ids["invoice"]
    return [f"/api/v1/vendors/{v}", f"/api/v1/vendors/{v}/contracts", f"/api/v1/vendors/{v}/contracts/{c}",
            f"/api/v1/vendors/{v}/invoices", f"/api/v1/invoices/{i}", f"/api/v1/invoices/{i}/reconciliation",
            f"/api/v1/invoices/{i}/file/csv", f"/api/v1/vendors/{v}/scorecard?month={MONTH}",
            f"/api/v1/vendors/{v}/measurement?month={MONTH}"]


def _console_surfaces(ids: dict) -> list[str]:
    v, i = ids["vendor"], ids["invoice"]
    return [f"/vendors/{v}/?month={MONTH}", f"/vendors/{v}/scorecard.xlsx?month={MONTH}", f"/invoices/{i}/",
            f"/invoices/{i}/invoice.csv"]


def _get(client, url):
    path, _, query = url.partition("?")
    params = dict(part.split("=") for part in query.split("&")) if query else {}
    return client.get(path, **params) if isinstance(client, ApiClient) else client.get(path, params)


def test_every_role_sees_exactly_its_vendors_through_the_api(world, vendors):
    wrong = []
    with clock.frozen(NOW):
        for label, person, sees in _people(world):
            api = ApiClient(person.token)
            listed = {v["name"] for v in api.get("/api/v1/vendors").json()}
            if listed != sees:
                wrong.append((label, "list", sorted(listed)))
            compared = {row["vendor"] for row in api.get("/api/v1/vendors/scorecards", month=MONTH).json()}
            if compared != sees:
                wrong.append((label, "compare", sorted(compared)))
            for name, ids in vendors.items():
                for url in _api_surfaces(ids):
                    status = _get(api, url).status_code
                    if status != (200 if name in sees else 404):
                        wrong.append((label, url, status))
    assert not wrong


def test_every_role_sees_exactly_its_vendors_in_the_console(world, vendors):
    wrong = []
    with clock.frozen(NOW):
        for label, person, sees in _people(world):
            client = verified_console(person.user) if person.user.role in TOTP else console(person.user)
            listing = client.get("/vendors/", {"month": MONTH})
            expected = 200 if sees else 404
            if listing.status_code != expected:
                wrong.append((label, "/vendors/", listing.status_code))
            for name in (setup.VENDOR_A, setup.VENDOR_B):
                if listing.status_code == 200 and (name.encode() in listing.content) != (name in sees):
                    wrong.append((label, "/vendors/ shows", name))
            nav = client.get("/queues/")
            if nav.status_code == 200 and (b'href="/vendors/"' in nav.content) != bool(sees):
                wrong.append((label, "nav link", bool(sees)))
            for name, ids in vendors.items():
                for url in _console_surfaces(ids):
                    status = _get(client, url).status_code
                    if status != (200 if name in sees else 404):
                        wrong.append((label, url, status))
    assert not wrong


def test_a_vendors_manager_never_touches_another_vendors_invoice_or_contract(world, vendors):
    with clock.frozen(NOW):
        lumen_manager = world.person("lu-vm", "vendor_manager", vendor=setup.VENDOR_B, scopes=SCOPES)
        api = ApiClient(lumen_manager.token)
        northwind = vendors[setup.VENDOR_A]
        invoice = northwind["invoice"]
        before = LedgerEvent.objects.count()
        for url, body in ((f"/api/v1/invoices/{invoice}/vendor-count", {"csv": "queue,day,decisions\n"}),
                          (f"/api/v1/invoices/{invoice}/disputes", {"reason": "not ours"}),
                          (f"/api/v1/invoices/{invoice}/approve", {}),
                          (f"/api/v1/vendors/{northwind['vendor']}/invoices", {"month": MONTH}),
                          (f"/api/v1/vendors/{northwind['vendor']}/status", {"status": "onboarding", "reason": "x"}),
                          (f"/api/v1/vendors/{northwind['vendor']}/contracts/{northwind['contract']}/versions",
                           {"effective_from": "2026-05-01", "terms": NORTHWIND_TERMS})):
            assert api.post(url, body).status_code == 404, url
        page = console(lumen_manager.user)
        for url in (f"/invoices/{invoice}/disputes/", f"/invoices/{invoice}/approve/",
                    f"/vendors/{northwind['vendor']}/status/", f"/vendors/{northwind['vendor']}/invoices/"):
            assert page.post(url, {"reason": "x", "status": "onboarding", "month": MONTH}).status_code == 404, url
        assert LedgerEvent.objects.count() == before
        assert not InvoiceDispute.objects.exists() and not VendorCount.objects.exists()
        # Their own vendor's invoice: they may dispute it, not approve it; in-house analysts may do neither.
        own = vendors[setup.VENDOR_B]["invoice"]
        assert api.post(f"/api/v1/invoices/{own}/approve", {}).status_code == 403
        assert api.post(f"/api/v1/invoices/{own}/disputes", {"reason": "hours are wrong"}).status_code == 201
        analyst = ApiClient(world.person("an", "analyst", scopes=SCOPES).token)
        assert analyst.post(f"/api/v1/invoices/{own}/disputes", {"reason": "x"}).status_code == 403
        assert analyst.post("/api/v1/vendors", {"name": "Nope"}).status_code == 403
        assert not VendorProfile.objects.filter(vendor__name="Nope").exists()
