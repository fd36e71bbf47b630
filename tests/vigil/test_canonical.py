"""Every public page names one canonical address (vigil/templatetags/canonical.py,
given by base.html): a page reached with a query (filters, a form's ?claim=,
?retired= after a redirect, a cursor) names the page without it, so a crawler
counts one page, not one per query."""

from urllib.parse import urlsplit

from django.test import TestCase

from tests.claims.test_structured_data import SITE, head_of
from tests.site_pages import build_site, desk_pages, reader_pages

# Not indexed (noindex), or not a page: no canonical address.
# Search results are not indexed, whatever was searched, and a 404 names nothing.
def names_none(name):
    return name.startswith("search") or name == "not found"



class CanonicalLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site()

    def pages(self):
        pages = reader_pages(self.site)
        claim = self.site["claim"]
        pages.update({
            "claim, older reviews": f"{claim.get_absolute_url()}?after=MjA",
            "dissent form for a claim": f"{self.site['article'].get_absolute_url()}dissent/?claim={claim.code}",
            "ledger sorted": "/claims/?sort=-verdict",
            "log filtered": "/corrections/?kind=clarification",
            "archive page 1 of a section": "/articles/?section=understanding-ai&page=1",
        })
        return pages

    def test_every_public_page_names_itself_without_its_query(self):
        for name, path in self.pages().items():
            if names_none(name):
                continue
            with self.subTest(name=name, path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(head_of(response).canonical, [f"{SITE}{urlsplit(path).path}"])

    def test_search_and_not_found_pages_name_none(self):
        without = [name for name in reader_pages(self.site) if names_none(name)]
        self.assertGreaterEqual(len(without), 3)
        for name in without:
            with self.subTest(name=name):
                self.assertEqual(head_of(self.client.get(reader_pages(self.site)[name])).canonical, [])

    def test_desk_pages_name_none(self):
        self.client.force_login(self.site["admin"])
        for name, path in desk_pages(self.site).items():
            if name == "article as staff":
                continue
            with self.subTest(name=name):
                self.assertEqual(head_of(self.client.get(path)).canonical, [])
