import datetime
import xml.etree.ElementTree as ET

from django.test import TestCase

from articles.models import Article
from tests.factories import make_article, make_claim, make_pillar

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class SitemapTests(TestCase):
    def test_lists_only_published_unretired_articles_their_claims_and_pillars(self):
        pillar = make_pillar(slug="energy")
        live = make_article(slug="live-piece", pillar=pillar)
        draft = make_article(slug="draft-piece", status=Article.Status.DRAFT, published_on=None)
        retired = make_article(
            slug="retired-piece", status=Article.Status.RETIRED, redirect_to=live,
            published_on=datetime.date(2025, 1, 1),
        )
        live_claim = make_claim(article=live, is_primary=True)
        draft_claim = make_claim(article=draft, is_primary=True)
        retired_claim = make_claim(article=retired, is_primary=True)

        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        urls = {loc.text for loc in ET.fromstring(response.content).iter(f"{SM}loc")}
        paths = {url.removeprefix("http://testserver") for url in urls}
        self.assertIn("/articles/live-piece/", paths)
        self.assertIn(f"/claims/{live_claim.code}/", paths)
        self.assertIn("/pillars/energy/", paths)
        self.assertIn("/how-this-works/", paths)
        self.assertNotIn("/articles/draft-piece/", paths)
        self.assertNotIn("/articles/retired-piece/", paths)
        self.assertNotIn(f"/claims/{draft_claim.code}/", paths)
        self.assertNotIn(f"/claims/{retired_claim.code}/", paths)

    def test_query_count_is_fixed(self):
        for _ in range(6):
            make_claim(article=make_article(pillar=make_pillar()), is_primary=True)
        # A count and a page per section that has rows: articles, claims, pillars, sections.
        with self.assertNumQueries(8):
            self.client.get("/sitemap.xml")

    def test_lists_sections_the_archive_and_the_corrections_policy(self):
        from tests.factories import make_section

        make_section(slug="understanding-ai")
        content = self.client.get("/sitemap.xml").content.decode()
        for path in ("/sections/understanding-ai/", "/articles/", "/corrections/policy/"):
            self.assertIn(f"<loc>http://testserver{path}</loc>", content)


class RobotsTests(TestCase):
    def test_points_at_the_sitemap_and_keeps_crawlers_off_the_desk(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        text = response.content.decode()
        self.assertIn("Sitemap: http://testserver/sitemap.xml", text)
        self.assertIn("Disallow: /desk/", text)
        self.assertIn("Disallow: /admin/", text)

    def test_head_answers_with_the_headers_of_get(self):
        get, head = self.client.get("/robots.txt"), self.client.head("/robots.txt")
        self.assertEqual((get.status_code, head.status_code), (200, 200))
        self.assertEqual(head.content, b"")
        for header in ("Content-Type", "Content-Length", "Cache-Control"):
            self.assertEqual(head.get(header), get.get(header), header)

    def test_a_write_answers_405_naming_the_methods_allowed(self):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post("/robots.txt")
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "GET, HEAD")
        self.assertNotIn("CSRF", response.content.decode())
