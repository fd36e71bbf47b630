"""A small fix to published text is a correction: new text, the old one kept
as a revision, the revised date moved and a dated entry, in one step."""

import datetime

import time_machine
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from articles.models import Revision
from corrections.models import CorrectionEntry
from corrections.services import CorrectionLogRefused, article_fix
from tests.factories import make_article, make_editor, make_user
from vigil.models import Event

FROZEN = datetime.datetime(2026, 4, 27, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(FROZEN, tick=False)
class ArticleFixTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article(title="Costs rose 12%", body_markdown="Costs rose 12% in 2025.")

    def test_the_old_text_is_kept_and_the_entry_dated(self):
        article_fix(article=self.article, editor=self.editor, title="Costs rose 21%", dek=self.article.dek,
                    body_markdown="Costs rose 21% in 2025.", entry_text="The figure was 21%, not 12%.")
        self.article.refresh_from_db()
        self.assertEqual((self.article.title, self.article.revised_on), ("Costs rose 21%", datetime.date(2026, 4, 27)))
        revision = Revision.objects.get(article=self.article)
        self.assertEqual((revision.body_markdown, revision.replaced_by_rewrite), ("Costs rose 12% in 2025.", None))
        entry = CorrectionEntry.objects.get(article=self.article)
        self.assertEqual((entry.kind, entry.entry_on, entry.created_by), ("correction", datetime.date(2026, 4, 27), self.editor))
        self.assertEqual(Event.objects.get().action, "article.fix")

    def test_refusals_change_nothing(self):
        for kwargs, message in [
            ({"body_markdown": "Costs rose 12% in 2025.", "title": "Costs rose 12%", "entry_text": "x"}, "unchanged"),
            ({"body_markdown": "New.", "title": "Costs rose 12%", "entry_text": ""}, "Write the entry"),
        ]:
            with self.subTest(message=message), self.assertRaisesMessage(CorrectionLogRefused, message):
                article_fix(article=self.article, editor=self.editor, dek=self.article.dek, **kwargs)
        with self.assertRaises(PermissionDenied):
            article_fix(article=self.article, editor=make_user(), title="T", dek="", body_markdown="B", entry_text="E")
        self.assertFalse(Revision.objects.exists())
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_the_desk_page_keeps_what_was_typed(self):
        self.client.force_login(self.editor)
        url = reverse("corrections:article_fix", args=[self.article.slug])
        self.assertContains(self.client.get(url), "Costs rose 12% in 2025.")
        response = self.client.post(url, {"title": "Costs rose 21%", "dek": "", "body_markdown": "Costs rose 21%.", "entry_text": ""})
        self.assertContains(response, "Say what was wrong", status_code=400)
        self.assertContains(response, "Costs rose 21%.", status_code=400)
        response = self.client.post(url, {"title": "Costs rose 21%", "dek": "", "body_markdown": "Costs rose 21%.",
                                          "entry_text": "The figure was 21%."})
        self.assertRedirects(response, self.article.get_absolute_url(), fetch_redirect_response=False)
        self.client.force_login(make_user())
        self.assertEqual(self.client.get(url).status_code, 403)
