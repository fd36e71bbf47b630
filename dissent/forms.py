"""The reasoned-dissent form. Its reader-input fields and honeypot are the
public forms' shared ones (vigil.forms). Every refusal is a message on the
field that caused it.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from vigil.forms import HoneypotMixin, ReaderEmailField, ReaderNameField, ReaderTextField

SOURCE_URL_MAX_CHARS = 500


class SourcesField(ReaderTextField):
    """Zero or more http(s) URLs, one per line. Cleans to a list of strings."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"})
    url_validator = URLValidator(schemes=["http", "https"])

    def __init__(self, *, max_sources, **kwargs):
        self.max_sources = max_sources
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        urls, problems = [], []
        # Every bad line is reported at once: a reader fixes them all in one go.
        for number, line in enumerate(text.splitlines(), start=1):
            url = line.strip()
            if not url:
                continue
            if len(url) > SOURCE_URL_MAX_CHARS:
                problems.append(ValidationError(
                    f"Line {number} is longer than {SOURCE_URL_MAX_CHARS} characters; "
                    "please link to the page rather than pasting its text.",
                    code="too_long",
                ))
                continue
            try:
                self.url_validator(url)
            except ValidationError:
                problems.append(ValidationError(
                    f"Line {number} is not a web address starting with http:// or https://: "
                    f"“{url[:80]}”.",
                    code="invalid_url",
                ))
                continue
            if url not in urls:
                urls.append(url)
        if problems:
            raise ValidationError(problems)
        if len(urls) > self.max_sources:
            raise ValidationError(
                f"Please give at most {self.max_sources} sources (you gave {len(urls)}).",
                code="too_many",
            )
        return urls


def _limits():
    return settings.PUBLIC_FORMS


class DissentForm(HoneypotMixin, forms.Form):
    # Radios, not a select: a select cuts a claim's statement off at its width,
    # and a reader must see the whole claim to know which one they dispute.
    claim = forms.ChoiceField(
        label="Which claim do you dispute?",
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "Choose one of this article's claims.",
            "required": "Choose the claim you dispute.",
        },
    )
    argument = ReaderTextField(
        label="Your argument",
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Please set out your argument."},
    )
    sources = SourcesField(
        max_sources=10,
        label="Sources",
        help_text="Web addresses starting with http:// or https://, one per line.",
    )
    name = ReaderNameField()
    email = ReaderEmailField(
        help_text="Only to acknowledge your dissent and, if needed, ask a question. Never shown.",
    )
    consent_to_credit = forms.BooleanField(
        label="Credit me by name if this dissent is published",
        required=False,
        help_text="If an editor weighs your dissent as material it is recorded in the article's "
        "change history. Without this box ticked it appears there without your name.",
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        limits = _limits()
        # One query for the claims, however often the widget looks at its choices.
        self.claims = {claim.code: claim for claim in article.claims.order_by("-is_primary", "code")}
        # Each choice's label is the claim itself: the template shows its code,
        # verdict and whole statement.
        self.fields["claim"].choices = list(self.claims.items())
        if len(self.claims) == 1 and not self.is_bound and not self.initial.get("claim"):
            self.initial["claim"] = next(iter(self.claims))
        argument = self.fields["argument"]
        # Limits are checked in clean_argument (with the count in the message),
        # not by a maxlength attribute that would silently cut pasted text.
        argument.widget.attrs.update(
            {
                "data-counter-min": limits["ARGUMENT_MIN_CHARS"],
                "data-counter-max": limits["ARGUMENT_MAX_CHARS"],
            }
        )
        argument.help_text = (
            f"Between {limits['ARGUMENT_MIN_CHARS']:,} and {limits['ARGUMENT_MAX_CHARS']:,} "
            "characters. Say what the claim gets wrong and why."
        )
        self.fields["sources"].max_sources = limits["MAX_SOURCES"]
        self.fields["sources"].help_text = (
            f"Up to {limits['MAX_SOURCES']} web addresses starting with http:// or https://, one per line."
        )
        self.add_honeypot()

    def clean_claim(self):
        # The choices are this article's claims only: a claim of another article
        # never gets this far (invalid_choice).
        return self.claims[self.cleaned_data["claim"]]

    def clean_argument(self):
        argument = self.cleaned_data["argument"]
        limits = _limits()
        length = len(argument)
        if length < limits["ARGUMENT_MIN_CHARS"]:
            raise ValidationError(
                f"Please give a reasoned argument of at least {limits['ARGUMENT_MIN_CHARS']:,} "
                f"characters (you wrote {length:,}).",
                code="too_short",
            )
        if length > limits["ARGUMENT_MAX_CHARS"]:
            raise ValidationError(
                f"Please keep your argument under {limits['ARGUMENT_MAX_CHARS']:,} characters "
                f"(you wrote {length:,}); link to longer material as a source.",
                code="too_long",
            )
        return argument

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent_to_credit") and not cleaned.get("name") and "name" not in self.errors:
            self.add_error(
                "name", "Give the name to credit, or untick “Credit me by name”."
            )
        return cleaned


# --- Moderation desk -------------------------------------------------------------
# One form per queue item: its fields' ids carry the item's id, so the error
# summary of the one that failed links to its own fields among fifty.


class DissentWeighForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("material", "Weigh: material"),
            ("not_material", "Weigh: not material"),
            ("reject", "Reject as spam or abuse"),
        ],
        error_messages={
            "required": "Choose material, not material or reject.",
            "invalid_choice": "Choose material, not material or reject.",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A material note appears in the article's change history.",
    )

    def __init__(self, *args, dissent, **kwargs):
        kwargs.setdefault("auto_id", f"%s-{dissent.pk}")
        super().__init__(*args, **kwargs)
        self.item = dissent


class ReportHandleForm(forms.Form):
    """Whether the entry's text is there, and its kind allowed, is the service's
    rule (error_report_correct); its refusal lands on the field it names."""

    decision = forms.ChoiceField(
        choices=[("correct", "Log the correction"), ("decline", "Decline the report")],
        error_messages={
            "required": "Choose to log a correction or to decline the report.",
            "invalid_choice": "Choose to log a correction or to decline the report.",
        },
    )
    kind = forms.ChoiceField(
        label="Log as",
        required=False,
        error_messages={"invalid_choice": "A report becomes a correction or a clarification."},
    )
    text = forms.CharField(
        label="Correction-log entry (what readers will see)",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, report, kinds, **kwargs):
        kwargs.setdefault("auto_id", f"report-%s-{report.pk}")
        super().__init__(*args, **kwargs)
        self.item = report
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
