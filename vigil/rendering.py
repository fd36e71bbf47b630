"""
Markdown to safe HTML, and reading time. This module owns sanitising: nothing
else in Vigil imports nh3.

Authors write Markdown; raw HTML in it is escaped by the sanitiser's allow-list,
so no script, event handler, style, javascript:/data: URL or htmx attribute
(hx-*) survives, whoever wrote the text.
"""

import math
import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr",
    "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+", re.UNICODE)


def render_markdown(text):
    """Return sanitised HTML for the Markdown `text` (an empty string for none)."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return sanitise_html(html)


def sanitise_html(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def reading_minutes(text):
    """Minutes a reader needs for `text`, at least one."""
    return max(1, math.ceil(len(_WORD.findall(text or "")) / WORDS_PER_MINUTE))
