"""An administrator changes people and tokens in the Django admin: every change lands in the ledger with what it
was before and what it is after, and nothing the admin offers writes around identity's services."""
import json

import pytest

from tests.test_console_access import verified_console
from trustops.identity import services as identity
from trustops.identity.models import ApiToken, User
from trustops.ledger.models import LedgerEvent


@pytest.fixture
def admin_client(world):
    return verified_console(world.person("ops-admin", "admin").user)


def change_form(user: User, **overrides) -> dict:
    """The admin's change form for a person as the browser posts it, with some fields edited."""
    form = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "role": user.role, "team": user.team_id or "", "vendor": user.vendor_id or "",
            "cleared_regions": json.dumps(user.cleared_regions), "clearances": json.dumps(user.clearances),
            "is_active": "on" if user.is_active else ""}
    form.update(overrides)
    if not form["is_active"]:
        del form["is_active"]  # an unticked box is not posted
    return form


def events(kind):
    return list(LedgerEvent.objects.filter(kind=kind).order_by("id"))


def test_a_role_and_regions_changed_in_the_admin_are_in_the_ledger_before_and_after(admin_client, world):
    moderator = world.moderator("mod-eu", regions=["DE"]).user

    answer = admin_client.post(f"/admin/identity/user/{moderator.pk}/change/", change_form(
        moderator, role="team_lead", cleared_regions=json.dumps(["DE", "fr"])))

    assert answer.status_code == 302, answer.content.decode()[:2000]
    moderator.refresh_from_db()
    assert (moderator.role, moderator.cleared_regions) == ("team_lead", ["DE", "FR"])
    [event] = events("user.changed")
    assert event.actor_name == "ops-admin"
    assert event.payload == {"user": "mod-eu", "before": {"role": "moderator", "cleared_regions": ["DE"]},
                             "after": {"role": "team_lead", "cleared_regions": ["DE", "FR"]}}


def test_vendor_team_and_clearances_changes_are_recorded_and_bad_ones_refused_without_a_write(admin_client, world):
    agent = world.vendor_agent("agent-n").user
    other_team = identity.ensure_team(name="Southwind night shift", vendor=identity.ensure_vendor(name="Southwind"))

    refused = admin_client.post(f"/admin/identity/user/{agent.pk}/change/", change_form(
        agent, team=other_team.pk))
    assert refused.status_code == 200 and "belongs to Southwind" in refused.content.decode()
    refused = admin_client.post(f"/admin/identity/user/{agent.pk}/change/", change_form(
        agent, clearances=json.dumps(["state_secrets"])))
    assert refused.status_code == 200 and "Unknown clearances state_secrets" in refused.content.decode()
    assert events("user.changed") == []

    admin_client.post(f"/admin/identity/user/{agent.pk}/change/", change_form(
        agent, vendor=other_team.vendor_id, team=other_team.pk))
    [event] = events("user.changed")
    assert event.payload["before"] == {"team": None, "vendor": "northwind-bpo"}
    assert event.payload["after"] == {"team": "southwind-night-shift", "vendor": "southwind"}


def test_deactivating_and_resetting_a_password_in_the_admin_are_recorded(admin_client, world):
    moderator = world.moderator("mod-leaving").user

    admin_client.post("/admin/identity/user/", {"action": "deactivate", "_selected_action": [moderator.pk]})
    moderator.refresh_from_db()
    assert not moderator.is_active
    [event] = events("user.deactivated")
    assert event.payload == {"user": "mod-leaving", "before": {"is_active": True}, "after": {"is_active": False}}

    answer = admin_client.post(f"/admin/identity/user/{moderator.pk}/password/", {
        "password1": "a long new passphrase", "password2": "a long new passphrase", "usable_password": "true"})
    assert answer.status_code == 302
    moderator.refresh_from_db()
    assert moderator.check_password("a long new passphrase")
    [reset] = events("user.password_reset")
    assert reset.actor_name == "ops-admin" and reset.payload["user"] == "mod-leaving"
    assert "a long new passphrase" not in json.dumps(reset.payload)


def test_a_person_added_in_the_admin_is_created_by_the_service(admin_client):
    answer = admin_client.post("/admin/identity/user/add/", {
        "username": "new-reviewer", "role": "moderator", "usable_password": "true",
        "password1": "a long first passphrase", "password2": "a long first passphrase"})
    assert answer.status_code == 302
    [event] = events("user.created")[-1:]
    assert event.payload["user"] == "new-reviewer" and event.actor_name == "ops-admin"


def test_a_tokens_scopes_changed_in_the_admin_are_recorded_and_revoking_is_too(admin_client, world):
    moderator = world.moderator("mod-token").user
    token, _ = identity.issue_token(user=moderator, scopes=["cases:read"], name="laptop")

    answer = admin_client.post(f"/admin/identity/apitoken/{token.pk}/change/", {
        "name": "laptop", "scopes": json.dumps(["cases:read", "cases:write"])})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    [event] = events("api_token.changed")
    assert event.payload == {"user": "mod-token", "token": token.prefix,
                             "before": {"scopes": ["cases:read"]}, "after": {"scopes": ["cases:read", "cases:write"]}}

    refused = admin_client.post(f"/admin/identity/apitoken/{token.pk}/change/", {
        "name": "laptop", "scopes": json.dumps(["everything"])})
    assert refused.status_code == 200 and len(events("api_token.changed")) == 1

    admin_client.post("/admin/identity/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None and len(events("api_token.revoked")) == 1


def test_the_admin_offers_no_write_around_the_services(admin_client, world):
    moderator = world.moderator("mod-plain").user
    token, _ = identity.issue_token(user=moderator, scopes=["cases:read"])

    # Staff flags follow the role: posted by hand, they are ignored.
    admin_client.post(f"/admin/identity/user/{moderator.pk}/change/", change_form(
        moderator, is_staff="on", is_superuser="on", first_name="Pat"))
    moderator.refresh_from_db()
    assert (moderator.first_name, moderator.is_staff, moderator.is_superuser) == ("Pat", False, False)
    # Deleting people or tokens is not offered: they are deactivated or revoked.
    assert admin_client.post(f"/admin/identity/user/{moderator.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/identity/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post("/admin/identity/user/", {"action": "delete_selected", "_selected_action": [moderator.pk]})
    assert User.objects.filter(pk=moderator.pk).exists() and ApiToken.objects.filter(pk=token.pk).exists()
    # A token's owner and expiry are fixed once issued.
    admin_client.post(f"/admin/identity/apitoken/{token.pk}/change/", {
        "name": "default", "scopes": json.dumps(["cases:read"]), "user": world.integration.user.pk})
    token.refresh_from_db()
    assert token.user_id == moderator.pk
    # Vendors and teams are read here, not written.
    assert admin_client.get("/admin/identity/vendor/add/").status_code == 403
    # Every change above is in the ledger; none happened without an event.
    assert [e.payload["after"] for e in events("user.changed")] == [{"first_name": "Pat"}]
