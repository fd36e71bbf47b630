from django import forms
from django.contrib import admin
from django.utils.html import format_html

from articles.admin import PublishedTextAdmin, desk_pointer, text_is_locked
from articles.models import Article
from vigil.admin import ReadOnlyAdmin

from .models import Claim, ClaimCodeCounter, EvidenceTrigger
from .services import claim_create


def _refuse_published(article):
    """A claim or trigger added to (or moved onto) a published article would
    change what readers see off the record."""
    if article is not None and text_is_locked(article):
        raise forms.ValidationError(
            format_html("“{}” is {}. {}", article, article.get_status_display().lower(), desk_pointer())
        )


class ClaimAdminForm(forms.ModelForm):
    def clean_article(self):
        article = self.cleaned_data["article"]
        _refuse_published(article)
        return article


class EvidenceTriggerAdminForm(forms.ModelForm):
    def clean_claim(self):
        claim = self.cleaned_data["claim"]
        _refuse_published(claim.article if claim else None)
        return claim


class EvidenceTriggerInline(admin.TabularInline):
    """A published claim's triggers are shown, never changed here (obj is the claim)."""

    model = EvidenceTrigger
    fields = ["position", "text", "fired_at", "fired_by", "fired_note", "fired_url"]
    # Firing is an action (trigger_fire): its date, person, note and link are its record.
    readonly_fields = ["fired_at", "fired_by", "fired_note", "fired_url"]
    extra = 1

    def _locked(self, claim):
        return claim is not None and text_is_locked(claim.article)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Claim)
class ClaimAdmin(PublishedTextAdmin):
    form = ClaimAdminForm
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
    published_text_fields = ["article", "statement", "holding_up_note", "is_primary"]
    # The verdict and dates follow from reviews once a claim exists (reviews.services).
    readonly_fields = ["code", "last_reviewed_on", "created_at", "updated_at"]

    def article_of(self, claim):
        return claim.article

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["verdict", "next_review_due"]
        return fields

    def write_model(self, request, obj, form, change):
        if change:
            super().write_model(request, obj, form, change)
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
class EvidenceTriggerAdmin(PublishedTextAdmin):
    form = EvidenceTriggerAdminForm
    list_display = ["claim", "text", "position", "fired_at"]
    list_filter = [("fired_at", admin.EmptyFieldListFilter)]
    search_fields = ["text", "claim__code"]
    list_select_related = ["claim"]
    raw_id_fields = ["claim"]
    published_text_fields = ["claim", "text", "position"]
    readonly_fields = EvidenceTriggerInline.readonly_fields

    def get_queryset(self, request):
        # Each trigger's lock reads its article (bulk deletion asks for every row).
        return super().get_queryset(request).select_related("claim__article")

    def article_of(self, trigger):
        claim_field, article_field = EvidenceTrigger._meta.get_field("claim"), Claim._meta.get_field("article")
        if claim_field.is_cached(trigger) and article_field.is_cached(trigger.claim):
            return trigger.claim.article
        # Django's delete collector hands over a claim's triggers without their article.
        return Article.objects.only("status").get(claims=trigger.claim_id)

    def event_subjects(self, trigger):
        return trigger.claim.event_subjects()


@admin.register(ClaimCodeCounter)
class ClaimCodeCounterAdmin(ReadOnlyAdmin):
    """Shown so admins can see where numbering stands; never edited (codes are never reused)."""

    list_display = ["prefix", "last_number"]
