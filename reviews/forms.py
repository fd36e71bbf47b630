from django import forms
from django.db.models import Q
from django.utils import timezone

from articles.models import Pillar
from claims.models import Verdict
from claims.scheduling import CADENCE_MAX_DAYS, CADENCE_MIN_DAYS
from vigil.forms import PersonChoiceField

from .queue import DUE, EVERY_CLAIM, SHOW_CHOICES
from vigil.roles import display_name, editors

MATERIAL = "material"
NOT_MATERIAL = "not_material"


def _editors():
    return editors().order_by("first_name", "last_name", "username")


def editor_filter_choices():
    """Anyone, unassigned, or one editor: how the desk chooses whose claims."""
    return [
        ("", "Anyone"),
        ("unassigned", "Unassigned"),
        *((str(user.pk), display_name(user)) for user in _editors()),
    ]


class QueueFilterForm(forms.Form):
    """The queue's filters. A search by code or title looks through every
    claim unless `show` narrows it: finding a claim is how one is reviewed early."""

    q = forms.CharField(
        label="Find a claim",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Code or article title"}),
    )
    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False, label="Show")
    pillar = forms.ModelChoiceField(
        queryset=Pillar.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All pillars",
    )
    verdict = forms.ChoiceField(choices=[("", "All verdicts"), *Verdict.choices], required=False)
    editor = forms.ChoiceField(required=False, label="Assigned editor")
    mine = forms.BooleanField(required=False, label="Mine and unassigned")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["editor"].choices = editor_filter_choices()

    def listing(self):
        """Which claims the queue lists (reviews.queue.SHOW_CHOICES): the due
        window, unless a search asks for any claim."""
        data = getattr(self, "cleaned_data", {})
        show = data.get("show") or DUE
        if show == DUE and data.get("q", "").strip():
            return EVERY_CLAIM
        return show

    def filter(self, claims, *, user):
        data = getattr(self, "cleaned_data", {})
        q = data.get("q", "").strip()
        if q:
            claims = claims.filter(Q(code__icontains=q) | Q(article__title__icontains=q))
        if data.get("pillar"):
            claims = claims.filter(article__pillar=data["pillar"])
        if data.get("verdict"):
            claims = claims.filter(verdict=data["verdict"])
        if data.get("editor") == "unassigned":
            claims = claims.filter(assigned_editor__isnull=True)
        elif data.get("editor"):
            claims = claims.filter(assigned_editor_id=int(data["editor"]))
        if data.get("mine"):
            # Unassigned claims are everyone's, so they are mine too.
            claims = claims.filter(Q(assigned_editor=user) | Q(assigned_editor__isnull=True))
        return claims


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect)
    cadence_days = forms.IntegerField(
        label="Cadence (days to the next review)",
        min_value=CADENCE_MIN_DAYS,
        max_value=CADENCE_MAX_DAYS,
        help_text=f"Between {CADENCE_MIN_DAYS} and {CADENCE_MAX_DAYS} days.",
    )
    next_review_due = forms.DateField(
        label="Next review on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave blank for the proposed date; any day "
        f"{CADENCE_MIN_DAYS}–{CADENCE_MAX_DAYS} days from today otherwise.",
    )
    reasoning = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Published on the claim page with the review.",
        error_messages={"required": "Say why: the reasoning is published with the review."},
    )
    evidence_considered = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Sources read for this review, one per line.",
    )
    holding_up_note = forms.CharField(
        label="Holding-up note (Markdown)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What readers are told about how the claim is holding up: make it say what this review found.",
    )
    # The latest review this form was based on: a save against a newer one is refused.
    expected_last_review_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, dissent_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dissent_items = list(dissent_items)
        for dissent in self.dissent_items:
            received = timezone.localtime(dissent.received_at)
            self.fields[self.dissent_field_name(dissent)] = forms.ChoiceField(
                label=f"Dissent #{dissent.pk}, received {received:%d %b %Y}",
                choices=[(MATERIAL, "Material"), (NOT_MATERIAL, "Not material")],
                widget=forms.RadioSelect,
                error_messages={"required": "Weigh this dissent: material or not material."},
            )

    @staticmethod
    def dissent_field_name(dissent):
        return f"dissent_{dissent.pk}"

    def dissent_fields(self):
        """(dissent, bound field) pairs, for the template."""
        return [(dissent, self[self.dissent_field_name(dissent)]) for dissent in self.dissent_items]

    def weighings(self):
        return {
            dissent.pk: self.cleaned_data[self.dissent_field_name(dissent)] == MATERIAL
            for dissent in self.dissent_items
        }


class TriggerFireForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What appeared, in a sentence.",
        error_messages={"required": "Say what appeared."},
    )
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")


class AssignForm(forms.Form):
    editor = PersonChoiceField(
        queryset=_editors(),
        required=False,
        empty_label="Unassigned (everyone's)",
        label="Owning editor",
    )


class SpreadForm(forms.Form):
    """Which claims to spread: those due from one day to another, whose."""

    due_from = forms.DateField(label="Due from", widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(
        label="Due to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Blank for the same day.",
    )
    editor = forms.ChoiceField(required=False, label="Whose claims")

    MAX_SPAN_DAYS = 92

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["editor"].choices = editor_filter_choices()

    def clean(self):
        data = super().clean()
        due_from = data.get("due_from")
        if due_from:
            data["due_to"] = due_to = data.get("due_to") or due_from
            if due_to < due_from:
                self.add_error("due_to", "The last day is before the first.")
            elif (due_to - due_from).days > self.MAX_SPAN_DAYS:
                self.add_error(
                    "due_to", f"Spread at most {self.MAX_SPAN_DAYS} days of due dates at once."
                )
        return data

    def whose(self):
        """(owner, unassigned) for claims_spread."""
        choice = self.cleaned_data.get("editor")
        if choice == "unassigned":
            return None, True
        if choice:
            return _editors().get(pk=int(choice)), False
        return None, False


class ReassignForm(forms.Form):
    editor = PersonChoiceField(queryset=_editors(), label="Give them to")


class VerdictForm(forms.Form):
    """A verdict and why: a blind second review, or an admin's settlement."""

    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say why: the reasoning is kept with both verdicts."},
    )
