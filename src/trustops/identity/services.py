from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from trustops.identity import tokens
from trustops.identity.access import CLEARANCES
from trustops.identity.models import ApiToken, Notification, Team, User, Vendor
from trustops.identity.roles import SCOPES, Role, default_scopes
from trustops.kernel import clock
from trustops.kernel.errors import Conflict, Invalid, NotFound
from trustops.kernel.inputs import INT64_MAX
from trustops.ledger import services as ledger


def _slug(value: str) -> str:
    # Keys are at most 64 characters (the column): a longer name keeps its first 64.
    return "-".join("".join(c.lower() if c.isalnum() else " " for c in value).split())[:64].strip("-")


def key_for(name: str) -> str:
    """The key a vendor or team of this name gets."""
    return _slug(name)


@transaction.atomic
def ensure_vendor(*, name: str, actor=None) -> Vendor:
    vendor, created = Vendor.objects.get_or_create(key=_slug(name), defaults={"name": name})
    if created:
        ledger.record("vendor.created", actor=actor, payload={"vendor": vendor.key, "name": name})
    return vendor


@transaction.atomic
def ensure_team(*, name: str, vendor: Vendor | None = None, actor=None) -> Team:
    team, created = Team.objects.get_or_create(key=_slug(name), defaults={"name": name, "vendor": vendor})
    if created:
        ledger.record("team.created", actor=actor, payload={"team": team.key, "vendor": vendor and vendor.key})
    elif vendor and team.vendor_id != vendor.id:
        raise Conflict("team_vendor_mismatch", f"Team {team.name} does not belong to {vendor.name}.", field="team")
    return team


@transaction.atomic
def create_user(*, username: str, role: str, team: str | None = None, vendor: str | None = None,
                regions: list[str] | None = None, password: str | None = None, email: str = "",
                clearances: list[str] | None = None, actor=None) -> User:
    if role not in Role.values:
        raise Invalid("unknown_role", f"Unknown role {role!r}; one of: {', '.join(Role.values)}.", field="role")
    unknown = sorted(set(clearances or []) - set(CLEARANCES))
    if unknown:
        raise Invalid("unknown_clearance", f"Unknown clearances {', '.join(unknown)}; one of: "
                                           f"{', '.join(CLEARANCES)}.", field="clearances")
    if User.objects.filter(username=username).exists():
        raise Conflict("username_taken", f"User {username!r} already exists.", field="username")
    vendor_obj = ensure_vendor(name=vendor, actor=actor) if vendor else None
    team_obj = ensure_team(name=team, vendor=vendor_obj, actor=actor) if team else None
    if team_obj and team_obj.vendor_id and not vendor_obj:
        vendor_obj = team_obj.vendor
    user = User(username=username, role=role, team=team_obj, vendor=vendor_obj, email=email,
                cleared_regions=sorted({r.strip().upper() if r != "*" else r for r in (regions or [])}),
                clearances=sorted(set(clearances or [])),
                is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    ledger.record("user.created", actor=actor, payload={
        "user": username, "role": role, "team": team_obj and team_obj.key, "vendor": vendor_obj and vendor_obj.key,
        "regions": user.cleared_regions, "clearances": user.clearances})
    return user


# What an account change records, field by field: how a value reads in the ledger. A new audited field of
# User is one line here.
AUDITED_USER_FIELDS = {
    "username": str,
    "email": str,
    "first_name": str,
    "last_name": str,
    "role": str,
    "team": lambda team: team.key if team else None,
    "vendor": lambda vendor: vendor.key if vendor else None,
    "cleared_regions": list,
    "clearances": list,
    "is_active": bool,
}


def _normalised_user_changes(user: User, changes: dict) -> dict:
    """The changes as they will be stored; `Invalid`/`Conflict` for anything that cannot be."""
    unknown = sorted(set(changes) - set(AUDITED_USER_FIELDS))
    if unknown:
        raise Invalid("not_changeable", f"Not changed here: {', '.join(unknown)}.", field=unknown[0])
    changes = dict(changes)
    if "role" in changes and changes["role"] not in Role.values:
        raise Invalid("unknown_role", f"Unknown role {changes['role']!r}; one of: {', '.join(Role.values)}.",
                      field="role")
    if "clearances" in changes:
        unknown = sorted(set(changes["clearances"] or []) - set(CLEARANCES))
        if unknown:
            raise Invalid("unknown_clearance", f"Unknown clearances {', '.join(unknown)}; one of: "
                                               f"{', '.join(CLEARANCES)}.", field="clearances")
        changes["clearances"] = sorted(set(changes["clearances"] or []))
    if "cleared_regions" in changes:
        regions = changes["cleared_regions"] or []
        if not isinstance(regions, list) or not all(isinstance(r, str) and r.strip() for r in regions):
            raise Invalid("invalid_regions", "Regions are a list of region codes, or [\"*\"] for all.",
                          field="cleared_regions")
        changes["cleared_regions"] = sorted({r.strip().upper() if r != "*" else r for r in regions})
    if "username" in changes and changes["username"] != user.username and User.objects.filter(
            username=changes["username"]).exclude(pk=user.pk).exists():
        raise Conflict("username_taken", f"User {changes['username']!r} already exists.", field="username")
    team = changes.get("team", user.team)
    vendor = changes.get("vendor", user.vendor)
    if team is not None and team.vendor_id and team.vendor_id != (vendor.pk if vendor else None):
        raise Conflict("team_vendor_mismatch", f"Team {team.name} belongs to {team.vendor.name}.", field="team")
    return changes


def _keep_own_admin(user: User, changes: dict, actor) -> None:
    """An admin never takes away their own admin role or account: someone must be left to give it back."""
    if actor is None or getattr(actor, "pk", None) != user.pk or user.role != Role.ADMIN:
        return
    if changes.get("role", Role.ADMIN) != Role.ADMIN:
        raise Conflict("own_admin_role", "You cannot remove your own admin role; ask another admin.", field="role")
    if changes.get("is_active", True) is False:
        raise Conflict("own_account", "You cannot deactivate your own account; ask another admin.",
                       field="is_active")
    if changes.get("vendor") is not None:
        raise Conflict("own_admin_role", "An admin with a vendor is no longer an admin; ask another admin.",
                       field="vendor")


def check_user_changes(*, user: User, changes: dict, actor=None) -> None:
    """Refuses what `change_user` would refuse, writing nothing (forms check before they save)."""
    _keep_own_admin(user, _normalised_user_changes(user, changes), actor)


def _validated_password(password: str, user: User) -> None:
    from django.contrib.auth.password_validation import ValidationError, validate_password

    try:
        validate_password(password, user)
    except ValidationError as refused:
        raise Invalid("weak_password", " ".join(refused.messages), field="password") from None


@transaction.atomic
def enrol_person(*, username: str, role: str, password: str, team: str | None = None, vendor: str | None = None,
                 regions: list[str] | None = None, email: str = "", clearances: list[str] | None = None,
                 actor=None) -> User:
    """A new account an admin opens for someone: as `create_user`, with a password that passes the validators."""
    username = (username or "").strip()
    if not username or len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise Invalid("invalid_username", "A username is 1–150 letters, digits and @ . + - _ only.",
                      field="username")
    if not password:
        raise Invalid("weak_password", "Give the person a first password.", field="password")
    _validated_password(password, User(username=username, email=email))
    return create_user(username=username, role=role, team=team, vendor=vendor, regions=regions,
                       password=password, email=email, clearances=clearances, actor=actor)


@transaction.atomic
def change_user(*, user_id: int, changes: dict, actor=None) -> User:
    """Change a person's account: the ledger keeps each changed field before and after. Administrators are
    whoever holds the admin role, so a role change moves the Django staff flags with it."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("user_not_found", "No such user.")
    changes = _normalised_user_changes(user, changes)
    _keep_own_admin(user, changes, actor)
    before, after = {}, {}
    for name, value in changes.items():
        shown = AUDITED_USER_FIELDS[name]
        old = shown(getattr(user, name))
        new = shown(value)
        if old != new:
            before[name], after[name] = old, new
            setattr(user, name, value)
    if not after:
        return user
    fields = list(after)
    if "role" in after:
        user.is_staff = user.is_superuser = user.role == Role.ADMIN
        fields += ["is_staff", "is_superuser"]
    user.save(update_fields=fields)
    kind = "user.changed"
    if set(after) == {"is_active"}:
        kind = "user.activated" if user.is_active else "user.deactivated"
    ledger.record(kind, actor=actor, payload={"user": user.username, "before": before, "after": after})
    return user


@transaction.atomic
def reset_password(*, user_id: int, password: str | None, actor=None) -> User:
    """A new password (validated), or none: then the person signs in by no password at all. The ledger says that
    it changed, never what to."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("user_not_found", "No such user.")
    had_password = user.has_usable_password()
    if password is None:
        user.set_unusable_password()
    else:
        _validated_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    ledger.record("user.password_reset", actor=actor, payload={
        "user": user.username, "before": {"password_usable": had_password},
        "after": {"password_usable": password is not None}})
    return user


@transaction.atomic
def issue_token(*, user: User, scopes: list[str] | None = None, name: str = "default",
                expires_in: timedelta | None = None, actor=None) -> tuple[ApiToken, str]:
    scopes = default_scopes(user.role) if scopes is None else scopes
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise Invalid("unknown_scope", f"Unknown scopes: {', '.join(unknown)}.", field="scopes")
    plaintext = tokens.new_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=tokens.display_prefix(plaintext), token_hash=tokens.hash_token(plaintext),
        scopes=sorted(set(scopes)), expires_at=clock.now() + expires_in if expires_in else None)
    ledger.record("api_token.issued", actor=actor or user, payload={
        "user": user.username, "token": token.prefix, "scopes": token.scopes,
        "expires_at": token.expires_at})
    return token, plaintext


TOKEN_LIFETIMES_DAYS = (7, 30, 90, 365)


def issue_own_token(*, user: User, name: str, scopes: list[str], expires_in_days: int | None) -> tuple[ApiToken, str]:
    """A token a person makes for themselves: named, with scopes their role may hold, and a lifetime from the
    offered ones (None: until revoked)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid("invalid_token_name", "Name the token (up to 100 characters), e.g. what will use it.",
                      field="name")
    if not scopes:
        raise Invalid("no_scopes", "Pick at least one scope.", field="scopes")
    beyond = sorted(set(scopes) - set(default_scopes(user.role)))
    if beyond:
        raise Invalid("scope_beyond_role", f"Your role may not hold: {', '.join(beyond)}.", field="scopes")
    if expires_in_days is not None and expires_in_days not in TOKEN_LIFETIMES_DAYS:
        raise Invalid("invalid_expiry", f"A token lasts {', '.join(map(str, TOKEN_LIFETIMES_DAYS))} days, or "
                                        "until revoked.", field="expires_in_days")
    return issue_token(user=user, scopes=scopes, name=name, actor=user,
                       expires_in=timedelta(days=expires_in_days) if expires_in_days else None)


@transaction.atomic
def revoke_token(*, token_id: int, actor=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound("token_not_found", "No such token.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        ledger.record("api_token.revoked", actor=actor, payload={"user": token.user.username, "token": token.prefix})
    return token


@transaction.atomic
def change_token(*, token_id: int, scopes: list[str] | None = None, name: str | None = None, actor=None) -> ApiToken:
    """A token's scopes or name, before and after in the ledger. A revoked token stays revoked as it was."""
    token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound("token_not_found", "No such token.")
    if token.revoked_at is not None:
        raise Conflict("token_revoked", "A revoked token cannot be changed; issue a new one.")
    before, after = {}, {}
    if scopes is not None:
        if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
            raise Invalid("invalid_scopes", "Scopes are a list of scope names.", field="scopes")
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise Invalid("unknown_scope", f"Unknown scopes: {', '.join(unknown)}.", field="scopes")
        if sorted(set(scopes)) != token.scopes:
            before["scopes"], after["scopes"] = token.scopes, sorted(set(scopes))
    if name is not None and name != token.name:
        before["name"], after["name"] = token.name, name
    if after:
        for field, value in after.items():
            setattr(token, field, value)
        token.save(update_fields=list(after))
        ledger.record("api_token.changed", actor=actor, payload={
            "user": token.user.username, "token": token.prefix, "before": before, "after": after})
    return token


def touch_token(token: ApiToken, *, every_seconds: int) -> None:
    """Record last use at most once a minute, so reads do not turn into writes."""
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= every_seconds:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def set_media_preference(*, user: User, preference: str) -> User:
    from trustops.identity.models import MediaPreference

    if preference not in MediaPreference.values:
        raise Invalid("unknown_preference", f"One of: {', '.join(MediaPreference.values)}.", field="media_preference")
    if user.media_preference != preference:
        User.objects.filter(pk=user.pk).update(media_preference=preference)
        user.media_preference = preference
        ledger.record("user.media_preference_changed", actor=user, payload={"media_preference": preference})
    return user


# ---- console notifications ----

@dataclass(frozen=True)
class NotificationDraft:
    recipient_id: int
    kind: str
    title: str
    body: str = ""
    topic: str = ""
    topic_id: int | None = None


def notify_many(drafts: list[NotificationDraft]) -> list[Notification]:
    """Write notifications inside the caller's transaction (the use case that has something to tell)."""
    now = clock.now()
    return Notification.objects.bulk_create([
        Notification(recipient_id=d.recipient_id, kind=d.kind, title=d.title, body=d.body, topic=d.topic,
                     topic_id=d.topic_id, created_at=now) for d in drafts])


@transaction.atomic
def mark_notifications_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the person's own notifications read (all of them without ids); others' ids are ignored."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=clock.now())


# ---- second factor (TOTP) for privileged roles; the device's secret never leaves the device row ----

def _totp_devices(user, *, confirmed: bool):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id")


@transaction.atomic
def start_totp_enrolment(*, user: User):
    """The user's unconfirmed authenticator: created once, then the same one until confirmed (a reload shows
    the same QR code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if _totp_devices(user, confirmed=True).exists():
        raise Conflict("totp_already_enrolled", "You already have an authenticator; enter a code from it.")
    device = _totp_devices(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        ledger.record("totp.enrolment_started", actor=user,
                      payload={"user": user.username, "device_id": device.pk})
    return device


def _check_code(user: User, code: str, *, confirmed: bool, device_id: int | None, step: str):
    """Try the code on the user's devices in one transaction, so a wrong code is counted (throttling) even
    though the caller then refuses it. Returns the device that accepted it, or None."""
    code = "".join((code or "").split())
    with transaction.atomic():
        devices = _totp_devices(user, confirmed=confirmed).select_for_update()
        if device_id is not None:
            # An id beyond any row's range names no device (and the database could not even compare it).
            devices = devices.filter(pk=device_id) if 0 < device_id <= INT64_MAX else devices.none()
        devices = list(devices)
        if not devices:
            raise NotFound("totp_device_not_found", "No authenticator is waiting for confirmation; start again.")
        waits = [info.get("locked_until") for allowed, info in (d.verify_is_allowed() for d in devices)
                 if not allowed and info and info.get("locked_until")]
        if len(waits) == len(devices):
            from django.utils import timezone  # django-otp throttles on the wall clock

            seconds = max(1, int((min(waits) - timezone.now()).total_seconds()) + 1)
            unit = "second" if seconds == 1 else "seconds"
            raise Invalid("totp_throttled", f"Too many wrong codes: wait {seconds} {unit}, then try again.",
                          field="code")
        accepted = None
        if code.isdigit():
            accepted = next((d for d in devices if d.verify_token(code)), None)
        if accepted is None:
            ledger.record("totp.code_refused", actor=user, payload={"user": user.username, "step": step})
        return accepted


def confirm_totp_device(*, user: User, device_id: int, code: str):
    """Enrolment ends when the user proves their app holds the secret by typing a current code."""
    device = _check_code(user, code, confirmed=False, device_id=device_id, step="enrolment")
    if device is None:
        raise Invalid("wrong_code", "That code is not right: type the 6 digits your app shows now.", field="code")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _totp_devices(user, confirmed=False).delete()
        ledger.record("totp.device_confirmed", actor=user,
                      payload={"user": user.username, "device_id": device.pk})
    return device


def verify_totp(*, user: User, code: str):
    """The second step of signing in: a code from a confirmed authenticator. Returns the device that took it."""
    device = _check_code(user, code, confirmed=True, device_id=None, step="sign_in")
    if device is None:
        raise Invalid("wrong_code", "That code is not right: type the 6 digits your app shows now.", field="code")
    ledger.record("totp.verified", actor=user, payload={"user": user.username, "device_id": device.pk})
    return device
