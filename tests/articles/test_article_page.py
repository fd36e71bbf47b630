"""The public article page, part by part, as a reader sees it (cf. the reference page)."""

import datetime
import io
import tempfile
import zoneinfo

import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import TestCase
from PIL import Image

from articles.models import Article, Rewrite
from claims.models import Verdict
from corrections.models import CorrectionEntry
from tests.factories import make_entry
from tests.factories import (
    make_admin,
    make_article,
    make_claim,
    make_correction,
    make_editor,
    make_pillar,
    make_section,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOON_25_JUN_2026 = datetime.datetime(2026, 6, 25, 12, 0, tzinfo=LONDON)


def tiny_jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 21), "#1f3b57").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue())


@time_machine.travel(NOON_25_JUN_2026, tick=False)
class ArticlePagePartsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pillar = make_pillar(name="Agentic AI governance", description="Oversight of AI agents.")
        cls.section = make_section(name="Understanding AI", slug="understanding-ai")
        cls.article = make_article(
            title="Why evaluation belongs in the agent budget",
            slug="evaluation-budget",
            dek="Budgets count the model and the integration, not the judging.",
            body_markdown="## Where it stalls\n\n" + "word " * 1000,
            section=cls.section,
            pillar=cls.pillar,
            published_on=datetime.date(2025, 7, 27),
            revised_on=datetime.date(2026, 4, 27),
            drafted_by="Ruth Okafor",
            signed_off_by="Tomasz Wilk",
        )
        cls.claim = make_claim(
            article=cls.article,
            is_primary=True,
            statement="Funded evaluation gets agents to production sooner.",
            verdict=Verdict.PARTIAL,
            cadence_days=60,
            last_reviewed_on=datetime.date(2026, 4, 27),
            next_review_due=datetime.date(2026, 8, 23),
            holding_up_note="The verdict starts at **Partial**.",
            triggers=["A controlled study comparing teams.", "An analyst survey with a budget breakout."],
        )
        cls.secondary = make_claim(
            article=cls.article,
            statement="Evaluation is the line most often missing.",
            verdict=Verdict.HOLDING,
            next_review_due=datetime.date(2026, 6, 22),
            last_reviewed_on=datetime.date(2026, 4, 23),
        )
        for n in range(3):
            make_article(pillar=cls.pillar, section=cls.section)
        make_article(pillar=cls.pillar, section=cls.section, status=Article.Status.DRAFT, published_on=None)

    def get(self):
        return self.client.get(self.article.get_absolute_url())

    def test_meta_line_shows_claim_code_dates_reading_time_and_section(self):
        response = self.get()
        self.assertContains(response, f'class="claim-code" href="/claims/{self.claim.code}/">{self.claim.code}<')
        self.assertContains(response, "<dt>pub</dt><dd><time datetime=\"2025-07-27\">27 Jul 2025</time>", html=False)
        self.assertContains(response, "<dt>rev</dt><dd><time datetime=\"2026-04-27\">27 Apr 2026</time>", html=False)
        self.assertContains(response, "<dt>read</dt><dd>5 min</dd>", html=False)
        self.assertContains(response, 'href="/sections/understanding-ai/">Understanding AI</a>')

    def test_title_dek_and_byline(self):
        response = self.get()
        self.assertContains(response, "<h1 id=\"article-title\" class=\"article__title\">Why evaluation belongs in the agent budget</h1>", html=True)
        self.assertContains(response, "Budgets count the model and the integration, not the judging.")
        self.assertContains(response, "Drafted by Ruth Okafor; signed off by Tomasz Wilk.")

    def test_badge_reads_verdict_review_date_and_countdown(self):
        response = self.get()
        text = " ".join(response.content.decode().split())
        # 25 Jun to 23 Aug is 59 days.
        self.assertIn("Partial</a>", text)
        self.assertIn("reviewed <time datetime=\"2026-04-27\">27 Apr 2026</time>", text)
        self.assertIn(">next +59d</time>", text)

    def test_badge_explains_itself_without_hover(self):
        """Touch screens show no tooltip: the verdict links to what verdicts mean
        and the large badge spells out the due date."""
        response = self.get()
        text = " ".join(response.content.decode().split())
        self.assertIn('<a class="badge__verdict" href="/how-this-works/#verdicts">', text)
        self.assertIn('<span class="badge__date">(due 23 Aug 2026)</span>', text)
        self.assertNotIn("title=", text.split('class="badge ')[1].split("</header>")[0])
        method = self.client.get("/how-this-works/")
        self.assertContains(method, 'id="verdicts"')
        self.assertContains(method, "Starting verdict, not yet reviewed")

    def test_a_claim_not_yet_reviewed_says_its_verdict_is_the_starting_one(self):
        make_claim(article=self.article, last_reviewed_on=None, statement="Unreviewed.")
        self.assertContains(self.get(), "starting verdict, not yet reviewed")

    def test_holding_up_block_states_each_claims_cadence(self):
        self.assertContains(self.get(), "Reviewable on a 60-day cadence")

    def test_claim_ledger_and_archive_are_in_the_main_menu(self):
        nav = self.get().content.decode().split('aria-label="Site"')[1].split("</nav>")[0]
        self.assertIn('<a href="/claims/">Claim ledger</a>', nav)
        self.assertIn('<a href="/articles/">Articles</a>', nav)

    def test_overdue_claim_badge_says_overdue(self):
        self.assertContains(self.get(), ">overdue 3d</time>")

    def test_body_is_the_rendered_markdown(self):
        self.assertContains(self.get(), "<h2>Where it stalls</h2>", html=True)

    def test_holding_up_note_and_triggers(self):
        response = self.get()
        self.assertContains(response, "Holding-up note")
        self.assertContains(response, "The verdict starts at <strong>Partial</strong>.")
        self.assertContains(response, "What would move the claim")
        self.assertContains(response, "<li>A controlled study comparing teams.</li>", html=True)
        self.assertContains(response, "Primary claim")
        self.assertContains(response, "Secondary claim")
        self.assertContains(response, self.secondary.code)

    def test_fired_trigger_is_marked_with_its_date(self):
        trigger = self.claim.triggers.first()
        trigger.fired_at = datetime.datetime(2026, 6, 20, 9, 0, tzinfo=LONDON)
        trigger.save()
        self.assertContains(self.get(), "Fired 20 Jun 2026")

    def test_share_links_are_plain_links(self):
        response = self.get()
        content = response.content.decode()
        self.assertIn("https://x.com/intent/post?url=http%3A%2F%2F", content)
        self.assertIn("https://www.linkedin.com/sharing/share-offsite/?url=", content)
        self.assertIn("mailto:?subject=Why%20evaluation%20belongs", content)
        self.assertNotIn("platform.twitter.com", content)
        self.assertNotIn("<script src=\"http", content)

    def test_correction_log_lists_dated_entries_oldest_first(self):
        make_correction(article=self.article, entry_on=datetime.date(2026, 5, 2), text="Second entry.")
        make_correction(
            article=self.article,
            entry_on=datetime.date(2026, 4, 27),
            kind=CorrectionEntry.Kind.REWRITE,
            text="Rewritten from the 2025 original.",
        )
        response = self.get()
        content = response.content.decode()
        self.assertContains(response, "Correction log")
        self.assertContains(response, '<time datetime="2026-04-27">27 Apr 2026</time> <span class="tag">Rewrite</span>', html=True)
        self.assertLess(content.index("Rewritten from the 2025 original."), content.index("Second entry."))

    def test_empty_correction_log_says_so(self):
        self.assertContains(self.get(), "No corrections, clarifications or verdict changes yet.")

    def test_reader_text_in_log_is_escaped(self):
        make_correction(article=self.article, text="<script>alert(1)</script>")
        response = self.get()
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_dissent_and_corrections_links(self):
        response = self.get()
        self.assertContains(response, f'href="/articles/{self.article.slug}/dissent/"')
        self.assertContains(response, f'href="/corrections/report/?article={self.article.slug}"')
        self.assertContains(response, 'href="/corrections/policy/"')

    def test_pillar_box_counts_other_published_pieces(self):
        response = self.get()
        self.assertContains(response, "Part of the pillar")
        self.assertContains(response, "Agentic AI governance")
        self.assertContains(response, "3 other pieces in this pillar.")

    def test_footer_counts_claims_reviewed_and_links_the_method(self):
        make_claim(article=self.article, last_reviewed_on=None)  # not reviewed yet: not counted
        response = self.get()
        self.assertContains(response, "Claims reviewed so far: 2 · <a href=\"/claims/\">Every claim and its verdict</a>")
        self.assertContains(response, "Method: every claim tracked, reviewed every 30–90 days")
        self.assertContains(response, 'href="/how-this-works/">How this works')

    def test_no_rewrite_banner_without_an_open_rewrite(self):
        self.assertNotContains(self.get(), "Rewrite in progress")

    def test_rewrite_banner_while_a_rewrite_is_open(self):
        rewrite = Rewrite.objects.create(
            article=self.article,
            title="New title",
            body_markdown="New body",
            reader_note="This piece is in the rewrite queue.",
            drafted_by=make_editor(),
        )
        response = self.get()
        self.assertContains(response, "Rewrite in progress")
        self.assertContains(response, "This piece is in the rewrite queue.")
        rewrite.status = Rewrite.Status.REJECTED
        rewrite.save()
        self.assertNotContains(self.get(), "Rewrite in progress")

    def test_cover_image_with_alt_text(self):
        with tempfile.TemporaryDirectory() as media, self.settings(MEDIA_ROOT=media):
            self.article.cover_alt = "Layered blue bands"
            self.article.cover.save("cover.jpg", tiny_jpeg())
            response = self.get()
        self.assertContains(response, 'alt="Layered blue bands"')
        self.assertContains(response, 'width="40" height="21"')

    def test_public_page_carries_no_per_visitor_state(self):
        response = self.get()
        self.assertNotIn("csrftoken", response.cookies)
        self.assertNotIn("sessionid", response.cookies)
        self.assertNotContains(response, "csrfmiddlewaretoken")
        self.assertNotContains(response, "<script>")
        self.assertNotContains(response, 'style="')


class ArticlePageStatusTests(TestCase):
    def test_draft_is_not_found(self):
        article = make_article(status=Article.Status.DRAFT, published_on=None)
        response = self.client.get(article.get_absolute_url())
        self.assertEqual(response.status_code, 404)

    def test_retired_article_redirects_permanently(self):
        target = make_article(slug="closer-fit")
        article = make_article(status=Article.Status.RETIRED, redirect_to=target)
        response = self.client.get(article.get_absolute_url())
        self.assertRedirects(response, f"/articles/closer-fit/?retired={article.slug}", status_code=301)

    def test_reader_redirected_from_a_retired_article_is_told_why(self):
        from corrections.services import article_retire

        target = make_article(slug="closer-fit", title="The closer fit")
        article = make_article(title="Off-thesis piece")
        claim = make_claim(article=article, is_primary=True)
        article_retire(article=article, admin=make_admin(), redirect_to=target, reason="Off the thesis.")
        response = self.client.get(article.get_absolute_url(), follow=True)
        self.assertContains(response, "You were sent here from a retired article")
        self.assertContains(response, "We retired “Off-thesis piece”")
        self.assertContains(response, "Off the thesis.")
        # The claim page of a retired article promises no next review.
        claim_page = self.client.get(claim.get_absolute_url())
        self.assertContains(claim_page, "no longer reviewed")
        self.assertNotContains(claim_page, "next +")
        self.assertContains(claim_page, 'readers are sent to “<a href="/articles/closer-fit/">The closer fit</a>”')

    def test_retirement_notice_cannot_be_forged_with_another_slug(self):
        target = make_article(slug="closer-fit")
        other = make_article(slug="elsewhere")
        make_article(status=Article.Status.RETIRED, redirect_to=other, slug="gone")
        response = self.client.get(f"{target.get_absolute_url()}?retired=gone")
        self.assertNotContains(response, "sent here from a retired article")


class NotFoundPageTests(TestCase):
    def test_unknown_slug_gets_the_designed_404(self):
        response = self.client.get("/articles/no-such-piece/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "We could not find that page", status_code=404)
        self.assertContains(response, 'href="/"', status_code=404)

    def test_unknown_path_gets_the_designed_404(self):
        response = self.client.get("/no/such/page/")
        self.assertContains(response, "We could not find that page", status_code=404)


@time_machine.travel(NOON_25_JUN_2026, tick=False)
class HomePageTests(TestCase):
    def test_lists_latest_published_articles_with_their_badges(self):
        older = make_article(title="Older piece", published_on=datetime.date(2026, 1, 1))
        newer = make_article(title="Newer piece", published_on=datetime.date(2026, 6, 1))
        make_article(title="Draft piece", status=Article.Status.DRAFT, published_on=None)
        make_claim(
            article=newer, is_primary=True, verdict=Verdict.NOT_HOLDING,
            last_reviewed_on=datetime.date(2026, 6, 1), next_review_due=datetime.date(2026, 6, 22),
        )
        make_claim(article=older, is_primary=True, verdict=Verdict.HOLDING, next_review_due=datetime.date(2026, 8, 24))
        response = self.client.get("/")
        content = response.content.decode()
        self.assertLess(content.index("Newer piece"), content.index("Older piece"))
        self.assertNotIn("Draft piece", content)
        self.assertIn("Not holding</a>", content)
        self.assertIn(">overdue 3d</time>", content)
        self.assertIn("Holding</a>", content)
        self.assertIn(">next +60d</time>", content)
        # Cacheable whole and CSP-clean: no per-visitor state, no inline script or style.
        self.assertNotIn("csrftoken", response.cookies)
        self.assertNotIn("<script>", content)
        self.assertNotIn('style="', content)


class PageQueryCountTests(TestCase):
    """Home and article pages cost a fixed number of queries, whatever the data."""

    HOME_QUERIES = 4  # articles, their primary claims, recent verdict changes, the footer's reviewed count
    # conditional-GET validators, article, claims, triggers, correction log, its amendments,
    # pillar count, open rewrite, the public sign-off questions, footer count (the
    # NewsArticle reads the correction log already loaded: no query of its own)
    ARTICLE_QUERIES = 10

    @classmethod
    def setUpTestData(cls):
        cls.pillar = make_pillar()
        cls.section = make_section()
        cls.editor = make_editor()
        cls.admin = make_admin()

    def fill(self, *, articles, claims, entries):
        made = [
            make_article(pillar=self.pillar, section=self.section, published_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
            for n in range(articles)
        ]
        for article in made:
            make_claim(article=article, is_primary=True, last_reviewed_on=datetime.date(2026, 1, 1))
        target = made[-1]
        for n in range(claims):
            make_claim(article=target, triggers=["One trigger.", "Another trigger."], last_reviewed_on=datetime.date(2026, 2, 1))
        for n in range(entries):
            make_entry(
                article=target, kind=CorrectionEntry.Kind.UPDATE, text=f"Entry {n}.",
                entry_on=datetime.date(2026, 3, 1), created_by=self.editor,
                signoff_question="REVIEW: assess whether this holds." if n % 10 == 0 else "",
                signoff_addressed_to=self.admin if n % 10 == 0 else None,
            )
        Rewrite.objects.create(article=target, title="t", body_markdown="b", reader_note="n", drafted_by=self.editor)
        return target

    def test_home_page_query_count_is_fixed(self):
        self.fill(articles=3, claims=1, entries=1)
        cache.clear()
        with self.assertNumQueries(self.HOME_QUERIES):
            small = self.client.get("/")
        self.fill(articles=30, claims=20, entries=50)
        cache.clear()
        with self.assertNumQueries(self.HOME_QUERIES):
            large = self.client.get("/")
        self.assertEqual(small.status_code, 200)
        self.assertEqual(large.content.decode().count('class="badge '), 12)

    def test_article_page_query_count_is_fixed(self):
        small = self.fill(articles=3, claims=2, entries=3)
        cache.clear()
        with self.assertNumQueries(self.ARTICLE_QUERIES):
            self.client.get(small.get_absolute_url())
        large = self.fill(articles=30, claims=20, entries=50)
        cache.clear()
        with self.assertNumQueries(self.ARTICLE_QUERIES):
            response = self.client.get(large.get_absolute_url())
        self.assertContains(response, "Entry 49.")
        self.assertEqual(response.content.decode().count('class="correction-entry"'), 50)
