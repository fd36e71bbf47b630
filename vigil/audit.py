"""The audit trail: every event (vigil.models), newest first, for admins.

It lives in the project package because the event record does; it names the
domain's pages only by URL name, so vigil still imports no app. Filters are a
plain GET form (a shareable URL that works without JavaScript); htmx swaps only
the table.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from .fragments import render_page_or_fragment
from .models import Event
from .pagination import BoundedPaginator
from .roles import admin_required, display_name

AUDIT_PAGE_SIZE = 50
READERS = "readers"

# What each action did, in the words of the trail. An action missing here is
# shown by its name; tests/vigil/test_audit.py checks every action has words.
ACTION_WORDS = {
    "article.draft": "Saved a draft",
    "article.submit": "Submitted a draft for sign-off",
    "article.send_back": "Sent a piece back to draft",
    "article.publish": "Signed off an article",
    "article.go_live": "A scheduled article went live",
    "article.fix": "Corrected a small error in published text",
    "article.retire": "Retired an article",
    "cover.strip_metadata": "Stored a cover again without its metadata",
    "rewrite.draft": "Drafted a rewrite",
    "rewrite.withdraw": "Withdrew a rewrite",
    "rewrite.approve": "Approved a rewrite",
    "rewrite.reject": "Rejected a rewrite",
    "claim.create": "Added a claim",
    "claim.assign": "Assigned a claim",
    "claim.reschedule": "Moved a claim's next review",
    "trigger.fire": "Fired an evidence trigger",
    "review.record": "Recorded a review",
    "second_review.record": "Recorded a blind second review",
    "second_review.settle": "Settled a disagreement between reviews",
    "correction.write": "Wrote a correction-log entry",
    "correction.amend": "Amended a correction-log entry",
    "signoff.answer": "Answered a sign-off request",
    "error_report.submit": "A reader reported an error",
    "error_report.decline": "Declined an error report",
    "error_report.correct": "Corrected an error a reader reported",
    "dissent.submit": "A reader submitted dissent",
    "dissent.weigh": "Weighed dissent",
    "dissent.reject": "Rejected dissent",
    "webhook.register": "Registered a webhook endpoint",
    "webhook.set_active": "Enabled or disabled a webhook endpoint",
    "person.invite": "Invited a person to the desk",
    "person.join": "Accepted an invitation to the desk",
    "role.grant": "Granted a role",
    "role.withdraw": "Withdrew a role",
    # What the Django admin still edits (pillars, sections, pages, people…); the
    # summary says which object and which fields.
    "admin.add": "Added in the Django admin",
    "admin.change": "Changed in the Django admin",
    "admin.delete": "Deleted in the Django admin",
}

# The public page of each kind of subject, by URL name and its one argument.
SUBJECT_PAGES = {
    "claim": ("reviews:claim", "code"),
    "article": ("articles:detail", "slug"),
    "pillar": ("articles:pillar", "slug"),
    "section": ("articles:section", "slug"),
}
# Every row lists its subjects in one order, the most specific first.
SUBJECT_ORDER = {
    kind: position for position, kind in enumerate([*SUBJECT_PAGES, "page", "person", "group"])
}


def action_words(name):
    return ACTION_WORDS.get(name, name)


def subject_url(kind, key):
    """The public page of a subject, or None (a person, a key no page has)."""
    try:
        url_name, argument = SUBJECT_PAGES[kind]
        return reverse(url_name, kwargs={argument: key})
    except (KeyError, NoReverseMatch):
        return None


@dataclass(frozen=True)
class Subject:
    kind: str
    key: str
    url: str | None


@dataclass(frozen=True)
class Row:
    event: Event
    words: str
    subjects: list


def people_on_record():
    """Everyone who has taken an action, active or not: one index probe per person."""
    return (
        get_user_model()
        .objects.filter(Exists(Event.objects.filter(actor=OuterRef("pk"))))
        .order_by("first_name", "last_name", "username")
    )


class AuditFilterForm(forms.Form):
    person = forms.ChoiceField(required=False)
    action = forms.ChoiceField(required=False)
    article = forms.SlugField(required=False, max_length=200, label="Article (slug)")
    claim = forms.CharField(required=False, max_length=200, label="Claim code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            ("", "Anyone"),
            *((user.get_username(), display_name(user)) for user in people_on_record()),
            # Readers act without an account; so, on the record, do deleted accounts.
            (READERS, "No account (readers)"),
        ]
        self.fields["action"].choices = [
            ("", "Any action"),
            *sorted(ACTION_WORDS.items(), key=lambda item: item[1]),
        ]
        self.fields["article"].widget.attrs.update(placeholder="e.g. cheap-inference")
        self.fields["claim"].widget.attrs.update(placeholder="e.g. AM-060")

    def clean_claim(self):
        return self.cleaned_data["claim"].strip().upper()

    def filter(self, events):
        data = getattr(self, "cleaned_data", {})
        if data.get("person") == READERS:
            events = events.filter(actor__isnull=True)
        elif data.get("person"):
            events = events.filter(actor__username=data["person"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("article"):
            events = events.touching("article", data["article"])
        if data.get("claim"):
            events = events.touching("claim", data["claim"])
        return events

    @property
    def is_filtered(self):
        return any(getattr(self, "cleaned_data", {}).values())


def _rows(events):
    return [
        Row(
            event=event,
            words=action_words(event.action),
            subjects=[
                Subject(s.kind, s.key, subject_url(s.kind, s.key))
                for s in sorted(
                    event.subjects.all(),
                    key=lambda s: (SUBJECT_ORDER.get(s.kind, len(SUBJECT_ORDER)), s.kind, s.key),
                )
            ],
        )
        for event in events
    ]


@admin_required
@require_http_methods(["GET", "HEAD"])
def audit_trail(request):
    """Every event, newest first, by person, action, article or claim."""
    form = AuditFilterForm(request.GET)
    form.is_valid()  # a bad value is reported by its field; the valid ones still apply
    events = form.filter(Event.objects.newest_first()).prefetch_related("subjects")
    page = BoundedPaginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "rows": _rows(page.object_list)}
    return render_page_or_fragment(request, "desk/audit.html", "audit-table", context)
