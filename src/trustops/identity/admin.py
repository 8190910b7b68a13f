from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from trustops.identity.models import ApiToken, Team, User, Vendor


@admin.register(User)
class TrustopsUserAdmin(UserAdmin):
    list_display = ("username", "role", "team", "vendor", "cleared_regions", "is_active")
    list_filter = ("role", "vendor", "team", "is_active")
    fieldsets = UserAdmin.fieldsets + (("trustops", {"fields": ("role", "team", "vendor", "cleared_regions")}),)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "created_at")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "vendor")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "scopes", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")
    list_filter = ("revoked_at",)
