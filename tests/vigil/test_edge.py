"""HTTP caching an edge can use (vigil.pagecache, vigil.cachetags,
vigil.purgers): Cache-Control that says what is true, tags per page, purges
of exactly the touched tags after commit, through the outbox."""

import datetime
import http.server
import threading
import zoneinfo

import time_machine
from django.utils import timezone
from django.conf import settings
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Page
from claims.models import Verdict
from reviews.services import review_record
from tests.factories import make_editor, make_entry
from tests.test_query_counts import publish
from vigil.models import OutboxMessage
from vigil.notifications import outbox_drain
from vigil.pagecache import CACHE_STATUS_HEADER
from vigil.purgers import EDGE_PURGE

LONDON = zoneinfo.ZoneInfo("Europe/London")
# Ten minutes before the publication's midnight.
LATE_EVENING = datetime.datetime(2026, 3, 10, 23, 50, tzinfo=LONDON)
TO_MIDNIGHT = 600


def edge(**changes):
    return override_settings(VIGIL_EDGE={**settings.VIGIL_EDGE, **changes})


def cache_control(response):
    parts = {}
    for part in response["Cache-Control"].split(","):
        name, _, value = part.strip().partition("=")
        parts[name] = int(value) if value.isdigit() else True
    return parts


def tags(response):
    return set(response["xkey"].split())


class RecordingPurger:
    """An edge that keeps what it was asked to purge (VIGIL_PURGER accepts a class path)."""

    purged = []

    def purge(self, tags):
        RecordingPurger.purged.append(set(tags))


@time_machine.travel(LATE_EVENING, tick=False)
@edge(S_MAXAGE=24 * 60 * 60)
class CacheControlTests(TestCase):
    def setUp(self):
        [self.article] = publish(articles=1, claims_each=2)
        self.claim = self.article.claims.get(is_primary=True)
        Page.objects.get_or_create(slug=Page.METHOD_SLUG, defaults={"title": "How this works", "body_markdown": "Method."})

    def public_pages(self):
        article, claim = self.article, self.claim
        pillar, section = article.pillar, article.section
        return {
            "home": (reverse("articles:home"), {"site", "articles", "claims"}),
            "article": (
                article.get_absolute_url(),
                {"site", f"a:{article.slug}", f"c:{claim.code}", f"p:{pillar.slug}", f"s:{section.slug}"},
            ),
            "claim": (claim.get_absolute_url(), {"site", f"c:{claim.code}", f"a:{article.slug}"}),
            "ledger": (reverse("claims:ledger"), {"site", "claims", "articles", "pillars"}),
            "pillars": (reverse("articles:pillars"), {"site", "pillars", "articles", "claims"}),
            "pillar": (pillar.get_absolute_url(), {"site", f"p:{pillar.slug}", "articles"}),
            "section": (section.get_absolute_url(), {"site", f"s:{section.slug}", "articles"}),
            "method": (reverse("articles:method"), {"site", f"pg:{Page.METHOD_SLUG}"}),
            "search": (reverse("claims:search") + "?q=statement", {"site", "articles", "claims"}),
            "correction log": (reverse("corrections:log"), {"site", "articles"}),
            "policy": (reverse("corrections:policy"), {"site"}),
            "feed": (reverse("feeds:articles"), {"site", "articles", "claims"}),
            "verdicts feed": (reverse("feeds:verdicts"), {"site", "claims"}),
            "api list": (reverse("api:claims"), {"site", "claims"}),
            "api claim": (reverse("api:claim", args=[claim.code]), {"site", f"c:{claim.code}"}),
        }

    def test_every_public_page_is_public_until_midnight_at_most_with_its_tags(self):
        for name, (url, expected) in self.public_pages().items():
            with self.subTest(name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                control = cache_control(response)
                self.assertIn("public", control)
                self.assertLessEqual(control["s-maxage"], TO_MIDNIGHT)
                self.assertGreater(control["s-maxage"], 0)
                self.assertLessEqual(control["max-age"], 60)
                self.assertLessEqual(control["s-maxage"] + control["stale-while-revalidate"], TO_MIDNIGHT)
                self.assertIn("stale-if-error", control)
                self.assertLessEqual(expected, tags(response))
                # The same tags for every edge cache, in each one's header.
                self.assertEqual(set(response["Surrogate-Key"].split()), tags(response))
                self.assertEqual(set(response["Cache-Tag"].split(",")), tags(response))
                self.assertIn("Cookie", response["Vary"])
                self.assertIn("HX-Request", response["Vary"])

    def test_an_article_page_is_not_tagged_with_other_articles(self):
        [other] = publish(articles=1)
        response = self.client.get(self.article.get_absolute_url())
        self.assertNotIn(f"a:{other.slug}", tags(response))
        self.assertNotIn("articles", tags(response))

    def test_at_noon_the_edge_keeps_the_configured_time(self):
        with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON), tick=False):
            control = cache_control(self.client.get(self.article.get_absolute_url()))
        self.assertEqual(control["s-maxage"], 12 * 60 * 60)  # capped by midnight, not by the day

    def test_without_a_purger_shared_caches_keep_a_minute(self):
        with edge(S_MAXAGE=60):
            control = cache_control(self.client.get(self.article.get_absolute_url()))
        self.assertEqual(control["s-maxage"], 60)

    def test_signed_in_pages_are_private_and_untagged(self):
        self.client.force_login(make_editor())
        for url in (self.article.get_absolute_url(), reverse("reviews:queue"), reverse("corrections:log")):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response["Cache-Control"], "private, no-store")
                self.assertFalse(response.has_header("xkey"))

    def test_a_page_with_a_form_token_is_private(self):
        response = self.client.get(reverse("dissent:submit", args=[self.article.slug]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_a_browser_holding_the_readers_copy_gets_no_304_for_the_staff_view(self):
        """Issue 11: the signed-in editor's article page has its own validators."""
        make_entry(
            article=self.article,
            text="Updated the figures.",
            signoff_question="REVIEW: assess whether the framing still fits.",
            signoff_addressed_to=make_editor(),
        )
        url = self.article.get_absolute_url()
        reader = self.client.get(url)
        self.assertEqual(self.client.get(url, headers={"if-none-match": reader["ETag"]}).status_code, 304)
        self.client.force_login(make_editor())
        staff = self.client.get(url, headers={"if-none-match": reader["ETag"]})
        self.assertEqual(staff.status_code, 200)
        self.assertContains(staff, "REVIEW: assess whether")
        self.assertNotEqual(staff["ETag"], reader["ETag"])
        self.assertEqual(staff["Cache-Control"], "private, no-store")
        # Their own validators still save them a download.
        self.assertEqual(self.client.get(url, headers={"if-none-match": staff["ETag"]}).status_code, 304)


@time_machine.travel(LATE_EVENING, tick=False)
@override_settings(VIGIL_PAGE_CACHE=True)
@edge(PURGER="tests.vigil.test_edge.RecordingPurger")
class PurgeOnReviewTests(TestCase):
    def setUp(self):
        RecordingPurger.purged.clear()
        self.article, self.other = publish(articles=2, claims_each=2)
        self.claim = self.article.claims.get(is_primary=True)
        # Reviewed before: the footer's count of claims reviewed does not move.
        self.claim.last_reviewed_on = datetime.date(2026, 1, 20)
        self.claim.save(update_fields=["last_reviewed_on"])
        self.editor = make_editor()

    def review(self):
        with self.captureOnCommitCallbacks(execute=True):
            review_record(
                claim=self.claim,
                editor=self.editor,
                verdict=Verdict.NOT_HOLDING,
                cadence_days=30,
                reasoning="The new figures undercut it.",
            )
        outbox_drain()

    def test_a_review_purges_exactly_the_tags_of_the_pages_showing_the_claim(self):
        self.review()
        self.assertEqual(
            RecordingPurger.purged,
            [{f"c:{self.claim.code}", f"a:{self.article.slug}", "claims", "articles"}],
        )
        # One row per tag, every one delivered, in that one call.
        owed = OutboxMessage.objects.filter(kind=EDGE_PURGE)
        self.assertEqual(set(owed.values_list("recipient", flat=True)), RecordingPurger.purged[0])
        self.assertFalse(owed.filter(sent_at=None).exists())

    def test_a_first_review_also_purges_every_page_for_the_footers_count(self):
        self.claim.last_reviewed_on = None
        self.claim.save(update_fields=["last_reviewed_on"])
        self.review()
        [purged] = RecordingPurger.purged
        self.assertEqual(purged, {f"c:{self.claim.code}", f"a:{self.article.slug}", "claims", "articles", "site"})

    def test_the_claims_pages_show_the_review_and_an_unrelated_article_stays_cached(self):
        article_url, other_url = self.article.get_absolute_url(), self.other.get_absolute_url()
        claim_url = self.claim.get_absolute_url()
        for url in (article_url, other_url, claim_url):
            self.assertEqual(self.client.get(url)[CACHE_STATUS_HEADER], "miss")
        self.review()
        for url in (article_url, claim_url):
            response = self.client.get(url)
            self.assertEqual(response[CACHE_STATUS_HEADER], "miss")
            self.assertContains(response, "Not holding")
        with self.assertNumQueries(0):
            self.assertEqual(self.client.get(other_url)[CACHE_STATUS_HEADER], "hit")

    def test_while_one_request_renders_again_the_others_get_the_previous_copy(self):
        from vigil import freshness
        from vigil.pagecache import RENDER_LOCK_SECONDS, _page_digest

        url = self.article.get_absolute_url()
        self.client.get(url)
        self.review()
        # Another worker is rendering the page again: it holds the page's lock.
        request = self.client.get(url).wsgi_request  # (this one rendered it)
        self.review()
        assert freshness.page_lock(f"vigil:page-lock:{_page_digest(request)}", RENDER_LOCK_SECONDS)
        with self.assertNumQueries(0):
            response = self.client.get(url)
        self.assertEqual(response[CACHE_STATUS_HEADER], "stale")


class _Edge(http.server.BaseHTTPRequestHandler):
    """A Varnish stand-in on loopback: answers PURGE with the status it is told."""

    status = 500
    seen = []

    def do_PURGE(self):
        _Edge.seen.append((self.command, self.headers.get("xkey-purge"), _Edge.status))
        self.send_response(_Edge.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@time_machine.travel(LATE_EVENING, tick=False)
class EdgeDownTests(TestCase):
    def setUp(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Edge)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        _Edge.seen, _Edge.status = [], 500
        [self.article] = publish(articles=1, claims_each=1)
        self.claim = self.article.claims.get()
        self.claim.last_reviewed_on = datetime.date(2026, 1, 20)
        self.claim.save(update_fields=["last_reviewed_on"])

    def test_an_edge_that_answers_500_leaves_the_purge_owed_and_it_is_retried(self):
        url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        with edge(PURGER="varnish", VARNISH_URLS=[url]), self.captureOnCommitCallbacks(execute=True):
            review_record(
                claim=self.claim, editor=make_editor(), verdict=Verdict.HOLDING, cadence_days=45,
                reasoning="Still holds.",
            )
        with edge(PURGER="varnish", VARNISH_URLS=[url]):
            outbox_drain()
            owed = OutboxMessage.objects.filter(kind=EDGE_PURGE)
            self.assertEqual(owed.count(), 4)  # one per tag
            self.assertFalse(owed.exclude(sent_at=None).exists())
            self.assertTrue(all("500" in row.last_error for row in owed))
            _Edge.status = 200
            # The retry waits out its backoff.
            with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
                outbox_drain()
        self.assertFalse(owed.filter(sent_at=None).exists())
        statuses = [status for _, _, status in _Edge.seen]
        self.assertEqual(statuses[-1], 200)
        self.assertIn(500, statuses)
        method, keys, _ = _Edge.seen[-1]
        self.assertEqual(method, "PURGE")
        self.assertEqual(set(keys.split()), {f"c:{self.claim.code}", f"a:{self.article.slug}", "claims", "articles"})


@time_machine.travel(LATE_EVENING, tick=False)
@edge(PURGER="tests.vigil.test_edge.RecordingPurger", COALESCE_SECONDS=1)
class PurgeCoalescingTests(TestCase):
    """Repeated purges of one tag within a second go to the edge once, and the
    last change is always followed by a purge (vigil.purgers)."""

    def setUp(self):
        RecordingPurger.purged.clear()
        [self.article] = publish(articles=1, claims_each=2)
        self.first, self.second = self.article.claims.order_by("pk")
        for claim in (self.first, self.second):
            claim.last_reviewed_on = datetime.date(2026, 1, 20)
            claim.save(update_fields=["last_reviewed_on"])
        self.editor = make_editor()
        self.shared = {f"a:{self.article.slug}", "claims", "articles"}

    def review(self, claim, verdict=Verdict.NOT_HOLDING):
        with self.captureOnCommitCallbacks(execute=True):
            review_record(
                claim=claim, editor=self.editor, verdict=verdict, cadence_days=30,
                reasoning="The new figures undercut it.",
            )
        # What the worker would do now (inline without a broker): send what is due.
        outbox_drain()

    def later(self, seconds):
        return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)

    def test_a_burst_on_one_article_is_one_purge_now_and_one_when_the_second_ends(self):
        self.review(self.first)
        self.assertEqual(RecordingPurger.purged, [{f"c:{self.first.code}", *self.shared}])
        with self.later(0.3):
            self.review(self.second)
            # The second claim's own tag was not purged just now: it goes at once;
            # the article and the lists wait for the end of the second.
            self.assertEqual(RecordingPurger.purged[1:], [{f"c:{self.second.code}"}])
        with self.later(0.6):
            # The first claim was purged 0.6 s ago: it waits too.
            self.review(self.first, verdict=Verdict.HOLDING)
            outbox_drain()
            self.assertEqual(len(RecordingPurger.purged), 2)
            # What is owed waits as one row per tag: the third review added
            # none for the tags already waiting.
            waiting = OutboxMessage.objects.filter(kind=EDGE_PURGE, sent_at=None)
            self.assertEqual(
                sorted(waiting.values_list("recipient", flat=True)), sorted({f"c:{self.first.code}", *self.shared})
            )
        with self.later(1.0):
            outbox_drain()
        # After the last change, its pages were purged: once, together.
        self.assertEqual(RecordingPurger.purged[2:], [{f"c:{self.first.code}", *self.shared}])
        self.assertFalse(OutboxMessage.objects.filter(kind=EDGE_PURGE, sent_at=None).exists())
        with self.later(5):
            outbox_drain()
        self.assertEqual(len(RecordingPurger.purged), 3)

    def test_the_worker_is_asked_to_send_the_held_purge_when_the_second_ends(self):
        from unittest import mock

        self.review(self.first)
        with self.later(0.3), mock.patch("vigil.notifications.outbox_enqueue") as enqueue:
            self.review(self.first, verdict=Verdict.HOLDING)
        held = [call.kwargs for call in enqueue.call_args_list if call.kwargs["countdown"]]
        self.assertEqual(len(held), 1)
        self.assertAlmostEqual(held[0]["countdown"], 0.7, places=3)
        rows = OutboxMessage.objects.filter(idempotency_key__in=held[0]["keys"])
        self.assertEqual(set(rows.values_list("recipient", flat=True)), {f"c:{self.first.code}", *self.shared})

    def test_a_change_while_its_purge_is_being_sent_is_purged_again(self):
        """A purge already taken by a sender may reach the edge before the
        change: a change then is owed a purge of its own."""
        self.review(self.first)
        leased = OutboxMessage.objects.filter(kind=EDGE_PURGE)
        # As if a sender had just taken these rows again (a retry in flight).
        leased.update(sent_at=None, claimed_at=timezone.now(), claim_token="x" * 32)
        with self.later(0.2):
            self.review(self.first, verdict=Verdict.HOLDING)
        owed = OutboxMessage.objects.filter(kind=EDGE_PURGE, sent_at=None, claimed_at=None)
        self.assertEqual(set(owed.values_list("recipient", flat=True)), {f"c:{self.first.code}", *self.shared})
        with self.later(1.0):
            outbox_drain()
        self.assertEqual(RecordingPurger.purged[-1], {f"c:{self.first.code}", *self.shared})

    def test_purges_a_second_apart_are_not_held_back(self):
        self.review(self.first)
        with self.later(1.5):
            self.review(self.first, verdict=Verdict.HOLDING)
            self.assertEqual(len(RecordingPurger.purged), 2)
        self.assertEqual(RecordingPurger.purged[0], RecordingPurger.purged[1])

    def test_without_a_cache_to_remember_every_purge_goes_at_once(self):
        from unittest import mock

        from vigil.cache import CacheUnavailable

        self.review(self.first)
        with self.later(0.2), mock.patch("vigil.purgers.cache.get_many", side_effect=CacheUnavailable):
            self.review(self.first, verdict=Verdict.HOLDING)
        self.assertEqual(len(RecordingPurger.purged), 2)
