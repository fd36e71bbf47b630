import datetime
import importlib

from django.db import connection
from django.test import TestCase

from claims.models import Claim
from tests.discovery import record_verdict_change
from tests.factories import make_article, make_claim

backfill = importlib.import_module("reviews.migrations.0011_backfill_verdict_changed_on")


class VerdictChangedOnTests(TestCase):
    """The day of the last verdict change lives on the claim, written by the
    review that makes it, and the migration's backfill derives the same day."""

    def setUp(self):
        self.claim = make_claim(article=make_article(), verdict="partial")

    def changed_on(self):
        return Claim.objects.values_list("verdict_changed_on", flat=True).get(pk=self.claim.pk)

    def test_a_review_that_moves_the_verdict_dates_it_and_one_that_keeps_it_does_not(self):
        self.assertIsNone(self.changed_on())
        record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 2, 1))
        self.assertEqual(self.changed_on(), datetime.date(2026, 2, 1))
        record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 3, 1))
        self.assertEqual(self.changed_on(), datetime.date(2026, 2, 1))

    def test_the_backfill_finds_the_day_the_reviews_wrote(self):
        record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 2, 1))
        record_verdict_change(self.claim, to="not_holding", on=datetime.date(2026, 2, 20))
        record_verdict_change(self.claim, to="not_holding", on=datetime.date(2026, 3, 9))
        unreviewed = make_claim(article=make_article())
        written = self.changed_on()
        with connection.cursor() as cursor:
            cursor.execute(backfill.BACKFILL)
        self.assertEqual(self.changed_on(), written)
        self.assertEqual(written, datetime.date(2026, 2, 20))
        self.assertIsNone(Claim.objects.get(pk=unreviewed.pk).verdict_changed_on)
