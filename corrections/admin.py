from django.contrib import admin

from vigil.admin import ReadOnlyAdmin
from .models import Amendment, CorrectionEntry, ErrorReport, SignOffRequest


class SignOffRequestInline(admin.StackedInline):
    model = SignOffRequest
    fields = ["question", "addressed_to", "created_at", "answer", "answered_by", "answered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AmendmentInline(admin.TabularInline):
    model = Amendment
    fields = ["amended_at", "amended_by", "previous_text", "new_text", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CorrectionEntry)
class CorrectionEntryAdmin(ReadOnlyAdmin):
    """Append-only and written only by actions: editors write theirs at
    /desk/corrections/, the system writes verdict changes, material dissent,
    rewrites and retirements. Here they are read."""

    list_display = ["entry_on", "kind", "article", "claim", "short_text", "created_by"]
    list_filter = ["kind", "entry_on"]
    search_fields = ["text", "article__title", "claim__code"]
    list_select_related = ["article", "claim", "created_by"]
    date_hierarchy = "entry_on"
    fields = ["article", "claim", "kind", "entry_on", "text", "created_by", "created_at"]
    readonly_fields = fields
    inlines = [SignOffRequestInline, AmendmentInline]

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text[:90]


@admin.register(SignOffRequest)
class SignOffRequestAdmin(ReadOnlyAdmin):
    """Sign-off requests are answered in the desk's sign-off queue."""

    list_display = ["entry", "addressed_to", "created_at", "answered_at"]
    list_filter = [("answered_at", admin.EmptyFieldListFilter), "addressed_to"]
    search_fields = ["question", "answer", "entry__article__title"]
    list_select_related = ["entry", "addressed_to"]


@admin.register(ErrorReport)
class ErrorReportAdmin(ReadOnlyAdmin):
    """Readers' error reports are declined or turned into corrections on the
    desk (/desk/dissent/), through their actions; here they are read."""

    list_display = ["article", "status", "received_at", "handled_by", "handled_at"]
    list_filter = ["status", "received_at"]
    search_fields = ["what_is_wrong", "evidence", "article__title", "contact_email"]
    list_select_related = ["article", "handled_by"]
