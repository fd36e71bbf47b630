"""The amendments of a page of correction-log entries and, for staff, their
sign-off requests: each fetched in one query."""

from collections import defaultdict

from django import template

from corrections.models import Amendment, SignOffRequest

register = template.Library()


@register.simple_tag
def amendments_by_entry(entries):
    """{entry id: [amendments, oldest first]} for `entries`, in one query."""
    grouped = defaultdict(list)
    ids = [entry.pk for entry in entries]
    if ids:
        for amendment in Amendment.objects.filter(entry_id__in=ids).select_related("amended_by").order_by(
            "amended_at", "pk"
        ):
            grouped[amendment.entry_id].append(amendment)
    return dict(grouped)


@register.simple_tag
def signoffs_by_entry(entries):
    """{entry id: [its sign-off request]} for `entries`, in one query."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return {}
    requests = SignOffRequest.objects.filter(entry_id__in=ids).select_related("addressed_to")
    return {request.entry_id: [request] for request in requests}


@register.filter
def for_entry(by_entry, entry):
    """What amendments_by_entry or signoffs_by_entry found for `entry`."""
    if not by_entry:
        return []
    return by_entry.get(entry.pk, [])
