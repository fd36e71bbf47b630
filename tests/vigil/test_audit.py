"""The audit trail at /desk/audit/ (vigil/audit.py): admins read every event,
newest first, filtered by person, action, article and claim."""

import datetime
import importlib
import os
import re
import sys
from importlib.util import find_spec

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import expect

from articles.services import rewrite_draft
from claims.models import Verdict
from reviews.services import review_record
from tests.factories import make_admin, make_claim, make_editor, make_entry, make_submitted_rewrite
from vigil.actions import EDITOR, READER, action
from vigil.audit import ACTION_WORDS, AUDIT_PAGE_SIZE, SUBJECT_PAGES, subject_url
from vigil.pagination import DEFAULT_MAX_COUNT

# Playwright's sync API runs an event loop in this thread; the Django calls the
# browser test makes are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

START = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)
AUDIT = "/desk/audit/"


@action("review.record", role=EDITOR, actor="editor")
def pretend_review(*, editor, record, claim, article, summary="Partial -> Holding"):
    """Stands in for the real action of this name: the trail shows what the
    event says, whichever function wrote it."""
    record.touch(claim=claim, article=article)
    record.say(summary)


@action("test.touch", role=EDITOR, actor="editor")
def touch(*, editor, record, summary="Touched.", **subjects):
    record.touch(**subjects)
    record.say(summary)


@action("test.reader_touch", role=READER)
def reader_touch(*, record, **subjects):
    record.touch(**subjects)
    record.say("A reader wrote in.")


def at(minutes):
    """Each event its own minute: the order of the trail is the order of time."""
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


class AuditPermissionTests(TestCase):
    def test_anonymous_people_are_sent_to_sign_in(self):
        response = self.client.get(AUDIT)
        self.assertRedirects(
            response, f"{reverse('login')}?next={AUDIT}", fetch_redirect_response=False
        )

    def test_editors_are_refused(self):
        self.client.force_login(make_editor())
        self.assertEqual(self.client.get(AUDIT).status_code, 403)

    def test_admins_read_it(self):
        self.client.force_login(make_admin())
        response = self.client.get(AUDIT)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1 class=\"page-title\">Audit trail</h1>", html=True)

    def test_the_desk_navigation_offers_it_to_admins_only(self):
        link = f'<a href="{AUDIT}">Audit trail</a>'
        self.client.force_login(make_editor())
        self.assertNotContains(self.client.get(reverse("reviews:queue")), "Audit trail")
        self.client.force_login(make_admin())
        self.assertContains(self.client.get(reverse("reviews:queue")), link, html=True)


class AuditTrailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_admin()
        cls.edith = make_editor(username="edith", first_name="Edith", last_name="Marsh")
        cls.omar = make_editor(username="omar", first_name="Omar", last_name="Field")
        with at(1):
            pretend_review(editor=cls.edith, claim="AM-060", article="cheap-inference")
        with at(2):
            touch(editor=cls.omar, article="cheap-inference", summary="Drafted.")
        with at(3):
            touch(editor=cls.edith, claim="AM-061", article="other-piece")
        with at(4):
            reader_touch(claim="AM-060", article="cheap-inference")

    def setUp(self):
        self.client.force_login(self.admin)

    def summaries(self, response):
        return [row.event.summary for row in response.context["rows"]]

    def test_every_event_newest_first(self):
        response = self.client.get(AUDIT)
        self.assertEqual(
            self.summaries(response),
            ["A reader wrote in.", "Touched.", "Drafted.", "Partial -> Holding"],
        )

    def test_filters_by_person(self):
        self.assertEqual(
            self.summaries(self.client.get(AUDIT, {"person": "edith"})),
            ["Touched.", "Partial -> Holding"],
        )
        self.assertEqual(self.summaries(self.client.get(AUDIT, {"person": "omar"})), ["Drafted."])
        self.assertEqual(
            self.summaries(self.client.get(AUDIT, {"person": "readers"})), ["A reader wrote in."]
        )

    def test_the_person_filter_lists_who_is_on_the_record(self):
        make_editor(username="never-acted", first_name="Nell")
        form = self.client.get(AUDIT).context["form"]
        choices = dict(form.fields["person"].choices)
        self.assertEqual(choices["edith"], "Edith Marsh")
        self.assertEqual(choices["omar"], "Omar Field")
        self.assertNotIn("never-acted", choices)

    def test_filters_by_action(self):
        self.assertEqual(
            self.summaries(self.client.get(AUDIT, {"action": "review.record"})),
            ["Partial -> Holding"],
        )

    def test_filters_by_article(self):
        self.assertEqual(
            self.summaries(self.client.get(AUDIT, {"article": "cheap-inference"})),
            ["A reader wrote in.", "Drafted.", "Partial -> Holding"],
        )

    def test_filters_by_claim_code_in_any_case(self):
        self.assertEqual(
            self.summaries(self.client.get(AUDIT, {"claim": "am-060"})),
            ["A reader wrote in.", "Partial -> Holding"],
        )

    def test_filters_combine(self):
        response = self.client.get(AUDIT, {"claim": "AM-060", "person": "edith"})
        self.assertEqual(self.summaries(response), ["Partial -> Holding"])
        self.assertContains(response, "1 event matches the filter")

    def test_an_unknown_value_is_reported_and_the_other_filters_still_apply(self):
        response = self.client.get(AUDIT, {"person": "nobody", "article": "other-piece"})
        self.assertEqual(self.summaries(response), ["Touched."])
        self.assertIn("person", response.context["form"].errors)

    def test_a_row_says_when_who_what_to_which_objects_and_the_summary(self):
        response = self.client.get(AUDIT, {"action": "review.record"})
        # In the publication's time zone (Europe/London, summer time in May).
        self.assertContains(
            response, '<time datetime="2026-05-04T10:01:00+0100">4 May 2026 10:01</time>',
            html=True,
        )
        self.assertContains(response, "Edith Marsh")
        self.assertContains(response, "Recorded a review")
        claim_page = reverse("reviews:claim", kwargs={"code": "AM-060"})
        article_page = reverse("articles:detail", kwargs={"slug": "cheap-inference"})
        self.assertContains(
            response, f'<a href="{claim_page}" class="claim-code">AM-060</a>', html=True
        )
        self.assertContains(response, f'<a href="{article_page}">cheap-inference</a>', html=True)
        self.assertContains(response, "Partial -&gt; Holding")

    def test_subjects_read_in_one_order_claims_first(self):
        with at(5):
            touch(
                editor=self.omar, person="omar", article="z-piece", claim="AM-099", pillar="energy"
            )
        row = self.client.get(AUDIT, {"claim": "AM-099"}).context["rows"][0]
        self.assertEqual(
            [(s.kind, s.key) for s in row.subjects],
            [("claim", "AM-099"), ("article", "z-piece"), ("pillar", "energy"), ("person", "omar")],
        )
        self.assertEqual(row.subjects[2].url, reverse("articles:pillar", kwargs={"slug": "energy"}))
        self.assertIsNone(row.subjects[3].url)

    def test_every_kind_with_a_public_page_links_to_it(self):
        """A renamed URL would otherwise quietly drop the links."""
        for kind in SUBJECT_PAGES:
            with self.subTest(kind=kind):
                self.assertIsNotNone(subject_url(kind, "am-060"))

    def test_an_action_without_words_is_shown_by_its_name(self):
        response = self.client.get(AUDIT, {"article": "other-piece"})
        self.assertContains(response, "test.touch")

    def test_readers_are_named_as_the_record_names_them(self):
        response = self.client.get(AUDIT, {"person": "readers"})
        self.assertContains(response, "a reader")


class AuditSummaryTests(TestCase):
    def test_the_summary_is_escaped_and_keeps_its_line_breaks(self):
        touch(
            editor=make_editor(),
            article="a-piece",
            summary='Title: "Old" -> "<script>alert(1)</script>"\nBody: 3 paragraphs changed',
        )
        self.client.force_login(make_admin())
        response = self.client.get(AUDIT)
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(
            response, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;<br>Body: 3 paragraphs"
        )

    def test_subjects_of_real_objects_link_to_their_public_pages(self):
        claim = make_claim()
        touch(editor=make_editor(), claim=claim.code, article=claim.article.slug)
        self.client.force_login(make_admin())
        response = self.client.get(AUDIT)
        self.assertContains(response, f'href="{claim.get_absolute_url()}"')
        self.assertContains(response, f'href="{claim.article.get_absolute_url()}"')
        self.assertEqual(self.client.get(claim.get_absolute_url()).status_code, 200)


class AuditPaginationTests(TestCase):
    """Enough events for two pages, each touching an article and a claim: an
    N+1 over events or their subjects would show in the query count."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = make_admin()
        editors = [make_editor() for _ in range(3)]
        cls.total = AUDIT_PAGE_SIZE + 15
        for n in range(cls.total):
            with at(n):
                touch(
                    editor=editors[n % 3],
                    article=f"piece-{n % 7}",
                    claim=f"AM-{n:03d}",
                    summary=f"Event {n}",
                )

    def setUp(self):
        self.client.force_login(self.admin)

    def test_pages_hold_the_newest_first_and_the_count_is_bounded(self):
        with CaptureQueriesContext(connection) as captured:
            first = self.client.get(AUDIT)
        self.assertEqual(len(first.context["rows"]), AUDIT_PAGE_SIZE)
        self.assertEqual(first.context["rows"][0].event.summary, f"Event {self.total - 1}")
        self.assertContains(first, f"{self.total} events · page 1 of 2")
        count_sql = [
            q["sql"] for q in captured if "COUNT(" in q["sql"] and "vigil_event" in q["sql"]
        ]
        self.assertEqual(len(count_sql), 1)
        self.assertIn(f"LIMIT {DEFAULT_MAX_COUNT}", count_sql[0])

        second = self.client.get(AUDIT, {"page": 2})
        self.assertEqual(len(second.context["rows"]), self.total - AUDIT_PAGE_SIZE)
        self.assertEqual(second.context["rows"][-1].event.summary, "Event 0")
        # A page past the end shows the last one, not an error.
        self.assertEqual(self.client.get(AUDIT, {"page": 99}).context["page"].number, 2)

    def test_pagination_links_keep_the_filters(self):
        response = self.client.get(AUDIT, {"action": "test.touch"})
        self.assertContains(response, 'href="?action=test.touch&amp;page=2"')

    def test_query_count_does_not_grow_with_the_events_shown(self):
        self.client.get(AUDIT)  # warm-up: the footer's site-wide count is cached after this
        # session, user, the admin's groups, the people filter, the bounded
        # count, the events, their subjects.
        with self.assertNumQueries(7):
            full = self.client.get(AUDIT)
        with self.assertNumQueries(7):
            small = self.client.get(AUDIT, {"article": "piece-3"})
        self.assertEqual(len(full.context["rows"]), AUDIT_PAGE_SIZE)
        self.assertLess(len(small.context["rows"]), AUDIT_PAGE_SIZE)
        with self.assertNumQueries(7):
            self.client.get(AUDIT, {"page": 2}, headers={"hx-request": "true"})


class AuditHtmxTests(TestCase):
    def setUp(self):
        touch(editor=make_editor(), article="a-piece")
        self.client.force_login(make_admin())

    def test_htmx_gets_only_the_table_and_the_url_varies_on_it(self):
        response = self.client.get(AUDIT, {"article": "a-piece"}, headers={"hx-request": "true"})
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<div id="audit-table"'))
        self.assertNotIn("<html", content)
        self.assertIn("a-piece", content)
        self.assertIn("HX-Request", response["Vary"])
        restore = self.client.get(
            AUDIT, headers={"hx-request": "true", "hx-history-restore-request": "true"}
        )
        self.assertContains(restore, "<html")

    def test_the_filter_form_works_without_js_and_pushes_a_shareable_url(self):
        response = self.client.get(AUDIT)
        self.assertContains(response, f'method="get" action="{AUDIT}"')
        self.assertContains(response, 'data-hx-push-url="true"')
        self.assertContains(response, 'data-hx-target="#audit-table"')


class HistoryLinkTests(TestCase):
    """Each claim's and article's own history is one click from its desk pages."""

    @classmethod
    def setUpTestData(cls):
        cls.claim = make_claim()

    def test_the_review_form_links_the_claims_history_for_admins(self):
        url = reverse("reviews:review", kwargs={"code": self.claim.code})
        link = f'<a href="{AUDIT}?claim={self.claim.code}">History of {self.claim.code}</a>'
        self.client.force_login(make_admin())
        self.assertContains(self.client.get(url), link, html=True)
        self.client.force_login(make_editor())
        self.assertNotContains(self.client.get(url), "History of")

    def test_the_rewrite_drafting_page_links_the_articles_history_for_admins(self):
        article = self.claim.article
        url = reverse("articles:desk_rewrite_draft", kwargs={"slug": article.slug})
        link = f'<a href="{AUDIT}?article={article.slug}">History of this article</a>'
        self.client.force_login(make_admin())
        self.assertContains(self.client.get(url), link, html=True)
        self.client.force_login(make_editor())
        self.assertNotContains(self.client.get(url), "History of this article")


    def test_the_signoff_queue_links_each_entrys_article_history(self):
        admin = make_admin()
        rewritten = self.claim.article
        make_submitted_rewrite(
            article=rewritten, editor=make_editor(), title="A better title", dek=rewritten.dek,
            body_markdown=rewritten.body_markdown, reader_note="Sharper title.",
        )
        asked = make_claim().article
        make_entry(
            article=asked, signoff_question="REVIEW: assess whether the source holds.",
            signoff_addressed_to=admin,
        )
        self.client.force_login(admin)
        response = self.client.get(reverse("corrections:signoff_queue"))
        for article in (rewritten, asked):
            self.assertContains(
                response,
                f'<a href="{AUDIT}?article={article.slug}">History of this article</a>',
                html=True,
            )

    def test_a_real_action_is_in_the_articles_history(self):
        article = self.claim.article
        make_submitted_rewrite(
            article=article, editor=make_editor(first_name="Ruth", last_name="Okafor"),
            title="A better title", dek=article.dek, body_markdown=article.body_markdown,
            reader_note="Sharper title.",
        )
        self.client.force_login(make_admin())
        response = self.client.get(AUDIT, {"article": article.slug})
        # Newest first: the private save, then its submission.
        self.assertEqual(
            [row.words for row in response.context["rows"]],
            ["Submitted a rewrite for sign-off", "Saved a private draft of a rewrite"],
        )
        self.assertContains(response, "Ruth Okafor")
        self.assertContains(response, "Sharper title.")


class ActionWordsTests(TestCase):
    def test_every_action_in_the_apps_has_words_in_the_trail(self):
        """A new action without words would show admins its dotted name. Actions
        live in the apps' services.py and, for the Django admin's edits, admin.py."""
        missing = set()
        for config in apps.get_app_configs():
            for leaf in ("services", "admin"):
                if find_spec(f"{config.name}.{leaf}") is not None:
                    importlib.import_module(f"{config.name}.{leaf}")
            modules = [
                module for name, module in list(sys.modules.items())
                if name == config.name or name.startswith(f"{config.name}.")
            ]
            for module in modules:
                for value in list(vars(module).values()):
                    name = getattr(value, "action_name", None)
                    if isinstance(name, str) and not name.startswith("test."):
                        if name not in ACTION_WORDS:
                            missing.add(name)
        self.assertEqual(missing, set())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_follows_a_claims_history_and_filters_the_trail(page):
    """From the review form to the claim's history; the filters swap the table in
    place and leave a shareable URL; on a phone the rows stack, nothing scrolls sideways."""
    make_admin(username="ada")
    editor = make_editor(first_name="Edith", last_name="Marsh")
    claim = make_claim(verdict=Verdict.PARTIAL)
    review_record(
        claim=claim, editor=editor, verdict=Verdict.HOLDING, cadence_days=90,
        reasoning="Two replications agree.",
    )
    other = make_claim()
    rewrite_draft(
        article=other.article, editor=editor, title="A better title", dek=other.article.dek,
        body_markdown=other.article.body_markdown, reader_note="Sharper title.",
    )

    page.goto(f"/accounts/login/?next=/desk/claims/{claim.code}/review/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=f"History of {claim.code}").click()
    table = page.locator("#audit-table")
    expect(table).to_contain_text("Recorded a review")
    expect(table).to_contain_text("Edith Marsh")
    expect(table).not_to_contain_text("Saved a private draft of a rewrite")

    page.get_by_role("link", name="Clear").click()
    expect(table).to_contain_text("Saved a private draft of a rewrite")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__same_document = true")
    page.get_by_label("Action").select_option("rewrite.draft")
    expect(table).not_to_contain_text("Recorded a review")
    expect(page).to_have_url(re.compile(r"/desk/audit/\?.*action=rewrite\.draft"))
    assert page.evaluate("window.__same_document") is True

    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    expect(table).to_contain_text("Saved a private draft of a rewrite")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    first_cell = "getComputedStyle(document.querySelector('.audit__table td')).display"
    assert page.evaluate(first_cell) == "block"
