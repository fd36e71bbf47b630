import datetime

from django.core.paginator import EmptyPage
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from tests.factories import make_article, make_claim, make_section
from vigil.pagination import BoundedPaginator


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
