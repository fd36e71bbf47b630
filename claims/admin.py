from django.contrib import admin

from vigil.admin import ReaderVisibleAdmin, ReadOnlyAdmin

from .models import Claim, ClaimCodeCounter, EvidenceTrigger
from .services import claim_create


class EvidenceTriggerInline(admin.TabularInline):
    model = EvidenceTrigger
    fields = ["position", "text", "fired_at", "fired_by", "fired_note", "fired_url"]
    readonly_fields = ["fired_at", "fired_by"]
    extra = 1


@admin.register(Claim)
class ClaimAdmin(ReaderVisibleAdmin):
    list_display = [
        "code", "article", "is_primary", "verdict", "cadence_days",
        "last_reviewed_on", "next_review_due", "assigned_editor",
    ]
    list_filter = ["verdict", "is_primary", "article__status", "article__pillar", "assigned_editor"]
    search_fields = ["code", "statement", "article__title"]
    list_select_related = ["article", "assigned_editor"]
    date_hierarchy = "next_review_due"
    raw_id_fields = ["article"]
    inlines = [EvidenceTriggerInline]
    # The verdict and dates follow from reviews once a claim exists (reviews.services).
    readonly_fields = ["code", "last_reviewed_on", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["verdict", "next_review_due"]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # New claims go through the service so a code is allocated (never reused).
        created = claim_create(
            actor=request.user,
            article=obj.article,
            statement=obj.statement,
            verdict=obj.verdict,
            cadence_days=obj.cadence_days,
            is_primary=obj.is_primary,
            holding_up_note=obj.holding_up_note,
            next_review_due=obj.next_review_due,
            assigned_editor=obj.assigned_editor,
        )
        # The admin goes on to save inlines against form.instance (== obj).
        obj.pk = created.pk
        obj.code = created.code
        obj._state.adding = False
        obj._state.db = created._state.db


@admin.register(EvidenceTrigger)
class EvidenceTriggerAdmin(ReaderVisibleAdmin):
    list_display = ["claim", "text", "position", "fired_at"]
    list_filter = [("fired_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "claim__code"]
    list_select_related = ["claim"]
    raw_id_fields = ["claim"]
    readonly_fields = ["fired_at", "fired_by"]


@admin.register(ClaimCodeCounter)
class ClaimCodeCounterAdmin(ReadOnlyAdmin):
    """Shown so admins can see where numbering stands; never edited (codes are never reused)."""

    list_display = ["prefix", "last_number"]
