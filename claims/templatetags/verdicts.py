from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("includes/badge.html")
def verdict_badge(claim, size=""):
    """The verdict badge: `Partial · reviewed 27 Apr 2026 · next +59d`.

    The verdict is spelled out in words and marked with a shape, so colour is
    never the only signal.
    """
    today = timezone.localdate()
    return {
        "claim": claim,
        "countdown": claim.countdown(today),
        "due_status": claim.due_status(today),
        "size": size,
    }
