"""The corrections report form: a reader tells us a fact is wrong."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from articles.models import Article
from vigil.forms import HoneypotMixin, ReaderEmailField, ReaderNameField, ReaderTextField


class ErrorReportForm(HoneypotMixin, forms.Form):
    article = forms.ChoiceField(
        label="Which article?",
        error_messages={
            "required": "Choose the article that contains the error.",
            "invalid_choice": "That article is not open for error reports. Choose a published article.",
        },
    )
    what_is_wrong = ReaderTextField(
        label="What is wrong?",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Please say what is wrong."},
    )
    evidence = ReaderTextField(
        label="Your evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What shows the error: a source, a document, a figure. Web addresses are welcome.",
    )
    contact_name = ReaderNameField()
    contact_email = ReaderEmailField(help_text="Only so an editor can ask a question. Never shown.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the articles, however often the widget looks at its choices.
        self.articles = {
            article.slug: article
            for article in Article.objects.published().order_by("title").only("pk", "slug", "title", "status")
        }
        self.fields["article"].choices = [("", "Choose the article")] + [
            (slug, article.title) for slug, article in self.articles.items()
        ]
        limits = settings.PUBLIC_FORMS
        self.fields["what_is_wrong"].help_text = (
            f"Quote the sentence if you can. At least {limits['REPORT_MIN_CHARS']:,} and up to "
            f"{limits['REPORT_MAX_CHARS']:,} characters."
        )
        self.add_honeypot()

    def _check_length(self, name, *, minimum=0):
        value = self.cleaned_data[name]
        maximum = settings.PUBLIC_FORMS["REPORT_MAX_CHARS"]
        if value and len(value) < minimum:
            raise ValidationError(
                f"Please say a little more: at least {minimum} characters (you wrote {len(value)}).",
                code="too_short",
            )
        if len(value) > maximum:
            raise ValidationError(
                f"Please keep this under {maximum:,} characters (you wrote {len(value):,}).",
                code="too_long",
            )
        return value

    def clean_article(self):
        return self.articles[self.cleaned_data["article"]]

    def clean_what_is_wrong(self):
        return self._check_length("what_is_wrong", minimum=settings.PUBLIC_FORMS["REPORT_MIN_CHARS"])

    def clean_evidence(self):
        return self._check_length("evidence")
