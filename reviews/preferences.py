"""The editor's own settings: reminders, weekly capacity and time away; the
forms and the writes. Preferences are not the editorial record: no events."""

from django import forms
from django.db import transaction

from .models import EditorPreference, TimeAway

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
        fields = ["reminders_paused", "digest_hour", "weekly_capacity"]
        labels = {"reminders_paused": "Pause my reminders", "weekly_capacity": "Reviews a week"}
        help_texts = {
            "reminders_paused": "While paused, claims assigned to you are sent to the other editors instead.",
            "weekly_capacity": "How many reviews you can do in a week: the forecast marks weeks "
            "when more of your claims fall due. Blank for not set.",
        }


@transaction.atomic
def editor_preference_save(*, user, reminders_paused, digest_hour, weekly_capacity=None):
    preference, _ = EditorPreference.objects.select_for_update().get_or_create(user=user)
    preference.reminders_paused = reminders_paused
    preference.digest_hour = digest_hour
    preference.weekly_capacity = weekly_capacity
    preference.full_clean()
    preference.save()
    return preference


class TimeAwayForm(forms.ModelForm):
    class Meta:
        model = TimeAway
        fields = ["starts_on", "ends_on"]
        labels = {"starts_on": "Away from", "ends_on": "Back after"}
        help_texts = {"ends_on": "The last day away."}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day away cannot be before the first.")
        return data


def time_away_add(*, user, starts_on, ends_on):
    """Record days away: reminders pause for them (reviews.reminders)."""
    return TimeAway.objects.create(user=user, starts_on=starts_on, ends_on=ends_on)


def time_away_remove(*, user, pk):
    """Forget one of `user`'s own periods away (back early, or a mistake)."""
    return TimeAway.objects.filter(user=user, pk=pk).delete()[0]
