"""Spreading a pile-up (claims.spreading, the spread_reviews command): every
claim moves inside its own window, one event each, and a dry run writes nothing."""

import datetime
import io

import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase

from claims.models import Claim
from claims.spreading import claims_spread
from tests.factories import make_article, make_editor
from vigil.models import Event

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)
PILE = datetime.date(2026, 6, 15)


def days(n):
    return PILE + datetime.timedelta(days=n)


def pile(count, *, on=PILE, cadence_days=60, **fields):
    """`count` claims of one archive article, all due on `on`, last reviewed a cadence before."""
    article = make_article()
    first = Claim.objects.count()
    Claim.objects.bulk_create(
        Claim(
            code=f"IM-{first + n:05d}",
            article=article,
            statement=f"Imported claim {n}.",
            cadence_days=cadence_days,
            last_reviewed_on=on - datetime.timedelta(days=cadence_days),
            next_review_due=on,
            **fields,
        )
        for n in range(count)
    )
    return article


def load():
    return dict(
        Claim.objects.order_by().values_list("next_review_due").annotate(n=Count("pk"))
    )


@time_machine.travel(NOW, tick=False)
class SpreadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor(username="edith")

    def test_a_thousand_claims_due_one_day_spread_to_their_fair_share(self):
        pile(1000)
        report = claims_spread(due_from=PILE, due_to=PILE, editor=self.editor)
        after = load()
        # 60-day cadence, ±10%: 13 days. A fair share of 1,000 is 77 (76.9).
        self.assertEqual(set(after), {days(n) for n in range(-6, 7)})
        self.assertEqual(max(after.values()), 77)
        self.assertEqual(sum(after.values()), 1000)
        self.assertEqual((report.busiest_before, report.busiest_after), (1000, 77))
        self.assertEqual(report.moved, 1000 - after[PILE])
        events = Event.objects.filter(action="claim.reschedule")
        self.assertEqual(events.count(), report.moved)
        self.assertEqual(
            Event.objects.filter(action="claim.reschedule", subjects__kind="claim").count(),
            report.moved,
        )

    def test_dry_run_plans_the_same_and_writes_nothing(self):
        pile(100)
        planned = claims_spread(due_from=PILE, due_to=PILE, editor=self.editor, dry_run=True)
        self.assertEqual(load(), {PILE: 100})
        self.assertFalse(Event.objects.exists())
        done = claims_spread(due_from=PILE, due_to=PILE, editor=self.editor)
        self.assertEqual((planned.moved, planned.after), (done.moved, done.after))
        self.assertEqual(load(), done.after)

    def test_other_claims_already_due_in_the_window_count(self):
        pile(10)
        pile(30, on=days(-1))  # someone's earlier pile the day before, not chosen
        claims_spread(due_from=PILE, due_to=PILE, editor=self.editor)
        after = load()
        self.assertEqual(after[days(-1)], 30)
        self.assertLessEqual(max(count for day, count in after.items() if day != days(-1)), 1)

    def test_only_the_chosen_editors_claims_move(self):
        omar = make_editor(username="omar")
        pile(10, assigned_editor=omar)
        pile(10)
        claims_spread(due_from=PILE, due_to=PILE, editor=self.editor, owner=omar)
        self.assertEqual(Claim.objects.filter(assigned_editor=None, next_review_due=PILE).count(), 10)
        self.assertLess(Claim.objects.filter(assigned_editor=omar, next_review_due=PILE).count(), 10)

    def test_the_public_badge_follows(self):
        article = pile(5)
        self.client.get(article.get_absolute_url())  # cached with the pile's countdowns
        claims_spread(due_from=PILE, due_to=PILE, editor=self.editor)
        page = self.client.get(article.get_absolute_url()).content.decode()
        # 15 Jun is 42 days away; four of the five move a day or two either side.
        self.assertEqual(page.count("next +42d"), 1)
        for countdown in ("next +40d", "next +41d", "next +43d", "next +44d"):
            self.assertIn(countdown, page)


@time_machine.travel(NOW, tick=False)
class SpreadReviewsCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor(username="edith")

    def run_command(self, *args):
        out = io.StringIO()
        call_command("spread_reviews", *args, "--as", "edith", stdout=out)
        return out.getvalue()

    def test_dry_run_prints_the_load_per_week_before_and_after_and_writes_nothing(self):
        pile(130)
        out = self.run_command("--on", "2026-06-15", "--dry-run")
        self.assertIn("week of", out)
        # 15 Jun is a Monday; the window 9–21 Jun takes 10 a day.
        self.assertIn("08 Jun 2026         0      60      0 → 10", out)
        self.assertIn("15 Jun 2026       130      70    130 → 10", out)
        self.assertIn("130 claim(s) chosen; would move 120. Busiest day: 130 → 10 claims.", out)
        self.assertIn("Dry run: nothing written.", out)
        self.assertEqual(load(), {PILE: 130})
        self.assertFalse(Event.objects.exists())

    def test_a_run_moves_them_one_event_each(self):
        pile(130)
        out = self.run_command("--from", "2026-06-15", "--to", "2026-06-15")
        self.assertIn("moved 120", out)
        self.assertEqual(Event.objects.filter(action="claim.reschedule", actor=self.editor).count(), 120)

    def test_bad_arguments_say_what_is_wrong(self):
        from django.core.management.base import CommandError

        for args, message in [
            (("--on", "15/06/2026"), "not a date: give it as YYYY-MM-DD"),
            ((), "Say which claims"),
            (("--from", "2026-06-15", "--to", "2026-06-01"), "--to is before --from"),
        ]:
            with self.assertRaisesMessage(CommandError, message):
                self.run_command(*args)
