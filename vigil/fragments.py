"""One view serves a page and the fragment htmx swaps into it (STYLE.md: a
`{% partialdef name inline %}` block inside the page's template)."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page_or_fragment(request, template, fragment, context):
    """The whole page, or only its `fragment` for an htmx request. A history
    restore after a cache miss needs the whole page. The response varies on
    HX-Request, so no cache hands the fragment to a full load or back."""
    wants_fragment = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, f"{template}#{fragment}" if wants_fragment else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
