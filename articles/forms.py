from django import forms

from .diff import describe_changes, rewrite_diff
from .models import Article, Pillar, Rewrite, Section


class ArchiveFilterForm(forms.Form):
    """The archive's filters. An empty or unknown value lists every article;
    a bad one is reported by its field while the other still applies."""

    section = forms.ModelChoiceField(
        queryset=Section.objects.order_by("name"), to_field_name="slug", required=False,
        empty_label="All sections",
    )
    pillar = forms.ModelChoiceField(
        queryset=Pillar.objects.order_by("name"), to_field_name="slug", required=False,
        empty_label="All pillars",
    )

    def filter(self, articles):
        data = getattr(self, "cleaned_data", {})
        if data.get("section"):
            articles = articles.filter(section=data["section"])
        if data.get("pillar"):
            articles = articles.filter(pillar=data["pillar"])
        return articles


class RewriteForm(forms.ModelForm):
    class Meta:
        model = Rewrite
        fields = ["title", "dek", "body_markdown", "reader_note"]
        labels = {"reader_note": "Note for readers"}
        help_texts = {
            "reader_note": "Readers see it in the “Rewrite in progress” banner once you submit for "
            "sign-off. Needed to submit, not to save a private draft."
        }
        widgets = {
            "dek": forms.Textarea(attrs={"rows": 2}),
            "body_markdown": forms.Textarea(attrs={"rows": 18}),
            "reader_note": forms.Textarea(attrs={"rows": 3}),
        }


class RewriteDecisionForm(forms.Form):
    """An admin's decision on one rewrite. The sign-off queue shows many at
    once: each form's field ids carry its rewrite's id, so an error summary
    links to the field of the right one."""

    id_stem = ""

    def __init__(self, *args, rewrite, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_stem}-%s-{rewrite.pk}")
        super().__init__(*args, **kwargs)


class RewriteApproveForm(RewriteDecisionForm):
    id_stem = "approve"

    def __init__(self, *args, rewrite, **kwargs):
        super().__init__(*args, rewrite=rewrite, **kwargs)
        # The standard wording names what this rewrite changes, as the entry will.
        changes = describe_changes(
            rewrite_diff(live=rewrite.article, title=rewrite.title, dek=rewrite.dek, body_markdown=rewrite.body_markdown)
        )
        self.fields["entry_text"].help_text = f"Leave empty for the standard wording (“Rewritten [date]: {changes}.”)."

    entry_text = forms.CharField(
        label="Correction-log entry",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    open_review = forms.BooleanField(
        label="Open a review of the primary claim (make it due today)",
        required=False,
        help_text="The verdict moves only through that review, never with the rewrite itself.",
    )


class RewriteRejectForm(RewriteDecisionForm):
    id_stem = "reject"

    reason = forms.CharField(
        label="Reason for the editor",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell the editor why the rewrite is rejected."},
    )


class ArticleRetireForm(forms.Form):
    redirect_to = forms.ModelChoiceField(
        label="Send readers to",
        queryset=Article.objects.none(),
        empty_label="Choose a published article",
        help_text="A published, different article that fits closer. Its URL answers with a permanent redirect.",
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Dated in the article's correction log.",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redirect_to"].queryset = (
            Article.objects.published().exclude(pk=article.pk).order_by("title")
        )
