"""What a crawler reads from the pages' heads (as extruct would): one ClaimReview
per claim, on the claim's page only; a NewsArticle with its corrections on the
article's page; OpenGraph on every page people share."""

import datetime
import json
import re
from html.parser import HTMLParser

import time_machine
from django.test import TestCase

from claims.structured_data import json_ld_script, short_claim
from tests.discovery import record_verdict_change
from tests.factories import make_article, make_claim, make_correction, make_pillar, make_section

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SITE = "http://127.0.0.1:8000"
DEFAULT_IMAGE = f"{SITE}/static/img/share-default.png"


def json_ld(response):
    blocks = SCRIPT.findall(response.content.decode())
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.properties, self.canonical = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.properties.setdefault(attrs.get("property") or attrs["name"], attrs.get("content"))
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])


def head_of(response):
    parser = _Meta()
    parser.feed(response.content.decode())
    return parser


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class ClaimPageClaimReviewTests(TestCase):
    def setUp(self):
        self.article = make_article(
            title="Do models reason?", slug="do-models-reason", published_on=datetime.date(2026, 1, 5)
        )
        self.claim = make_claim(
            article=self.article, is_primary=True, statement="Benchmarks overstate reasoning.",
            verdict="partial",
        )

    def test_carries_every_field_with_the_verdict_after_a_change(self):
        record_verdict_change(self.claim, to="not_holding", on=datetime.date(2026, 2, 20))
        record_verdict_change(self.claim, to="not_holding", on=datetime.date(2026, 2, 25))  # no change
        data = json_ld(self.client.get(self.claim.get_absolute_url()))
        self.assertEqual(data["@context"], "https://schema.org")
        self.assertEqual(data["@type"], "ClaimReview")
        self.assertEqual(data["identifier"], self.claim.code)
        self.assertEqual(data["claimReviewed"], "Benchmarks overstate reasoning.")
        self.assertEqual(data["url"], f"{SITE}/claims/{self.claim.code}/")
        self.assertEqual(data["datePublished"], "2026-01-05")
        self.assertEqual(data["dateModified"], "2026-02-25")  # the last review, though it changed nothing
        self.assertEqual(data["author"]["@type"], "Organization")
        self.assertEqual(
            data["reviewRating"],
            {
                "@type": "Rating", "ratingValue": 1, "worstRating": 1, "bestRating": 3,
                "alternateName": "Not holding",
                "ratingExplanation": "1 = Not holding, 2 = Partial, 3 = Holding",
            },
        )
        item = data["itemReviewed"]
        self.assertEqual(item["@type"], "Claim")
        self.assertEqual(item["text"], "Benchmarks overstate reasoning.")
        self.assertEqual(item["datePublished"], "2026-01-05")
        self.assertEqual(item["appearance"]["url"], f"{SITE}/articles/do-models-reason/")
        self.assertEqual(item["appearance"]["headline"], "Do models reason?")
        [comment] = data["correction"]
        self.assertEqual(comment["@type"], "CorrectionComment")
        # The review service dated the change in the correction log.
        self.assertTrue(
            comment["text"].startswith(f"Verdict on {self.claim.code} changed from Partial to Not holding")
        )
        self.assertEqual(comment["datePublished"], "2026-02-20")

    def test_before_any_review_date_modified_is_publication(self):
        data = json_ld(self.client.get(self.claim.get_absolute_url()))
        self.assertEqual(data["dateModified"], "2026-01-05")
        self.assertEqual(data["reviewRating"]["ratingValue"], 2)
        self.assertEqual(data["reviewRating"]["alternateName"], "Partial")
        self.assertNotIn("correction", data)

    def test_holding_is_the_best_rating(self):
        record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 2, 1))
        rating = json_ld(self.client.get(self.claim.get_absolute_url()))["reviewRating"]
        self.assertEqual((rating["ratingValue"], rating["alternateName"]), (3, "Holding"))

    def test_each_claim_has_its_own_review_on_its_own_page(self):
        second = make_claim(article=self.article, statement="Puzzles expose the gap.", verdict="holding")
        first, other = (json_ld(self.client.get(c.get_absolute_url())) for c in (self.claim, second))
        self.assertEqual((first["identifier"], other["identifier"]), (self.claim.code, second.code))
        self.assertEqual(other["claimReviewed"], "Puzzles expose the gap.")
        self.assertEqual(other["reviewRating"]["alternateName"], "Holding")

    def test_a_long_claim_is_reviewed_under_its_short_first_sentence(self):
        long = (
            "Benchmarks overstate reasoning. Scores on held-out puzzles fall by a third when the "
            "puzzles are reworded, and the gap widens with each model generation."
        )
        claim = make_claim(article=self.article, statement=long)
        data = json_ld(self.client.get(claim.get_absolute_url()))
        self.assertEqual(data["claimReviewed"], "Benchmarks overstate reasoning.")
        self.assertEqual(data["itemReviewed"]["text"], long)

    def test_page_has_canonical_and_social_tags_with_the_default_image(self):
        head = head_of(self.client.get(self.claim.get_absolute_url() + "?after=xyz"))
        self.assertEqual(head.canonical, [f"{SITE}/claims/{self.claim.code}/"])
        self.assertEqual(head.properties["og:title"], f"{self.claim.code}: Partial")
        self.assertEqual(head.properties["og:url"], f"{SITE}/claims/{self.claim.code}/")
        # No cover: the site's share image, with its size and words.
        self.assertEqual(head.properties["og:image"], DEFAULT_IMAGE)
        self.assertEqual(head.properties["og:image:width"], "1200")
        self.assertIn("Holding, Partial or Not holding", head.properties["og:image:alt"])
        self.assertEqual(head.properties["twitter:card"], "summary_large_image")


class ShortClaimTests(TestCase):
    def test_a_short_statement_is_itself(self):
        self.assertEqual(short_claim("  Prices fall\nin spring. "), "Prices fall in spring.")

    def test_a_long_single_sentence_is_never_cut(self):
        sentence = "Enterprise AI-agent deployments that budget for a standing evaluation function reach production faster."
        self.assertEqual(short_claim(sentence), sentence)

    def test_a_long_first_sentence_keeps_the_whole_statement(self):
        statement = "A" * 80 + ". Then more."
        self.assertEqual(short_claim(statement), statement)

    def test_an_abbreviation_is_not_a_sentence_end(self):
        statement = "Adoption rose e.g. in banks, per the U.S. survey of 2025, more than anywhere else in the decade."
        self.assertEqual(short_claim(statement), statement)


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class ArticlePageStructuredDataTests(TestCase):
    def setUp(self):
        self.article = make_article(
            title="Grid prices", slug="grid-prices", drafted_by="A. Writer", signed_off_by="B. Editor",
            published_on=datetime.date(2026, 1, 5), revised_on=datetime.date(2026, 2, 12),
        )
        self.claim = make_claim(article=self.article, is_primary=True, statement="Prices fall.")
        make_claim(article=self.article, statement="A secondary claim.")

    def test_news_article_with_revised_date_linked_byline_and_corrections(self):
        record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 2, 10))
        make_correction(article=self.article, entry_on=datetime.date(2026, 2, 2), text="Fixed a unit.")
        response = self.client.get(self.article.get_absolute_url())
        news = json_ld(response)
        self.assertEqual(news["@context"], "https://schema.org")
        self.assertEqual(news["@type"], "NewsArticle")
        self.assertEqual(news["headline"], "Grid prices")
        self.assertEqual(news["datePublished"], "2026-01-05")
        self.assertEqual(news["dateModified"], "2026-02-12")
        method = f"{SITE}/how-this-works/#bylines"
        self.assertEqual(news["author"], {"@type": "Person", "name": "A. Writer", "url": method})
        self.assertEqual(news["editor"], {"@type": "Person", "name": "B. Editor", "url": method})
        self.assertEqual([c["@type"] for c in news["correction"]], ["CorrectionComment"] * 2)
        self.assertEqual(news["correction"][0]["text"], "Fixed a unit.")
        self.assertEqual(news["correction"][0]["datePublished"], "2026-02-02")
        self.assertTrue(
            news["correction"][1]["text"].startswith(f"Verdict on {self.claim.code} changed from Partial to Holding")
        )
        self.assertTrue(news["correction"][0]["url"].startswith(f"{SITE}/articles/grid-prices/#correction-"))
        self.assertEqual(head_of(response).canonical, [f"{SITE}/articles/grid-prices/"])
        self.assertContains(response, 'type="application/atom+xml"')

    def test_the_article_page_carries_no_claim_review(self):
        """Its claims' reviews are on their pages: one ClaimReview per claim, once."""
        response = self.client.get(self.article.get_absolute_url())
        self.assertNotContains(response, "ClaimReview")
        self.assertEqual(len(SCRIPT.findall(response.content.decode())), 1)

    def test_the_byline_link_lands_on_the_method_page_section(self):
        response = self.client.get("/how-this-works/")
        self.assertContains(response, 'id="bylines"')

    def test_never_revised_is_modified_on_publication(self):
        self.article.revised_on = None
        self.article.save()
        news = json_ld(self.client.get(self.article.get_absolute_url()))
        self.assertEqual(news["dateModified"], "2026-01-05")

    def test_opengraph_of_an_article_without_a_cover_uses_the_share_image(self):
        head = head_of(self.client.get(self.article.get_absolute_url() + "?retired=gone"))
        self.assertEqual(head.properties["og:type"], "article")
        self.assertEqual(head.properties["og:url"], f"{SITE}/articles/grid-prices/")
        self.assertEqual(head.properties["og:image"], DEFAULT_IMAGE)
        self.assertEqual(head.properties["article:modified_time"], "2026-02-12")
        self.assertEqual(head.canonical, [f"{SITE}/articles/grid-prices/"])


class ListPagesOpenGraphTests(TestCase):
    """Home, pillar and section pages shared on social sites show a card."""

    def test_home_pillar_index_pillar_and_section(self):
        pillar = make_pillar(name="Grid", slug="grid", description="How the grid changes.")
        section = make_section(name="Energy", slug="energy", description="Power and prices.")
        make_article(pillar=pillar, section=section)
        pages = {
            "/": ("Vigil", "Every claim tracked, reviewed every 30–90 days, marked Holding, Partial or Not holding."),
            "/pillars/": ("Pillars", "The topics we track, and how their claims are holding up."),
            "/pillars/grid/": ("Grid", "How the grid changes."),
            "/sections/energy/": ("Energy", "Power and prices."),
        }
        for path, (title, description) in pages.items():
            with self.subTest(path=path):
                head = head_of(self.client.get(path))
                self.assertEqual(head.properties["og:type"], "website")
                self.assertEqual(head.properties["og:site_name"], "Vigil")
                self.assertEqual(head.properties["og:title"], title)
                self.assertEqual(head.properties["og:description"], description)
                self.assertEqual(head.properties["og:url"], f"{SITE}{path}")
                self.assertEqual(head.properties["og:image"], DEFAULT_IMAGE)
                self.assertEqual(head.properties["twitter:card"], "summary_large_image")
                self.assertEqual(head.canonical, [f"{SITE}{path}"])

    def test_the_share_image_is_served(self):
        from django.contrib.staticfiles import finders

        path = finders.find("img/share-default.png")
        with open(path, "rb") as image:
            self.assertEqual(image.read(8), b"\x89PNG\r\n\x1a\n")


class JsonLdEscapingTests(TestCase):
    def test_reader_text_cannot_close_the_script(self):
        html = json_ld_script({"text": "</script><script>alert(1)</script> & <!--"})
        self.assertEqual(html.count("</script>"), 1)
        self.assertNotIn("<!--", html)
        payload = SCRIPT.search(html).group(1)
        self.assertEqual(json.loads(payload)["text"], "</script><script>alert(1)</script> & <!--")
