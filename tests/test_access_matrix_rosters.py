"""Rosters' access matrix: every role × shift templates, rosters and adherence (API and console) × own vendor /
foreign vendor. Whoever sees a vendor (`access.vendor_filter`) reads its rosters; in-house vendor managers and
admins, and the vendor's own managers, enter them; analysts read only; everyone else sees nothing (404)."""
from datetime import date, time

import pytest

from tests.conftest import ApiClient
from tests.test_access_matrix_vendors import NOW, TOTP, _people
from tests.test_console_access import console, verified_console
from trustops.identity.roles import Role
from trustops.kernel import clock
from trustops.simulation import platform as setup
from trustops.workforce.rosters import services
from trustops.workforce.rosters.models import ShiftTemplate

WRITERS = {Role.VENDOR_MANAGER, Role.ADMIN}
TEMPLATE = {"name": "Night", "time_zone": "Asia/Manila", "starts_at": "22:00", "ends_at": "07:00"}


@pytest.fixture
def rostered(world):
    with clock.frozen(NOW):
        boss = world.person("vm.roster", "vendor_manager").user
        ids = {}
        for name in (setup.VENDOR_A, setup.VENDOR_B):
            vendor = world.platform.vendors[name]
            world.vendor_agent(f"agent-{vendor.key}", vendor=name)
            services.create_template(actor=boss, vendor_id=vendor.pk, data=services.TemplateInput(
                key="night", name="Night", time_zone="Asia/Manila", starts_at=time(22), ends_at=time(7)))
            services.set_roster(actor=boss, vendor_id=vendor.pk, lines=[
                services.RosterLine(agent=f"agent-{vendor.key}", day=date(2026, 3, 2), shift="night")])
            ids[name] = vendor.pk
        return ids


def _api(v: int) -> list[str]:
    return [f"/api/v1/vendors/{v}/shift-templates", f"/api/v1/vendors/{v}/roster?first=2026-03-01&last=2026-03-07",
            f"/api/v1/vendors/{v}/adherence?first=2026-03-01&last=2026-03-07"]


def _writer(label: str, person, name: str) -> bool:
    if person.user.vendor_id is not None:
        return person.user.role == Role.VENDOR_MANAGER and person.user.vendor.name == name
    return person.user.role in WRITERS


def test_every_role_reads_and_writes_exactly_its_vendors_rosters(world, rostered):
    wrong = []
    with clock.frozen(NOW):
        for n, (label, person, sees) in enumerate(_people(world)):
            api = ApiClient(person.token)
            client = verified_console(person.user) if person.user.role in TOTP else console(person.user)
            for name, v in rostered.items():
                for url in _api(v):
                    path, _, query = url.partition("?")
                    params = dict(p.split("=") for p in query.split("&")) if query else {}
                    status = api.get(path, **params).status_code
                    if status != (200 if name in sees else 404):
                        wrong.append((label, url, status))
                page = client.get(f"/vendors/{v}/roster/", {"week": "2026-03-02"})
                if page.status_code != (200 if name in sees else 404):
                    wrong.append((label, "console roster", name, page.status_code))
                if page.status_code == 200 and (f"agent-{world.platform.vendors[name].key}".encode() not in page.content):
                    wrong.append((label, "console roster lacks its agent", name))
                expected = 201 if _writer(label, person, name) else (403 if name in sees else 404)
                made = api.post(f"/api/v1/vendors/{v}/shift-templates", {**TEMPLATE, "key": f"t-{n}"})
                if made.status_code != expected:
                    wrong.append((label, "POST template", name, made.status_code))
                posted = client.post(f"/vendors/{v}/roster/templates/", {**TEMPLATE, "key": f"c-{n}"})
                if posted.status_code != (302 if name in sees else 404):
                    wrong.append((label, "console POST template", name, posted.status_code))
                made_in_console = ShiftTemplate.objects.filter(vendor_id=v, key=f"c-{n}").exists()
                if made_in_console != _writer(label, person, name):
                    wrong.append((label, "console template written", name, made_in_console))
    assert not wrong
