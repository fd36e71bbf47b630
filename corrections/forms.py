from django import forms

from articles.models import Article, Pillar
from vigil.forms import PersonChoiceField
from vigil.roles import admins

from .models import CorrectionEntry
from .services import HAND_WRITTEN_KINDS


def _admins():
    return admins().order_by("username")


class CorrectionEntryForm(forms.Form):
    article = forms.ModelChoiceField(
        queryset=Article.objects.published().order_by("title"), empty_label="Choose an article"
    )
    # Verdict changes, material dissent, rewrites and retirements are written by
    # the actions they record; an editor writes these three.
    kind = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in CorrectionEntry.Kind if kind in HAND_WRITTEN_KINDS],
        error_messages={
            "invalid_choice": "An editor writes a correction, a clarification or an update; "
            "verdict changes, material dissent, rewrites and retirements are written by "
            "the actions they record."
        },
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "What changed and why, as readers will read it. The entry is dated today; "
            "if it is about something earlier, say when in the text."
        ),
    )
    signoff_question = forms.CharField(
        label="Sign-off request (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A question for an admin, e.g. “REVIEW: assess whether…”. It stays open until answered.",
    )
    signoff_addressed_to = PersonChoiceField(
        label="Addressed to", queryset=_admins(), required=False, empty_label="No sign-off request"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signoff_addressed_to"].queryset = admins()

    def clean(self):
        cleaned = super().clean()
        question = (cleaned.get("signoff_question") or "").strip()
        addressed_to = cleaned.get("signoff_addressed_to")
        if question and addressed_to is None and "signoff_addressed_to" not in self.errors:
            self.add_error("signoff_addressed_to", "Choose the admin who should answer the request.")
        if addressed_to is not None and not question:
            self.add_error("signoff_question", "Write the question for the admin, or choose no sign-off request.")
        return cleaned


class AmendmentForm(forms.Form):
    new_text = forms.CharField(label="Amended text", widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label="Reason for the amendment",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Readers see the date, this reason and the earlier text next to the entry.",
    )


class SignOffAnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionLogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *CorrectionEntry.Kind.choices], required=False
    )
    pillar = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the choices; filtering by slug then needs no lookup.
        self.fields["pillar"].choices = [
            ("", "All pillars"), *Pillar.objects.order_by("name").values_list("slug", "name")
        ]


class ArticleFixForm(forms.Form):
    """A small fix to published text and the correction entry that dates it."""

    title = forms.CharField(max_length=300)
    dek = forms.CharField(label="Standfirst", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    body_markdown = forms.CharField(label="Body (Markdown)", widget=forms.Textarea(attrs={"rows": 18}))
    entry_text = forms.CharField(
        label="Correction entry",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Dated today in the article's correction log: what was wrong and what it now says.",
        error_messages={"required": "Say what was wrong and what it now says."},
    )
