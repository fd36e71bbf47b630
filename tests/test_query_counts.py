"""Performance budget, as tests: each public page makes the same number of
queries however much content there is, and anonymous readers share one cached
copy of a page that is thrown away as soon as the content changes.

Query counts are pinned with the page cache off (it would hide every query)
and after one warm-up request (the footer's reviewed-count is cached site-wide,
so the steady state is what readers pay).
"""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import FieldFetchBlocked
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim
from tests.factories import (
    make_article,
    make_claim,
    make_correction,
    make_editor,
    make_pillar,
    make_section,
)
from vigil.cachetags import tags_of
from vigil.freshness import content_changed, tags_changed
from vigil.pagecache import CACHE_STATUS_HEADER

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def publish(*, articles, claims_each=3, entries_each=2, pillar=None, section=None):
    """`articles` published pieces, each with claims (the first primary),
    evidence triggers and correction-log entries."""
    pillar = pillar or make_pillar()
    section = section or make_section()
    made = []
    for number in range(articles):
        article = make_article(
            pillar=pillar, section=section, published_on=datetime.date(2026, 1, 1 + number % 28)
        )
        for position in range(claims_each):
            make_claim(
                article=article,
                is_primary=position == 0,
                triggers=["A new survey finds no effect.", "The regulator withdraws the figure."],
            )
        for _ in range(entries_each):
            make_correction(article=article)
        made.append(article)
    return made


def queries_for(client, url):
    client.get(url)  # warm-up: the footer's site-wide count is cached after this
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@time_machine.travel(FROZEN, tick=False)
@override_settings(VIGIL_PAGE_CACHE=False)
class PageQueryCountTests(TestCase):
    """The number of queries of each page does not grow with the content."""

    def assert_constant(self, small_url, large_url, expected):
        small = queries_for(self.client, small_url)
        large = queries_for(self.client, large_url)
        self.assertEqual(small, large, f"{small_url}: {small} queries, {large_url}: {large}")
        with self.assertNumQueries(expected):
            self.client.get(large_url)

    def test_home_page(self):
        publish(articles=3)
        small = queries_for(self.client, reverse("articles:home"))
        publish(articles=30)
        with self.assertNumQueries(small):
            response = self.client.get(reverse("articles:home"))
        # articles with section and pillar; their primary claims; recent verdict changes
        self.assertEqual(small, 3)
        # the lead piece, then eleven cards
        self.assertContains(response, '<article class="lead-story', count=1)
        self.assertContains(response, "<li class=\"article-card\">", count=11)

    def test_article_page_with_3_or_30_claims_and_entries(self):
        pillar = make_pillar()
        [small] = publish(articles=1, claims_each=3, entries_each=3, pillar=pillar)
        [large] = publish(articles=1, claims_each=30, entries_each=30, pillar=pillar)
        # conditional-GET validators, article, claims, their triggers, correction entries,
        # their amendments, their public sign-off questions, pillar count, open rewrite (the
        # JSON-LD's last verdict change is the claim's own column: no query)
        self.assert_constant(small.get_absolute_url(), large.get_absolute_url(), 9)

    def test_claim_page(self):
        [small] = publish(articles=1, claims_each=3, entries_each=3)
        [large] = publish(articles=1, claims_each=30, entries_each=30)
        # validators, claim, its reviews' days and verdicts (the chart), the latest
        # reviews, material dissent, its correction entries (JSON-LD); with reviews,
        # one more for the dissent weighed in them (tests/claims/test_views.py)
        self.assert_constant(
            small.claims.first().get_absolute_url(), large.claims.first().get_absolute_url(), 6
        )

    def test_claim_ledger(self):
        publish(articles=1)
        small = queries_for(self.client, reverse("claims:ledger"))
        publish(articles=30)
        self.assertEqual(queries_for(self.client, reverse("claims:ledger")), small)

    def test_correction_log(self):
        publish(articles=1, entries_each=3)
        small = queries_for(self.client, reverse("corrections:log"))
        publish(articles=30, entries_each=3)
        self.assertEqual(queries_for(self.client, reverse("corrections:log")), small)
        self.assertEqual(small, 4)  # the filter's pillars, the page's entries, their amendments, their count

    def test_pillar_and_section_pages(self):
        pillar, section = make_pillar(), make_section()
        publish(articles=3, pillar=pillar, section=section)
        small = [queries_for(self.client, pillar.get_absolute_url()),
                 queries_for(self.client, section.get_absolute_url())]
        publish(articles=30, pillar=pillar, section=section)
        self.assertEqual(
            [queries_for(self.client, pillar.get_absolute_url()),
             queries_for(self.client, section.get_absolute_url())],
            small,
        )


class NPlusOneDetectorTests(TestCase):
    """tests/fetch_modes.py, switched on for every test by tests/conftest.py."""

    def test_lazy_load_for_each_row_of_a_list_raises(self):
        publish(articles=2, claims_each=1)
        with self.assertRaisesMessage(FieldFetchBlocked, "N+1: Claim.article"):
            [claim.article.title for claim in Claim.objects.all()]

    def test_lazy_load_of_a_single_row_is_allowed(self):
        publish(articles=2, claims_each=1)
        claim = Claim.objects.get(pk=Claim.objects.values_list("pk", flat=True).first())
        self.assertTrue(claim.article.title)

    def test_select_related_list_is_fine(self):
        publish(articles=2, claims_each=1)
        with self.assertNumQueries(1):
            titles = [claim.article.title for claim in Claim.objects.select_related("article")]
        self.assertEqual(len(titles), 2)


@time_machine.travel(FROZEN, tick=False)
@override_settings(VIGIL_PAGE_CACHE=True, VIGIL_FRAGMENT_CACHE_SECONDS=3600)
class PageCacheTests(TestCase):
    """vigil/pagecache.py: one copy per page for every anonymous reader."""

    def setUp(self):
        [self.article] = publish(articles=1)
        self.url = self.article.get_absolute_url()

    def test_anonymous_readers_get_the_cached_copy_without_queries(self):
        first = self.client.get(self.url)
        self.assertEqual(first[CACHE_STATUS_HEADER], "miss")
        with self.assertNumQueries(0):
            second = self.client.get(self.url)
        self.assertEqual(second[CACHE_STATUS_HEADER], "hit")
        self.assertEqual(second.content, first.content)

    def test_staff_notes_never_reach_a_reader_through_the_cache(self):
        """An editor's view of the article carries staff-only notes (a sign-off
        question marked internal); the page and fragment caches must not hand them on."""
        from corrections.models import CorrectionEntry
        from tests.factories import make_entry
        from tests.factories import make_admin

        make_entry(
            article=self.article,
            kind=CorrectionEntry.Kind.UPDATE,
            text="Updated the figures.",
            signoff_question="REVIEW: assess whether the framing still fits.",
            signoff_addressed_to=make_admin(),
            signoff_internal=True,
        )
        _as_an_action_would(self.article)
        editor = make_editor()
        self.client.force_login(editor)
        self.assertContains(self.client.get(self.url), "REVIEW: assess whether")
        self.client.logout()
        self.client.cookies.clear()
        for _ in range(2):  # the miss that fills the cache, then the hit
            response = self.client.get(self.url)
            self.assertContains(response, "Updated the figures.")
            self.assertNotContains(response, "REVIEW: assess whether")
        self.assertEqual(response[CACHE_STATUS_HEADER], "hit")

    def test_head_is_answered_from_the_copy(self):
        self.client.get(self.url)
        with self.assertNumQueries(0):
            response = self.client.head(self.url)
        self.assertEqual(response.status_code, 200)

    def test_purging_its_tags_throws_the_copy_away(self):
        self.client.get(self.url)
        self.article.title = "A corrected headline"
        self.article.save()
        self.assertNotContains(self.client.get(self.url), "A corrected headline")
        _as_an_action_would(self.article)
        response = self.client.get(self.url)
        self.assertEqual(response[CACHE_STATUS_HEADER], "miss")
        self.assertContains(response, "A corrected headline")

    def test_a_service_commit_refreshes_the_page(self):
        """Actions purge their tags on commit; a new claim shows at once."""
        self.client.get(self.url)
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                claim = make_claim(article=self.article)
                transaction.on_commit(lambda: _as_an_action_would(self.article))
        self.assertContains(self.client.get(self.url), claim.code)

    def test_signed_in_people_never_get_the_cached_copy(self):
        self.client.get(self.url)
        self.client.force_login(make_editor())
        response = self.client.get(self.url)
        self.assertNotIn(CACHE_STATUS_HEADER, response)

    def test_copy_carries_an_etag_and_a_matching_conditional_get_is_304(self):
        etag = self.client.get(self.url)["ETag"]
        with self.assertNumQueries(0):
            response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 304)
        self.assertEqual(response["ETag"], etag)

    def test_an_old_etag_gets_the_new_page_after_a_change(self):
        etag = self.client.get(self.url)["ETag"]
        self.article.title = "A corrected headline"
        self.article.save()
        _as_an_action_would(self.article)
        response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A corrected headline")
        self.assertNotEqual(response["ETag"], etag)

    def test_a_change_elsewhere_keeps_the_copy_and_its_304(self):
        """Tags, not one site-wide version: another article's review leaves
        this copy (and its validators) as they were."""
        [other] = publish(articles=1)
        etag = self.client.get(self.url)["ETag"]
        tags_changed(tags_of(other))
        with self.assertNumQueries(0):
            again = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)

    @override_settings(VIGIL_PAGE_CACHE_LOCAL_SECONDS=60)
    def test_a_worker_answers_from_memory_and_sees_changes_after_the_interval(self):
        from vigil import freshness, pagecache

        pagecache.forget_local_state()
        etag = self.client.get(self.url)["ETag"]
        with mock.patch.object(freshness, "cache", wraps=freshness.cache) as shared_cache:
            response = self.client.get(self.url, headers={"if-none-match": etag})
            again = self.client.get(self.url)
        self.assertEqual(response.status_code, 304)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again[CACHE_STATUS_HEADER], "hit")
        shared_cache.get.assert_not_called()
        shared_cache.get_many.assert_not_called()

        self.article.title = "A corrected headline"
        self.article.save()
        _as_an_action_would(self.article)
        # Within the interval this worker still trusts the version it read...
        response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 304)
        # ...and once it has passed, it reads the new one.
        pagecache._local_versions.update(
            (tag, (version, read_at - 61)) for tag, (version, read_at) in pagecache._local_versions.items()
        )
        response = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A corrected headline")
        pagecache.forget_local_state()

    def test_htmx_requests_get_their_own_copy(self):
        self.client.get(self.url)
        response = self.client.get(self.url, headers={"hx-request": "true"})
        self.assertEqual(response[CACHE_STATUS_HEADER], "miss")

    def test_query_string_is_part_of_the_key(self):
        self.client.get(reverse("claims:ledger"))
        response = self.client.get(reverse("claims:ledger") + "?verdict=holding")
        self.assertEqual(response[CACHE_STATUS_HEADER], "miss")

    def test_random_query_strings_add_no_copies(self):
        """Issue 18: the key keeps only the parameters a page reads. 300
        random ?utm_x= add no cache entries beyond the first, and the page
        itself never sees them (its links do not echo them to other readers)."""
        import secrets

        from django.core.cache import cache

        ledger = reverse("claims:ledger")
        first = self.client.get(f"{ledger}?verdict=holding&utm_x={secrets.token_hex(8)}")
        self.assertEqual(first[CACHE_STATUS_HEADER], "miss")
        entries = _cache_entries(cache)
        for _ in range(300):
            junk = f"utm_x={secrets.token_hex(8)}&{secrets.token_hex(4)}={secrets.token_hex(4)}"
            response = self.client.get(f"{ledger}?{junk}&verdict=holding")
            self.assertEqual(response[CACHE_STATUS_HEADER], "hit")
        self.assertEqual(_cache_entries(cache), entries)
        self.assertNotContains(response, "utm_x")

    def test_missing_pages_are_not_kept(self):
        self.client.get("/articles/no-such-piece/")
        response = self.client.get("/articles/no-such-piece/")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(CACHE_STATUS_HEADER, response)


@pytest.mark.django_db
class TestPageWithAFormIsNotShared:
    """A page that puts a CSRF token in a form is someone's own page."""

    @pytest.fixture
    def form_page(self, settings):
        from django.http import HttpResponse
        from django.template import engines
        from django.urls import path

        from vigil.pagecache import public_page

        @public_page
        def page_with_form(request):
            template = engines["django"].from_string(
                "<form method='post'>{% csrf_token %}<button>Send</button></form>"
            )
            return HttpResponse(template.render({}, request))

        @public_page
        def page_using_session(request):
            request.session.get("seen")
            return HttpResponse("hello")

        settings.ROOT_URLCONF = type(
            "urls",
            (),
            {"urlpatterns": [path("form/", page_with_form), path("session/", page_using_session)]},
        )
        return "/form/"

    def test_two_visitors_get_different_tokens(self, client, form_page):
        from django.test import Client

        first = client.get(form_page)
        second = Client().get(form_page)
        assert first.status_code == second.status_code == 200
        assert CACHE_STATUS_HEADER not in second
        marker = 'name="csrfmiddlewaretoken" value="'
        tokens = [r.content.decode().split(marker)[1][:64] for r in (first, second)]
        assert tokens[0] != tokens[1]

    def test_page_that_touched_the_session_is_not_kept(self, client, form_page):
        client.get("/session/")
        assert CACHE_STATUS_HEADER not in client.get("/session/")


@time_machine.travel(FROZEN, tick=False)
@override_settings(VIGIL_PAGE_CACHE=True, VIGIL_FRAGMENT_CACHE_SECONDS=3600)
class FragmentCacheTests(TestCase):
    """Where the whole page is not shared (a signed-in editor, a reader with a
    session), the article's claims and correction-log entries are per-object
    fragments (vigil.objectcache), each kept by its own object's tag versions."""

    def setUp(self):
        [self.article] = publish(articles=1, claims_each=2, entries_each=2)
        self.client.force_login(make_editor())

    def test_claims_fragment_is_reused_until_the_content_changes(self):
        url = self.article.get_absolute_url()
        claim = self.article.claims.get(is_primary=False)
        self.client.get(url)
        Claim.objects.filter(pk=claim.pk).update(statement="A reworded statement.")
        self.assertNotContains(self.client.get(url), "A reworded statement.")
        # An action changing a claim touches the claim (and so its article).
        _as_an_action_would(claim)
        self.assertContains(self.client.get(url), "A reworded statement.")

    def test_correction_log_fragment_follows_a_new_entry(self):
        url = self.article.get_absolute_url()
        self.client.get(url)
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                make_correction(article=self.article, text="Corrected the survey year.")
                transaction.on_commit(lambda: _as_an_action_would(self.article))
        self.assertContains(self.client.get(url), "Corrected the survey year.")


class PillarBoxCountTests(TestCase):
    """The pillar box's count is taken without an id filter (an index-only scan);
    it must still leave the article itself out, and drafts."""

    def test_counts_the_other_published_pieces(self):
        pillar = make_pillar()
        article, *_ = publish(articles=3, claims_each=1, entries_each=0, pillar=pillar)
        make_article(pillar=pillar, status="draft", published_on=None)
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "2 other pieces in this pillar")


def _cache_entries(cache):
    """How many keys the cache holds (local memory or Redis)."""
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):
        return len(cache._cache)
    client = cache._cache.get_client(write=False)
    return client.dbsize()


def _as_an_action_would(*objects):
    """What the pipeline's after-commit hooks do for an action touching `objects`
    (vigil.purgers.purge_event and content_changed)."""
    tags_changed(tags_of(*objects))
    content_changed()
