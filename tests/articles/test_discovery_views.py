"""Pillar, section and method pages, and the home page's verdict changes."""

import datetime

import time_machine
from django.template.loader import render_to_string
from django.test import TestCase

from articles.models import Article, Page
from reviews.models import Review
from tests.discovery import record_verdict_change
from tests.factories import make_admin, make_article, make_claim, make_editor, make_pillar, make_section

TODAY = datetime.date(2026, 3, 1)


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class PillarPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pillar = make_pillar(name="Machine minds", slug="minds", description="What machines can do.")
        cls.other = make_pillar(name="Energy", slug="energy")
        for verdict, due in [
            ("holding", TODAY + datetime.timedelta(days=10)),
            ("holding", TODAY - datetime.timedelta(days=2)),
            ("partial", TODAY + datetime.timedelta(days=30)),
            ("not_holding", TODAY - datetime.timedelta(days=9)),
        ]:
            make_claim(
                article=make_article(title=f"A {verdict} piece", pillar=cls.pillar), is_primary=True,
                verdict=verdict, next_review_due=due,
            )
        draft = make_article(title="Draft piece", pillar=cls.pillar, status=Article.Status.DRAFT, published_on=None)
        make_claim(article=draft, verdict="not_holding", next_review_due=TODAY - datetime.timedelta(days=50))
        make_claim(article=make_article(title="Energy piece", pillar=cls.other), is_primary=True)

    def test_shows_description_articles_with_badges_and_health(self):
        response = self.client.get("/pillars/minds/")
        self.assertContains(response, "What machines can do.")
        self.assertContains(response, "A partial piece")
        self.assertNotContains(response, "Draft piece")
        self.assertNotContains(response, "Energy piece")
        self.assertContains(response, "badge--not_holding")
        self.assertContains(response, "2 holding")
        self.assertContains(response, "1 partial")
        self.assertContains(response, "1 not holding")
        self.assertContains(response, "2 overdue for review")
        self.assertContains(response, "4 pieces in this pillar")

    def test_health_bar_is_an_svg_image_with_a_text_alternative(self):
        response = self.client.get("/pillars/minds/")
        self.assertContains(response, 'role="img"')
        self.assertContains(
            response,
            "How the claims in Machine minds are holding up: 4 claims: 2 holding, 1 partial, "
            "1 not holding; 2 overdue for review.</title>",
        )
        self.assertContains(response, '<rect class="health-bar__holding" x="0.0" y="0" width="150.0"')
        self.assertNotContains(response, "style=")

    def test_advertises_the_pillars_feeds(self):
        response = self.client.get("/pillars/minds/")
        self.assertContains(response, 'href="/pillars/minds/feeds/articles.atom"')
        self.assertContains(response, 'href="/pillars/minds/feeds/verdicts.atom"')

    def test_unknown_pillar_is_404(self):
        self.assertEqual(self.client.get("/pillars/nope/").status_code, 404)

    def test_query_count_is_fixed_however_many_articles(self):
        for _ in range(8):
            make_claim(article=make_article(pillar=self.pillar), is_primary=True)
        # pillar with health, articles, primary claims, footer count
        with self.assertNumQueries(4):
            self.client.get("/pillars/minds/")

    def test_index_lists_every_pillar_with_its_health(self):
        with self.assertNumQueries(2):  # pillars with health, footer count
            response = self.client.get("/pillars/")
        self.assertContains(response, 'href="/pillars/minds/"')
        self.assertContains(response, 'href="/pillars/energy/"')
        self.assertContains(response, "4 pieces")
        self.assertContains(response, "1 piece<")
        self.assertContains(response, "2 overdue for review")

    def test_index_query_count_is_fixed_however_many_pillars(self):
        for _ in range(6):
            make_pillar()
        with self.assertNumQueries(2):
            self.client.get("/pillars/")


class SectionPageTests(TestCase):
    def test_lists_the_sections_published_articles(self):
        section = make_section(name="Understanding AI", slug="understanding-ai")
        for n in range(6):
            make_claim(article=make_article(title=f"Piece {n}", section=section), is_primary=True)
        make_article(title="Hidden draft", section=section, status=Article.Status.DRAFT, published_on=None)
        with self.assertNumQueries(4):  # section, articles, primary claims, footer count
            response = self.client.get("/sections/understanding-ai/")
        self.assertContains(response, "Piece 5")
        self.assertNotContains(response, "Hidden draft")


class MethodPageTests(TestCase):
    def test_shows_the_method_written_in_markdown(self):
        with self.assertNumQueries(3):  # the page, reviewer agreement, footer count
            response = self.client.get("/how-this-works/")
        self.assertContains(response, "<h2>The 30–90 day cadence</h2>", html=False)
        self.assertContains(response, "<strong>Not holding</strong>")

    def test_admin_edits_are_rendered_once_and_sanitised(self):
        page = Page.objects.get(slug=Page.METHOD_SLUG)
        page.body_markdown = "We check **everything**.\n\n<script>alert(1)</script>"
        page.save()
        response = self.client.get("/how-this-works/")
        self.assertContains(response, "<strong>everything</strong>")
        self.assertNotContains(response, "<script>alert")

    def test_only_admins_may_edit_it_in_the_admin(self):
        page = Page.objects.get(slug=Page.METHOD_SLUG)
        url = f"/admin/articles/page/{page.pk}/change/"
        self.client.force_login(make_editor())
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(make_admin())
        response = self.client.post(
            url, {"title": "How this works", "slug": page.slug, "body_markdown": "Revised *method*."}
        )
        self.assertEqual(response.status_code, 302)
        page.refresh_from_db()
        self.assertEqual(page.body_html, "<p>Revised <em>method</em>.</p>")

    def test_falls_back_to_built_in_text_without_a_page(self):
        Page.objects.all().delete()
        self.assertContains(self.client.get("/how-this-works/"), "An editor reviews every claim")


@time_machine.travel("2026-03-01 10:00 +0000", tick=False)
class VerdictChangesTests(TestCase):
    def test_lists_only_changes_on_live_articles_newest_first(self):
        older = make_claim(article=make_article(title="Older"), is_primary=True)
        newer = make_claim(article=make_article(title="Newer"), is_primary=True)
        same = make_claim(article=make_article(title="Same"), is_primary=True)
        draft = make_claim(
            article=make_article(status=Article.Status.DRAFT, published_on=None), is_primary=True
        )
        record_verdict_change(older, to="holding", on=datetime.date(2026, 2, 1))
        record_verdict_change(newer, to="not_holding", on=datetime.date(2026, 2, 20))
        record_verdict_change(same, to="partial", on=datetime.date(2026, 2, 25))
        record_verdict_change(draft, to="holding", on=datetime.date(2026, 2, 26))
        changes = list(Review.objects.verdict_changes())
        self.assertEqual([r.claim for r in changes], [newer, older])

        with self.assertNumQueries(1):
            html = render_to_string(
                "reviews/parts/verdict_changes.html",
                {"verdict_changes": Review.objects.verdict_changes()[:5]},
            )
        self.assertIn("Recent verdict changes", html)
        self.assertIn(newer.code, html)
        self.assertIn("Partial <span aria-hidden=\"true\">→</span><span class=\"visually-hidden\">to</span> <strong>Not holding</strong>", html)
        self.assertLess(html.index(newer.code), html.index(older.code))

    def test_part_is_silent_without_changes(self):
        self.assertEqual(render_to_string("reviews/parts/verdict_changes.html", {"verdict_changes": []}).strip(), "")


class FeedAutodiscoveryTests(TestCase):
    def test_every_page_advertises_the_site_wide_feeds(self):
        for path in ["/", "/pillars/", "/search/", "/how-this-works/"]:
            with self.subTest(path):
                response = self.client.get(path)
                self.assertContains(
                    response, '<link rel="alternate" type="application/atom+xml" title="Vigil: ', count=3
                )
                for feed in ["articles", "verdicts", "corrections"]:
                    self.assertContains(response, f'href="/feeds/{feed}.atom"')
