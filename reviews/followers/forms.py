from django import forms

from vigil.forms import HoneypotMixin, ReaderEmailField


class FollowForm(HoneypotMixin, forms.Form):
    email = ReaderEmailField(
        label="Your e-mail",
        required=True,
        help_text="We send a link to confirm; nothing else until you do. Never shown publicly.",
    )
    every_review = forms.BooleanField(
        required=False,
        label="Also tell me when a review keeps the verdict (not only when it changes)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()


class WebhookForm(forms.Form):
    url = forms.URLField(label="Endpoint URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label="Events (none ticked: all of them)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(name, name) for name in sorted(actions)]
