from django.contrib import admin

from .models import Dissent


@admin.register(Dissent)
class DissentAdmin(admin.ModelAdmin):
    """Readers' dissent, for looking up; weighing happens in the desk (dissent.services)."""

    list_display = ["claim", "status", "received_at", "credit_name", "weighed_by", "weighed_at"]
    list_filter = ["status", "consent_to_credit", "received_at"]
    search_fields = ["argument", "claim__code", "name", "email"]
    list_select_related = ["claim", "weighed_by"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "claim", "argument", "sources", "name", "email", "consent_to_credit", "status",
        "received_at", "weighed_at", "weighed_by", "weighed_in_review", "weighing_note",
        "correction_entry", "fingerprint",
    ]

    @admin.display(description="credited as")
    def credit_name(self, obj):
        return obj.credit or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
