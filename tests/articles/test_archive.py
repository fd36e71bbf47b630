"""The article archive (/articles/): every published piece, newest first, paged,
filterable by section and pillar, so no article is out of a reader's reach."""

import datetime

from django.test import TestCase

from articles.models import Article
from tests.factories import make_article, make_claim, make_pillar, make_section


class ArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.section = make_section(name="Understanding AI", slug="understanding-ai")
        cls.other_section = make_section(name="Operations", slug="operations")
        cls.pillar = make_pillar(name="Agentic AI governance", slug="governance")
        for n in range(25):
            article = make_article(
                title=f"Piece {n:02d}", slug=f"piece-{n:02d}",
                published_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
                section=cls.section if n % 2 else cls.other_section,
                pillar=cls.pillar if n % 5 == 0 else None,
            )
            make_claim(article=article, is_primary=True)
        make_article(title="Unpublished draft", status=Article.Status.DRAFT, published_on=None, section=cls.section)

    def test_lists_every_published_article_newest_first_in_pages(self):
        first = self.client.get("/articles/")
        content = first.content.decode()
        self.assertContains(first, "25 articles · page 1 of 2")
        self.assertLess(content.index("Piece 24"), content.index("Piece 23"))
        self.assertNotContains(first, "Piece 04")
        self.assertNotContains(first, "Unpublished draft")
        self.assertContains(first, 'href="?page=2" rel="next"')
        second = self.client.get("/articles/?page=2")
        self.assertContains(second, "Piece 00")
        self.assertContains(second, '<link rel="canonical" href="http://127.0.0.1:8000/articles/?page=2">', html=True)

    def test_filters_by_section_and_pillar(self):
        response = self.client.get("/articles/?section=operations&pillar=governance")
        titles = [a.title for a in response.context["articles"]]
        self.assertEqual(titles, ["Piece 20", "Piece 10", "Piece 00"])
        # A filtered list is a view of the one list.
        self.assertContains(response, '<link rel="canonical" href="http://127.0.0.1:8000/articles/">', html=True)

    def test_an_empty_filter_means_all_and_a_bad_one_is_reported_while_the_other_applies(self):
        self.assertEqual(self.client.get("/articles/?section=&pillar=").context["page"].paginator.count, 25)
        response = self.client.get("/articles/?section=nonsense&pillar=governance")
        self.assertEqual(response.context["page"].paginator.count, 5)
        self.assertContains(response, 'id="id_section_error"')
        self.assertContains(response, 'aria-describedby="id_section_error"')

    def test_query_count_does_not_grow_with_the_page(self):
        # The chosen section, the bounded count, both filters' choices, the page, its claims, the footer.
        with self.assertNumQueries(7):
            self.client.get("/articles/?section=understanding-ai")
