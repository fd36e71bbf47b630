"""The Django admin and articles: published text is read-only there (a crafted
POST changes nothing), drafts stay editable, and every edit is one event."""

import datetime

import time_machine
from django.contrib.auth.models import User
from django.test import TestCase

from articles.models import Article
from tests.factories import make_admin, make_article, make_claim, make_editor, make_pillar, make_section
from vigil.models import Event


def change_form(article, **changes):
    """Every field the article's change form would post, with `changes` on top."""
    data = {
        "title": article.title, "slug": article.slug, "dek": article.dek,
        "body_markdown": article.body_markdown, "cover_alt": article.cover_alt,
        "section": article.section_id, "pillar": article.pillar_id or "",
        "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


class PublishedArticleAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = User.objects.create_superuser("root", "root@example.org", "correct horse battery")
        cls.article = make_article(title="What readers were told", body_markdown="The published body.")

    def setUp(self):
        self.client.force_login(self.superuser)

    def url(self, article=None):
        return f"/admin/articles/article/{(article or self.article).pk}/change/"

    def test_a_posted_body_title_and_slug_leave_the_published_text_unchanged(self):
        response = self.client.post(self.url(), change_form(
            self.article, title="A silent new title", slug="silent", dek="A silent dek.",
            body_markdown="A silently rewritten body.", cover_alt="Silent alt.",
            status="draft", published_on="2020-01-01", signed_off_by="Nobody",
        ))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(
            (article.title, article.slug, article.dek, article.body_markdown, article.cover_alt),
            (self.article.title, self.article.slug, self.article.dek, "The published body.", ""),
        )
        self.assertEqual((article.status, str(article.published_on), article.signed_off_by),
                         ("published", "2026-01-15", ""))
        self.assertFalse(Event.objects.exists(), "nothing changed, nothing recorded")

    def test_the_change_form_shows_the_text_read_only_and_points_to_the_desk(self):
        response = self.client.get(self.url())
        self.assertNotContains(response, 'name="body_markdown"')
        self.assertNotContains(response, 'name="title"')
        self.assertContains(response, "The published body.")
        self.assertContains(response, 'href="/desk/rewrites/"')
        self.assertContains(response, 'href="/desk/corrections/"')

    def test_a_retired_article_is_read_only_too(self):
        successor = make_article(title="The closer fit")
        retired = make_article(title="Retired piece", status="retired", redirect_to=successor)
        self.client.post(self.url(retired), change_form(retired, body_markdown="Changed after retirement."))
        retired.refresh_from_db()
        self.assertEqual(retired.body_markdown, "The body of the piece.\n\nA second paragraph.")
        self.assertEqual(retired.status, "retired")

    def test_placement_stays_editable_and_is_recorded(self):
        pillar = make_pillar(name="Agents")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(), change_form(self.article, pillar=pillar.pk))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.article.refresh_from_db()
        self.assertEqual(self.article.pillar, pillar)
        event = Event.objects.get()
        self.assertEqual(event.action, "admin.change")
        self.assertIn("pillar: (empty) -> “Agents”", event.summary)
        self.assertEqual(event.keys("article"), [self.article.slug])

    def test_a_published_article_cannot_be_deleted(self):
        self.assertEqual(self.client.get(f"{self.url()[:-len('change/')]}delete/").status_code, 403)
        response = self.client.post(
            "/admin/articles/article/",
            {"action": "delete_selected", "_selected_action": [self.article.pk], "post": "yes"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Article.objects.filter(pk=self.article.pk).exists())


class DraftArticleAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_admin()
        cls.draft = make_article(title="Draft title", status="draft", published_on=None)

    def setUp(self):
        self.client.force_login(self.admin)

    def test_a_drafts_text_is_edited_with_one_event_naming_the_fields(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"/admin/articles/article/{self.draft.pk}/change/",
                change_form(self.draft, title="Better draft title", body_markdown="A new draft body."),
            )
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.title, self.draft.body_markdown), ("Better draft title", "A new draft body."))
        event = Event.objects.get()
        self.assertEqual((event.action, event.actor), ("admin.change", self.admin))
        self.assertEqual(event.keys("article"), [self.draft.slug])
        self.assertIn("title: “Draft title” -> “Better draft title”", event.summary)
        self.assertIn("body (Markdown) changed", event.summary)
        self.assertNotIn("A new draft body", event.summary)

    def test_the_lifecycle_is_not_typed_in_even_on_a_draft(self):
        self.client.post(
            f"/admin/articles/article/{self.draft.pk}/change/",
            change_form(self.draft, dek="Dek.", status="published", published_on="2026-01-15"),
        )
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.dek, self.draft.status, self.draft.published_on), ("Dek.", "draft", None))

    def test_an_article_added_in_the_admin_is_a_draft_with_one_event(self):
        section = make_section()
        response = self.client.post("/admin/articles/article/add/", {
            "title": "Born here", "slug": "born-here", "dek": "", "body_markdown": "Body.",
            "cover_alt": "", "section": section.pk, "pillar": "", "status": "published",
            "revisions-TOTAL_FORMS": "0", "revisions-INITIAL_FORMS": "0",
        })
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        article = Article.objects.get(slug="born-here")
        self.assertEqual(article.status, "draft")
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("article")), ("admin.add", ["born-here"]))

    def test_a_draft_can_be_deleted_on_the_record(self):
        response = self.client.post(f"/admin/articles/article/{self.draft.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Article.objects.filter(pk=self.draft.pk).exists())
        event = Event.objects.get()
        self.assertEqual((event.action, event.keys("article")), ("admin.delete", [self.draft.slug]))

    def test_an_editor_without_the_permission_changes_nothing(self):
        self.client.force_login(make_editor())
        response = self.client.post(
            f"/admin/articles/article/{self.draft.pk}/change/", change_form(self.draft, title="Editor's title")
        )
        self.assertEqual(response.status_code, 403)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, "Draft title")
        self.assertFalse(Event.objects.exists())


class PublishActionTests(TestCase):
    """Publication is an action (claims.services.article_publish), offered on the article list."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = make_admin()
        cls.draft = make_article(title="Ready draft", status="draft", published_on=None, pillar=make_pillar())
        make_claim(article=cls.draft, is_primary=True, triggers=["A study that says otherwise."])

    def setUp(self):
        self.client.force_login(self.admin)

    def publish(self, *articles):
        return self.client.post(
            "/admin/articles/article/",
            {"action": "publish", "_selected_action": [article.pk for article in articles]},
            follow=True,
        )

    @time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False)
    def test_an_admin_publishes_a_draft_with_one_event(self):
        response = self.publish(self.draft)
        self.assertContains(response, "1 published.")
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.status, self.draft.published_on), ("published", datetime.date(2026, 3, 2)))
        event = Event.objects.get()
        self.assertEqual((event.action, event.actor), ("article.publish", self.admin))
        self.assertEqual(event.keys("article"), [self.draft.slug])

    def test_a_refused_publication_says_why_and_changes_nothing(self):
        bare = make_article(title="No claim yet", status="draft", published_on=None, pillar=make_pillar())
        published = make_article(title="Already out")
        response = self.publish(bare, published)
        self.assertContains(response, "“No claim yet” was not published: This article cannot be published yet: add a primary claim.")
        self.assertContains(response, "“Already out” was not published: Only a draft or a submitted piece can be published")
        bare.refresh_from_db()
        self.assertEqual(bare.status, "draft")
        self.assertFalse(Event.objects.exists())

    def test_editors_are_not_offered_publication(self):
        editor = make_editor()
        self.client.force_login(editor)
        self.assertNotContains(self.client.get("/admin/articles/article/"), 'value="publish"')
        self.publish(self.draft)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, "draft")
