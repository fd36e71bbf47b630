"""Form fields the apps share: the reader-input fields and the honeypot of the
public forms (the dissent form, the corrections report form; vigil.ratelimit
holds the rest of their defences), and the desk's choice of a person.

Reader text is accepted exactly as typed (any script, emoji, markup as
literal characters) apart from control characters, and is only ever shown
escaped. Every refusal is a message on the field that caused it.
"""

from django import forms
from django.core.exceptions import ValidationError

from .ratelimit import HONEYPOT_FIELD, reader_text
from .roles import display_name

NAME_MAX_CHARS = 120


class ReaderTextField(forms.CharField):
    """A CharField whose value has control characters removed before validation."""

    def to_python(self, value):
        return super().to_python(reader_text(value) if isinstance(value, str) else value)


class ReaderNameField(ReaderTextField):
    """A person's optional name: one line, and no markup, which makes no sense in a name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Your name (optional)")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", NAME_MAX_CHARS)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "name"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if "\n" in value or "\t" in value:
            raise ValidationError("Please give your name on one line.", code="multiline")
        if "<" in value or ">" in value:
            raise ValidationError("A name can't contain < or >.", code="markup")


class ReaderEmailField(forms.EmailField):
    """A reader's optional e-mail address; the help text says what it is for."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Your e-mail (optional)")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email"}))
        super().__init__(**kwargs)


class HoneypotMixin:
    """Adds the honeypot field. Views check it before anything else and
    answer as if all went well, writing nothing."""

    def add_honeypot(self):
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False,
            label="Leave this field empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of editor or admin in the desk, each named as on the record."""

    def label_from_instance(self, obj):
        return display_name(obj)
