from django.contrib import admin
from django.db import transaction

from .freshness import content_changed


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the desk writes through services (reviews, rewrites, dissent,
    sign-off requests): the Django admin shows them and changes nothing."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReaderVisibleAdmin(admin.ModelAdmin):
    """For models readers see: an edit in the admin refreshes cached public pages,
    as the services do."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(content_changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(content_changed)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(content_changed)
