"""`{% canonical_link page %}`: the one rule for a page's canonical address,
which base.html gives every page (the desk and the error pages opt out).

A page is named by its path. A filtered or sorted list is a view of the one
list, so it names the bare list; the unfiltered list's later numbered pages
keep their number, being distinct content; a keyset page's cursor counts as a
filter. Any other query (a form's ?claim=, ?retired= after a redirect, a
search) names the bare page too.
"""

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_link(context, page=None):
    request = context.get("request")
    if request is None:
        return ""
    url = f"{settings.SITE_URL}{request.path}"
    filtered = any(value for key, value in request.GET.items() if key != "page")
    # Numbered pages keep their number; a keyset page (a cursor) names the list.
    number = getattr(page, "number", 1)
    if number > 1 and not filtered:
        url += f"?page={number}"
    return format_html('<link rel="canonical" href="{}">', url)
