"""manage.py demo: a realistic publication, safe to run twice."""

import datetime
import io
import re
import shutil
import tempfile
import zoneinfo

import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from articles.models import Article, Pillar, Rewrite
from claims.models import Claim, Verdict
from corrections.models import CorrectionEntry, SignOffRequest
from dissent.models import Dissent
from reviews.models import Review
from vigil.models import Event
from vigil.roles import is_admin, is_editor

TODAY = datetime.datetime(2026, 6, 25, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def counts():
    return {
        model.__name__: model.objects.count()
        for model in [Article, Pillar, Claim, Review, CorrectionEntry, SignOffRequest, Rewrite, Dissent, User]
    }


MEDIA = tempfile.mkdtemp(prefix="vigil-demo-media-")


@time_machine.travel(TODAY, tick=False)
@override_settings(MEDIA_ROOT=MEDIA)
class DemoCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("demo", stdout=io.StringIO())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_running_twice_adds_nothing(self):
        before = counts()
        call_command("demo", stdout=io.StringIO())
        self.assertEqual(counts(), before)

    def test_publication_size(self):
        self.assertGreaterEqual(Pillar.objects.count(), 3)
        self.assertGreaterEqual(Article.objects.published().count(), 12)
        self.assertGreaterEqual(Claim.objects.count(), 20)
        self.assertEqual(set(Claim.objects.values_list("verdict", flat=True)), set(Verdict.values))
        self.assertFalse(Article.objects.filter(claims__isnull=True).exists())
        self.assertEqual(Claim.objects.filter(is_primary=True).count(), Article.objects.count())

    def test_some_claims_due_soon_and_some_overdue(self):
        today = TODAY.date()
        self.assertTrue(Claim.objects.overdue(on=today).exists())
        self.assertTrue(Claim.objects.due(on=today).exclude(next_review_due__lt=today).exists())

    def test_records_the_publication_keeps(self):
        self.assertTrue(Review.objects.filter(claim__reviews__isnull=False).exists())
        self.assertTrue(any(claim.reviews.count() >= 2 for claim in Claim.objects.all()))
        self.assertTrue(CorrectionEntry.objects.filter(kind=CorrectionEntry.Kind.VERDICT_CHANGE).exists())
        self.assertTrue(CorrectionEntry.objects.filter(kind=CorrectionEntry.Kind.CORRECTION).exists())
        self.assertEqual(SignOffRequest.objects.open().count(), 1)
        self.assertEqual(Rewrite.objects.open().count(), 1)
        self.assertTrue(Dissent.objects.unweighed().exists())
        self.assertTrue(Dissent.objects.material().exists())
        self.assertTrue(CorrectionEntry.objects.filter(kind=CorrectionEntry.Kind.MATERIAL_DISSENT).exists())

    def test_the_record_was_written_by_actions_on_the_days_it_tells(self):
        """No review, entry or weighing is written behind the pipeline's back: each
        has its event, dated the day it happened, by the person who did it."""
        self.assertEqual(Event.objects.filter(action="review.record").count(), Review.objects.count())
        self.assertEqual(Event.objects.filter(action="article.publish").count(), Article.objects.count())
        for review in Review.objects.select_related("editor", "claim"):
            event = Event.objects.touching("claim", review.claim.code).filter(
                action="review.record", at__date=review.reviewed_on
            )
            self.assertTrue(event.filter(actor=review.editor).exists(), review)
        for entry in CorrectionEntry.objects.select_related("article"):
            self.assertGreaterEqual(entry.entry_on, entry.article.published_on, entry)
            self.assertTrue(
                Event.objects.touching("article", entry.article.slug).filter(at__date=entry.entry_on).exists(),
                entry,
            )
        weighed = Dissent.objects.exclude(weighed_at=None)
        self.assertEqual(Event.objects.filter(action="dissent.weigh").count(), weighed.count())

    def test_claim_verdicts_follow_their_latest_review(self):
        for claim in Claim.objects.filter(reviews__isnull=False).distinct():
            latest = claim.reviews.latest()
            self.assertEqual(latest.verdict_after, claim.verdict, claim.code)
            self.assertEqual(latest.reviewed_on, claim.last_reviewed_on, claim.code)

    def test_every_article_has_a_generated_cover_with_alt_text(self):
        from PIL import Image

        for article in Article.objects.all():
            self.assertTrue(article.cover, article.slug)
            self.assertTrue(article.cover_alt, article.slug)
        with Image.open(Article.objects.first().cover.path) as image:
            self.assertEqual(image.format, "JPEG")
            self.assertEqual(image.size, (1200, 630))

    def test_demo_users_can_sign_in_with_their_roles(self):
        editor = authenticate(username="editor", password="vigil-editor-demo")
        admin = authenticate(username="admin", password="vigil-admin-demo")
        self.assertTrue(editor.is_staff and is_editor(editor) and not is_admin(editor))
        self.assertTrue(admin.is_staff and is_admin(admin))

    def test_demo_pages_render(self):
        self.assertEqual(self.client.get("/").status_code, 200)
        for article in Article.objects.all():
            response = self.client.get(article.get_absolute_url())
            self.assertEqual(response.status_code, 200, article.slug)

    def test_demo_admin_can_use_the_django_admin(self):
        self.client.login(username="admin", password="vigil-admin-demo")
        self.assertEqual(self.client.get("/admin/claims/claim/").status_code, 200)
        self.assertEqual(self.client.get("/admin/reviews/review/").status_code, 200)


class DemoObeysItsOwnRules:
    """The demo is what a first visitor reads: it must keep the promises the
    method page makes (reviewed every 30–90 days, verdicts that move only in a
    dated review, a verdict change dated in the log), or the badge beside
    "Not reviewed yet" says a review happened before the article did (AM-018,
    issue 16). Run on more than one day: the demo's dates are relative to today."""

    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(cls.TODAY, tick=False), override_settings(MEDIA_ROOT=MEDIA):
            call_command("demo", stdout=io.StringIO())
        cls.today = cls.TODAY.date()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def claims(self):
        return Claim.objects.select_related("article").prefetch_related("reviews").order_by("code")

    def test_every_review_lies_between_publication_and_today(self):
        for claim in self.claims():
            published = claim.article.published_on
            for review in claim.reviews.all():
                self.assertGreaterEqual(review.reviewed_on, published, claim.code)
                self.assertLessEqual(review.reviewed_on, self.today, claim.code)
            if claim.last_reviewed_on:
                self.assertEqual(claim.last_reviewed_on, max(r.reviewed_on for r in claim.reviews.all()), claim.code)
            else:
                self.assertEqual(list(claim.reviews.all()), [], claim.code)

    def test_next_review_is_due_30_to_90_days_after_the_last_review_or_publication(self):
        for claim in self.claims():
            start = claim.last_reviewed_on or claim.article.published_on
            gap = (claim.next_review_due - start).days
            self.assertTrue(30 <= gap <= 90, f"{claim.code}: due {gap} days after {start}")
            self.assertTrue(30 <= claim.cadence_days <= 90, claim.code)

    def test_reviews_follow_each_other_at_a_cadence_the_method_allows(self):
        for claim in self.claims():
            days = [claim.article.published_on, *sorted(r.reviewed_on for r in claim.reviews.all())]
            for earlier, later in zip(days, days[1:]):
                self.assertLessEqual((later - earlier).days, 90, f"{claim.code}: {earlier} → {later}")

    def test_a_claim_starts_with_the_verdict_its_article_argued(self):
        """A starting verdict is what the article argued when it was published:
        never Not holding, which only a review can reach."""
        for claim in self.claims():
            reviews = sorted(claim.reviews.all(), key=lambda review: (review.reviewed_on, review.pk))
            starting = reviews[0].verdict_before if reviews else claim.verdict
            self.assertNotEqual(starting, Verdict.NOT_HOLDING, claim.code)

    def test_every_verdict_change_is_dated_in_the_log_on_its_review(self):
        changes = {
            (review.claim_id, review.reviewed_on)
            for review in Review.objects.all()
            if review.verdict_before != review.verdict_after
        }
        entries = CorrectionEntry.objects.filter(kind=CorrectionEntry.Kind.VERDICT_CHANGE)
        self.assertEqual({(entry.claim_id, entry.entry_on) for entry in entries}, changes)
        self.assertEqual(entries.count(), len(changes))

    def test_log_entries_revisions_and_dissent_are_dated_inside_the_articles_life(self):
        for entry in CorrectionEntry.objects.select_related("article"):
            self.assertTrue(entry.article.published_on <= entry.entry_on <= self.today, entry)
        for article in Article.objects.exclude(revised_on=None):
            self.assertTrue(article.published_on <= article.revised_on <= self.today, article.slug)
            # A revised date tells of a change the log dates.
            self.assertTrue(article.correction_entries.filter(entry_on=article.revised_on).exists(), article.slug)
        for dissent in Dissent.objects.select_related("claim__article"):
            received = timezone.localdate(dissent.received_at)
            self.assertTrue(dissent.claim.article.published_on <= received <= self.today, dissent.pk)
            if dissent.weighed_at:
                self.assertLessEqual(dissent.received_at, dissent.weighed_at, dissent.pk)

    def test_no_review_left_dissent_received_before_it_unweighed(self):
        for dissent in Dissent.objects.unweighed().select_related("claim"):
            received = timezone.localdate(dissent.received_at)
            self.assertFalse(dissent.claim.reviews.filter(reviewed_on__gt=received).exists(), dissent.pk)

    def test_the_demo_replays_every_review_it_describes(self):
        """A review dated before its article's publication would be dropped
        silently by the replay: the demo's own table must not ask for one."""
        from reviews.management.commands.demo import ARTICLES

        for spec in ARTICLES:
            article = Article.objects.get(slug=spec["slug"])
            claims = list(article.claims.order_by("-is_primary", "pk"))
            for claim, (_, verdict, cadence, reviewed_ago, *_rest) in zip(claims, spec["claims"], strict=True):
                self.assertEqual(claim.verdict, verdict, claim.code)
                self.assertEqual(claim.cadence_days, cadence, claim.code)
                expected = None if reviewed_ago is None else self.today - datetime.timedelta(days=reviewed_ago)
                self.assertEqual(claim.last_reviewed_on, expected, claim.code)

    def test_claim_pages_never_show_a_review_before_publication(self):
        for claim in self.claims():
            with time_machine.travel(self.TODAY, tick=False):
                html = self.client.get(claim.get_absolute_url()).content.decode()
            shown = {datetime.date.fromisoformat(day) for day in re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', html)}
            reviewed = [day for day in shown if day < claim.article.published_on]
            self.assertEqual(reviewed, [], claim.code)
            if "Not reviewed yet" in html:
                self.assertIsNone(claim.last_reviewed_on, claim.code)
                self.assertIn("starting verdict, not yet reviewed", html, claim.code)


class DemoRulesInSummerTests(DemoObeysItsOwnRules, TestCase):
    TODAY = TODAY


class DemoRulesOnTheIssuesDayTests(DemoObeysItsOwnRules, TestCase):
    # The day issue 16 saw AM-018 reviewed three days before its publication.
    TODAY = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
