from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Pillar

from .models import SHORT_STATEMENT_MAX_CHARS, Claim, Verdict
from .scheduling import CADENCE_MAX_DAYS, CADENCE_MIN_DAYS, DueStatus
from .services import DRAFT_FIELDS, ClaimDraft


class LedgerFilterForm(forms.Form):
    verdict = forms.ChoiceField(choices=[("", "All verdicts"), *Verdict.choices], required=False)
    pillar = forms.ModelChoiceField(
        queryset=Pillar.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All pillars",
    )
    due = forms.ChoiceField(
        label="Review status",
        required=False,
        choices=[
            ("", "Any"),
            (DueStatus.OVERDUE, "Overdue"),
            (DueStatus.DUE_SOON, "Due soon"),
            (DueStatus.SCHEDULED, "Scheduled"),
        ],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[("next", "Next review, soonest first"), ("-next", "Next review, latest first")],
    )

    def filter(self, claims, *, on):
        data = getattr(self, "cleaned_data", {})
        if data.get("verdict"):
            claims = claims.filter(verdict=data["verdict"])
        if data.get("pillar"):
            claims = claims.filter(article__pillar=data["pillar"])
        if data.get("due"):
            claims = claims.with_due_status(data["due"], on=on)
        return claims

    def order(self):
        """The ledger's sort, as a keyset: both directions read claim_ledger_order_idx."""
        if getattr(self, "cleaned_data", {}).get("sort") == "-next":
            return ("-next_review_due", "-code")
        return ("next_review_due", "code")


# --- Drafting in the desk ------------------------------------------------------


class ArticleDraftForm(forms.ModelForm):
    """The article's own fields while it is unpublished. The slug is proposed
    from the title and stays editable until publication."""

    # The draft this form was loaded from: a save against a newer one is refused.
    draft_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = ["title", "slug", "dek", "section", "pillar", "drafted_by", "body_markdown", "cover", "cover_alt"]
        labels = {"drafted_by": "Drafted by", "body_markdown": "Body (Markdown)"}
        help_texts = {
            "slug": "The article's address; proposed from the title when left empty. Fixed at publication.",
            "drafted_by": "A person, or a named tool (“Claude”): shown in the method line.",
            "cover_alt": "Required with a cover: what the picture shows, for readers who cannot see it.",
        }
        widgets = {
            "dek": forms.Textarea(attrs={"rows": 2}),
            "body_markdown": forms.Textarea(attrs={"rows": 18}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["section"].empty_label = "Choose a section"
        self.fields["pillar"].empty_label = "Choose a pillar"

    def clean(self):
        data = super().clean()
        if not data.get("slug") and data.get("title"):
            data["slug"] = slugify(data["title"])[:200]
            # The model's uniqueness check reads the instance, built after clean().
        cover = data.get("cover")
        if cover and not (data.get("cover_alt") or "").strip():
            self.add_error("cover_alt", "Describe the cover for readers who cannot see it.")
        return data

    def draft_fields(self):
        return {name: self.cleaned_data[name] for name in DRAFT_FIELDS}

    def new_cover(self):
        """A new upload, False to remove the cover, None to keep it."""
        cover = self.cleaned_data.get("cover")
        if cover is False:
            return False
        return cover if "cover" in self.changed_data and cover else None


class ClaimDraftForm(forms.Form):
    claim_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write the claim as one checkable statement."},
    )
    short_statement = forms.CharField(
        label="Short form",
        max_length=SHORT_STATEMENT_MAX_CHARS,
        required=False,
        help_text=Claim._meta.get_field("short_statement").help_text,
        error_messages={
            "max_length": f"Keep the short form under {SHORT_STATEMENT_MAX_CHARS + 1} characters "
            "(it has %(show_value)d)."
        },
    )
    verdict = forms.ChoiceField(label="Verdict at publication", choices=Verdict.choices, initial=Verdict.PARTIAL)
    cadence_days = forms.IntegerField(
        label="Cadence (days between reviews)",
        min_value=CADENCE_MIN_DAYS,
        max_value=CADENCE_MAX_DAYS,
        initial=60,
        help_text=f"Between {CADENCE_MIN_DAYS} and {CADENCE_MAX_DAYS}. The first review falls due this long after publication.",
    )
    holding_up_note = forms.CharField(
        label="Holding-up note (Markdown)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    triggers = forms.CharField(
        label="What would move the claim",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Evidence triggers, one per line, in the order readers see them.",
    )

    def claim_draft(self, *, position):
        data = self.cleaned_data
        return ClaimDraft(
            pk=data.get("claim_id"),
            statement=data["statement"],
            short_statement=data.get("short_statement") or "",
            verdict=data["verdict"],
            cadence_days=data["cadence_days"],
            holding_up_note=data.get("holding_up_note") or "",
            triggers=[line for line in (data.get("triggers") or "").splitlines() if line.strip()],
        )


class BaseClaimDraftFormSet(forms.BaseFormSet):
    """The article's claims in order: the first is primary. "Position" reorders,
    "Remove" drops a claim before publication; a blank extra form adds one."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["DELETE"].label = "Remove"

    def claim_drafts(self):
        return [form.claim_draft(position=i) for i, form in enumerate(self.ordered_forms)]


ClaimDraftFormSet = forms.formset_factory(
    ClaimDraftForm, formset=BaseClaimDraftFormSet, extra=1, can_order=True, can_delete=True
)


def claim_draft_initial(article):
    """The formset's initial rows for an article's claims, primary first."""
    claims = sorted(article.claims.all(), key=lambda claim: (not claim.is_primary, claim.code))
    return [
        {
            "claim_id": claim.pk,
            "statement": claim.statement,
            "short_statement": claim.short_statement,
            "verdict": claim.verdict,
            "cadence_days": claim.cadence_days,
            "holding_up_note": claim.holding_up_note,
            "triggers": "\n".join(trigger.text for trigger in claim.triggers.all()),
            "ORDER": position + 1,
        }
        for position, claim in enumerate(claims)
    ]


class SignOffForm(forms.Form):
    when = forms.ChoiceField(
        label="Publish",
        choices=[("now", "Now"), ("scheduled", "Scheduled")],
        initial="now",
        widget=forms.RadioSelect,
    )
    publish_at = forms.DateTimeField(
        label="Goes live at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=f"In the publication's time zone ({settings.TIME_ZONE}).",
    )

    def clean(self):
        data = super().clean()
        if data.get("when") == "scheduled":
            moment = data.get("publish_at")
            if moment is None:
                self.add_error("publish_at", "Give the date and time it goes live.")
            elif moment <= timezone.now():
                self.add_error("publish_at", "That moment has passed: choose a later one, or publish now.")
        return data

    def moment(self):
        return self.cleaned_data["publish_at"] if self.cleaned_data["when"] == "scheduled" else None


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the editor",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell the editor why it goes back to draft."},
    )
