from django.contrib import admin
from django.db import transaction

from vigil.freshness import content_changed
from vigil.roles import is_admin

from .models import Page


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
