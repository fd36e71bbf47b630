from django.test import TestCase

from tests.factories import make_article, make_claim


class ArticlePageSmokeTests(TestCase):
    def test_article_page_shows_claim_code_and_badge(self):
        article = make_article(title="A piece worth checking")
        claim = make_claim(article=article, is_primary=True)
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "A piece worth checking")
        self.assertContains(response, claim.code)
        self.assertContains(response, "Partial")
