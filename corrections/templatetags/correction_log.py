"""The amendments of a page of correction-log entries, fetched in one query."""

from collections import defaultdict

from django import template

from corrections.models import Amendment

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


@register.filter
def for_entry(amendments, entry):
    if not amendments:
        return []
    return amendments.get(entry.pk, [])
