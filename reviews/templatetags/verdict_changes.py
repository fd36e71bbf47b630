from django import template

from reviews.models import Review

register = template.Library()

HOME_VERDICT_CHANGES = 5


@register.inclusion_tag("reviews/parts/verdict_changes.html")
def recent_verdict_changes(count=HOME_VERDICT_CHANGES):
    """The home page's recent verdict changes: one query, through the partial
    index of reviews that moved a verdict."""
    return {"verdict_changes": Review.objects.verdict_changes()[:count]}
