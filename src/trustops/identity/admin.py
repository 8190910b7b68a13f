"""The Django admin for people, vendors, teams and tokens. Every write goes through identity's services, so the
ledger sees what changed, before and after, whoever changed it and wherever: nothing here saves a row itself.
What has no service (permissions, groups, staff flags, which follow the role) is shown, not edited."""
import contextvars

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm

from trustops.identity import services
from trustops.identity.models import ApiToken, Team, User, Vendor
from trustops.identity.roles import SCOPES
from trustops.kernel import clock
from trustops.kernel.errors import DomainError

# Who is changing a password in the admin's password view, which builds its form without the request.
_admin_actor = contextvars.ContextVar("admin_actor", default=None)

USER_FIELDS = ("username", "first_name", "last_name", "email", "role", "team", "vendor", "cleared_regions",
               "clearances", "is_active")


def _form_error(form, refused: DomainError) -> None:
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, refused.message)


class AuditedUserChangeForm(UserChangeForm):
    """Checks the changes with the service's own rules, so a refusal is a form error, not a half-save."""

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk:
            try:
                services.check_user_changes(user=User.objects.get(pk=self.instance.pk), changes=self.changes())
            except DomainError as refused:
                _form_error(self, refused)
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in USER_FIELDS}


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        self.user = services.reset_password(user_id=self.user.pk, password=password, actor=_admin_actor.get())
        return self.user


class AuditedUserCreationForm(UserAdmin.add_form):
    class Meta(UserAdmin.add_form.Meta):
        model = User
        fields = ("username",)

    role = forms.ChoiceField(choices=User._meta.get_field("role").choices, initial=User._meta.get_field("role").default)


@admin.register(User)
class TrustopsUserAdmin(UserAdmin):
    form = AuditedUserChangeForm
    add_form = AuditedUserCreationForm
    change_password_form = AuditedPasswordChangeForm
    list_display = ("username", "role", "team", "vendor", "cleared_regions", "is_active")
    list_filter = ("role", "vendor", "team", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("trustops", {"fields": ("role", "team", "vendor", "cleared_regions", "clearances", "is_active")}),
        ("Derived from the role", {"fields": ("is_staff", "is_superuser")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",),
                             "fields": ("username", "role", "usable_password", "password1", "password2")}),)
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    filter_horizontal = ()
    actions = ("deactivate", "activate")

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: the ledger and the cases name them

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.change_user(user_id=obj.pk, changes=form.changes(), actor=request.user)
        else:
            password = form.cleaned_data.get("password1") if form.cleaned_data.get("set_usable_password", True) \
                else None
            saved = services.create_user(username=form.cleaned_data["username"], role=form.cleaned_data["role"],
                                         password=password or None, actor=request.user)
        obj.pk, obj.__dict__ = saved.pk, saved.__dict__

    def save_related(self, request, form, formsets, change):
        pass  # no groups, permissions or inlines: nothing related is written here

    def user_change_password(self, request, id, form_url=""):
        token = _admin_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _admin_actor.reset(token)

    @admin.action(description="Deactivate the selected people")
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description="Activate the selected people")
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, active: bool):
        for user_id in queryset.values_list("pk", flat=True):
            services.change_user(user_id=user_id, changes={"is_active": active}, actor=request.user)
        self.message_user(request, f"{'Activated' if active else 'Deactivated'} {queryset.count()}.",
                          messages.SUCCESS)


class AuditedTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "scopes", "expires_at")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk and "scopes" in self.changed_data:
            scopes = cleaned.get("scopes")
            unknown = sorted(set(scopes or []) - set(SCOPES)) if isinstance(scopes, list) else None
            if unknown is None or unknown:
                self.add_error("scopes", f"Unknown scopes: {', '.join(unknown or [])}." if unknown
                               else "A list of scope names.")
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = AuditedTokenForm
    list_display = ("prefix", "user", "name", "scopes", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    actions = ("revoke",)

    def get_readonly_fields(self, request, obj=None):
        shown = ("prefix", "created_at", "last_used_at", "revoked_at")
        # Once issued, only its name and scopes change (and it can be revoked); a revoked token not even those.
        if obj is None:
            return ()
        return shown + ("user", "expires_at") + (("name", "scopes") if obj.revoked_at else ())

    def get_fields(self, request, obj=None):
        return ("user", "name", "scopes", "expires_at") if obj is None else (
            "prefix", "user", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at")

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the ledger names the token

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.change_token(token_id=obj.pk, scopes=form.cleaned_data.get("scopes"),
                                          name=form.cleaned_data.get("name"), actor=request.user)
        else:
            expires_at = form.cleaned_data.get("expires_at")
            saved, plaintext = services.issue_token(
                user=form.cleaned_data["user"], scopes=form.cleaned_data.get("scopes"),
                name=form.cleaned_data.get("name") or "default",
                expires_in=(expires_at - clock.now()) if expires_at else None, actor=request.user)
            self.message_user(request, f"Token for {saved.user}: {plaintext} — shown this once, copy it now.",
                              messages.WARNING)
        obj.pk, obj.__dict__ = saved.pk, saved.__dict__

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token_id in queryset.values_list("pk", flat=True):
            services.revoke_token(token_id=token_id, actor=request.user)
        self.message_user(request, f"Revoked {queryset.count()}.", messages.SUCCESS)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    """Vendors come from `createuser` and the services; the admin shows them."""
    list_display = ("key", "name", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(VendorAdmin):
    list_display = ("key", "name", "vendor")
