"""A claim's Atom feed of reviews, an article's feed of its correction log,
and the reviews API (paged, ETag)."""

import datetime
import xml.etree.ElementTree as ET

import time_machine
from django.test import TestCase
from django.urls import reverse

from claims.models import Verdict
from reviews.services import review_record
from tests.factories import make_article, make_claim, make_correction, make_editor

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
class ClaimFeedAndReviewsApiTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article()
        self.claim = make_claim(article=self.article, verdict=Verdict.HOLDING)
        for verdict, why in [(Verdict.HOLDING, "Still stands."), (Verdict.PARTIAL, "Half of it fell.")]:
            review_record(claim=self.claim, editor=self.editor, verdict=verdict, cadence_days=30, reasoning=why)

    def test_the_claim_feed_parses_as_atom_with_the_review_entries(self):
        response = self.client.get(f"/claims/{self.claim.code}/feed.atom")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        feed = ET.fromstring(response.content)
        self.assertEqual(feed.tag, f"{ATOM}feed")
        titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
        self.assertEqual(titles, ["Holding → Partial", "Reviewed: still Holding"])
        self.assertIn("Half of it fell.", feed.findall(f"{ATOM}entry")[0].find(f"{ATOM}summary").text)

    def test_claim_and_article_pages_announce_their_feeds(self):
        claim_page = self.client.get(self.claim.get_absolute_url())
        self.assertContains(claim_page, f'type="application/atom+xml" title="{self.claim.code}: reviews" href="/claims/{self.claim.code}/feed.atom"')
        article_page = self.client.get(self.article.get_absolute_url())
        self.assertContains(article_page, f'href="/articles/{self.article.slug}/feed.atom"')

    def test_the_article_feed_is_its_correction_log(self):
        make_correction(article=self.article, text="Clarified the year of the survey.")
        feed = ET.fromstring(self.client.get(f"/articles/{self.article.slug}/feed.atom").content)
        summaries = [entry.find(f"{ATOM}summary").text for entry in feed.findall(f"{ATOM}entry")]
        self.assertIn("Clarified the year of the survey.", summaries)
        self.assertTrue(any("Verdict on" in text for text in summaries))

    def test_the_reviews_api_pages_newest_first_and_answers_304(self):
        url = reverse("api:claim_reviews", kwargs={"code": self.claim.code})
        first = self.client.get(url, {"page_size": 1})
        self.assertEqual(first.status_code, 200)
        data = first.json()
        self.assertEqual([r["verdict_after"] for r in data["results"]], ["partial"])
        second = self.client.get(data["next"].removeprefix("http://127.0.0.1:8000")).json()
        self.assertEqual([r["reasoning"] for r in second["results"]], ["Still stands."])
        self.assertIsNone(second["next"])
        again = self.client.get(url, {"page_size": 1}, HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(again.status_code, 304)
        with self.assertNumQueries(2):
            self.client.get(url, {"page_size": 1})

    def test_an_unknown_claim_or_a_bad_cursor_is_answered_in_json(self):
        self.assertEqual(self.client.get("/api/claims/AM-999/reviews/").status_code, 404)
        bad = self.client.get(f"/api/claims/{self.claim.code}/reviews/", {"cursor": "nonsense"})
        self.assertEqual((bad.status_code, bad.json()["parameter"]), (400, "cursor"))
