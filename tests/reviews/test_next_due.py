"""A review's next due date: the least-loaded day Vigil proposes near the
cadence (claims.scheduling.proposed_due over Claim.proposed_due's counts),
or the editor's own date 30-90 days out."""

import datetime

import time_machine
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from claims.models import Claim, Verdict
from claims.services import article_publish
from reviews.models import Review
from reviews.services import review_record
from tests.factories import make_admin, make_article, make_claim, make_editor, make_pillar

NOW = datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 5, 4)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def fill(n, *, on, **fields):
    """`n` claims due on `on` (the load the proposal counts)."""
    article = make_article()
    return [make_claim(article=article, next_review_due=on, **fields) for _ in range(n)]


@time_machine.travel(NOW, tick=False)
class ProposedDueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_editor(first_name="Edith", last_name="Marsh")
        cls.other = make_editor(first_name="Omar", last_name="Field")

    def review(self, claim, **overrides):
        arguments = {
            "claim": claim,
            "editor": self.editor,
            "verdict": Verdict.PARTIAL,
            "cadence_days": 60,
            "reasoning": "Still partly true.",
        }
        arguments.update(overrides)
        return review_record(**arguments)

    def test_an_unassigned_claim_avoids_the_days_every_editor_is_busy(self):
        for n in range(54, 67):
            fill(2, on=days(n))
        fill(1, on=days(57), assigned_editor=self.other)  # an editor's claim is everyone's load too
        fill(1, on=days(59))
        # A draft's claim is no load: nobody reviews it before publication.
        make_claim(next_review_due=days(61), article=make_article(status=Article.Status.DRAFT))
        fill(1, on=days(60))
        claim = make_claim(next_review_due=days(-3))
        review = self.review(claim)
        claim.refresh_from_db()
        # 61 ties with 55, 56, 58, 62...: it is nearest the cadence, 1 day after it.
        self.assertEqual(review.next_review_due, days(61))
        self.assertEqual(claim.next_review_due, days(61))

    def test_an_assigned_claim_counts_only_its_editors_load(self):
        fill(5, on=days(60))  # unassigned: other people's load, not Omar's
        fill(2, on=days(60), assigned_editor=self.other)
        fill(2, on=days(59), assigned_editor=self.other)
        fill(1, on=days(61), assigned_editor=self.other)
        claim = make_claim(next_review_due=days(-3), assigned_editor=self.other)
        # 58 and 62 are free for Omar and as near the cadence: the earlier.
        self.assertEqual(self.review(claim).next_review_due, days(58))

    def test_the_claims_own_current_date_is_not_its_load(self):
        claim = make_claim(next_review_due=days(60))
        self.assertEqual(self.review(claim).next_review_due, days(60))

    def test_the_editor_may_choose_any_day_30_to_90_days_out(self):
        claim = make_claim(next_review_due=days(-3))
        fill(4, on=days(75))
        review = self.review(claim, next_review_due=days(75))
        self.assertEqual(review.next_review_due, days(75))
        self.assertEqual(review.cadence_days, 60)

    def test_a_chosen_day_outside_30_to_90_days_is_refused(self):
        claim = make_claim(next_review_due=days(-3))
        for chosen in (days(29), days(91), days(-1)):
            with self.assertRaises(ValidationError) as caught:
                self.review(claim, next_review_due=chosen)
            self.assertIn("30 to 90 days from today (03 Jun 2026 to 02 Aug 2026)", str(caught.exception))
        self.assertFalse(Review.objects.exists())

    def test_publication_spreads_an_articles_claims(self):
        article = make_article(status=Article.Status.DRAFT, published_on=None, pillar=make_pillar())
        fill(3, on=days(60))
        claims = [
            make_claim(article=article, is_primary=(n == 0), cadence_days=60, triggers=["A new study."])
            for n in range(3)
        ]
        article_publish(article=article, admin=make_admin())
        dues = Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("next_review_due", flat=True)
        # 60 is taken; each claim then takes the nearest free day, the earlier first.
        self.assertEqual(sorted(dues), [days(58), days(59), days(61)])


@time_machine.travel(NOW, tick=False)
class ReviewFormNextDueTests(TestCase):
    def setUp(self):
        self.editor = make_editor(first_name="Edith", last_name="Marsh")
        self.client.force_login(self.editor)
        self.claim = make_claim(next_review_due=days(-5), cadence_days=60)
        self.url = reverse("reviews:review", kwargs={"code": self.claim.code})
        fill(2, on=days(60))

    def post(self, **data):
        form = {"verdict": "partial", "cadence_days": "60", "reasoning": "Still partly true.", **data}
        return self.client.post(self.url, form)

    def test_the_form_shows_the_proposed_date(self):
        response = self.client.get(self.url)
        self.assertContains(response, 'Proposed next review: <strong><time datetime="2026-07-02">Thu 2 Jul 2026</time></strong> (in 59 days)')
        self.assertContains(response, "the least-loaded day 54–66 days out for all editors")

    def test_blank_date_saves_the_proposal(self):
        self.assertEqual(self.post(next_review_due="").status_code, 302)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.next_review_due, days(59))

    def test_the_editors_date_wins(self):
        self.assertEqual(self.post(next_review_due="2026-07-03").status_code, 302)
        self.claim.refresh_from_db()
        self.assertEqual(self.claim.next_review_due, days(60))

    def test_a_date_too_soon_is_refused_next_to_the_field_with_the_text_kept(self):
        response = self.post(next_review_due="2026-05-20", reasoning="Typed with care.")
        self.assertContains(response, "The next review must be 30 to 90 days from today", status_code=422)
        self.assertContains(response, 'value="2026-05-20"', status_code=422)
        self.assertContains(response, "Typed with care.", status_code=422)
        self.assertFalse(Review.objects.exists())

    def test_typing_another_cadence_refreshes_the_proposal(self):
        url = reverse("reviews:review_proposal", kwargs={"code": self.claim.code})
        response = self.client.get(url, {"cadence_days": "30"}, headers={"HX-Request": "true"})
        self.assertContains(response, "(in 30 days)")
        self.assertContains(response, "30–33 days out")
        self.assertNotContains(response, "<form")
        # Not a cadence yet (half typed): the claim's own cadence.
        self.assertContains(self.client.get(url, {"cadence_days": "9"}), "(in 59 days)")
