from django.contrib import admin
from django.db import transaction

from vigil.admin import ReaderVisibleAdmin, ReadOnlyAdmin
from vigil.freshness import content_changed
from vigil.roles import is_admin

from .models import Article, Page, Pillar, Revision, Rewrite, Section


@admin.register(Pillar)
class PillarAdmin(ReaderVisibleAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Section)
class SectionAdmin(ReaderVisibleAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


class RevisionInline(admin.TabularInline):
    """Earlier texts are history: shown, never edited here."""

    model = Revision
    fields = ["title", "replaced_on", "replaced_by_rewrite"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ReaderVisibleAdmin):
    list_display = ["title", "status", "section", "pillar", "published_on", "revised_on", "reading_minutes"]
    list_filter = ["status", "section", "pillar", "published_on"]
    search_fields = ["title", "dek", "slug", "claims__code"]
    list_select_related = ["section", "pillar"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    readonly_fields = ["reading_minutes", "retired_at", "retired_by", "created_at", "updated_at"]
    raw_id_fields = ["redirect_to"]
    inlines = [RevisionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body_markdown", "reading_minutes"]}),
        ("Cover", {"fields": ["cover", "cover_alt"]}),
        ("Placement", {"fields": ["section", "pillar"]}),
        ("Lifecycle", {"fields": [
            "status", "published_on", "revised_on", "drafted_by", "signed_off_by",
            "redirect_to", "retired_at", "retired_by",
        ]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    """Kept texts of rewritten articles: read-only history."""

    list_display = ["title", "article", "replaced_on"]
    list_select_related = ["article"]
    search_fields = ["title", "article__title"]
    date_hierarchy = "replaced_on"


@admin.register(Rewrite)
class RewriteAdmin(ReadOnlyAdmin):
    """Rewrites are decided in the editor desk's sign-off queue; here they are read."""

    list_display = ["article", "status", "drafted_by", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "created_at"]
    list_select_related = ["article", "drafted_by", "decided_by"]
    search_fields = ["article__title", "title", "reader_note"]
    readonly_fields = [
        "article", "title", "dek", "body_markdown", "reader_note", "status", "drafted_by",
        "created_at", "decided_by", "decided_at", "decision_reason",
    ]


# --- Standing pages ("How this works"): admins edit them as Markdown. ---------
@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "body_markdown"]

    # Editors are staff too; only admins may change what the method page promises.
    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request):
        return is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return is_admin(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(content_changed)
