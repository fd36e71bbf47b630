import datetime

import time_machine
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import TestCase

from articles.models import Article
from claims.context_processors import REVIEWED_COUNT_KEY, claims_reviewed_count
from claims.models import Claim, Verdict
from corrections.models import CorrectionEntry
from dissent.models import Dissent
from reviews.models import Review
from reviews.services import ReviewConflict, review_record
from tests.factories import make_article, make_claim, make_editor
from vigil.freshness import content_version

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)


def make_dissent(claim, **fields):
    fields.setdefault("argument", "The survey it cites was withdrawn.")
    return Dissent.objects.create(claim=claim, **fields)


@time_machine.travel(NOW, tick=False)
class RecordReviewTests(TestCase):
    def setUp(self):
        self.editor = make_editor(first_name="Edith", last_name="Marsh")
        self.claim = make_claim(
            verdict=Verdict.PARTIAL, cadence_days=60, next_review_due=datetime.date(2026, 4, 20)
        )

    def record(self, **overrides):
        arguments = {
            "claim": self.claim,
            "editor": self.editor,
            "verdict": Verdict.PARTIAL,
            "cadence_days": 45,
            "reasoning": "The new figures bear it out only for large providers.",
        }
        arguments.update(overrides)
        return review_record(**arguments)

    def test_appends_a_review_and_moves_the_claim(self):
        review = self.record(
            verdict=Verdict.HOLDING, cadence_days=45, evidence_considered="Q1 price index"
        )
        self.claim.refresh_from_db()
        self.assertEqual(review.reviewed_on, TODAY)
        self.assertEqual(review.verdict_before, Verdict.PARTIAL)
        self.assertEqual(review.verdict_after, Verdict.HOLDING)
        self.assertEqual(review.evidence_considered, "Q1 price index")
        self.assertEqual(self.claim.verdict, Verdict.HOLDING)
        self.assertEqual(self.claim.last_reviewed_on, TODAY)
        self.assertEqual(self.claim.cadence_days, 45)

    def test_next_due_date_follows_the_chosen_cadence(self):
        for cadence, due in [(30, datetime.date(2026, 6, 3)), (90, datetime.date(2026, 8, 2))]:
            with self.subTest(cadence=cadence):
                review = self.record(cadence_days=cadence)
                self.claim.refresh_from_db()
                self.assertEqual(review.next_review_due, due)
                self.assertEqual(self.claim.next_review_due, due)

    def test_cadence_outside_30_to_90_days_is_refused(self):
        for cadence in (29, 91, 0, "soon"):
            with self.subTest(cadence=cadence), self.assertRaises(ValidationError) as raised:
                self.record(cadence_days=cadence)
            self.assertIn("cadence_days", raised.exception.message_dict)
        self.assertFalse(Review.objects.exists())
        self.claim.refresh_from_db()
        self.assertIsNone(self.claim.last_reviewed_on)

    def test_reasoning_is_required(self):
        with self.assertRaises(ValidationError) as raised:
            self.record(reasoning="   ")
        self.assertIn("reasoning", raised.exception.message_dict)
        self.assertFalse(Review.objects.exists())

    def test_unknown_verdict_is_refused(self):
        with self.assertRaises(ValidationError) as raised:
            self.record(verdict="maybe")
        self.assertIn("verdict", raised.exception.message_dict)

    def test_every_dissent_received_since_the_last_review_must_be_weighed(self):
        first = make_dissent(self.claim)
        second = make_dissent(self.claim, argument="A second objection.")
        with self.assertRaises(ValidationError) as raised:
            self.record(weighings={first.pk: True})
        self.assertIn("weighings", raised.exception.message_dict)
        self.assertFalse(Review.objects.exists())
        self.assertEqual(Dissent.objects.unweighed().count(), 2)
        self.assertFalse(CorrectionEntry.objects.exists())
        review = self.record(weighings={first.pk: True, second.pk: False})
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual(first.status, Dissent.Status.MATERIAL)
        self.assertEqual(second.status, Dissent.Status.NOT_MATERIAL)
        self.assertEqual(first.weighed_in_review, review)
        self.assertEqual(second.weighed_by, self.editor)

    def test_dissent_weighed_before_is_not_asked_for_again(self):
        old = make_dissent(self.claim)
        self.record(weighings={old.pk: False})
        self.record()  # nothing new since: no weighings needed
        self.assertEqual(Review.objects.filter(claim=self.claim).count(), 2)

    def test_material_dissent_enters_the_change_history_credited_only_with_consent(self):
        credited = make_dissent(self.claim, name="Jo Reader", consent_to_credit=True)
        anonymous = make_dissent(self.claim, name="Private Person", consent_to_credit=False)
        self.record(weighings={credited.pk: True, anonymous.pk: True})
        texts = list(
            CorrectionEntry.objects.filter(kind=CorrectionEntry.Kind.MATERIAL_DISSENT).values_list(
                "text", flat=True
            )
        )
        self.assertEqual(len(texts), 2)
        self.assertTrue(any("Jo Reader" in text for text in texts))
        self.assertFalse(any("Private Person" in text for text in texts))

    def test_verdict_change_is_dated_in_the_correction_log(self):
        self.record(verdict=Verdict.NOT_HOLDING, reasoning="Prices rose two quarters running.")
        entry = CorrectionEntry.objects.get(kind=CorrectionEntry.Kind.VERDICT_CHANGE)
        self.assertEqual(entry.entry_on, TODAY)
        self.assertEqual(entry.article, self.claim.article)
        self.assertEqual(entry.claim, self.claim)
        self.assertEqual(entry.created_by, self.editor)
        self.assertIn(f"{self.claim.code} changed from Partial to Not holding", entry.text)
        self.assertIn("Prices rose two quarters running.", entry.text)

    def test_unchanged_verdict_writes_no_log_entry(self):
        self.record(verdict=Verdict.PARTIAL)
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_verdict_change_on_a_draft_article_writes_no_log_entry(self):
        claim = make_claim(article=make_article(status=Article.Status.DRAFT, published_on=None))
        self.record(claim=claim, verdict=Verdict.HOLDING)
        self.assertFalse(CorrectionEntry.objects.exists())
        claim.refresh_from_db()
        self.assertEqual(claim.verdict, Verdict.HOLDING)

    def test_a_review_based_on_an_older_review_is_refused_clearly(self):
        other = make_editor(first_name="Omar", last_name="Field")
        self.record(editor=other, verdict=Verdict.HOLDING, expected_last_review_id=None)
        with self.assertRaises(ReviewConflict) as raised:
            self.record(verdict=Verdict.NOT_HOLDING, expected_last_review_id=None)
        message = str(raised.exception)
        self.assertIn(
            f"{self.claim.code} was reviewed by Omar Field at 11:30", message
        )  # London time
        self.assertIn("your review was not saved", message)
        self.assertEqual(raised.exception.latest.verdict_after, Verdict.HOLDING)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.verdict, Verdict.HOLDING)
        self.assertEqual(Review.objects.count(), 1)

    def test_a_review_based_on_a_review_that_does_not_exist_is_refused(self):
        with self.assertRaises(ValidationError):
            self.record(expected_last_review_id=987654)
        self.assertFalse(Review.objects.exists())

    def test_a_review_based_on_the_latest_review_is_saved(self):
        first = self.record(expected_last_review_id=None)
        second = self.record(expected_last_review_id=first.pk, verdict=Verdict.HOLDING)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.verdict, second.verdict_after)

    def test_clears_the_footer_count_and_bumps_the_content_version(self):
        self.assertEqual(claims_reviewed_count(), 0)
        version = content_version()
        with self.captureOnCommitCallbacks(execute=True):
            self.record()
        self.assertIsNone(cache.get(REVIEWED_COUNT_KEY))
        self.assertEqual(claims_reviewed_count(), 1)
        self.assertGreater(content_version(), version)

    def test_reviews_stay_append_only(self):
        review = self.record()
        with self.assertRaises(ValidationError):
            review.save()
        self.assertEqual(Claim.objects.get(pk=self.claim.pk).reviews.count(), 1)
