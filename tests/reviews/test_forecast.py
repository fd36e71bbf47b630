"""The forecast (/desk/forecast/), time away and the desk's spreading page."""

import datetime

import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from claims.models import Claim
from reviews import reminders
from reviews.forecast import forecast
from reviews.models import EditorPreference, TimeAway
from tests.claims.test_spreading import pile
from tests.factories import make_article, make_claim, make_editor, make_user
from vigil.models import Event

NOW = datetime.datetime(2026, 5, 6, 10, 30, tzinfo=datetime.UTC)  # a Wednesday
TODAY = datetime.date(2026, 5, 6)
MONDAY = datetime.date(2026, 5, 4)


def week(n, day=0):
    return MONDAY + datetime.timedelta(weeks=n, days=day)


@time_machine.travel(NOW, tick=False)
class ForecastTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.edith = make_editor(first_name="Edith", last_name="Marsh")
        cls.omar = make_editor(first_name="Omar", last_name="Field")
        EditorPreference.objects.create(user=cls.edith, weekly_capacity=3)
        article = make_article()
        for due, editor in [
            (week(0, 2), cls.edith),  # today
            (week(0, 6), cls.edith),
            (week(1, 0), cls.edith),
            *[(week(2, n % 7), cls.edith) for n in range(4)],  # 4 > capacity 3
            (week(12, 6), cls.edith),  # the last day counted
            (week(13, 0), cls.edith),  # beyond the 13 weeks
            (week(0, 1), cls.edith),  # yesterday: overdue
            (week(-3), None),
            (week(5, 3), None),
            (week(5, 4), cls.omar),
        ]:
            make_claim(article=article, next_review_due=due, assigned_editor=editor)
        make_claim(next_review_due=week(1), article=make_article(status="draft"))

    def setUp(self):
        self.client.force_login(self.edith)

    def test_counts_per_week_match_the_database(self):
        result = forecast(today=TODAY)
        self.assertEqual(result.mondays[0], MONDAY)
        self.assertEqual(len(result.mondays), 13)
        rows = {row.label: row for row in result.rows}
        edith = rows["Edith Marsh"]
        self.assertEqual(edith.weeks[:3], [2, 1, 4])
        self.assertEqual(edith.weeks[12], 1)
        self.assertEqual(edith.total, 8)
        self.assertEqual(edith.overdue, 1)
        self.assertEqual([over for _, over in edith.cells()][:3], [False, False, True])
        self.assertEqual(edith.weeks_over, 1)
        self.assertEqual(rows["Omar Field"].weeks[5], 1)
        self.assertIsNone(rows["Omar Field"].capacity)
        self.assertEqual((rows["Unassigned (everyone's)"].weeks[5], rows["Unassigned (everyone's)"].overdue), (1, 1))
        live = Claim.objects.active()
        end = week(12, 6)
        self.assertEqual(sum(result.totals), live.filter(next_review_due__range=(TODAY, end)).count())

    def test_page_shows_the_chart_the_table_and_marks_weeks_over_capacity(self):
        response = self.client.get(reverse("reviews:forecast"))
        self.assertContains(response, "<svg", count=3)
        self.assertContains(response, "Edith Marsh: claims due per week</title>")
        self.assertContains(response, "capacity 3 a week, over it in 1 week; 1 overdue now.</desc>")
        self.assertContains(response, 'class="forecast__bar forecast__bar--over"', count=1)
        self.assertContains(response, "4!</text>")
        self.assertContains(response, '<td class="forecast__cell--over"><strong>4</strong> <span class="forecast__over">over</span></td>')
        self.assertContains(response, "forecast__capacity", count=1)  # Edith has a capacity

    def test_query_count_is_fixed(self):
        for n in range(30):
            make_claim(next_review_due=week(n % 13, 3), assigned_editor=make_editor())
        TimeAway.objects.create(user=self.omar, starts_on=week(5), ends_on=week(5, 6))
        # session, user, groups, editors with capacity, due per day, overdue,
        # time away, claims due meanwhile, footer count
        with self.assertNumQueries(9):
            response = self.client.get(reverse("reviews:forecast"))
        self.assertEqual(len(response.context["forecast"].rows), 2 + 30 + 1)

    def test_readers_may_not_see_it(self):
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(reverse("reviews:forecast")).status_code, 403)


@time_machine.travel(NOW, tick=False)
class TimeAwayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.edith = make_editor(first_name="Edith", last_name="Marsh")
        cls.omar = make_editor(first_name="Omar", last_name="Field")

    def setUp(self):
        self.client.force_login(self.edith)

    def test_recorded_on_the_settings_page_and_bad_dates_keep_what_was_typed(self):
        url = reverse("reviews:time_away_add")
        response = self.client.post(url, {"starts_on": "2026-05-20", "ends_on": "2026-05-10"})
        self.assertContains(response, "The last day away cannot be before the first.", status_code=422)
        self.assertContains(response, 'value="2026-05-20"', status_code=422)
        self.assertFalse(TimeAway.objects.exists())
        response = self.client.post(url, {"starts_on": "2026-05-10", "ends_on": "2026-05-20"}, follow=True)
        self.assertContains(response, "Away 10 May 2026 to 20 May 2026")
        away = TimeAway.objects.get(user=self.edith)
        self.assertContains(response, "10 May 2026</time> to <time")
        self.client.post(reverse("reviews:time_away_remove", kwargs={"pk": away.pk}))
        self.assertFalse(TimeAway.objects.exists())

    def test_claims_due_while_away_are_offered_and_reassigned(self):
        TimeAway.objects.create(user=self.edith, starts_on=week(1), ends_on=week(1, 6))
        during = [make_claim(next_review_due=week(1, n), assigned_editor=self.edith) for n in (0, 6)]
        after = make_claim(next_review_due=week(2), assigned_editor=self.edith)
        response = self.client.get(reverse("reviews:forecast"))
        self.assertContains(response, "Edith Marsh, away 11 May to 17 May 2026")
        self.assertContains(response, "Give these 2 claims to")
        offer = response.context["forecast"].away[0]
        self.assertEqual([c.code for c in offer.claims], [c.code for c in during])
        response = self.client.post(
            reverse("reviews:forecast_reassign", kwargs={"pk": offer.time_away.pk}), {"editor": self.omar.pk}, follow=True
        )
        self.assertContains(response, "2 claim(s) due while Edith Marsh is away given to Omar Field.")
        self.assertEqual(Claim.objects.filter(assigned_editor=self.omar).count(), 2)
        self.assertEqual(Claim.objects.get(pk=after.pk).assigned_editor, self.edith)
        self.assertEqual(Event.objects.filter(action="claim.assign").count(), 2)

    def test_reminders_pause_while_away_and_go_to_the_others(self):
        claim = make_claim(next_review_due=TODAY + datetime.timedelta(days=2), assigned_editor=self.edith)
        TimeAway.objects.create(user=self.edith, starts_on=TODAY, ends_on=TODAY + datetime.timedelta(days=3))
        reminders.reminders_run()
        self.assertEqual([message.to for message in mail.outbox], [[self.omar.email]])
        self.assertIn(claim.code, mail.outbox[0].body)

    def test_reminders_resume_after_time_away(self):
        make_claim(next_review_due=TODAY + datetime.timedelta(days=2), assigned_editor=self.edith)
        TimeAway.objects.create(user=self.edith, starts_on=TODAY - datetime.timedelta(days=9), ends_on=TODAY - datetime.timedelta(days=1))
        reminders.reminders_run()
        self.assertEqual([message.to for message in mail.outbox], [[self.edith.email]])


@time_machine.travel(NOW, tick=False)
class SpreadPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.edith = make_editor(first_name="Edith", last_name="Marsh")

    def setUp(self):
        self.client.force_login(self.edith)

    def test_preview_writes_nothing_then_spreading_moves_them_one_event_each(self):
        pile(40, on=datetime.date(2026, 6, 15))
        url = reverse("reviews:spread")
        response = self.client.get(url, {"due_from": "2026-06-15", "due_to": "", "editor": ""})
        self.assertContains(response, "40 claims chosen; 36 would move. The busiest day would have 4 claims due instead of 40.")
        self.assertFalse(Event.objects.exists())
        response = self.client.post(url, {"due_from": "2026-06-15", "due_to": "2026-06-15", "editor": ""}, follow=True)
        self.assertContains(response, "36 claim(s) moved; the busiest day now has 4 claim(s) due, down from 40.")
        self.assertEqual(Event.objects.filter(action="claim.reschedule").count(), 36)

    def test_bad_dates_are_refused_next_to_the_field(self):
        response = self.client.get(reverse("reviews:spread"), {"due_from": "2026-06-15", "due_to": "2026-06-01"})
        self.assertContains(response, "The last day is before the first.", status_code=422)
        self.assertContains(response, 'value="2026-06-15"', status_code=422)
