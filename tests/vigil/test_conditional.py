import datetime

import time_machine
from django.test import TestCase

from tests.discovery import record_verdict_change
from corrections.models import Amendment
from tests.factories import make_admin, make_article, make_claim, make_correction
from vigil.freshness import content_changed


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class ArticleConditionalGetTests(TestCase):
    def setUp(self):
        self.article = make_article(slug="grid-prices")
        self.claim = make_claim(article=self.article, is_primary=True)
        self.url = self.article.get_absolute_url()

    def test_sends_validators_and_answers_304_with_one_query(self):
        response = self.client.get(self.url)
        self.assertTrue(response["ETag"])
        self.assertTrue(response["Last-Modified"])
        with self.assertNumQueries(1):
            again = self.client.get(self.url, headers={"if-none-match": response["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")

    def test_if_modified_since_answers_304(self):
        response = self.client.get(self.url)
        again = self.client.get(self.url, headers={"if-modified-since": response["Last-Modified"]})
        self.assertEqual(again.status_code, 304)

    def test_a_correction_changes_the_etag(self):
        etag = self.client.get(self.url)["ETag"]
        make_correction(article=self.article)
        self.assertEqual(self.client.get(self.url, headers={"if-none-match": etag}).status_code, 200)

    def test_an_amended_correction_changes_the_etag(self):
        entry = make_correction(article=self.article, text="Old text.")
        etag = self.client.get(self.url)["ETag"]
        with time_machine.travel("2026-03-01 10:05 +0000", tick=False):
            Amendment.objects.create(
                entry=entry, previous_text="Old text.", new_text="New text.", reason="Typo.",
                amended_by=make_admin(),
            )
            entry.text = "New text."
            entry.save(update_fields=["text"])
        self.assertEqual(self.client.get(self.url, headers={"if-none-match": etag}).status_code, 200)

    def test_a_verdict_change_changes_the_etag(self):
        etag = self.client.get(self.url)["ETag"]
        with time_machine.travel("2026-03-01 10:05 +0000", tick=False):
            record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 3, 1))
        self.assertEqual(self.client.get(self.url, headers={"if-none-match": etag}).status_code, 200)

    def test_content_version_bump_changes_the_etag(self):
        etag = self.client.get(self.url)["ETag"]
        content_changed()
        self.assertEqual(self.client.get(self.url, headers={"if-none-match": etag}).status_code, 200)

    def test_next_day_changes_the_etag_because_countdowns_moved(self):
        etag = self.client.get(self.url)["ETag"]
        with time_machine.travel("2026-03-02 00:30 +0000", tick=False):
            response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 200)

    def test_unknown_article_is_still_404(self):
        self.assertEqual(self.client.get("/articles/nope/").status_code, 404)


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class ClaimConditionalGetTests(TestCase):
    def setUp(self):
        self.claim = make_claim(article=make_article(), is_primary=True)
        self.url = self.claim.get_absolute_url()

    def test_answers_304_while_unchanged_and_200_after_a_review(self):
        etag = self.client.get(self.url)["ETag"]
        with self.assertNumQueries(1):
            self.assertEqual(self.client.get(self.url, headers={"if-none-match": etag}).status_code, 304)
        with time_machine.travel("2026-03-01 10:05 +0000", tick=False):
            record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 3, 1))
        self.assertEqual(self.client.get(self.url, headers={"if-none-match": etag}).status_code, 200)

    def test_unknown_code_is_404(self):
        self.assertEqual(self.client.get("/claims/ZZ-999/").status_code, 404)


@time_machine.travel(datetime.datetime(2026, 4, 27, 10, 0, tzinfo=datetime.UTC), tick=False)
class StaffViewValidatorTests(TestCase):
    """A signed-in editor sees staff notes on the article page: that page has its
    own validators and is private, so the reader's copy never stands in for it."""

    def setUp(self):
        self.article = make_article()
        make_claim(article=self.article, is_primary=True)

    def test_the_staff_view_never_gets_a_304_for_the_readers_etag(self):
        url = self.article.get_absolute_url()
        reader = self.client.get(url)
        self.assertEqual(reader.status_code, 200)
        self.assertNotIn("private", reader.get("Cache-Control", ""))
        self.client.force_login(make_admin())
        staff = self.client.get(url, HTTP_IF_NONE_MATCH=reader["ETag"])
        self.assertEqual(staff.status_code, 200)
        self.assertNotEqual(staff["ETag"], reader["ETag"])
        self.assertIn("private", staff["Cache-Control"])
        self.assertIn("Cookie", staff["Vary"])
        # The staff view's own ETag still earns the editor a 304.
        again = self.client.get(url, HTTP_IF_NONE_MATCH=staff["ETag"])
        self.assertEqual(again.status_code, 304)


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class CompiledRowTests(TestCase):
    """vigil.conditional.CompiledRow: the validators' query, compiled once,
    answers what the ORM's own .first() answers, converted the same way."""

    def test_the_compiled_row_is_the_orms_row(self):
        from articles.views import _article_stamps

        article = make_article(slug="grid-prices")
        make_claim(article=article, is_primary=True)
        make_correction(article=article)
        for slug in ("grid-prices", "no-such-article"):
            self.assertEqual(_article_stamps.first(slug), _article_stamps.build(slug).first(), slug)
        self.assertIsInstance(_article_stamps.first("grid-prices")["claims_changed"], datetime.datetime)
