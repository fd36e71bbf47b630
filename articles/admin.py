from django.contrib import admin
from django.contrib.admin.utils import flatten
from django.urls import reverse
from django.utils.html import format_html

from vigil.admin import ReadOnlyAdmin, RecordedAdmin
from vigil.roles import is_admin

from .models import Article, Page, Pillar, Revision, Rewrite, Section


# --- Published text: read-only here, changed on the record at the desk ---------
def text_is_locked(article):
    """Once an article is out (published or retired), what readers were told
    changes only through a rewrite or a dated correction, never an edit."""
    return article.status != Article.Status.DRAFT


def desk_pointer():
    rewrites = reverse("articles:desk_rewrites")
    corrections = reverse("corrections:desk_entries")
    return format_html(
        'Published text changes only through a rewrite (<a href="{}">{}</a>) '
        'or a dated correction (<a href="{}">{}</a>).',
        rewrites, rewrites, corrections, corrections,
    )


class PublishedTextAdmin(RecordedAdmin):
    """For an article's reader-visible text and what hangs from it (its claims,
    their evidence triggers): editable while the article is a draft, read-only
    once it is out, with a pointer to the desk. Read-only fields are left out of
    the admin's form, so a crafted POST cannot change them either.

    The article's own admin is registered in claims/admin.py, beside its
    claims': publishing a draft starts their schedules (claims.services)."""

    published_text_fields = ()

    def article_of(self, obj):
        return obj

    def text_locked(self, obj):
        return obj is not None and obj.pk is not None and text_is_locked(self.article_of(obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.text_locked(obj):
            fields += [name for name in self.published_text_fields if name not in fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only slug cannot follow its title.
        return {} if self.text_locked(obj) else super().get_prepopulated_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.text_locked(obj):
            return fieldsets
        locked = set(self.published_text_fields)
        return [
            (name, {**options, "description": desk_pointer()})
            if locked & set(flatten(options["fields"])) else (name, options)
            for name, options in fieldsets
        ]

    def has_delete_permission(self, request, obj=None):
        # What readers were shown is retired on the record, never deleted.
        return not self.text_locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Pillar)
class PillarAdmin(RecordedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Section)
class SectionAdmin(RecordedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


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
class PageAdmin(RecordedAdmin):
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
