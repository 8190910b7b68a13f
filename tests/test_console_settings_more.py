"""Settings for policies, ladders, people and API tokens, told as what an admin, a policy manager and anyone with
a script do in the console."""
from tests.conftest import ApiClient
from tests.test_console_access import console, verified_console
from trustops.identity.models import ApiToken, User
from trustops.ledger.models import LedgerEvent
from trustops.policies.models import PenaltyLadder, Policy

PASSWORD = "a long enough passphrase 42"


def _policy_form(version, **changes):
    form = {"title": version.title, "guidance": version.guidance, "severity": str(version.severity),
            "strike_weight": str(version.strike_weight), "allowed_actions": version.allowed_actions,
            "active": "on" if version.active else ""}
    return {**form, **changes}


def test_a_policy_manager_publishes_new_guidance_and_reviewers_read_it_on_the_case(world):
    manager = console(world.person("pm", "policy_manager").user)
    current = Policy.objects.get(code="hate.slurs").current_version
    response = manager.post("/settings/policies/hate.slurs/", _policy_form(
        current, guidance="Reclaimed use by the targeted group is not a violation.", strike_weight="2",
        note="reclaimed use"))
    assert response.status_code == 302
    policy = Policy.objects.select_related("current_version").get(code="hate.slurs")
    assert policy.current_version.number == current.number + 1 and policy.current_version.strike_weight == 2
    event = LedgerEvent.objects.filter(kind="policy.versioned").latest("id")
    assert event.payload["code"] == "hate.slurs" and set(event.payload["changed"]) == {"guidance", "strike_weight"}
    page = manager.get("/settings/policies/hate.slurs/").content.decode()
    assert f"v{current.number}" in page and "reclaimed use" in page

    case = world.report(subject=world.subject(region="BR"), reason="hate.slurs")["case_id"]
    moderator = console(world.moderator().user)
    guidance = moderator.get(f"/cases/{case}/guidance/", {"policy": "hate.slurs"}).content.decode()
    assert "Reclaimed use by the targeted group" in guidance

    # The same form again publishes nothing; an unknown action is refused and writes nothing.
    manager.post("/settings/policies/hate.slurs/", _policy_form(policy.current_version))
    assert Policy.objects.get(code="hate.slurs").current_version_id == policy.current_version_id
    refused = manager.post("/settings/policies/hate.slurs/", _policy_form(policy.current_version,
                                                                          allowed_actions=["teleport"]))
    assert refused.status_code == 422 and b"unknown actions teleport" in refused.content
    assert manager.get("/settings/policies/no.such/").status_code == 404


def test_a_policy_manager_sets_a_familys_ladder_and_new_strikes_expire_by_it(world):
    manager = console(world.person("pm", "policy_manager").user)
    assert b"uses the default ladder" in manager.get("/settings/ladders/").content
    form = {"strike_expiry_days": "30", "points_1": "1", "points_2": "1", "points_3": "2", "points_4": "3",
            "points_5": "5", "step_0_at": "1", "step_0_action": "warn", "step_1_at": "3",
            "step_1_action": "suspend", "step_1_days": "3"}
    assert manager.post("/settings/ladders/hate/", form).status_code == 302
    ladder = PenaltyLadder.objects.get(family="hate")
    assert ladder.strike_expiry_days == 30 and ladder.steps == [{"at": 1, "action": "warn"},
                                                                {"at": 3, "action": "suspend", "days": 3}]
    assert LedgerEvent.objects.filter(kind="penalty_ladder.saved", payload__family="hate").count() == 1
    assert manager.post("/settings/ladders/hate/", form).status_code == 302
    assert LedgerEvent.objects.filter(kind="penalty_ladder.saved", payload__family="hate").count() == 1, \
        "saving the same ladder records nothing"
    bad = manager.post("/settings/ladders/hate/", {**form, "step_2_at": "5", "step_2_action": "teleport"})
    assert bad.status_code == 422 and PenaltyLadder.objects.get(family="hate").steps == ladder.steps
    assert manager.post("/settings/ladders/nope/", form).status_code == 404


def test_an_admin_opens_an_account_changes_it_and_deactivates_it(world):
    admin = world.person("root", "admin")
    client = verified_console(admin.user)
    response = client.post("/settings/users/", {"username": "new-mod", "role": "moderator", "password": PASSWORD,
                                                "regions": "us, br", "clearances": ["restricted:child_safety"]})
    assert response.status_code == 302, response.content
    made = User.objects.get(username="new-mod")
    assert made.check_password(PASSWORD) and made.cleared_regions == ["BR", "US"]
    assert made.clearances == ["restricted:child_safety"]
    assert LedgerEvent.objects.filter(kind="user.created", payload__user="new-mod").exists()
    assert client.get("/settings/users/", {"q": "new-"}).content.count(b"new-mod") >= 1

    weak = client.post("/settings/users/", {"username": "weak", "role": "moderator", "password": "123"})
    assert weak.status_code == 422 and not User.objects.filter(username="weak").exists()
    unknown = client.post("/settings/users/", {"username": "x", "role": "moderator", "password": PASSWORD,
                                               "clearances": ["restricted:everything"]})
    assert unknown.status_code == 422 and not User.objects.filter(username="x").exists()

    changed = client.post(f"/settings/users/{made.pk}/", {"role": "team_lead", "regions": "*",
                                                         "vendor": "", "team": ""})
    assert changed.status_code == 302
    made.refresh_from_db()
    assert made.role == "team_lead" and made.cleared_regions == ["*"] and made.clearances == []
    change = LedgerEvent.objects.filter(kind="user.changed", payload__user="new-mod").latest("id")
    assert change.payload["before"]["role"] == "moderator" and change.payload["after"]["role"] == "team_lead"

    assert client.post(f"/settings/users/{made.pk}/active/", {"active": "no"}).status_code == 302
    assert not User.objects.get(pk=made.pk).is_active
    assert LedgerEvent.objects.filter(kind="user.deactivated", payload__user="new-mod").exists()
    assert client.post(f"/settings/users/{made.pk}/active/", {"active": "yes"}).status_code == 302
    assert User.objects.get(pk=made.pk).is_active


def test_an_admin_cannot_take_away_their_own_admin_role_or_account(world):
    admin = world.person("root", "admin")
    client = verified_console(admin.user)
    demoted = client.post(f"/settings/users/{admin.user.pk}/", {"role": "moderator", "regions": "*"})
    assert demoted.status_code == 409 and b"your own admin role" in demoted.content
    assert client.post(f"/settings/users/{admin.user.pk}/active/", {"active": "no"}).status_code == 409
    admin.user.refresh_from_db()
    assert admin.user.role == "admin" and admin.user.is_active
    # Another admin may.
    other = world.person("root-2", "admin")
    assert verified_console(other.user).post(f"/settings/users/{admin.user.pk}/", {
        "role": "moderator", "regions": "*"}).status_code == 302


def test_a_person_makes_a_token_sees_it_once_uses_it_and_revokes_it(world):
    moderator = world.moderator("mod-with-script")
    client = console(moderator.user)
    page = client.get("/preferences/tokens/").content.decode()
    assert 'value="cases:read"' in page and 'value="config:write"' not in page and 'value="admin"' not in page
    made = client.post("/preferences/tokens/", {"name": "my script", "scopes": ["queues:read"],
                                                "expires_in_days": "30"})
    assert made.status_code == 201
    secret = made.content.decode().split('id="new-token" class="secret">')[1].split("<")[0]
    token = ApiToken.objects.get(user=moderator.user, name="my script")
    assert token.scopes == ["queues:read"] and token.expires_at is not None
    assert secret not in client.get("/preferences/tokens/").content.decode()
    assert ApiClient(secret).get("/api/v1/queues").status_code == 200
    assert ApiClient(secret).get("/api/v1/cases/1").status_code == 403, "only the scope picked"

    beyond = client.post("/preferences/tokens/", {"name": "too much", "scopes": ["config:write"]})
    assert beyond.status_code == 422 and not ApiToken.objects.filter(name="too much").exists()
    assert client.post("/preferences/tokens/", {"name": "", "scopes": ["queues:read"]}).status_code == 422
    assert client.post(f"/preferences/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiClient(secret).get("/api/v1/queues").status_code == 401
    assert LedgerEvent.objects.filter(kind="api_token.revoked", payload__token=token.prefix).exists()


def test_an_admin_sees_and_revokes_a_persons_tokens_on_their_page(world):
    admin = world.person("root", "admin")
    owner = world.moderator("owner")
    token = ApiToken.objects.get(user=owner.user)
    client = verified_console(admin.user)
    assert token.prefix in client.get(f"/settings/users/{owner.user.pk}/").content.decode()
    assert client.post(f"/preferences/tokens/{token.pk}/revoke/",
                       {"return_to": f"/settings/users/{owner.user.pk}/"})["Location"] == \
        f"/settings/users/{owner.user.pk}/"
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_new_strikes_expire_by_the_saved_ladder_and_a_warning_has_no_end(world):
    from datetime import timedelta

    from trustops.enforcement.models import EnforcementAction

    manager = console(world.person("pm", "policy_manager").user)
    form = {"strike_expiry_days": "30", **{f"points_{n}": "1" for n in range(1, 6)}, "step_0_at": "5",
            "step_0_action": "suspend", "step_0_days": "3"}
    assert manager.post("/settings/ladders/hate/", form).status_code == 302
    queue = world.report(subject=world.subject(region="US"), reason="hate.slurs")["queue"]
    moderator = world.moderator()
    world.violation(moderator, queue, "hate.slurs", actions=["remove", "warn", "strike"])
    warn = EnforcementAction.objects.get(action="warn")
    strike = EnforcementAction.objects.get(action="strike")
    assert warn.ends_at is None, "a warning is given, it does not end"
    assert strike.ends_at - strike.starts_at == timedelta(days=30), "a strike ends when it expires"
