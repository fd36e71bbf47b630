import datetime
import re
from html import unescape

from django.core.paginator import EmptyPage
from django.db import connection
from django.http import QueryDict
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from tests.factories import make_article, make_claim, make_section
from vigil.pagination import BoundedPaginator, KeysetPaginator


def next_href(response):
    """The query string of a page's "next" link (templates/includes/keyset_nav.html)."""
    match = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
    assert match, "the page has no next link"
    return unescape(match.group(1))


class BoundedPaginatorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        section = make_section()
        for _ in range(7):
            article = make_article(section=section, published_on=datetime.date(2026, 1, 1))
            make_claim(article=article)

    def test_counts_at_most_max_count_rows(self):
        paginator = BoundedPaginator(Claim.objects.order_by("code"), 2, max_count=5)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(paginator.count, 5)
        self.assertIn("LIMIT 5", captured[0]["sql"])
        self.assertTrue(paginator.count_is_bounded)
        self.assertEqual(paginator.num_pages, 3)

    def test_no_page_past_the_bound(self):
        paginator = BoundedPaginator(Claim.objects.order_by("code"), 2, max_count=5)
        with self.assertRaises(EmptyPage):
            paginator.page(4)

    def test_a_page_number_is_ascii_digits_or_the_first_page(self):
        paginator = BoundedPaginator(Claim.objects.order_by("code"), 2, max_count=100)
        self.assertEqual(paginator.get_page("3").number, 3)
        for text in ["²", "\u0663", "1_0", " 3", "+3", "3.0", ""]:
            with self.subTest(text=text):
                self.assertEqual(paginator.get_page(text).number, 1)

    def test_pages_answer_for_a_superscript_page_number(self):
        for url in ["/claims/?page=%C2%B2", "/corrections/?page=%C2%B2", "/claims/?page=%D9%A3"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_small_lists_count_exactly(self):
        paginator = BoundedPaginator(Claim.objects.order_by("code"), 2, max_count=100)
        self.assertEqual(paginator.count, 7)
        self.assertFalse(paginator.count_is_bounded)
        self.assertEqual(len(paginator.page(4).object_list), 1)


class KeysetPaginatorTests(TestCase):
    """Seven claims due on three days, so the sort key ties on the date and the
    code settles it: every page must still start exactly where the last ended."""

    @classmethod
    def setUpTestData(cls):
        section = make_section()
        for n in range(7):
            article = make_article(section=section, published_on=datetime.date(2026, 1, 1))
            make_claim(article=article, next_review_due=datetime.date(2026, 3, 1 + n % 3))
        cls.in_order = list(Claim.objects.order_by("next_review_due", "code"))

    def walk(self, order, per_page=2):
        paginator = KeysetPaginator(Claim.objects.all(), per_page, order=order)
        page, pages = paginator.page(QueryDict()), []
        while True:
            pages.append(list(page))
            if not page.has_next:
                return paginator, pages
            page = paginator.page(QueryDict(f"after={page.next_cursor}"))

    def test_forward_pages_cover_every_row_once_in_order(self):
        _, pages = self.walk(("next_review_due", "code"))
        self.assertEqual([len(p) for p in pages], [2, 2, 2, 1])
        self.assertEqual([claim for page in pages for claim in page], self.in_order)

    def test_descending_order_too(self):
        _, pages = self.walk(("-next_review_due", "-code"), per_page=3)
        self.assertEqual([claim for page in pages for claim in page], self.in_order[::-1])

    def test_before_goes_back_to_the_same_page(self):
        paginator, pages = self.walk(("next_review_due", "code"))
        third = paginator.page(QueryDict(f"after={paginator.cursor(pages[1][-1])}"))
        back = paginator.page(QueryDict(f"before={third.previous_cursor}"))
        self.assertEqual(list(back), pages[1])
        self.assertTrue(back.has_previous and back.has_next)
        first = paginator.page(QueryDict(f"before={paginator.cursor(pages[1][0])}"))
        self.assertEqual(list(first), pages[0])
        self.assertFalse(first.has_previous)

    def test_a_deep_page_reads_from_its_key_not_an_offset(self):
        paginator = KeysetPaginator(Claim.objects.all(), 2, order=("next_review_due", "code"))
        with CaptureQueriesContext(connection) as captured:
            list(paginator.page(QueryDict(f"after={paginator.cursor(self.in_order[4])}")))
        sql = captured[0]["sql"]
        self.assertNotIn("OFFSET", sql)
        self.assertIn("LIMIT 3", sql)  # the page and one more, to know there is a next

    def test_a_cursor_that_is_not_ours_gives_the_first_page(self):
        paginator = KeysetPaginator(Claim.objects.all(), 2, order=("next_review_due", "code"))
        for junk in ("x", "2026-13-01,AM-1", "2026-03-01", "2026-03-01,AM-1,extra",
                     "２026-03-01,AM-1"):
            with self.subTest(junk=junk):
                page = paginator.page(QueryDict(f"after={junk}"))
                self.assertEqual(list(page), self.in_order[:2])
                self.assertFalse(page.has_previous)

    def test_an_id_in_a_cursor_is_a_whole_number_in_ascii_digits(self):
        paginator = KeysetPaginator(Claim.objects.all(), 2, order=("next_review_due", "pk"))
        for junk in ("2026-03-01,+7", "2026-03-01,١٢", "2026-03-01, 7", "2026-03-01,1_0"):
            with self.subTest(junk=junk):
                self.assertFalse(paginator.page({"after": junk}).has_previous)

    def test_counts_are_bounded(self):
        paginator = KeysetPaginator(Claim.objects.all(), 2, order=("code",), max_count=5)
        self.assertEqual(paginator.count, 5)
        self.assertTrue(paginator.count_is_bounded)

    def test_a_count_at_the_bound_is_kept_and_one_under_it_is_not(self):
        from django.core.cache import cache

        cache.clear()
        long = KeysetPaginator(Claim.objects.all(), 2, order=("code",), max_count=5)
        self.assertEqual(long.count, 5)
        with self.assertNumQueries(0):
            self.assertEqual(KeysetPaginator(Claim.objects.all(), 2, order=("code",), max_count=5).count, 5)
        short = Claim.objects.filter(next_review_due=datetime.date(2026, 3, 1))
        self.assertEqual(KeysetPaginator(short, 2, order=("code",), max_count=5).count, 3)
        with self.assertNumQueries(1):
            KeysetPaginator(short, 2, order=("code",), max_count=5).count


@override_settings(VIGIL_PAGE_CACHE=True, VIGIL_FRAGMENT_CACHE_SECONDS=300, VIGIL_PAGE_CACHE_LOCAL_SECONDS=0)
class KeysetPagesThroughThePageCacheTests(TestCase):
    """With the page cache on, a keyset link is a page of its own: the cache
    keeps ?after= and ?before= in the page's key, and the view reads them."""

    def setUp(self):
        from django.core.cache import cache

        cache.clear()

    def test_the_ledger_log_and_claim_reviews_page_on_through_the_cache(self):
        from corrections.views import LOG_PAGE_SIZE
        from reviews.views import CLAIM_PAGE_REVIEWS
        from tests.claims.test_views import many_claims, many_reviews
        from tests.factories import make_correction, make_editor

        claims = many_claims(60, pillars=[])
        article = claims[0].article
        for n in range(LOG_PAGE_SIZE + 5):
            make_correction(article=article, text=f"Entry {n}.")
        many_reviews(claims[0], CLAIM_PAGE_REVIEWS + 3, editor=make_editor())
        for url in ("/claims/", "/corrections/", claims[0].get_absolute_url()):
            with self.subTest(url=url):
                first = self.client.get(url)
                second = self.client.get(url + next_href(first))
                self.assertEqual(second.status_code, 200)
                self.assertNotEqual(first.content, second.content)
                self.assertIn('rel="prev"', second.content.decode())
                self.assertNotIn('rel="prev"', self.client.get(url).content.decode())
