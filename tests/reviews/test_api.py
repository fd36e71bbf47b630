import datetime

import time_machine
from django.test import Client, TestCase

from articles.models import Article
from tests.discovery import record_verdict_change
from tests.factories import make_article, make_claim, make_correction, make_pillar

TODAY = datetime.date(2026, 3, 1)


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class ApiTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.energy = make_pillar(slug="energy")
        cls.minds = make_pillar(slug="minds")
        cls.overdue = make_claim(
            article=make_article(pillar=cls.energy), is_primary=True, verdict="holding",
            next_review_due=TODAY - datetime.timedelta(days=3),
        )
        cls.due_soon = make_claim(
            article=make_article(pillar=cls.minds), is_primary=True, verdict="partial",
            next_review_due=TODAY + datetime.timedelta(days=2),
        )
        cls.scheduled = make_claim(
            article=make_article(pillar=cls.minds), is_primary=True, verdict="not_holding",
            next_review_due=TODAY + datetime.timedelta(days=40),
        )
        cls.draft = make_claim(
            article=make_article(status=Article.Status.DRAFT, published_on=None), is_primary=True
        )

    def codes(self, response):
        self.assertEqual(response.status_code, 200, response.content)
        return [row["code"] for row in response.json()["results"]]


class ClaimListTests(ApiTestCase):
    def test_lists_claims_of_published_articles_in_stable_order(self):
        response = self.client.get("/api/claims/")
        self.assertEqual(self.codes(response), [self.overdue.code, self.due_soon.code, self.scheduled.code])
        row = response.json()["results"][0]
        self.assertEqual(row["verdict"], "holding")
        self.assertEqual(row["due_status"], "overdue")
        self.assertEqual(row["article"]["pillar"], "energy")

    def test_an_empty_filter_means_all_as_on_the_ledger(self):
        everything = self.codes(self.client.get("/api/claims/"))
        response = self.client.get("/api/claims/?pillar=&verdict=&due=")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.codes(response), everything)

    def test_filters_by_verdict_pillar_and_due_status(self):
        self.assertEqual(self.codes(self.client.get("/api/claims/?verdict=partial")), [self.due_soon.code])
        self.assertEqual(
            self.codes(self.client.get("/api/claims/?pillar=minds")), [self.due_soon.code, self.scheduled.code]
        )
        self.assertEqual(self.codes(self.client.get("/api/claims/?due=overdue")), [self.overdue.code])
        self.assertEqual(self.codes(self.client.get("/api/claims/?due=due_soon")), [self.due_soon.code])
        self.assertEqual(self.codes(self.client.get("/api/claims/?due=scheduled")), [self.scheduled.code])
        self.assertEqual(
            self.codes(self.client.get("/api/claims/?pillar=minds&verdict=not_holding")), [self.scheduled.code]
        )

    def test_changed_since(self):
        with time_machine.travel("2026-03-05 09:00 +0000", tick=False):
            record_verdict_change(self.due_soon, to="holding", on=datetime.date(2026, 3, 5))
        self.assertEqual(
            self.codes(self.client.get("/api/claims/?changed_since=2026-03-04")), [self.due_soon.code]
        )
        self.assertEqual(
            self.codes(self.client.get("/api/claims/?changed_since=2026-03-05T10:00:00%2B00:00")), []
        )

    def test_pages_with_a_cursor_until_the_end(self):
        first = self.client.get("/api/claims/?page_size=2").json()
        self.assertEqual(first["count"], 3)
        self.assertEqual([r["code"] for r in first["results"]], [self.overdue.code, self.due_soon.code])
        next_path = first["next"].removeprefix("http://127.0.0.1:8000")
        second = self.client.get(next_path).json()
        self.assertEqual([r["code"] for r in second["results"]], [self.scheduled.code])
        self.assertIsNone(second["next"])

    def test_bad_values_answer_400_naming_the_parameter(self):
        for query, parameter in [
            ("verdict=maybe", "verdict"),
            ("pillar=nope", "pillar"),
            ("due=tomorrow", "due"),
            ("changed_since=yesterday", "changed_since"),
            ("changed_since=2026-13-45", "changed_since"),
            ("page_size=0", "page_size"),
            ("page_size=1000", "page_size"),
            ("page_size=-1", "page_size"),
            # Digits int() or isdigit() accept but a page size is not written in.
            ("page_size=%C2%B2", "page_size"),  # ² superscript two
            ("page_size=%D9%A1%D9%A0", "page_size"),  # ١٠ Arabic-Indic ten
            ("page_size=1_0", "page_size"),
            ("page_size=+5", "page_size"),
            ("page_size=%205", "page_size"),
            ("cursor=YWZ0ZXI6wrI", "cursor"),  # "after:²"
            ("cursor=%%%", "cursor"),
            ("cursor=bm9wZQ", "cursor"),
        ]:
            with self.subTest(query):
                response = self.client.get(f"/api/claims/?{query}")
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["parameter"], parameter)
                self.assertIn(parameter, response.json()["error"])

    def test_answers_304_to_if_none_match_until_a_claim_changes(self):
        response = self.client.get("/api/claims/?pillar=minds")
        etag = response["ETag"]
        self.assertTrue(response["Last-Modified"])
        with self.assertNumQueries(2):  # the pillar check and one aggregate
            again = self.client.get("/api/claims/?pillar=minds", headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        with time_machine.travel("2026-03-01 10:05 +0000", tick=False):
            record_verdict_change(self.scheduled, to="partial", on=TODAY)
        self.assertEqual(
            self.client.get("/api/claims/?pillar=minds", headers={"if-none-match": etag}).status_code, 200
        )

    def test_answers_304_to_if_modified_since(self):
        last_modified = self.client.get("/api/claims/")["Last-Modified"]
        response = self.client.get("/api/claims/", headers={"if-modified-since": last_modified})
        self.assertEqual(response.status_code, 304)

    def test_answers_and_their_304s_may_be_kept_a_minute_but_errors_not(self):
        response = self.client.get("/api/claims/")
        self.assertTrue(response["Cache-Control"].startswith("public, max-age=0, s-maxage="))
        again = self.client.get("/api/claims/", headers={"if-none-match": response["ETag"]})
        self.assertEqual((again.status_code, again["Cache-Control"]), (304, response["Cache-Control"]))
        bad = self.client.get("/api/claims/?due=someday")
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(bad.has_header("ETag"))
        self.assertFalse(bad.has_header("Cache-Control"))

    def test_query_count_is_fixed_however_many_claims(self):
        for _ in range(10):
            make_claim(article=make_article(pillar=self.minds), is_primary=True)
        with self.assertNumQueries(2):
            self.client.get("/api/claims/")

    def test_writes_are_refused(self):
        self.assertEqual(self.client.post("/api/claims/").status_code, 405)


# The headers a client reads from HEAD instead of fetching the whole answer.
HEAD_HEADERS = ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control", "Vary")


class ReadOnlyMethodTests(ApiTestCase):
    """A tool that sends a write gets the API's own answer, not the CSRF page
    meant for a person; HEAD answers as GET would, without the body."""

    def setUp(self):
        # As a tool calls it: no CSRF cookie, and the CSRF check on.
        self.tool = Client(enforce_csrf_checks=True)

    def urls(self):
        return [
            "/api/claims/", f"/api/claims/{self.overdue.code}/",
            f"/api/claims/{self.overdue.code}/reviews/", "/api/openapi.json",
        ]

    def test_unsafe_methods_answer_405_in_json_with_allow(self):
        for url in self.urls():
            for method in ("post", "put", "patch", "delete"):
                with self.subTest(url=url, method=method):
                    response = getattr(self.tool, method)(url, data="{}", content_type="application/json")
                    self.assertEqual(response.status_code, 405)
                    self.assertEqual(response["Content-Type"], "application/json")
                    self.assertEqual(response["Allow"], "GET, HEAD")
                    body = response.json()
                    self.assertIn(method.upper(), body["error"])
                    self.assertEqual(body["allowed"], ["GET", "HEAD"])
                    self.assertNotIn("CSRF", response.content.decode())

    def test_head_answers_with_the_headers_of_get_and_no_body(self):
        for url in self.urls():
            with self.subTest(url=url):
                get, head = self.tool.get(url), self.tool.head(url)
                self.assertEqual((get.status_code, head.status_code), (200, 200))
                self.assertEqual(head.content, b"")
                for header in HEAD_HEADERS:
                    self.assertEqual(head.get(header), get.get(header), header)
                self.assertTrue(head.has_header("Content-Length"))

    def test_head_of_an_unknown_claim_is_404(self):
        self.assertEqual(self.tool.head("/api/claims/XX-999/").status_code, 404)


class ClaimDetailTests(ApiTestCase):
    def test_one_claim_with_reviews_article_and_corrections(self):
        record_verdict_change(self.scheduled, to="partial", on=datetime.date(2026, 2, 20), reasoning="New data.")
        # the validators (vigil.conditional, before anything is built), the claim
        # with its article, its triggers, reviews and correction entries
        with self.assertNumQueries(5):
            response = self.client.get(f"/api/claims/{self.scheduled.code}/")
        data = response.json()
        self.assertEqual(data["code"], self.scheduled.code)
        self.assertEqual(data["verdict"], "partial")
        [review] = data["reviews"]
        self.assertEqual(
            (review["verdict_before"], review["verdict_after"], review["reasoning"]),
            ("not_holding", "partial", "New data."),
        )
        self.assertTrue(review["verdict_changed"])
        # The review service dated the change in the article's correction log.
        [correction] = data["corrections"]
        self.assertEqual(
            correction["text"],
            f"Verdict on {self.scheduled.code} changed from Not holding to Partial after review. New data.",
        )
        self.assertEqual(data["article"]["title"], self.scheduled.article.title)

    def test_unknown_and_unpublished_codes_are_404_json(self):
        for code in ["ZZ-999", self.draft.code]:
            response = self.client.get(f"/api/claims/{code}/")
            self.assertEqual(response.status_code, 404)
            self.assertIn("error", response.json())

    def test_answers_304_to_if_none_match(self):
        url = f"/api/claims/{self.overdue.code}/"
        etag = self.client.get(url)["ETag"]
        with self.assertNumQueries(1):
            self.assertEqual(self.client.get(url, headers={"if-none-match": etag}).status_code, 304)
        make_correction(article=self.overdue.article, claim=self.overdue)
        self.assertEqual(self.client.get(url, headers={"if-none-match": etag}).status_code, 200)


class OpenApiTests(TestCase):
    def test_describes_every_operation_in_openapi_3_1(self):
        data = self.client.get("/api/openapi.json").json()
        self.assertEqual(data["openapi"], "3.1.0")
        self.assertEqual(set(data["paths"]), {"/claims/", "/claims/{code}/", "/claims/{code}/reviews/"})
        names = {p["name"] for p in data["paths"]["/claims/"]["get"]["parameters"]}
        self.assertLessEqual({"verdict", "pillar", "due", "changed_since", "cursor", "page_size"}, names)
        self.assertTrue(data["servers"][0]["url"].endswith("/api/"))
