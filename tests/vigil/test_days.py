import datetime

from django.template import Context, Template
from django.test import SimpleTestCase


class DayFiltersTests(SimpleTestCase):
    """{% load days %} writes exactly what |date wrote before it, for every month."""

    def test_the_same_text_and_element_as_the_date_filter(self):
        days = [datetime.date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]
        days += [datetime.datetime(2026, 4, 27, 23, 30, tzinfo=datetime.UTC)]
        ours = Template("{% load days %}{% for d in days %}{{ d|day_time }}|{{ d|day_text }};{% endfor %}")
        django = Template("{% for d in days %}<time datetime=\"{{ d|date:'Y-m-d' }}\">"
                          "{{ d|date:'j M Y' }}</time>|{{ d|date:'j M Y' }};{% endfor %}")
        context = Context({"days": days})  # the datetime is shown in the publication's zone
        self.assertEqual(ours.render(context), django.render(context))

    def test_no_day_is_empty(self):
        rendered = Template("{% load days %}[{{ d|day_time }}][{{ d|day_text }}]").render(Context({"d": None}))
        self.assertEqual(rendered, "[][]")
