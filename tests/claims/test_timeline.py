import datetime

from django.test import SimpleTestCase

from claims.models import Verdict
from claims.timeline import build_timeline


def d(month, day, year=2026):
    return datetime.date(year, month, day)


class BuildTimelineTests(SimpleTestCase):
    def test_no_reviews_no_chart(self):
        self.assertIsNone(build_timeline([]))

    def test_one_mark_per_review_placed_by_date_and_verdict(self):
        timeline = build_timeline(
            [
                (d(1, 1), Verdict.HOLDING),
                (d(3, 2), Verdict.PARTIAL),
                (d(5, 1), Verdict.NOT_HOLDING),
            ],
            width=640,
            height=190,
            left=110,
            right=24,
            top=24,
            bottom=40,
        )
        self.assertEqual(len(timeline.marks), 3)
        self.assertEqual([mark.x for mark in timeline.marks], [110, 363, 616])
        self.assertEqual([mark.y for mark in timeline.marks], [24, 87, 150])
        self.assertEqual(
            [mark.label for mark in timeline.marks], ["Holding", "Partial", "Not holding"]
        )
        self.assertEqual([mark.shape for mark in timeline.marks], ["circle", "half", "diamond"])

    def test_step_line_holds_a_verdict_until_the_next_review(self):
        timeline = build_timeline(
            [(d(1, 1), Verdict.PARTIAL), (d(2, 1), Verdict.PARTIAL), (d(3, 1), Verdict.HOLDING)],
            width=200,
            left=0,
            right=0,
            top=0,
            bottom=0,
            height=100,
        )
        x2 = timeline.marks[1].x
        self.assertEqual(timeline.path, f"M0,50 H{x2:g} H200 V0")

    def test_points_are_sorted_oldest_first(self):
        timeline = build_timeline([(d(5, 1), Verdict.HOLDING), (d(1, 1), Verdict.PARTIAL)])
        self.assertEqual([mark.on for mark in timeline.marks], [d(1, 1), d(5, 1)])
        self.assertEqual([tick.on for tick in timeline.ticks], [d(1, 1), d(5, 1)])

    def test_a_single_review_sits_in_the_middle(self):
        timeline = build_timeline([(d(1, 1), Verdict.HOLDING)], width=300, left=100, right=0)
        self.assertEqual(timeline.marks[0].x, 200)
        self.assertEqual(len(timeline.ticks), 1)

    def test_levels_read_holding_on_top(self):
        timeline = build_timeline([(d(1, 1), Verdict.HOLDING)])
        self.assertEqual(
            [level.label for level in timeline.levels], ["Holding", "Partial", "Not holding"]
        )
        self.assertLess(timeline.levels[0].y, timeline.levels[2].y)

    def test_shapes_have_coordinates(self):
        mark = build_timeline(
            [(d(1, 1), Verdict.NOT_HOLDING)],
            width=220,
            left=100,
            right=0,
            height=100,
            top=0,
            bottom=0,
        ).marks[0]
        self.assertEqual(mark.polygon, "160,92 168,100 160,108 152,100")
        half = build_timeline(
            [(d(1, 1), Verdict.PARTIAL)], width=220, left=100, right=0, height=100, top=0, bottom=0
        ).marks[0]
        self.assertEqual(half.half_path, "M160,43 A7,7 0 0 0 160,57 Z")


class TimelineMarkupTests(SimpleTestCase):
    """{% load timeline_svg %} writes the marks, their words and the table as
    the template's loops did (the loops were most of a cold claim page)."""

    OLD = (
        '{% load days %}<desc>{% for mark in timeline.marks %}{{ mark.on|day_text }}: {{ mark.label }}'
        '{% if not forloop.last %}; {% endif %}{% endfor %}.</desc>'
        '{% for mark in timeline.marks %}<g class="timeline__mark timeline__mark--{{ mark.verdict }}">'
        '<title>{{ mark.on|day_text }}: {{ mark.label }}</title>'
        '{% if mark.shape == "circle" %}<circle class="timeline__shape" cx="{{ mark.x }}" cy="{{ mark.y }}" r="7"/>'
        '{% elif mark.shape == "half" %}<circle class="timeline__outline" cx="{{ mark.x }}" cy="{{ mark.y }}" r="7"/>'
        '<path class="timeline__shape" d="{{ mark.half_path }}"/>{% else %}'
        '<polygon class="timeline__shape" points="{{ mark.polygon }}"/>{% endif %}</g>{% endfor %}'
        '{% for mark in timeline.marks %}<tr><td>{{ mark.on|day_time }}</td><td>{{ mark.label }}</td></tr>{% endfor %}'
    )
    NEW = ("{% load timeline_svg %}<desc>{% timeline_desc timeline %}</desc>{% timeline_marks timeline %}"
           "{% timeline_rows timeline %}")

    def test_the_same_markup_as_the_template_loops(self):
        import re

        from django.template import Context, Template

        timeline = build_timeline([
            (datetime.date(2025, 1, 5), Verdict.HOLDING),
            (datetime.date(2025, 3, 9), Verdict.PARTIAL),
            (datetime.date(2025, 6, 1), Verdict.NOT_HOLDING),
        ])

        def render(source):
            html = Template(source).render(Context({"timeline": timeline}))
            return re.sub(r">\s+<", "><", html.strip())

        self.assertEqual(render(self.NEW), render(self.OLD))
