"""The desk's drafting pages: who may use them, bad input kept, query counts,
and the staff preview at the article's own address."""

import datetime

import time_machine
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from claims.models import Claim
from claims.structured_data import claim_review
from claims.services import ClaimDraft, article_draft_save, article_publish, article_submit
from tests.articles.test_renditions import image_bytes, upload
from tests.factories import make_admin, make_article, make_editor, make_pillar, make_section, make_user

FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def form_data(section, pillar, *, claims=(("Budgets omit evaluation.", "A study that finds otherwise."),), **overrides):
    data = {
        "title": "Agent budgets miss the evaluation role",
        "slug": "",
        "dek": "Teams fund the agents.",
        "section": section.pk,
        "pillar": pillar.pk,
        "drafted_by": "Claude",
        "body_markdown": "The **body**.",
        "cover_alt": "",
        "claims-TOTAL_FORMS": str(len(claims)),
        "claims-INITIAL_FORMS": "0",
        "claims-MIN_NUM_FORMS": "0",
        "claims-MAX_NUM_FORMS": "1000",
        "save": "1",
    }
    for i, (statement, triggers) in enumerate(claims):
        data.update({
            f"claims-{i}-statement": statement,
            f"claims-{i}-verdict": "partial",
            f"claims-{i}-cadence_days": "60",
            f"claims-{i}-holding_up_note": "",
            f"claims-{i}-triggers": triggers,
            f"claims-{i}-ORDER": str(i + 1),
        })
    data.update(overrides)
    return data


def a_draft(editor, slug="the-draft"):
    return article_draft_save(
        editor=editor,
        fields={"title": "The draft", "slug": slug, "dek": "", "body_markdown": "Body words.",
                "section": make_section(), "pillar": make_pillar(), "drafted_by": "Claude", "cover_alt": ""},
        claims=[ClaimDraft(statement="A claim.", triggers=["A trigger."])],
    )


@time_machine.travel(FROZEN, tick=False)
class PermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reader, cls.editor, cls.admin = make_user(), make_editor(), make_admin()
        cls.article = a_draft(cls.editor)

    def test_each_page_and_step_by_role(self):
        slug = self.article.slug
        cases = [
            ("get", reverse("claims:desk_articles"), {}, "editor"),
            ("get", reverse("claims:desk_article_new"), {}, "editor"),
            ("get", reverse("claims:desk_article_edit", args=[slug]), {}, "editor"),
            ("post", reverse("claims:desk_article_preview"), {"body_markdown": "x"}, "editor"),
            ("post", reverse("claims:desk_article_sign_off", args=[slug]), {"when": "now"}, "admin"),
            ("post", reverse("claims:desk_article_send_back", args=[slug]), {"reason": "No."}, "admin"),
        ]
        for method, url, data, lowest in cases:
            self.client.logout()
            response = getattr(self.client, method)(url, data)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/accounts/login/", response["Location"])
            for role, user in [("reader", self.reader), ("editor", self.editor)]:
                self.client.force_login(user)
                response = getattr(self.client, method)(url, data)
                allowed = role == "editor" and lowest == "editor"
                with self.subTest(url=url, role=role):
                    self.assertNotEqual(response.status_code, 403) if allowed else self.assertEqual(response.status_code, 403)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, "draft")


@time_machine.travel(FROZEN, tick=False)
class DraftingPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor, cls.admin = make_editor(), make_admin()
        cls.section, cls.pillar = make_section(), make_pillar()

    def setUp(self):
        self.client.force_login(self.editor)

    def test_a_first_save_proposes_the_slug_and_shows_the_codes(self):
        response = self.client.post(reverse("claims:desk_article_new"), form_data(self.section, self.pillar), follow=True)
        article = Article.objects.get()
        self.assertEqual(article.slug, "agent-budgets-miss-the-evaluation-role")
        code = Claim.objects.get().code
        self.assertContains(response, f"Draft saved with claims {code}.")
        self.assertContains(response, f'<span class="claim-code">{code}</span>', html=True)

    def test_a_short_form_is_kept_and_named_in_the_claim_review(self):
        data = form_data(self.section, self.pillar, claims=[(
            "Enterprise AI-agent deployments that budget for a standing evaluation function reach "
            "production quality faster than those that do not.", "A study that finds otherwise.",
        )])
        data["claims-0-short_statement"] = " Funded evaluation speeds agents to production "
        self.client.post(reverse("claims:desk_article_new"), data)
        claim = Claim.objects.get()
        self.assertEqual(claim.short_statement, "Funded evaluation speeds agents to production")
        form = self.client.get(reverse("claims:desk_article_edit", kwargs={"slug": claim.article.slug}))
        self.assertContains(form, 'value="Funded evaluation speeds agents to production"')
        # The claim's page is public once the article is; its ClaimReview names the short form.
        review = claim_review(claim)
        self.assertEqual(review["claimReviewed"], "Funded evaluation speeds agents to production")
        self.assertTrue(review["itemReviewed"]["text"].startswith("Enterprise AI-agent deployments"))

    def test_a_short_form_of_75_characters_is_refused_and_kept(self):
        data = form_data(self.section, self.pillar)
        data["claims-0-short_statement"] = "x" * 75
        response = self.client.post(reverse("claims:desk_article_new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Keep the short form under 75 characters (it has 75).", status_code=400)
        self.assertContains(response, "x" * 75, status_code=400)
        self.assertFalse(Article.objects.exists())

    def test_bad_input_keeps_what_was_typed(self):
        data = form_data(self.section, self.pillar, claims=[("", "Kept trigger line")], title="")
        data["claims-0-cadence_days"] = "120"
        response = self.client.post(reverse("claims:desk_article_new"), data)
        self.assertEqual(response.status_code, 400)
        for typed in ("Kept trigger line", "The **body**.", "Write the claim as one checkable statement.",
                      "Ensure this value is less than or equal to 90.", "This field is required."):
            self.assertContains(response, typed, status_code=400)
        self.assertFalse(Article.objects.exists())

    def test_a_claim_id_that_is_not_an_ascii_number_is_refused_not_a_500(self):
        """Issue 18: "²" passes str.isdigit() and then int() raises."""
        data = form_data(self.section, self.pillar, title="")
        data["claims-0-claim_id"] = "²"
        response = self.client.post(reverse("claims:desk_article_new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Budgets omit evaluation.", status_code=400)

    def test_a_cover_needs_alt_text(self):
        data = form_data(self.section, self.pillar)
        data["cover"] = upload("cover.jpg", image_bytes("JPEG", size=(800, 400)))
        response = self.client.post(reverse("claims:desk_article_new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Describe the cover for readers who cannot see it.", status_code=400)

    def test_add_another_claim_keeps_the_page(self):
        data = form_data(self.section, self.pillar)
        data["add_claim"] = "1"
        del data["save"]
        response = self.client.post(reverse("claims:desk_article_new"), data, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="claims-TOTAL_FORMS" value="2"')
        self.assertContains(response, "Budgets omit evaluation.")
        self.assertNotContains(response, "<html")
        self.assertFalse(Article.objects.exists())

    def test_preview_uses_the_public_sanitiser_and_counts_minutes(self):
        body = "Hello <script>alert(1)</script> **bold** " + "word " * 460
        response = self.client.post(reverse("claims:desk_article_preview"), {"body_markdown": body})
        self.assertContains(response, "<strong>bold</strong>")
        self.assertNotContains(response, "<script>")
        self.assertContains(response, "<strong>3 min</strong>")

    def test_the_second_save_from_an_old_form_is_refused_and_keeps_the_text(self):
        article = a_draft(self.editor)
        url = reverse("claims:desk_article_edit", args=[article.slug])
        stale = form_data(self.section, self.pillar, draft_version=str(article.draft_version), slug=article.slug)
        first = dict(stale, title="Their title")
        self.client.force_login(make_editor(first_name="Ruth", last_name="Okafor"))
        self.assertEqual(self.client.post(url, first).status_code, 302)
        self.client.force_login(self.editor)
        response = self.client.post(url, dict(stale, title="My typed title"))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Ruth Okafor saved this draft", status_code=409)
        self.assertContains(response, "My typed title", status_code=409)
        article.refresh_from_db()
        self.assertEqual(article.title, "Their title")

    def test_sign_off_in_the_past_is_refused_with_the_typed_moment_kept(self):
        article = a_draft(self.editor)
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("claims:desk_article_sign_off", args=[article.slug]),
            {"when": "scheduled", "publish_at": "2026-03-01T08:00"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "That moment has passed", status_code=400)
        self.assertContains(response, 'value="2026-03-01T08:00"', status_code=400)

    def test_send_back_needs_a_reason(self):
        article = a_draft(self.editor)
        article_submit(article=article, editor=self.editor)
        self.client.force_login(self.admin)
        response = self.client.post(reverse("claims:desk_article_send_back", args=[article.slug]), {"reason": ""})
        self.assertContains(response, "Tell the editor why it goes back to draft.", status_code=400)

    def test_query_counts(self):
        for n in range(3):
            a_draft(self.editor, slug=f"draft-{n}")
        article = a_draft(self.editor)
        article_draft_save(
            editor=self.editor, article=article,
            fields={"title": "The draft", "slug": article.slug, "dek": "", "body_markdown": "Body.",
                    "section": article.section, "pillar": article.pillar, "drafted_by": "Claude", "cover_alt": ""},
            claims=[ClaimDraft(statement=f"Claim {n}.", triggers=["One", "Two"]) for n in range(4)],
        )
        # After a warm-up (the footer's count is cached): session, user, groups, then the page's own.
        for url, count in [
            (reverse("claims:desk_articles"), 4),
            (reverse("claims:desk_article_edit", args=[article.slug]), 8),
            (reverse("claims:desk_article_new"), 5),
        ]:
            self.client.get(url)
            with self.subTest(url=url), self.assertNumQueries(count):
                self.assertEqual(self.client.get(url).status_code, 200)


@time_machine.travel(FROZEN, tick=False)
class PreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor, cls.admin = make_editor(), make_admin()
        cls.article = a_draft(cls.editor)

    def test_staff_preview_is_marked_noindex_and_never_cached(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "Preview — not published.")
        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">')
        self.assertContains(response, "not yet reviewed")
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_readers_get_a_404_for_drafts_submitted_and_scheduled(self):
        article_publish(article=self.article, admin=self.admin, at=FROZEN + datetime.timedelta(hours=1))
        for user in (None, make_user()):
            if user:
                self.client.force_login(user)
            self.assertEqual(self.client.get(self.article.get_absolute_url()).status_code, 404)
