"""Blind second reviews: a sampled review goes to another editor, who judges
without the first verdict; a disagreement goes to an admin, whose settlement
is a review of its own with both reasonings; agreement is shown as kappa."""

import datetime

import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase, override_settings
from django.urls import reverse

from claims.models import Verdict
from reviews.models import Review, SecondReview, TimeAway
from reviews.services import review_record, second_review_record, second_review_settle
from tests.factories import make_admin, make_claim, make_editor
from vigil.models import Event

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
EVERY_REVIEW = override_settings(VIGIL={**settings.VIGIL, "SECOND_REVIEW_PERCENT": 100})


@time_machine.travel(NOW, tick=False)
@EVERY_REVIEW
class SecondReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = make_editor(first_name="Edith", last_name="Marsh")
        cls.second = make_editor(first_name="Omar", last_name="Field")
        cls.admin = make_admin(first_name="Peter", last_name="Hale")

    def setUp(self):
        self.claim = make_claim(
            verdict=Verdict.PARTIAL, triggers=["A replication on novel puzzles."], statement="Models reason."
        )

    def review(self, editor=None, verdict=Verdict.HOLDING):
        return review_record(
            claim=self.claim,
            editor=editor or self.first,
            verdict=verdict,
            cadence_days=60,
            reasoning="FIRST-REASONING: the replication held.",
            evidence_considered="The 2026 replication",
        )

    def test_a_sampled_review_goes_to_the_least_busy_other_editor(self):
        def by(editor):
            return review_record(claim=make_claim(), editor=editor, verdict="partial", cadence_days=60, reasoning="x")

        # Nobody busy: the first editor by id who is not the author; then the next.
        self.assertEqual(by(self.second).second_review.reviewer, self.first)
        self.assertEqual(by(self.second).second_review.reviewer, self.admin)
        review = self.review()  # Edith's: Omar has none open, Peter one
        self.assertEqual(review.second_review.reviewer, self.second)
        self.assertIn("Sampled for a blind second review by Omar Field", Event.objects.latest("pk").summary)

    def test_nobody_away_and_none_when_there_is_nobody_else(self):
        TimeAway.objects.create(user=self.second, starts_on=NOW.date(), ends_on=NOW.date())
        TimeAway.objects.create(user=self.admin, starts_on=NOW.date(), ends_on=NOW.date())
        review = self.review()
        self.assertFalse(SecondReview.objects.filter(first_review=review).exists())

    @override_settings(VIGIL={**settings.VIGIL, "SECOND_REVIEW_PERCENT": 0})
    def test_not_sampled(self):
        self.assertFalse(SecondReview.objects.filter(first_review=self.review()).exists())

    def test_the_blind_page_hides_the_first_verdict(self):
        second = self.review().second_review
        self.client.force_login(self.second)
        response = self.client.get(reverse("reviews:second_review", kwargs={"pk": second.pk}))
        self.assertContains(response, "Models reason.")
        self.assertContains(response, "A replication on novel puzzles.")
        self.assertContains(response, "The 2026 replication")
        content = response.content.decode()
        self.assertNotIn("FIRST-REASONING", content)
        self.assertNotIn("class=\"badge badge--", content)  # the badge shows the first verdict
        self.assertNotIn(self.claim.get_absolute_url(), content)
        self.assertNotIn(self.claim.article.get_absolute_url(), content)
        # The verdict choices come with nothing checked.
        self.assertNotIn("checked", content)

    def test_only_the_editor_it_was_given_to_sees_it(self):
        second = self.review().second_review
        url = reverse("reviews:second_review", kwargs={"pk": second.pk})
        for person in (self.first, self.admin):
            self.client.force_login(person)
            self.assertEqual(self.client.get(url).status_code, 404)
        with self.assertRaises(PermissionDenied):
            second_review_record(second_review=second, editor=self.first, verdict="holding", reasoning="Mine.")

    def test_agreement_closes_it(self):
        second = self.review().second_review
        self.client.force_login(self.second)
        url = reverse("reviews:second_review", kwargs={"pk": second.pk})
        response = self.client.post(url, {"verdict": "holding", "reasoning": ""})
        self.assertContains(response, "Say why", status_code=422)
        response = self.client.post(url, {"verdict": "holding", "reasoning": "It held for me too."}, follow=True)
        self.assertContains(response, f"Second review of {self.claim.code} saved.")
        second.refresh_from_db()
        self.assertTrue(second.agrees)
        self.assertFalse(SecondReview.objects.to_settle().exists())

    def test_a_disagreement_is_settled_by_an_admin_as_a_review_with_both_reasonings(self):
        second = self.review().second_review
        second_review_record(second_review=second, editor=self.second, verdict="not_holding", reasoning="SECOND-REASONING: it failed.")
        self.assertEqual(list(SecondReview.objects.to_settle()), [second])
        self.client.force_login(self.admin)
        self.assertContains(self.client.get(reverse("reviews:second_reviews")), "Edith Marsh said <strong>Holding</strong>, Omar Field said <strong>Not holding</strong>")
        url = reverse("reviews:second_review", kwargs={"pk": second.pk})
        page = self.client.get(url)
        self.assertContains(page, "FIRST-REASONING")
        self.assertContains(page, "SECOND-REASONING")
        response = self.client.post(url, {"verdict": "partial", "reasoning": "Holds for maths only."}, follow=True)
        self.assertContains(response, "Settled: the review of")
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.verdict, Verdict.PARTIAL)  # the settled verdict is the public one
        settled = Review.objects.latest()
        self.assertEqual((settled.editor, settled.verdict_before, settled.verdict_after), (self.admin, "holding", "partial"))
        for kept in ("Holds for maths only.", "FIRST-REASONING", "SECOND-REASONING"):
            self.assertIn(kept, settled.reasoning)
        self.assertFalse(SecondReview.objects.filter(first_review=settled).exists())  # never sampled itself
        second.refresh_from_db()
        self.assertEqual(second.settled_review, settled)
        self.assertEqual(Event.objects.filter(action="second_review.settle").count(), 1)
        with self.assertRaises(ValidationError):
            second_review_settle(second_review=second, admin=self.admin, verdict="partial", reasoning="Again.")

    def test_editors_may_not_settle(self):
        second = self.review().second_review
        second_review_record(second_review=second, editor=self.second, verdict="not_holding", reasoning="No.")
        with self.assertRaises(PermissionDenied):
            second_review_settle(second_review=second, admin=self.first, verdict="partial", reasoning="Me.")

    def test_agreement_on_the_desk_and_the_method_page(self):
        for first_verdict, second_verdict in [("holding", "holding"), ("holding", "not_holding"), ("partial", "partial"), ("not_holding", "not_holding")]:
            claim = make_claim()
            review = review_record(claim=claim, editor=self.first, verdict=first_verdict, cadence_days=60, reasoning="x")
            second_review_record(second_review=review.second_review, editor=review.second_review.reviewer, verdict=second_verdict, reasoning="y")
        # 4 pairs, 3 agree: p_o 0.75; first 2/1/1, second 1/1/2: p_e = (2+1+2)/16; kappa = (0.75-0.3125)/0.6875 = 0.64.
        expected = "4 pairs of verdicts: the two agreed on <strong>75%</strong>; Cohen's kappa, which discounts the agreement chance alone would give, is <strong>0.64</strong>"
        self.client.force_login(self.first)
        self.assertContains(self.client.get(reverse("reviews:queue")), expected)
        self.client.logout()
        self.assertContains(self.client.get(reverse("articles:method")), expected)

    def test_the_queue_tells_the_second_editor(self):
        self.review()
        self.client.force_login(self.second)
        self.assertContains(self.client.get(reverse("reviews:queue")), "1 blind second review given to you")
