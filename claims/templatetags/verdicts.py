from django import template
from django.template.loader import get_template
from django.utils import timezone

from vigil.objectcache import badge_fragment
from vigil.templatetags.objectcache import object_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def verdict_badge(context, claim, size="", retired=False):
    """The verdict badge: `Partial · reviewed 27 Apr 2026 · next +59d`.

    The verdict is spelled out in words and marked with a shape, so colour is
    never the only signal. A claim of a retired article promises no next
    review (`retired`). A page that fetched its badges (vigil.objectcache)
    gets the kept copy.
    """

    def render():
        today = timezone.localdate()
        return get_template("includes/badge.html").render({
            "claim": claim,
            "countdown": claim.countdown(today),
            "due_status": claim.due_status(today),
            "size": size,
            "retired": retired,
        })

    return object_fragment(context, badge_fragment(size, retired), claim, render)
