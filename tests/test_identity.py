"""People, vendors, regions and API tokens."""
import pytest
from django.core.management import CommandError, call_command

from tests.conftest import ApiClient
from trustops.identity import tokens
from trustops.identity.models import ApiToken, User


def test_createuser_makes_the_user_team_vendor_and_a_token_file(db, tmp_path):
    password = tmp_path / "pw"
    password.write_text("a-long-enough-password\n")
    token_file = tmp_path / "token"
    call_command("createuser", "--username", "ana", "--role", "vendor_agent", "--team", "NW Night Shift",
                 "--vendor", "Northwind BPO", "--region", "US", "--region", "gb",
                 "--password-file", str(password), "--token-file", str(token_file))

    user = User.objects.get(username="ana")
    assert user.vendor.name == "Northwind BPO" and user.team.vendor == user.vendor
    assert user.cleared_regions == ["GB", "US"]
    assert user.check_password("a-long-enough-password")
    assert user.password.startswith("argon2")
    plaintext = token_file.read_text().strip()
    token = ApiToken.objects.get(user=user)
    assert token.token_hash == tokens.hash_token(plaintext) and plaintext not in token.token_hash
    assert "cases:write" in token.scopes and "reports:write" not in token.scopes


def test_createuser_refuses_duplicates_and_unknown_roles(db):
    call_command("createuser", "--username", "bo", "--role", "moderator")
    with pytest.raises(CommandError, match="username_taken"):
        call_command("createuser", "--username", "bo", "--role", "moderator")
    with pytest.raises(CommandError):
        call_command("createuser", "--username", "cy", "--role", "overlord")


def test_tokens_record_when_they_were_last_used(world):
    person = world.moderator()
    token = ApiToken.objects.get(user=person.user)
    assert token.last_used_at is None
    ApiClient(person.token).get("/api/v1/queues")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_deactivated_user_s_token_stops_working(world):
    person = world.moderator()
    User.objects.filter(pk=person.user.pk).update(is_active=False)
    assert ApiClient(person.token).get("/api/v1/queues").status_code == 401


def test_totpcode_prints_the_code_the_device_accepts(db, capsys):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trustops.identity import services
    user = services.create_user(username="lead-x", role="team_lead", password="a-long-enough-password")
    device = services.start_totp_enrolment(user=user)
    call_command("totpcode", "--username", "lead-x")
    code = capsys.readouterr().out.strip()
    assert TOTPDevice.objects.get(pk=device.pk).verify_token(code)
    with pytest.raises(CommandError):
        call_command("totpcode", "--username", "nobody")
