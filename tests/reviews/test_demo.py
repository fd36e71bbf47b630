"""manage.py demo: a realistic publication, safe to run twice."""

import datetime
import io
import shutil
import tempfile
import zoneinfo

import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase, override_settings

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
