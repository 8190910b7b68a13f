"""Who reaches the newer Settings pages: policies and penalty ladders (admins and policy managers), users (admins),
and API tokens (everyone their own; another person's token is not found, except to an admin).

Every role × every page, like the other Settings pages: refused roles get the 403 page or 404, never a 200, and a
refused write changes nothing."""
import pytest

from tests.test_access_matrix import ROLES, _console, _person
from trustops.identity import access
from trustops.identity.models import ApiToken, User
from trustops.identity.roles import Role
from trustops.ledger.models import LedgerEvent
from trustops.policies.models import PenaltyLadder, Policy

CONFIGURER_PAGES = ["/settings/policies/", "/settings/policies/hate.slurs/", "/settings/ladders/",
                    "/settings/ladders/hate/", "/settings/ladders/*/"]


def _refused(status: int) -> bool:
    return status in (403, 404)


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.INTEGRATION])
def test_every_role_reaches_only_its_settings_pages(world, role):
    person = _person(world, role)
    other = world.person("someone-else", "moderator")
    client = _console(person.user)
    for path in CONFIGURER_PAGES:
        status = client.get(path).status_code
        assert (status == 200) if access.configures_platform(person.user) else _refused(status), (role, path)
    admin = access.administers_people(person.user)
    for path in ("/settings/users/", f"/settings/users/{other.user.pk}/"):
        status = client.get(path).status_code
        assert (status == 200) if admin else _refused(status), (role, path, status)
    # Tokens: everyone has their own page.
    assert client.get("/preferences/tokens/").status_code == 200, role


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.INTEGRATION])
def test_writes_on_settings_pages_are_refused_to_other_roles_and_change_nothing(world, role):
    person = _person(world, role)
    other = world.person("someone-else", "moderator")
    client = _console(person.user)
    events = LedgerEvent.objects.count()
    version = Policy.objects.get(code="hate.slurs").current_version_id
    edit = client.post(f"/settings/users/{other.user.pk}/", {"role": "admin", "regions": "*"})
    deactivate = client.post(f"/settings/users/{other.user.pk}/active/", {"active": "no"})
    create = client.post("/settings/users/", {"username": f"made-by-{role}", "role": "moderator",
                                              "password": "a long enough passphrase 42", "regions": "US"})
    publish = client.post("/settings/policies/hate.slurs/", {"title": "Slurs", "severity": "3",
                                                             "strike_weight": "1", "guidance": "new"})
    ladder = client.post("/settings/ladders/hate/", {"strike_expiry_days": "30", **{f"points_{n}": "1" for n in
                                                                                   range(1, 6)}})
    if access.administers_people(person.user):
        assert edit.status_code == 302 and User.objects.get(pk=other.user.pk).role == "admin"
        assert deactivate.status_code == 302 and not User.objects.get(pk=other.user.pk).is_active
        assert create.status_code == 302 and User.objects.filter(username=f"made-by-{role}").exists()
    else:
        assert all(_refused(r.status_code) for r in (edit, deactivate, create)), role
        assert User.objects.get(pk=other.user.pk).role == "moderator" and User.objects.get(pk=other.user.pk).is_active
        assert not User.objects.filter(username=f"made-by-{role}").exists()
    if access.configures_platform(person.user):
        assert publish.status_code == 302 and Policy.objects.get(code="hate.slurs").current_version_id != version
        assert ladder.status_code == 302 and PenaltyLadder.objects.get(family="hate").strike_expiry_days == 30
    else:
        assert _refused(publish.status_code) and _refused(ladder.status_code), role
        assert Policy.objects.get(code="hate.slurs").current_version_id == version
        assert not PenaltyLadder.objects.filter(family="hate", strike_expiry_days=30).exists()
        if not access.administers_people(person.user):
            assert LedgerEvent.objects.count() == events


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.INTEGRATION])
def test_nobody_but_an_admin_sees_or_revokes_another_persons_token(world, role):
    person = _person(world, role)
    owner = world.person("token-owner", "moderator")
    theirs = ApiToken.objects.filter(user=owner.user).get()
    client = _console(person.user)
    page = client.get("/preferences/tokens/").content.decode()
    assert theirs.prefix not in page, "one's own page lists one's own tokens only"
    revoked = client.post(f"/preferences/tokens/{theirs.pk}/revoke/")
    theirs.refresh_from_db()
    if access.viewer(person.user).is_admin:
        assert revoked.status_code == 302 and theirs.revoked_at is not None
    else:
        assert revoked.status_code == 404 and theirs.revoked_at is None, role
    # Their own token they revoke.
    own = ApiToken.objects.filter(user=person.user).first()
    assert client.post(f"/preferences/tokens/{own.pk}/revoke/").status_code == 302
    own.refresh_from_db()
    assert own.revoked_at is not None


def test_a_vendor_admin_is_no_admin_of_people(world):
    person = world.person("vendor-admin", "admin", vendor="Vendor A")
    assert not access.administers_people(person.user)
    client = _console(person.user)
    assert _refused(client.get("/settings/users/").status_code)
    assert client.get("/settings/users/99999999999999999999/").status_code in (403, 404)
