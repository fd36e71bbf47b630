import datetime
import json
import re

import time_machine
from django.test import TestCase

from claims.structured_data import json_ld_script
from tests.discovery import record_verdict_change
from tests.factories import make_article, make_claim, make_correction

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(response):
    blocks = SCRIPT.findall(response.content.decode())
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


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
        self.assertEqual(data["claimReviewed"], "Benchmarks overstate reasoning.")
        self.assertEqual(data["url"], f"http://127.0.0.1:8000/claims/{self.claim.code}/")
        self.assertEqual(data["datePublished"], "2026-01-05")
        self.assertEqual(data["dateModified"], "2026-02-20")  # the last verdict *change*
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
        self.assertEqual(item["datePublished"], "2026-01-05")
        self.assertEqual(item["appearance"]["url"], "http://127.0.0.1:8000/articles/do-models-reason/")
        self.assertEqual(item["appearance"]["headline"], "Do models reason?")
        [comment] = data["correction"]
        self.assertEqual(comment["@type"], "CorrectionComment")
        # The review service dated the change in the correction log.
        self.assertTrue(
            comment["text"].startswith(f"Verdict on {self.claim.code} changed from Partial to Not holding")
        )
        self.assertEqual(comment["datePublished"], "2026-02-20")

    def test_before_any_change_date_modified_is_publication(self):
        data = json_ld(self.client.get(self.claim.get_absolute_url()))
        self.assertEqual(data["dateModified"], "2026-01-05")
        self.assertEqual(data["reviewRating"]["ratingValue"], 2)
        self.assertEqual(data["reviewRating"]["alternateName"], "Partial")
        self.assertNotIn("correction", data)

    def test_holding_is_the_best_rating(self):
        record_verdict_change(self.claim, to="holding", on=datetime.date(2026, 2, 1))
        rating = json_ld(self.client.get(self.claim.get_absolute_url()))["reviewRating"]
        self.assertEqual((rating["ratingValue"], rating["alternateName"]), (3, "Holding"))

    def test_page_has_canonical_and_social_tags(self):
        response = self.client.get(self.claim.get_absolute_url())
        self.assertContains(response, f'<link rel="canonical" href="http://127.0.0.1:8000/claims/{self.claim.code}/">')
        self.assertContains(response, '<meta property="og:title"')
        self.assertContains(response, '<meta name="twitter:card" content="summary">')


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class ArticlePageStructuredDataTests(TestCase):
    def test_graph_has_article_with_corrections_and_primary_claim_review(self):
        article = make_article(title="Grid prices", slug="grid-prices", drafted_by="A. Writer")
        claim = make_claim(article=article, is_primary=True, statement="Prices fall.")
        make_claim(article=article, statement="A secondary claim.")
        record_verdict_change(claim, to="holding", on=datetime.date(2026, 2, 10))
        make_correction(article=article, entry_on=datetime.date(2026, 2, 2), text="Fixed a unit.")
        response = self.client.get(article.get_absolute_url())
        data = json_ld(response)
        news, review = data["@graph"]
        self.assertEqual(news["@type"], "NewsArticle")
        self.assertEqual(news["headline"], "Grid prices")
        self.assertEqual(news["author"], {"@type": "Person", "name": "A. Writer"})
        verdict_change = f"Verdict on {claim.code} changed from Partial to Holding"
        self.assertEqual(news["correction"][0]["text"], "Fixed a unit.")
        [logged] = news["correction"][1:]
        self.assertTrue(logged["text"].startswith(verdict_change))
        self.assertEqual(review["@type"], "ClaimReview")
        self.assertEqual(review["claimReviewed"], "Prices fall.")
        self.assertEqual(review["reviewRating"]["alternateName"], "Holding")
        self.assertEqual(review["dateModified"], "2026-02-10")
        [claim_comment] = review["correction"]
        self.assertTrue(claim_comment["text"].startswith(verdict_change))
        self.assertContains(response, '<meta property="og:url" content="http://127.0.0.1:8000/articles/grid-prices/">')
        self.assertContains(response, '<link rel="canonical" href="http://127.0.0.1:8000/articles/grid-prices/">')
        self.assertContains(response, 'type="application/atom+xml"')


class JsonLdEscapingTests(TestCase):
    def test_reader_text_cannot_close_the_script(self):
        html = json_ld_script({"text": "</script><script>alert(1)</script> & <!--"})
        self.assertEqual(html.count("</script>"), 1)
        self.assertNotIn("<!--", html)
        payload = SCRIPT.search(html).group(1)
        self.assertEqual(json.loads(payload)["text"], "</script><script>alert(1)</script> & <!--")
