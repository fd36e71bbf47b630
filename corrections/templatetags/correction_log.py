"""The amendments of a page of correction-log entries and their sign-off
requests (SignOffRequest.objects.shown_to says whose): each fetched in one query."""

from collections import defaultdict

from django import template

from articles.models import Article
from corrections.models import Amendment, CorrectionEntry, SignOffRequest
from vigil.cachetags import shows

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
def signoffs_by_entry(entries, staff=False):
    """{entry id: [its sign-off request]} for `entries` that `staff` (or a reader) may read, in one query."""
    ids = [entry.pk for entry in entries]
    if not ids:
        return {}
    requests = (
        SignOffRequest.objects.shown_to(staff=bool(staff))
        .filter(entry_id__in=ids)
        .select_related("addressed_to")
    )
    return {request.entry_id: [request] for request in requests}


@register.filter
def for_entry(by_entry, entry):
    """What amendments_by_entry or signoffs_by_entry found for `entry`."""
    if not by_entry:
        return []
    return by_entry.get(entry.pk, [])


@register.inclusion_tag("corrections/parts/retirement_notice.html", takes_context=True)
def retirement_notice(context, article):
    """Why a reader redirected from a retired article is here: its retirement
    entry, when ?retired=<slug> names an article that really redirects to this
    one (so the notice cannot be forged with another slug)."""
    slug = context["request"].GET.get("retired")
    entry = None
    if slug:
        entry = (
            CorrectionEntry.objects.filter(
                kind=CorrectionEntry.Kind.RETIREMENT,
                article__slug=slug,
                article__status=Article.Status.RETIRED,
                article__redirect_to=article,
            )
            .select_related("article")
            .only("entry_on", "text", "article__title", "article__slug")
            .first()
        )
        if entry is not None:
            shows(context["request"], entry.article)  # its entry's amendment refreshes this page
    return {"entry": entry}
