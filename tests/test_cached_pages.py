"""What an action changes is on the next page a reader or an admin loads, with
the page and fragment caches on as production runs them (issue 11).

Each test warms both caches (a reader's whole-page copy, an admin's cached
fragments), checks the page still shows the old state, runs one action
directly with its after-commit hooks executed, and loads the pages again as a
reader and as a signed-in admin. Nothing here bumps a cache by hand: if an
action forgot its hooks, the old copy would be served and the test would fail.
"""

import datetime
from dataclasses import dataclass

import time_machine
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from articles.models import Article, Rewrite
from articles.services import rewrite_draft, rewrite_reject, rewrite_submit, rewrite_withdraw
from claims.models import EvidenceTrigger, Verdict
from claims.services import article_publish, claim_assign, claim_create, trigger_fire
from corrections.models import ErrorReport
from corrections.services import (
    article_retire,
    correction_entry_amend,
    correction_entry_write,
    error_report_correct,
    rewrite_approve,
    signoff_answer,
)
from dissent.models import Dissent
from dissent.services import dissent_submit, dissent_weigh
from reviews.services import review_record
from tests.dissent.helpers import ARGUMENT
from tests.factories import (
    make_admin,
    make_article,
    make_claim,
    make_editor,
    make_entry,
    make_pillar,
    make_section,
)
from vigil.pagecache import CACHE_STATUS_HEADER, forget_local_state

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 2)

HOME = reverse("articles:home")
LEDGER = reverse("claims:ledger")
LOG = reverse("corrections:log")
QUEUE = reverse("reviews:queue")
MODERATION = reverse("dissent:moderation")
ARTICLES_FEED = reverse("feeds:articles")
VERDICTS_FEED = reverse("feeds:verdicts")
CORRECTIONS_FEED = reverse("feeds:corrections")

READER, ADMIN = "a reader", "an admin"
EVERYONE = (READER, ADMIN)


@dataclass
class See:
    """What one page shows before and after the action, to whom."""

    url: str
    appears: tuple = ()  # absent before, present after
    gone: tuple = ()  # present before, absent after
    to: tuple = EVERYONE
    redirects_to: str = None  # after the action the page answers 301 here


@time_machine.travel(FROZEN, tick=False)
@override_settings(
    VIGIL_PAGE_CACHE=True, VIGIL_FRAGMENT_CACHE_SECONDS=300, VIGIL_PAGE_CACHE_LOCAL_SECONDS=0
)
class ActionsShowOnCachedPagesTests(TestCase):
    def setUp(self):
        cache.clear()
        forget_local_state()
        self.editor = make_editor(first_name="Ines", last_name="Okafor")
        self.admin = make_admin(first_name="Peter", last_name="Hale")
        self.clients = {READER: Client(), ADMIN: Client()}
        self.clients[ADMIN].force_login(self.admin)

        self.pillar = make_pillar(name="Energy", slug="energy")
        section = make_section(name="Understanding energy", slug="understanding-energy")
        self.article = make_article(
            title="Wind power is now the cheapest",
            slug="wind-power",
            pillar=self.pillar,
            section=section,
        )
        # Due in twelve days: in the editors' queue window, not yet due.
        self.claim = make_claim(
            article=self.article,
            is_primary=True,
            statement="Onshore wind is the cheapest new electricity.",
            verdict=Verdict.PARTIAL,
            last_reviewed_on=datetime.date(2026, 1, 13),
            next_review_due=datetime.date(2026, 3, 14),
            triggers=["A grid operator reports curtailment above 10%."],
        )
        self.other = make_article(
            title="Solar power keeps falling in price",
            slug="solar-power",
            pillar=self.pillar,
            section=section,
        )
        make_claim(article=self.other, is_primary=True, verdict=Verdict.HOLDING)
        self.url = self.article.get_absolute_url()
        self.claim_url = self.claim.get_absolute_url()

    # --- How each test reads ------------------------------------------------------

    def get(self, who, url):
        return self.clients[who].get(url)

    def assertSeenAfter(self, action, *pages):
        """Warm both caches, check the state before, run `action` with its
        after-commit hooks, check what each page shows next."""
        for page in pages:
            for who in page.to:
                first = self.get(who, page.url)
                again = self.get(who, page.url)
                self.assertEqual(again.status_code, 200, (who, page.url))
                if who == READER:
                    self.assertEqual(
                        again[CACHE_STATUS_HEADER], "hit", f"{page.url} is cached for readers"
                    )
                for text in page.appears:
                    self.assertShows(first, text, False, f"{who}, {page.url}, before")
                for text in page.gone:
                    self.assertShows(first, text, True, f"{who}, {page.url}, before")
        with self.captureOnCommitCallbacks(execute=True):
            result = action()
        for page in pages:
            for who in page.to:
                response = self.get(who, page.url)
                prefix = f"{who}, {page.url}, after"
                if page.redirects_to:
                    self.assertRedirects(
                        response,
                        page.redirects_to,
                        status_code=301,
                        fetch_redirect_response=False,
                        msg_prefix=prefix,
                    )
                    continue
                self.assertEqual(response.status_code, 200, prefix)
                for text in page.appears:
                    self.assertShows(response, text, True, prefix)
                for text in page.gone:
                    self.assertShows(response, text, False, prefix)
        return result

    def assertShows(self, response, text, shown, where):
        # Not assertContains: a whole page in every failure message hides which text it was.
        verb = "shows" if shown else "does not show"
        self.assertEqual(
            text in response.content.decode(), shown, f"{where}: expected the page {verb} {text!r}"
        )

    def open_rewrite(self, status=Rewrite.Status.OPEN):
        return Rewrite.objects.create(
            article=self.article,
            title="Wind power, revisited",
            dek="What the 2026 auctions say.",
            body_markdown="The rewritten body.",
            reader_note="We are rewriting this piece against the 2026 auction prices.",
            drafted_by=self.editor,
            status=status,
        )

    # --- The caches are really on ----------------------------------------------------

    def test_a_change_off_the_record_is_not_seen_through_the_caches(self):
        """The control: without an action's after-commit work both copies stay old."""
        for who in EVERYONE:
            self.get(who, self.url)
        EvidenceTrigger.objects.filter(claim=self.claim).update(
            text="A trigger changed off the record."
        )
        Article.objects.filter(pk=self.article.pk).update(title="A title changed off the record")
        reader = self.get(READER, self.url)
        self.assertEqual(reader[CACHE_STATUS_HEADER], "hit")
        self.assertShows(reader, "changed off the record", False, "reader")
        # The admin's page is rendered afresh, but its claims fragment is the cached one.
        admin = self.get(ADMIN, self.url)
        self.assertShows(admin, "A title changed off the record", True, "admin")
        self.assertShows(admin, "A trigger changed off the record.", False, "admin")

    # --- Claims -------------------------------------------------------------------

    def test_a_review_shows_its_verdict_everywhere(self):
        self.assertSeenAfter(
            lambda: review_record(
                claim=self.claim,
                editor=self.editor,
                verdict=Verdict.NOT_HOLDING,
                cadence_days=45,
                reasoning="The 2026 auctions cleared above gas.",
            ),
            See(
                self.url,
                appears=["badge--not_holding", "changed from Partial to Not holding", "next +45d"],
            ),
            See(
                self.claim_url,
                appears=[
                    "badge--not_holding",
                    "The 2026 auctions cleared above gas.",
                    'reviewed <time datetime="2026-03-02">',
                ],
            ),
            See(LEDGER, appears=["badge--not_holding"]),
            See(HOME, appears=["badge--not_holding"]),
            See(VERDICTS_FEED, appears=["The 2026 auctions cleared above gas."]),
        )

    def test_the_footer_counts_a_first_review(self):
        """The count is cached on its own (vigil.context_processors), apart from the pages."""
        never_reviewed = make_claim(article=self.other, verdict=Verdict.PARTIAL)
        self.assertSeenAfter(
            lambda: review_record(
                claim=never_reviewed,
                editor=self.editor,
                verdict=Verdict.PARTIAL,
                cadence_days=60,
                reasoning="Still partial.",
            ),
            See(HOME, appears=["Claims reviewed so far: 2"], gone=["Claims reviewed so far: 1"]),
            See(self.url, appears=["Claims reviewed so far: 2"], gone=["Claims reviewed so far: 1"]),
        )

    def test_a_fired_trigger_makes_the_claim_due_today(self):
        self.assertSeenAfter(
            lambda: trigger_fire(
                trigger=self.claim.triggers.get(), editor=self.editor, note="March report: 12%."
            ),
            See(self.url, appears=["Fired 2 Mar 2026", "due today"], gone=["next +12d"]),
            See(self.claim_url, appears=["due today"], gone=["next +12d"]),
            See(LEDGER, appears=["due today"], gone=["next +12d"]),
        )

    def test_a_new_claim_shows_on_the_article_and_the_ledger(self):
        claim = self.assertSeenAfter(
            lambda: claim_create(
                actor=self.editor,
                article=self.article,
                statement="Offshore wind halves in cost by 2030.",
                verdict=Verdict.HOLDING,
            ),
            See(self.url, appears=["Offshore wind halves in cost by 2030."]),
            See(LEDGER, appears=["Offshore wind halves in cost"]),
        )
        self.assertContains(self.get(READER, claim.get_absolute_url()), claim.code)

    def test_an_assigned_claim_shows_its_editor_in_the_desk_queue(self):
        self.assertSeenAfter(
            lambda: claim_assign(claim=self.claim, editor=self.editor, assigned_by=self.admin),
            See(
                QUEUE,
                appears=['<td data-label="Editor">Ines Okafor</td>'],
                gone=['<span class="muted">Unassigned</span>'],
                to=(ADMIN,),
            ),
        )

    def test_a_published_draft_reaches_the_home_page_and_its_pillar(self):
        draft = make_article(
            title="Tidal power waits for its first farm",
            slug="tidal-power",
            pillar=self.pillar,
            section=self.article.section,
            status=Article.Status.DRAFT,
            published_on=None,
        )
        make_claim(article=draft, is_primary=True, triggers=["A first farm reaches its target."])
        self.assertSeenAfter(
            lambda: article_publish(article=draft, admin=self.admin),
            See(HOME, appears=["Tidal power waits for its first farm"]),
            See(self.pillar.get_absolute_url(), appears=["Tidal power waits for its first farm"]),
            See(self.url, appears=["2 other pieces in this pillar"], gone=["1 other piece"]),
            See(ARTICLES_FEED, appears=["Tidal power waits for its first farm"]),
        )
        self.assertEqual(self.get(READER, draft.get_absolute_url()).status_code, 200)

    # --- Correction log and sign-off ------------------------------------------------

    def test_a_written_entry_is_in_the_article_log_and_the_site_log(self):
        self.assertSeenAfter(
            lambda: correction_entry_write(
                article=self.article,
                kind="correction",
                text="Corrected the auction year to 2025.",
                editor=self.editor,
            ),
            See(self.url, appears=["Corrected the auction year to 2025."]),
            See(LOG, appears=["Corrected the auction year to 2025."]),
            See(CORRECTIONS_FEED, appears=["Corrected the auction year to 2025."]),
        )

    def test_an_amendment_shows_amended_when_why_and_the_earlier_text(self):
        entry = make_entry(
            article=self.article, text="The auction cleared at £42/MWh.", created_by=self.editor
        )
        self.assertSeenAfter(
            lambda: correction_entry_amend(
                entry=entry,
                new_text="The auction cleared at £44/MWh.",
                reason="Misread the table.",
                admin=self.admin,
            ),
            See(
                self.url,
                appears=[
                    "The auction cleared at £44/MWh.",
                    '<span class="tag">Amended</span> <time datetime="2026-03-02T',
                    "Misread the table.",
                    "<del>The auction cleared at £42/MWh.</del>",
                ],
            ),
            See(LOG, appears=["The auction cleared at £44/MWh.", "Amended", "Misread the table."]),
        )

    def test_an_answered_signoff_request_is_no_longer_open_for_the_admin(self):
        """The bug issue 11 names: the admin kept seeing the request open. Readers
        see the question (it is not internal) and then the answer."""
        entry = make_entry(
            article=self.article,
            text="Updated the capacity figures.",
            created_by=self.editor,
            signoff_question="REVIEW: assess whether the framing still fits.",
            signoff_addressed_to=self.admin,
        )
        self.assertSeenAfter(
            lambda: signoff_answer(
                request=entry.signoff_request, answer="It fits; keep it.", admin=self.admin
            ),
            See(
                self.url,
                appears=["Signed off", "It fits; keep it."],
                gone=["Open question for sign-off"],
                to=(ADMIN, READER),
            ),
        )
        reader = self.get(READER, self.url)
        self.assertContains(reader, "Updated the capacity figures.")
        # Who it was addressed to stays with staff.
        self.assertNotContains(reader, "signoff-note__who")

    def test_a_corrected_error_report_is_in_the_log(self):
        report = ErrorReport.objects.create(
            article=self.article, what_is_wrong="Capacity is 12 GW, not 21 GW."
        )
        self.assertSeenAfter(
            lambda: error_report_correct(
                report=report, editor=self.editor, text="Corrected the capacity to 12 GW."
            ),
            See(self.url, appears=["Corrected the capacity to 12 GW."]),
            See(LOG, appears=["Corrected the capacity to 12 GW."]),
        )

    def test_a_readers_error_report_reaches_the_desk(self):
        from corrections.services import error_report_submit

        self.assertSeenAfter(
            lambda: error_report_submit(
                article=self.article, what_is_wrong="The chart's axis is mislabelled."
            ),
            See(MODERATION, appears=["The chart&#x27;s axis is mislabelled."], to=(ADMIN,)),
        )

    # --- Rewrites and retirement ------------------------------------------------------

    def test_a_privately_drafted_rewrite_shows_nothing(self):
        """The control for the next test: a private draft changes nothing readers see."""
        for who in EVERYONE:
            self.get(who, self.url)
        with self.captureOnCommitCallbacks(execute=True):
            rewrite_draft(
                article=self.article,
                editor=self.editor,
                title="Wind power, revisited",
                dek="",
                body_markdown="The rewritten body.",
                reader_note="We are rewriting this piece against 2026 prices.",
            )
        for who in EVERYONE:
            response = self.get(who, self.url)
            for text in ["Rewrite in progress", "We are rewriting this piece", "The rewritten body."]:
                self.assertShows(response, text, False, f"{who}, {self.url}, after")

    def test_a_submitted_rewrite_shows_its_banner(self):
        rewrite = self.open_rewrite(status=Rewrite.Status.DRAFT)
        self.assertSeenAfter(
            lambda: rewrite_submit(rewrite=rewrite, editor=self.editor),
            See(
                self.url,
                appears=["Rewrite in progress", "We are rewriting this piece against the 2026 auction prices."],
            ),
        )

    def test_a_withdrawn_rewrite_takes_its_banner_away(self):
        rewrite = self.open_rewrite()
        self.assertSeenAfter(
            lambda: rewrite_withdraw(rewrite=rewrite, editor=self.editor),
            See(self.url, gone=["Rewrite in progress", "against the 2026 auction prices"]),
        )

    def test_a_rejected_rewrite_takes_its_banner_away(self):
        rewrite = self.open_rewrite()
        self.assertSeenAfter(
            lambda: rewrite_reject(
                rewrite=rewrite, admin=self.admin, reason="Overstates the evidence."
            ),
            See(self.url, gone=["Rewrite in progress", "against the 2026 auction prices"]),
        )

    def test_an_approved_rewrite_puts_the_new_title_live(self):
        rewrite = self.open_rewrite()
        self.assertSeenAfter(
            lambda: rewrite_approve(rewrite=rewrite, admin=self.admin),
            See(
                self.url,
                appears=[
                    '<h1 id="article-title" class="article__title">Wind power, revisited</h1>',
                    "The rewritten body.",
                    '<dt>rev</dt><dd><time datetime="2026-03-02">',
                    "Rewritten 2 Mar 2026",
                ],
                gone=[
                    "Rewrite in progress",
                    '<h1 id="article-title" class="article__title">Wind power is now the cheapest</h1>',
                ],
            ),
            See(HOME, appears=["Wind power, revisited"], gone=["Wind power is now the cheapest"]),
            See(self.pillar.get_absolute_url(), appears=["Wind power, revisited"]),
            See(self.claim_url, appears=["Wind power, revisited"]),
            See(LOG, appears=["Rewritten 2 Mar 2026"]),
        )

    def test_an_approved_rewrite_that_opens_a_review_makes_the_claim_due(self):
        rewrite = self.open_rewrite()
        self.assertSeenAfter(
            lambda: rewrite_approve(rewrite=rewrite, admin=self.admin, open_review=True),
            See(self.url, appears=["due today"], gone=["next +12d"]),
            See(LEDGER, appears=["due today"], gone=["next +12d"]),
            See(QUEUE, appears=["due today"], to=(ADMIN,)),
        )

    def test_a_retired_article_redirects_permanently_and_leaves_the_listings(self):
        self.assertSeenAfter(
            lambda: article_retire(
                article=self.article,
                admin=self.admin,
                redirect_to=self.other,
                reason="Superseded by the solar piece.",
            ),
            See(self.url, redirects_to=f"{self.other.get_absolute_url()}?retired={self.article.slug}"),
            See(HOME, gone=["Wind power is now the cheapest"]),
            See(self.pillar.get_absolute_url(), gone=["Wind power is now the cheapest"]),
            See(LEDGER, gone=[self.claim.code]),
        )

    # --- The Django admin ---------------------------------------------------------------

    def test_an_admin_edit_of_a_pillar_shows_on_its_page_and_its_articles(self):
        """Through the admin's change form: RecordedAdmin runs it as admin.change."""
        change_form = f"/admin/articles/pillar/{self.pillar.pk}/change/"
        self.assertSeenAfter(
            lambda: self.clients[ADMIN].post(
                change_form,
                {"name": "Energy", "slug": "energy", "description": "Where the grid is going."},
            ),
            See(self.pillar.get_absolute_url(), appears=["Where the grid is going."]),
            See(self.url, appears=["Where the grid is going."]),
        )

    # --- Dissent ----------------------------------------------------------------------

    def test_dissent_weighed_material_enters_the_change_history(self):
        dissent = Dissent.objects.create(
            claim=self.claim, argument=ARGUMENT, name="Ada Reader", consent_to_credit=True
        )
        self.assertSeenAfter(
            lambda: dissent_weigh(
                dissent=dissent, material=True, editor=self.editor, note="The later surveys matter."
            ),
            See(
                self.url, appears=["Material dissent from Ada Reader", "The later surveys matter."]
            ),
            See(self.claim_url, appears=["Material dissent", "Ada Reader, weighed 2 Mar 2026"]),
            See(LOG, appears=["Material dissent from Ada Reader"]),
        )

    def test_submitted_dissent_reaches_the_moderation_queue(self):
        self.assertSeenAfter(
            lambda: dissent_submit(claim=self.claim, argument=ARGUMENT, name="Ada Reader"),
            See(MODERATION, appears=["two later surveys with larger"], to=(ADMIN,)),
        )


@override_settings(
    VIGIL_PAGE_CACHE=True, VIGIL_FRAGMENT_CACHE_SECONDS=300, VIGIL_PAGE_CACHE_LOCAL_SECONDS=0
)
class ChangedSinceTests(TestCase):
    """The second staleness bug issue 11 names: approving a rewrite that makes
    the claim due must move the claim's updated_at, or pollers miss it."""

    def setUp(self):
        cache.clear()
        forget_local_state()

    def test_a_rewrite_approved_with_a_review_puts_the_claim_in_changed_since(self):
        with time_machine.travel(
            datetime.datetime(2026, 1, 20, 9, 0, tzinfo=datetime.UTC), tick=False
        ):
            admin = make_admin()
            article = make_article(slug="wind-power", pillar=make_pillar())
            primary = make_claim(
                article=article, is_primary=True, next_review_due=datetime.date(2026, 3, 20)
            )
            untouched = make_claim(article=make_article(), is_primary=True)
            rewrite = Rewrite.objects.create(
                article=article,
                title="Wind power, revisited",
                body_markdown="New.",
                reader_note="Rewriting.",
                drafted_by=make_editor(),
                status=Rewrite.Status.OPEN,
            )
        url = f"{reverse('api:claims')}?changed_since=2026-03-02"
        with time_machine.travel(FROZEN, tick=False):
            self.assertEqual(self.codes(url), [])
            with self.captureOnCommitCallbacks(execute=True):
                rewrite_approve(rewrite=rewrite, admin=admin, open_review=True)
            self.assertEqual(self.codes(url), [primary.code])
            self.assertNotIn(untouched.code, self.codes(url))
            claim = self.client.get(reverse("api:claim", kwargs={"code": primary.code})).json()
            self.assertEqual(claim["next_review_due"], "2026-03-02")
            self.assertEqual(claim["due_status"], "due_soon")

    def codes(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return [claim["code"] for claim in response.json()["results"]]


CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "incr", "delete", "delete_many", "touch")


@time_machine.travel(FROZEN, tick=False)
@override_settings(
    VIGIL_PAGE_CACHE=True, VIGIL_FRAGMENT_CACHE_SECONDS=300, VIGIL_PAGE_CACHE_LOCAL_SECONDS=1
)
class CachedHitCostTests(TestCase):
    """A cached hit is one cache round trip (the copy and its tags' versions
    together) and no query: since issue 15 it was two, the tags' versions in a
    round trip of their own (bench/hit_path.py)."""

    def setUp(self):
        cache.clear()
        forget_local_state()
        self.editor = make_editor()
        self.article = make_article(title="Wind power is now the cheapest", slug="wind-power")
        self.claim = make_claim(
            article=self.article, is_primary=True, verdict=Verdict.PARTIAL,
            statement="Onshore wind is the cheapest new electricity.",
        )
        make_claim(article=self.article, verdict=Verdict.HOLDING, statement="Offshore wind is not.")
        self.pages = [self.article.get_absolute_url(), self.claim.get_absolute_url(), HOME]

    def hit(self, url):
        """The page as a worker serves it that last served it over a second
        ago: neither the copy nor its tags' versions in its own memory."""
        from contextlib import ExitStack
        from unittest import mock

        from django.core.cache import caches
        from redis.connection import Connection

        from vigil import pagecache

        pagecache._local_pages.clear()
        pagecache._local_versions.clear()
        backend = type(caches["default"])
        with ExitStack() as stack:
            calls = {
                name: stack.enter_context(mock.patch.object(
                    backend, name, autospec=True, side_effect=getattr(backend, name)))
                for name in CACHE_CALLS
            }
            sent = stack.enter_context(mock.patch.object(
                Connection, "send_packed_command", autospec=True,
                side_effect=Connection.send_packed_command))
            with self.assertNumQueries(0):
                response = self.client.get(url)
        made = {name: call.call_count for name, call in calls.items() if call.call_count}
        # Local memory answers get_many() key by key through get(); Redis in one MGET.
        if "get" in made and made.get("get_many") == 1:
            if made["get"] == len(calls["get_many"].call_args.args[1]):
                del made["get"]
        self.assertEqual(made, {"get_many": 1}, f"{url}: the cache calls of one hit")
        if backend.__module__ == "vigil.cache":
            self.assertEqual(sent.call_count, 1, f"{url}: Redis round trips of one hit")
        return response

    def test_a_cached_hit_is_one_round_trip_and_no_query(self):
        for url in self.pages:
            self.assertEqual(self.client.get(url)[CACHE_STATUS_HEADER], "miss", url)
            response = self.hit(url)
            self.assertEqual(response[CACHE_STATUS_HEADER], "hit", url)
            self.assertContains(response, "badge--partial")

    def test_a_review_shows_at_once_on_every_page_that_shows_it(self):
        for url in self.pages:
            self.client.get(url)
            self.assertEqual(self.hit(url)[CACHE_STATUS_HEADER], "hit", url)
        with self.captureOnCommitCallbacks(execute=True):
            review_record(
                claim=self.claim, editor=self.editor, verdict=Verdict.NOT_HOLDING,
                cadence_days=45, reasoning="The 2026 auctions cleared above gas.",
            )
        from vigil import pagecache

        for url in self.pages:
            # A worker a second later (within the second it may trust what it read).
            pagecache._local_pages.clear()
            pagecache._local_versions.clear()
            response = self.client.get(url)
            self.assertEqual(response[CACHE_STATUS_HEADER], "miss", f"{url} after the review")
            self.assertContains(response, "badge--not_holding")
            # And the new copy is again a one-round-trip hit.
            again = self.hit(url)
            self.assertEqual(again[CACHE_STATUS_HEADER], "hit", url)
            self.assertContains(again, "badge--not_holding")
