"""vigil/objectcache.py: per-object fragments, with the page and fragment caches on.

What a reader would check: a change to one claim shows at once on every page
that shows it (article, claim page, ledger, pillar, home), nowhere stale; the
other objects' fragments are reused (a row changed behind the record's back,
with no action, keeps showing its kept text until its own object changes); an
editor gets the readers' blocks plus the staff links; a fragment rendered while
a purge happened is not kept.
"""

import datetime

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Verdict
from reviews.services import review_record
from tests.factories import make_article, make_claim, make_correction, make_editor, make_pillar, make_section
from vigil.cachetags import SITE_TAG, tag, tags_of
from vigil.freshness import tags_changed
from vigil.objectcache import ObjectFragments, claim_tag
from vigil.pagecache import CACHE_STATUS_HEADER, forget_local_state

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@time_machine.travel(FROZEN, tick=False)
@override_settings(VIGIL_PAGE_CACHE=True, VIGIL_FRAGMENT_CACHE_SECONDS=300, VIGIL_PAGE_CACHE_LOCAL_SECONDS=0)
class ObjectFragmentTests(TestCase):
    def setUp(self):
        cache.clear()
        forget_local_state()
        self.pillar = make_pillar(name="Energy", slug="energy")
        section = make_section(name="Understanding energy", slug="understanding-energy")
        self.article = make_article(title="Wind power is now the cheapest", slug="wind-power",
                                    pillar=self.pillar, section=section)
        self.claim = make_claim(article=self.article, is_primary=True, verdict=Verdict.PARTIAL,
                                statement="Onshore wind is the cheapest new electricity.",
                                triggers=["A new auction clears above gas."])
        self.sibling = make_claim(article=self.article, is_primary=False, verdict=Verdict.HOLDING,
                                  statement="Offshore wind costs fell by half.",
                                  triggers=["Strike prices rise again."])
        make_correction(article=self.article, text="Clarified which auction the figure comes from.")
        self.pages = {
            "article": self.article.get_absolute_url(),
            "claim page": self.claim.get_absolute_url(),
            "ledger": reverse("claims:ledger"),
            "pillar": self.pillar.get_absolute_url(),
            "home": reverse("articles:home"),
        }
        for url in self.pages.values():  # fill the page and fragment caches
            self.assertEqual(self.client.get(url).status_code, 200)

    def _review_to_not_holding(self):
        editor = make_editor()
        with self.captureOnCommitCallbacks(execute=True):  # the action's after-commit purge
            review_record(claim=self.claim, editor=editor, verdict=Verdict.NOT_HOLDING,
                          cadence_days=30, reasoning="The latest auction cleared above gas.")

    def test_a_change_to_one_claim_shows_at_once_on_every_page_and_nowhere_stale(self):
        self._review_to_not_holding()
        for name, url in self.pages.items():
            response = self.client.get(url)
            self.assertEqual(response[CACHE_STATUS_HEADER], "miss", name)
            self.assertContains(response, "badge--not_holding", msg_prefix=name)
            # It was the only Partial claim: no old badge of it anywhere.
            self.assertNotContains(response, "badge--partial", msg_prefix=name)
            self.assertContains(response, 'reviewed <time datetime="2026-03-02">2 Mar 2026</time>',
                                msg_prefix=name)

    def test_the_other_objects_fragments_are_reused(self):
        """Rows change in the database with no action (so nothing says they
        changed): the sibling claim's block on the article page and another
        article's row in the ledger keep their kept text while the pages
        around them render again; once an action touches them, they show
        the new text."""
        elsewhere = make_claim(article=make_article(pillar=self.pillar), is_primary=True,
                               statement="Solar prices fell again.")
        tags_changed([*tags_of(elsewhere), "claims", "articles"])  # as its publication would
        self.assertContains(self.client.get(self.pages["ledger"]), "Solar prices fell again.")
        Claim.objects.filter(pk=self.sibling.pk).update(statement="A statement nobody announced.")
        Claim.objects.filter(pk=elsewhere.pk).update(statement="Another unannounced statement.")
        self._review_to_not_holding()
        kept = {"article": ("Offshore wind costs fell by half.", "A statement nobody announced."),
                "ledger": ("Solar prices fell again.", "Another unannounced statement.")}
        for name, (old, new) in kept.items():
            response = self.client.get(self.pages[name])
            self.assertEqual(response[CACHE_STATUS_HEADER], "miss", name)
            self.assertContains(response, "badge--not_holding", msg_prefix=name)  # the change shows
            self.assertContains(response, old, msg_prefix=name)
            self.assertNotContains(response, new, msg_prefix=name)
        tags_changed([tag("claim", self.sibling.code), *tags_of(elsewhere), "claims", "articles"])
        for name, (old, new) in kept.items():
            self.assertContains(self.client.get(self.pages[name]), new, msg_prefix=name)

    def test_a_page_miss_with_fragments_kept_reads_only_what_it_renders(self):
        """The article's triggers, amendments, sign-off questions, open rewrite
        and pillar count are read only for the fragments that render: with its
        fragments kept, the page makes 4 queries instead of 9."""
        url = self.pages["article"]
        with override_settings(VIGIL_PAGE_CACHE=False):
            with override_settings(VIGIL_FRAGMENT_CACHE_SECONDS=0):
                with CaptureQueriesContext(connection) as cold:
                    self.client.get(url)
            with CaptureQueriesContext(connection) as warm:
                response = self.client.get(url)
        self.assertEqual((len(cold), len(warm)), (9, 4), [q["sql"][:80] for q in warm.captured_queries])
        self.assertContains(response, "A new auction clears above gas.")
        self.assertContains(response, "Clarified which auction the figure comes from.")

    def test_an_editor_gets_the_readers_blocks_and_their_own_links(self):
        editor = make_editor()
        self.client.force_login(editor)
        Claim.objects.filter(pk=self.claim.pk).update(statement="Changed with no action.")
        response = self.client.get(self.pages["article"])
        # The block the reader's render kept, and the editor's link beside it.
        self.assertContains(response, "Onshore wind is the cheapest new electricity.")
        self.assertContains(response, reverse("reviews:review", kwargs={"code": self.claim.code}))
        self.client.logout()
        self.client.cookies.clear()
        tags_changed([SITE_TAG])
        reader_page = self.client.get(self.pages["article"])
        self.assertNotContains(reader_page, reverse("reviews:review", kwargs={"code": self.claim.code}))

    def test_nothing_rendered_during_a_purge_is_kept(self):
        """Rows read before a change, versions read after it: such a copy
        would look fresh while it is stale, so it is not kept."""
        request = RequestFactory().get("/")
        fragments = ObjectFragments(request)  # the purge count when the request began
        tags_changed([tag("claim", self.claim.code)])  # an action commits meanwhile
        fragments.want("claim-block", [self.claim], tags=claim_tag)
        fragments.fetch()
        self.assertEqual(fragments.missing("claim-block"), [self.claim])
        fragments.rendered("claim-block", self.claim, "<p>old rows</p>")
        fragments.store()
        again = ObjectFragments(RequestFactory().get("/"))
        again.want("claim-block", [self.claim], tags=claim_tag)
        again.fetch()
        self.assertIsNone(again.get("claim-block", self.claim))

    def test_off_means_no_round_trip(self):
        with override_settings(VIGIL_FRAGMENT_CACHE_SECONDS=0):
            fragments = ObjectFragments(RequestFactory().get("/"))
            fragments.want("claim-block", [self.claim], tags=claim_tag)
            cache.clear()
            fragments.fetch()
            self.assertEqual(fragments.missing("claim-block"), [self.claim])
            fragments.rendered("claim-block", self.claim, "<p>x</p>")
            fragments.store()
        again = ObjectFragments(RequestFactory().get("/"))
        again.want("claim-block", [self.claim], tags=claim_tag)
        again.fetch()
        self.assertIsNone(again.get("claim-block", self.claim))

    def test_a_page_miss_asks_the_cache_twice(self):
        """The ETag's content version, the purge count and the footer's count
        are read in the request's first round trip, the fragments and their
        versions in the second (vigil.freshness.request_start): a round trip
        each was four on this page."""
        from unittest import mock

        from django.core.cache import caches

        backend = type(caches["default"])
        with override_settings(VIGIL_PAGE_CACHE=False):
            self.client.get(self.pages["article"])  # the footer's count is kept after this
            with mock.patch.object(backend, "get_many", autospec=True,
                                   side_effect=backend.get_many) as get_many, \
                 mock.patch.object(backend, "get", autospec=True, side_effect=backend.get) as get:
                response = self.client.get(self.pages["article"])
        self.assertContains(response, "Onshore wind is the cheapest new electricity.")
        self.assertEqual(get_many.call_count, 2)
        # Nothing asks on its own: Redis answers get_many() in one MGET, local
        # memory key by key through get().
        self.assertIn(get.call_count, (0, sum(len(call.args[1]) for call in get_many.call_args_list)))
