"""The admin of articles and their claims.

The article's admin lives here rather than in articles/admin.py: its "Publish"
action calls claims.services.article_publish, which starts the claims'
schedules, and articles imports nothing above it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html

from articles.admin import PublishedTextAdmin, desk_pointer, text_is_locked
from articles.models import Article, Revision
from vigil.admin import ReadOnlyAdmin
from vigil.roles import is_admin

from .models import Claim, ClaimCodeCounter, EvidenceTrigger
from .services import PublicationRefused, article_publish, claim_create


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


# Publication and retirement are actions, never fields typed in here.
LIFECYCLE_FIELDS = [
    "status", "published_on", "revised_on", "drafted_by", "signed_off_by",
    "redirect_to", "retired_at", "retired_by",
]


@admin.register(Article)
class ArticleAdmin(PublishedTextAdmin):
    list_display = ["title", "status", "section", "pillar", "published_on", "revised_on", "reading_minutes"]
    list_filter = ["status", "section", "pillar", "published_on"]
    search_fields = ["title", "dek", "slug", "claims__code"]
    list_select_related = ["section", "pillar"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    actions = ["publish"]
    published_text_fields = ["title", "slug", "dek", "body_markdown", "cover", "cover_alt"]
    readonly_fields = ["reading_minutes", *LIFECYCLE_FIELDS, "created_at", "updated_at"]
    inlines = [RevisionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body_markdown", "reading_minutes"]}),
        ("Cover", {"fields": ["cover", "cover_alt"]}),
        ("Placement", {"fields": ["section", "pillar"]}),
        ("Lifecycle", {
            "fields": LIFECYCLE_FIELDS,
            "description": "Publication and retirement are actions: a draft is published with "
            "the “Publish” action of the article list, an article is retired from the desk's "
            "sign-off queue.",
        }),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def has_publish_permission(self, request):
        return is_admin(request.user)

    @admin.action(description="Publish the selected drafts", permissions=["publish"])
    def publish(self, request, queryset):
        published = 0
        for article in queryset:
            try:
                article_publish(article=article, admin=request.user)
                published += 1
            except PublicationRefused as refusal:
                self.message_user(request, f"“{article}” was not published: {refusal}", messages.WARNING)
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                break
        if published:
            self.message_user(request, f"{published} published.")


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
