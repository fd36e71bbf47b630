"""Desk pages for rewrites, retirements and revisions, and what readers see of them."""

import datetime

import pytest
import time_machine
from django.test import TestCase
from django.urls import reverse

from articles.models import Article, Rewrite
from corrections.services import article_retire, rewrite_approve
from corrections.models import CorrectionEntry
from tests.factories import make_entry
from tests.articles.test_rewrites import draft, submitted
from tests.factories import make_admin, make_article, make_claim, make_correction, make_editor, make_pillar, make_user

FROZEN = datetime.datetime(2026, 4, 27, 10, 0, tzinfo=datetime.UTC)


class PermissionTests(TestCase):
    """Every desk URL, every role: anonymous → sign in, reader → 403,
    editor → drafting and logging only, admin → everything."""

    @classmethod
    def setUpTestData(cls):
        cls.reader = make_user()
        cls.editor = make_editor()
        cls.admin = make_admin()
        cls.article = make_article(slug="the-piece")
        cls.target = make_article(slug="closer-fit")

    def setUp(self):
        self.rewrite = submitted(self.article, self.editor)
        self.private = draft(make_article(slug="third-piece"), self.editor)
        self.entry = make_entry(
            article=self.article, kind="update", text="Updated.", signoff_question="Q?", signoff_addressed_to=self.admin
        )

    def urls(self):
        """(method, url, data, lowest role allowed)"""
        slug, pk = self.article.slug, self.rewrite.pk
        return [
            ("get", reverse("corrections:desk_entries"), None, "editor"),
            ("post", reverse("corrections:desk_entries"), {"article": self.article.pk, "kind": "update", "entry_on": "2026-01-20", "text": "x"}, "editor"),
            ("get", reverse("articles:desk_rewrites"), None, "editor"),
            ("get", reverse("articles:desk_rewrite", kwargs={"pk": pk}), None, "editor"),
            ("get", reverse("articles:desk_rewrite_draft", kwargs={"slug": self.target.slug}), None, "editor"),
            ("post", reverse("articles:desk_rewrite_draft", kwargs={"slug": self.target.slug}), {"title": "t", "body_markdown": "b", "reader_note": "n", "preview": "1"}, "editor"),
            ("get", reverse("articles:desk_article_revisions", kwargs={"slug": slug}), None, "editor"),
            ("get", reverse("articles:desk_rewrite", kwargs={"pk": self.private.pk}), None, "editor"),
            ("post", reverse("articles:desk_rewrite_draft", kwargs={"slug": self.private.article.slug}), {"title": "t", "body_markdown": "b", "reader_note": "n", "save": "1"}, "editor"),
            ("post", reverse("articles:desk_rewrite_submit", kwargs={"pk": self.private.pk}), {}, "editor"),
            ("post", reverse("articles:desk_rewrite_withdraw", kwargs={"pk": pk}), {}, "editor"),
            ("get", reverse("corrections:signoff_queue"), None, "admin"),
            ("get", reverse("corrections:signoff_answer", kwargs={"pk": self.entry.signoff_request.pk}), None, "admin"),
            ("post", reverse("corrections:signoff_answer", kwargs={"pk": self.entry.signoff_request.pk}), {"answer": "Yes."}, "admin"),
            ("get", reverse("corrections:entry_amend", kwargs={"pk": self.entry.pk}), None, "admin"),
            ("post", reverse("corrections:entry_amend", kwargs={"pk": self.entry.pk}), {"new_text": "New.", "reason": "Why."}, "admin"),
            ("post", reverse("corrections:rewrite_approve", kwargs={"pk": pk}), {}, "admin"),
            ("post", reverse("articles:desk_rewrite_reject", kwargs={"pk": pk}), {"reason": "No."}, "admin"),
            ("get", reverse("corrections:article_retire", kwargs={"slug": slug}), None, "admin"),
            ("post", reverse("corrections:article_retire", kwargs={"slug": slug}), {"redirect_to": self.target.pk, "reason": "x"}, "admin"),
        ]

    def _call(self, method, url, data):
        return getattr(self.client, method)(url, data or {})

    def test_anonymous_is_sent_to_sign_in(self):
        for method, url, data, _ in self.urls():
            with self.subTest(method=method, url=url):
                response = self._call(method, url, data)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response.url.startswith(reverse("login")))

    def test_reader_gets_403(self):
        self.client.force_login(self.reader)
        for method, url, data, _ in self.urls():
            with self.subTest(method=method, url=url):
                self.assertEqual(self._call(method, url, data).status_code, 403)

    def test_editor_may_draft_and_log_but_not_sign_off(self):
        self.client.force_login(self.editor)
        for method, url, data, role in self.urls():
            with self.subTest(method=method, url=url):
                status = self._call(method, url, data).status_code
                if role == "admin":
                    self.assertEqual(status, 403)
                else:
                    self.assertIn(status, (200, 302))
        self.rewrite.refresh_from_db()
        self.article.refresh_from_db()
        self.assertEqual(self.rewrite.status, Rewrite.Status.WITHDRAWN)  # the editor's own withdraw
        self.private.refresh_from_db()
        self.assertEqual((self.private.status, self.private.title), (Rewrite.Status.OPEN, "t"))  # saved, then submitted
        self.assertEqual(self.article.status, Article.Status.PUBLISHED)
        self.assertTrue(self.entry.signoff_request.is_open)

    def test_admin_may_do_everything(self):
        self.client.force_login(self.admin)
        for method, url, data, _ in self.urls():
            with self.subTest(method=method, url=url):
                self.assertIn(self._call(method, url, data).status_code, (200, 302))
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.RETIRED)

    def test_action_urls_refuse_get(self):
        self.client.force_login(self.admin)
        for name in [
            "corrections:rewrite_approve", "articles:desk_rewrite_reject", "articles:desk_rewrite_withdraw",
            "articles:desk_rewrite_submit",
        ]:
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name, kwargs={"pk": self.rewrite.pk})).status_code, 405)


@time_machine.travel(FROZEN, tick=False)
class RewriteDraftPageTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article(title="Old title", body_markdown="First line.\n\nSecond line.")
        self.url = reverse("articles:desk_rewrite_draft", kwargs={"slug": self.article.slug})
        self.client.force_login(self.editor)

    def data(self, **overrides):
        data = {"title": "New title", "dek": self.article.dek, "body_markdown": "First line.\n\nA better second line.", "reader_note": "Being rewritten."}
        data.update(overrides)
        return data

    def test_form_starts_from_the_live_text(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Old title")
        self.assertContains(response, "Second line.")

    def test_preview_shows_the_diff_without_saving(self):
        response = self.client.post(self.url, {**self.data(), "preview": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<del>Old title</del>", html=True)
        self.assertContains(response, "<ins>New title</ins>", html=True)
        self.assertContains(response, "Removed")
        self.assertContains(response, "Added")
        self.assertContains(response, "<ins>A better second line.</ins>", html=True)
        self.assertFalse(Rewrite.objects.exists())

    def test_preview_renders_the_new_text_beside_the_diff(self):
        response = self.client.post(
            self.url, {**self.data(body_markdown="A **bold** line.\n\n<script>alert(1)</script>"), "preview": "1"}
        )
        self.assertContains(response, "Preview as readers will see it")
        self.assertContains(response, '<div class="prose"><p>A <strong>bold</strong> line.</p>')
        self.assertNotContains(response, "<script>alert(1)")  # the public page's sanitiser
        self.assertFalse(Rewrite.objects.exists())

    def test_htmx_preview_returns_only_the_diff_and_preview(self):
        response = self.client.post(self.url, {**self.data(), "preview": "1"}, headers={"HX-Request": "true"})
        self.assertContains(response, 'id="rewrite-diff"')
        self.assertContains(response, "<ins>A better second line.</ins>", html=True)
        self.assertContains(response, "<p>A better second line.</p>", html=True)
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, "<textarea")
        self.assertFalse(Rewrite.objects.exists())

    def test_save_keeps_a_private_draft_that_readers_never_see(self):
        response = self.client.post(self.url, {**self.data(reader_note=""), "save": "1"})
        self.assertRedirects(response, self.url)
        rewrite = Rewrite.objects.get()
        self.assertEqual((rewrite.status, rewrite.title), (Rewrite.Status.DRAFT, "New title"))
        page = self.client.get(self.url)
        self.assertContains(page, "Private draft, last saved 27 Apr 2026")
        self.assertContains(page, "A better second line.")  # the form goes on from the draft
        self.client.logout()
        page = self.client.get(self.article.get_absolute_url())
        self.assertNotContains(page, "Rewrite in progress")
        self.assertNotContains(page, "New title")

    def test_a_saved_draft_is_submitted_from_its_page(self):
        self.client.post(self.url, {**self.data(), "save": "1"})
        rewrite = Rewrite.objects.get()
        detail = self.client.get(reverse("articles:desk_rewrite", kwargs={"pk": rewrite.pk}))
        self.assertContains(detail, "Private draft")
        self.assertContains(detail, "readers see nothing of it yet")
        self.assertContains(detail, "Preview as readers will see it")
        response = self.client.post(reverse("articles:desk_rewrite_submit", kwargs={"pk": rewrite.pk}), follow=True)
        self.assertContains(response, "Rewrite submitted for sign-off; readers now see the banner.")
        self.client.logout()
        self.assertContains(self.client.get(self.article.get_absolute_url()), "Being rewritten.")

    def test_submitting_a_draft_without_its_note_sends_the_editor_back_to_write_it(self):
        self.client.post(self.url, {**self.data(reader_note=""), "save": "1"})
        rewrite = Rewrite.objects.get()
        response = self.client.post(reverse("articles:desk_rewrite_submit", kwargs={"pk": rewrite.pk}), follow=True)
        self.assertRedirects(response, self.url)
        self.assertContains(response, "Write the note readers see")
        rewrite.refresh_from_db()
        self.assertEqual(rewrite.status, Rewrite.Status.DRAFT)

    def test_a_draft_can_be_discarded(self):
        self.client.post(self.url, {**self.data(), "save": "1"})
        rewrite = Rewrite.objects.get()
        response = self.client.post(reverse("articles:desk_rewrite_withdraw", kwargs={"pk": rewrite.pk}), follow=True)
        self.assertContains(response, "Private draft discarded.")
        # The article is free for a new rewrite, starting from the live text.
        self.assertContains(self.client.get(self.url), "Second line.")

    def test_another_editors_draft_is_theirs_to_finish(self):
        rewrite = draft(self.article, make_editor(first_name="Ada", last_name="Lovelace"))
        response = self.client.get(self.url, follow=True)
        self.assertRedirects(response, reverse("articles:desk_rewrite", kwargs={"pk": rewrite.pk}))
        self.assertContains(response, "Ada Lovelace is already drafting a rewrite of this article.")
        self.assertNotContains(response, "Submit for sign-off")
        # A crafted POST changes nothing either.
        response = self.client.post(reverse("articles:desk_rewrite_submit", kwargs={"pk": rewrite.pk}))
        self.assertEqual(response.status_code, 403)
        rewrite.refresh_from_db()
        self.assertEqual(rewrite.status, Rewrite.Status.DRAFT)

    def test_submit_opens_the_rewrite_and_readers_see_the_banner(self):
        response = self.client.post(self.url, {**self.data(), "submit": "1"})
        rewrite = Rewrite.objects.get()
        self.assertRedirects(response, reverse("articles:desk_rewrite", kwargs={"pk": rewrite.pk}))
        self.client.logout()
        page = self.client.get(self.article.get_absolute_url())
        self.assertContains(page, "Rewrite in progress")
        self.assertContains(page, "Being rewritten.")
        self.assertContains(page, "Old title")
        self.assertNotContains(page, "A better second line.")  # readers never see drafts

    def test_missing_note_shows_the_error_and_keeps_the_text(self):
        response = self.client.post(self.url, {**self.data(reader_note=""), "submit": "1"})
        self.assertContains(response, "Write the note readers see while the rewrite awaits sign-off.", status_code=400)
        self.assertContains(response, "A better second line.", status_code=400)
        self.assertFalse(Rewrite.objects.exists())

    def test_missing_title_keeps_the_text_and_saves_nothing(self):
        response = self.client.post(self.url, {**self.data(title=""), "save": "1"})
        self.assertContains(response, "This field is required", status_code=400)
        self.assertContains(response, "A better second line.", status_code=400)
        self.assertFalse(Rewrite.objects.exists())

    def test_second_draft_goes_to_the_open_one(self):
        rewrite = submitted(self.article, self.editor)
        self.assertRedirects(self.client.get(self.url), reverse("articles:desk_rewrite", kwargs={"pk": rewrite.pk}))

    def test_rewrite_page_query_count(self):
        rewrite = submitted(self.article, self.editor)
        # session, user, groups, rewrite with article/people/revision
        with self.assertNumQueries(5):
            self.client.get(reverse("articles:desk_rewrite", kwargs={"pk": rewrite.pk}))

    def test_rewrites_list_query_count(self):
        admin = make_admin()
        for _ in range(10):
            rewrite_approve(rewrite=submitted(make_article(), self.editor), admin=admin)
            submitted(make_article(), self.editor)
            draft(make_article(), self.editor)
        # session, user, groups, open rewrites, private drafts, decided rewrites, article count,
        # article page, footer
        with self.assertNumQueries(9):
            response = self.client.get(reverse("articles:desk_rewrites"))
        self.assertContains(response, "Draft a rewrite", count=31)
        self.assertContains(response, "last saved 27 Apr 2026", count=10)


@time_machine.travel(FROZEN, tick=False)
class ApproveRejectViewTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.admin = make_admin()
        self.article = make_article(title="Old title", body_markdown="Old body.")
        self.claim = make_claim(article=self.article, is_primary=True, next_review_due=datetime.date(2026, 6, 1))
        self.rewrite = submitted(self.article, self.editor, title="New title", body_markdown="New body.")
        self.client.force_login(self.admin)

    def test_approve_from_the_queue(self):
        url = reverse("corrections:rewrite_approve", kwargs={"pk": self.rewrite.pk})
        response = self.client.post(url, {"entry_text": "", "open_review": "on"}, follow=True)
        self.assertContains(response, "Rewrite approved")
        self.article.refresh_from_db()
        self.claim.refresh_from_db()
        self.assertEqual((self.article.title, self.article.revised_on), ("New title", datetime.date(2026, 4, 27)))
        self.assertEqual(self.claim.next_review_due, datetime.date(2026, 4, 27))
        # Approving again changes nothing and says so.
        response = self.client.post(url, {}, follow=True)
        self.assertContains(response, "already approved; nothing changed")
        self.assertEqual(CorrectionEntry.objects.filter(kind="rewrite").count(), 1)

    def test_reader_sees_new_text_revised_date_and_entry(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        self.client.logout()
        page = self.client.get(self.article.get_absolute_url())
        self.assertContains(page, "New title")
        self.assertContains(page, "New body.")
        self.assertNotContains(page, "Rewrite in progress")
        self.assertContains(page, '<dt>rev</dt><dd><time datetime="2026-04-27">27 Apr 2026</time></dd>', html=True)
        self.assertContains(page, "Rewritten 27 Apr 2026")

    def test_the_approve_form_quotes_the_entry_that_will_be_written(self):
        page = self.client.get(reverse("articles:desk_rewrite", kwargs={"pk": self.rewrite.pk}))
        help_text = page.context["approve_form"]["entry_text"].help_text
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        entry = CorrectionEntry.objects.get(kind="rewrite")
        # The standard wording quoted before approval is the entry written by it.
        said = entry.text.removeprefix("Rewritten 27 Apr 2026: ").split(".")[0]
        self.assertIn(f"“Rewritten [date]: {said}.”", help_text)
        self.assertNotIn("were replaced", help_text)

    def test_reject_needs_a_reason_and_the_editor_sees_it(self):
        url = reverse("articles:desk_rewrite_reject", kwargs={"pk": self.rewrite.pk})
        response = self.client.post(url, {"reason": ""})
        self.assertContains(response, "Tell the editor why the rewrite is rejected.", status_code=400)
        self.client.post(url, {"reason": "Off thesis; retire instead."})
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(reverse("articles:desk_rewrites")), "Off thesis; retire instead.")
        self.assertContains(self.client.get(reverse("articles:desk_rewrite", kwargs={"pk": self.rewrite.pk})), "Off thesis; retire instead.")

    def test_revisions_page_shows_the_old_text(self):
        rewrite_approve(rewrite=self.rewrite, admin=self.admin)
        self.client.force_login(self.editor)
        response = self.client.get(reverse("articles:desk_article_revisions", kwargs={"slug": self.article.slug}))
        self.assertContains(response, "Old title")
        self.assertContains(response, "Old body.")
        self.assertContains(response, "27 Apr 2026")


@time_machine.travel(FROZEN, tick=False)
class RetirementViewTests(TestCase):
    def setUp(self):
        self.admin = make_admin()
        self.pillar = make_pillar()
        self.article = make_article(title="Retire me", slug="retire-me", pillar=self.pillar)
        self.target = make_article(title="Closer fit", slug="closer-fit", pillar=self.pillar)
        self.client.force_login(self.admin)

    def retire(self, **data):
        return self.client.post(reverse("corrections:article_retire", kwargs={"slug": self.article.slug}), data)

    def test_retired_url_answers_301_to_the_target(self):
        self.assertRedirects(self.retire(redirect_to=self.target.pk, reason="Off thesis."), reverse("corrections:signoff_queue"))
        self.client.logout()
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response.url, f"{self.target.get_absolute_url()}?retired={self.article.slug}")

    def test_retired_article_leaves_listings(self):
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="x")
        self.client.logout()
        self.assertNotContains(self.client.get(reverse("articles:home")), "Retire me")
        self.assertNotContains(self.client.get(self.pillar.get_absolute_url()), "Retire me")
        self.assertContains(self.client.get(self.pillar.get_absolute_url()), "Closer fit")

    def test_form_offers_no_self_redirect_and_shows_errors(self):
        response = self.client.get(reverse("corrections:article_retire", kwargs={"slug": self.article.slug}))
        self.assertNotContains(response, f'<option value="{self.article.pk}"')
        response = self.retire(redirect_to=self.article.pk, reason="Typed reason.")
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertContains(response, "Typed reason.", status_code=400)
        self.article.refresh_from_db()
        self.assertEqual(self.article.status, Article.Status.PUBLISHED)

    def test_no_redirect_loops_and_old_urls_reach_a_live_article_in_one_hop(self):
        third = make_article(title="Third", slug="third")
        article_retire(article=self.article, admin=self.admin, redirect_to=self.target, reason="x")
        # The retired article is no longer a choice, so target → article cannot be chosen.
        response = self.client.post(
            reverse("corrections:article_retire", kwargs={"slug": self.target.slug}), {"redirect_to": self.article.pk, "reason": "loop"}
        )
        self.assertEqual(response.status_code, 400)
        article_retire(article=self.target, admin=self.admin, redirect_to=third, reason="y")
        self.client.logout()
        for old in (self.article, self.target):
            response = self.client.get(old.get_absolute_url())
            self.assertEqual(
                (response.status_code, response.url), (301, f"{third.get_absolute_url()}?retired={old.slug}")
            )
        self.assertEqual(self.client.get(third.get_absolute_url()).status_code, 200)


@time_machine.travel(FROZEN, tick=False)
class DeskPageQueryCountTests(TestCase):
    """The remaining desk pages, with enough rows that an N+1 would show."""

    def setUp(self):
        self.editor = make_editor()
        self.admin = make_admin()
        self.article = make_article()
        for n in range(6):
            rewrite_approve(rewrite=submitted(self.article, self.editor, title=f"Title {n}"), admin=self.admin)
        for _ in range(10):
            make_article()
        self.client.force_login(self.admin)

    def test_revisions_page(self):
        # session, user, article, revisions with their rewrites and people, groups, footer
        with self.assertNumQueries(6):
            response = self.client.get(reverse("articles:desk_article_revisions", kwargs={"slug": self.article.slug}))
        self.assertContains(response, "Read this revision", count=6)

    def test_draft_page(self):
        # session, user, groups, article, rewrite in progress check, footer
        with self.assertNumQueries(6):
            self.client.get(reverse("articles:desk_rewrite_draft", kwargs={"slug": self.article.slug}))

    def test_draft_page_of_a_private_draft(self):
        draft(self.article, self.admin, body_markdown="Long.\n\n" * 200)
        # session, user, groups, article, the private draft with its editor, footer
        with self.assertNumQueries(6):
            response = self.client.get(reverse("articles:desk_rewrite_draft", kwargs={"slug": self.article.slug}))
        self.assertContains(response, "Private draft, last saved")

    def test_retire_page(self):
        # session, user, groups, article, open rewrite, redirect choices, footer
        with self.assertNumQueries(7):
            response = self.client.get(reverse("corrections:article_retire", kwargs={"slug": self.article.slug}))
        self.assertContains(response, "<option", count=11)
