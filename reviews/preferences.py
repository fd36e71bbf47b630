"""The editor's reminder preferences: the form and the one write."""

from django import forms
from django.db import transaction

from .models import EditorPreference

HOUR_CHOICES = [("", "Any hour (as soon as something is due)")] + [
    (str(hour), f"{hour:02d}:00") for hour in range(24)
]


class EditorPreferenceForm(forms.ModelForm):
    digest_hour = forms.TypedChoiceField(
        choices=HOUR_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Digest hour",
        help_text="Your digest arrives during this hour, publication time. "
        "Claims that fall due meanwhile wait for it.",
    )

    class Meta:
        model = EditorPreference
        fields = ["reminders_paused", "digest_hour"]
        labels = {"reminders_paused": "Pause my reminders"}
        help_texts = {
            "reminders_paused": "While paused, claims assigned to you are sent to the other editors instead."
        }


@transaction.atomic
def editor_preference_save(*, user, reminders_paused, digest_hour):
    preference, _ = EditorPreference.objects.select_for_update().get_or_create(user=user)
    preference.reminders_paused = reminders_paused
    preference.digest_hour = digest_hour
    preference.full_clean()
    preference.save()
    return preference
