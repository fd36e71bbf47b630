


# --- Reminder preferences (issue 4) ------------------------------------------

from django.conf import settings  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.shortcuts import redirect, render  # noqa: E402

from vigil.roles import editor_required  # noqa: E402

from .models import EditorPreference  # noqa: E402
from .preferences import EditorPreferenceForm, editor_preference_save  # noqa: E402


@editor_required
def preferences(request):
    """Pause reminders or choose the hour of the digest."""
    current = EditorPreference.objects.filter(user=request.user).first() or EditorPreference(
        user=request.user
    )
    form = EditorPreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        editor_preference_save(user=request.user, **form.cleaned_data)
        messages.success(request, "Your reminder settings are saved.")
        return redirect("reviews:preferences")
    return render(
        request,
        "reviews/preferences.html",
        {"form": form, "preference": current, "due_soon_days": settings.VIGIL["DUE_SOON_DAYS"]},
    )
