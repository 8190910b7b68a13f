from django.contrib import admin

from trustops.ledger.models import LedgerBlock, LedgerEvent


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEvent)
class LedgerEventAdmin(ReadOnly):
    list_display = ("id", "occurred_at", "kind", "actor_name", "subject_id", "case_id", "block")
    list_filter = ("kind",)
    search_fields = ("kind", "actor_name")


@admin.register(LedgerBlock)
class LedgerBlockAdmin(ReadOnly):
    list_display = ("number", "sealed_at", "event_count", "block_hash")
