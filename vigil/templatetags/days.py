"""{% load days %}: a day as every page shows it, `27 Apr 2026`, inside its
<time datetime="2026-04-27"> element.

The same text as |date:"j M Y", without its cost: Django's date filter parses
its format string and looks up the language on every call, and a page such as
the article (badges and log entries) or a claim's reviews calls it hundreds of
times; it was a third of the claim page's render (bench/PROFILE.md).
"""

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import format_html

register = template.Library()


@register.filter(expects_localtime=True)
def day_text(day):
    """`27 Apr 2026`, as |date:"j M Y" writes it; empty for no day."""
    if not day:
        return ""
    return f"{day.day} {str(MONTHS_3[day.month]).title()} {day.year}"


@register.filter(expects_localtime=True)
def day_time(day):
    """`<time datetime="2026-04-27">27 Apr 2026</time>`; empty for no day."""
    if not day:
        return ""
    return format_html('<time datetime="{}">{}</time>', day.isoformat()[:10], day_text(day))
