from django import forms

from articles.models import Pillar

from .models import Verdict
from .scheduling import DueStatus


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
