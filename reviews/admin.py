from django.contrib import admin

from vigil.admin import ReadOnlyAdmin, RecordedAdmin

from .models import EditorPreference, Reminder, Review


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """Reviews are append-only and recorded in the editor desk (reviews.services)."""

    list_display = ["claim", "reviewed_on", "verdict_before", "verdict_after", "cadence_days", "next_review_due", "editor"]
    list_filter = ["verdict_after", "verdict_before", "reviewed_on", "editor"]
    search_fields = ["claim__code", "reasoning", "evidence_considered"]
    list_select_related = ["claim", "editor"]
    date_hierarchy = "reviewed_on"


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["claim", "stage", "due_on", "created_at", "sent_at"]
    list_filter = ["stage", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["claim__code"]
    list_select_related = ["claim"]


@admin.register(EditorPreference)
class EditorPreferenceAdmin(RecordedAdmin):
    list_display = ["user", "reminders_paused", "digest_hour"]
    list_filter = ["reminders_paused"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]

    def event_subjects(self, preference):
        return [("person", preference.user.get_username())]
