import datetime
import xml.etree.ElementTree as ET

import time_machine
from django.test import TestCase

from articles.models import Article
from corrections.models import CorrectionEntry
from tests.discovery import record_verdict_change
from tests.factories import make_article, make_claim, make_correction, make_pillar

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    return root.findall(f"{ATOM}entry")


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class FeedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pillar = make_pillar(name="Machine minds", slug="machine-minds")
        cls.other_pillar = make_pillar(name="Energy", slug="energy")
        cls.first = make_article(title="First piece", pillar=cls.pillar, published_on=datetime.date(2026, 1, 5))
        cls.second = make_article(title="Second piece", pillar=cls.other_pillar, published_on=datetime.date(2026, 2, 5))
        cls.draft = make_article(title="Draft piece", status=Article.Status.DRAFT, published_on=None, pillar=cls.pillar)
        cls.claim = make_claim(article=cls.first, is_primary=True, statement="Models reason.")
        cls.other_claim = make_claim(article=cls.second, is_primary=True)
        cls.draft_claim = make_claim(article=cls.draft, is_primary=True)


class ArticlesFeedTests(FeedTestCase):
    def test_feed_is_valid_atom_with_ids_updated_and_newest_article_first(self):
        root = parse_atom(self.client.get("/feeds/articles.atom"))
        self.assertTrue(root.find(f"{ATOM}id").text.endswith("/feeds/new-articles"))
        self.assertIsNotNone(root.find(f"{ATOM}updated").text)
        titles = [entry.find(f"{ATOM}title").text for entry in entries(root)]
        self.assertEqual(titles, ["Second piece", "First piece"])
        for entry in entries(root):
            self.assertTrue(entry.find(f"{ATOM}id").text.startswith("http"))
            self.assertIsNotNone(entry.find(f"{ATOM}updated").text)
            self.assertTrue(entry.find(f"{ATOM}link").get("href").startswith("http"))

    def test_pillar_feed_holds_only_that_pillars_articles(self):
        root = parse_atom(self.client.get("/pillars/machine-minds/feeds/articles.atom"))
        self.assertEqual([e.find(f"{ATOM}title").text for e in entries(root)], ["First piece"])
        self.assertEqual(root.find(f"{ATOM}title").text, "Machine minds: new articles")

    def test_unknown_pillar_feed_is_404(self):
        self.assertEqual(self.client.get("/pillars/nope/feeds/articles.atom").status_code, 404)

    def test_rss_flavour_is_rss(self):
        response = self.client.get("/feeds/articles.rss")
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, "rss")
        self.assertEqual(len(root.findall("channel/item")), 2)

    def test_descriptions_are_escaped_html(self):
        make_article(title="Hostile", dek="<script>alert(1)</script>", published_on=datetime.date(2026, 2, 20))
        root = parse_atom(self.client.get("/feeds/articles.atom"))
        summary = entries(root)[0].find(f"{ATOM}summary")
        self.assertEqual(summary.get("type"), "html")
        # Parsed once by XML, the HTML a feed reader sees is still escaped text.
        self.assertIn("&lt;script&gt;", summary.text)

    def test_titles_with_markup_reach_the_feed_as_plain_text(self):
        hostile = make_pillar(name="<i>Hostile</i> pillar", slug="hostile")
        make_article(
            title='<img src=x onerror="alert(1)">Rates <b>fall</b> & rise',
            pillar=hostile, published_on=datetime.date(2026, 2, 20),
        )
        for url in ["/feeds/articles.atom", "/pillars/hostile/feeds/articles.atom", "/feeds/articles.rss"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                root = ET.fromstring(response.content)
                titles = [t.text for t in root.iter() if t.tag in (f"{ATOM}title", "title")]
                self.assertIn("Rates fall & rise", titles)
                self.assertFalse([t for t in titles if "<" in t or "&lt;" in t], titles)
                # Escaped once by the feed framework: the ampersand, nothing else.
                self.assertIn(b"Rates fall &amp; rise", response.content)
        pillar_feed = parse_atom(self.client.get("/pillars/hostile/feeds/articles.atom"))
        self.assertEqual(pillar_feed.find(f"{ATOM}title").text, "Hostile pillar: new articles")

    def test_query_count_is_fixed_however_many_articles(self):
        for n in range(8):
            article = make_article(pillar=self.pillar, published_on=datetime.date(2026, 2, 10 + n))
            make_claim(article=article, is_primary=True)
        with self.assertNumQueries(5):  # 3 validator aggregates, articles, primary claims
            self.client.get("/feeds/articles.atom")


class VerdictChangesFeedTests(FeedTestCase):
    def test_lists_only_reviews_that_moved_a_verdict_on_live_articles(self):
        record_verdict_change(self.claim, to="not_holding", on=datetime.date(2026, 2, 20))
        record_verdict_change(self.other_claim, to="partial", on=datetime.date(2026, 2, 21))  # unchanged
        record_verdict_change(self.draft_claim, to="holding", on=datetime.date(2026, 2, 22))
        root = parse_atom(self.client.get("/feeds/verdicts.atom"))
        [entry] = entries(root)
        self.assertEqual(entry.find(f"{ATOM}title").text, f"{self.claim.code}: Partial → Not holding")
        self.assertIn(f"/claims/{self.claim.code}/#review-", entry.find(f"{ATOM}id").text)
        self.assertTrue(entry.find(f"{ATOM}published").text.startswith("2026-02-20"))

    def test_query_count_is_fixed_however_many_changes(self):
        for n in range(6):
            claim = make_claim(article=make_article(pillar=self.pillar), is_primary=True)
            record_verdict_change(claim, to="holding", on=datetime.date(2026, 2, 1 + n))
        with self.assertNumQueries(5):  # pillar, 3 validator aggregates, reviews with claims and articles
            self.client.get("/pillars/machine-minds/feeds/verdicts.atom")

    def test_pillar_feed_leaves_other_pillars_out(self):
        record_verdict_change(self.other_claim, to="holding", on=datetime.date(2026, 2, 21))
        root = parse_atom(self.client.get("/pillars/machine-minds/feeds/verdicts.atom"))
        self.assertEqual(entries(root), [])


class CorrectionsFeedTests(FeedTestCase):
    def test_entry_titles_are_plain_text(self):
        article = make_article(title="Costs <em>rise</em>", published_on=datetime.date(2026, 2, 20))
        make_correction(article=article, entry_on=datetime.date(2026, 2, 21))
        root = parse_atom(self.client.get("/feeds/corrections.atom"))
        self.assertEqual(entries(root)[0].find(f"{ATOM}title").text, "Clarification: Costs rise")

    def test_lists_entries_newest_first_with_their_article(self):
        make_correction(article=self.first, entry_on=datetime.date(2026, 2, 1), text="Older one.")
        make_correction(
            article=self.second, kind=CorrectionEntry.Kind.CORRECTION, entry_on=datetime.date(2026, 2, 10),
            text="Fixed a date.",
        )
        make_correction(article=self.draft, text="Never public.")
        root = parse_atom(self.client.get("/feeds/corrections.atom"))
        titles = [e.find(f"{ATOM}title").text for e in entries(root)]
        self.assertEqual(titles, ["Correction: Second piece", "Clarification: First piece"])
        self.assertIn("#correction-", entries(root)[0].find(f"{ATOM}link").get("href"))


    def test_query_count_is_fixed_however_many_entries(self):
        for _ in range(6):
            make_correction(article=make_article())
        with self.assertNumQueries(4):  # 3 validator aggregates, entries with articles
            self.client.get("/feeds/corrections.rss")


class FeedConditionalGetTests(FeedTestCase):
    def test_unchanged_feed_answers_304_to_if_none_match_without_building_it(self):
        response = self.client.get("/feeds/corrections.atom")
        etag = response["ETag"]
        with self.assertNumQueries(3):
            again = self.client.get("/feeds/corrections.atom", headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)

    def test_new_entry_changes_the_etag(self):
        etag = self.client.get("/feeds/corrections.atom")["ETag"]
        make_correction(article=self.first)
        response = self.client.get("/feeds/corrections.atom", headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], etag)
