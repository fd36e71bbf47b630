"""{% load timeline_svg %}: the verdict-history chart's repeated parts, one per
review, written in Python: a claim with 200 reviews made the template language
resolve some 25,000 variables for them, nearly all of a cold claim page
(bench/PROFILE.md). The same markup as the template wrote."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from vigil.templatetags.days import day_text, day_time

register = template.Library()


def _shape(mark):
    if mark.shape == "circle":
        return f'<circle class="timeline__shape" cx="{mark.x}" cy="{mark.y}" r="7"/>'
    if mark.shape == "half":
        return (f'<circle class="timeline__outline" cx="{mark.x}" cy="{mark.y}" r="7"/>'
                f'<path class="timeline__shape" d="{mark.half_path}"/>')
    return f'<polygon class="timeline__shape" points="{mark.polygon}"/>'


@register.simple_tag
def timeline_desc(timeline):
    """Every mark in words, for the chart's <desc>."""
    return "; ".join(f"{day_text(mark.on)}: {mark.label}" for mark in timeline.marks) + "."


@register.simple_tag
def timeline_marks(timeline):
    return mark_safe("".join(
        f'\n    <g class="timeline__mark timeline__mark--{escape(mark.verdict)}">\n'
        f"      <title>{day_text(mark.on)}: {escape(mark.label)}</title>\n"
        f"      {_shape(mark)}\n    </g>"
        for mark in timeline.marks
    ))


@register.simple_tag
def timeline_rows(timeline):
    return mark_safe("".join(
        f"<tr><td>{day_time(mark.on)}</td><td>{escape(mark.label)}</td></tr>" for mark in timeline.marks
    ))
