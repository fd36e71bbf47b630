"""Material dissent as readers see it: credited only with consent, reader text inert."""

import datetime

import time_machine
from django.template.loader import render_to_string
from django.test import TestCase

from dissent.models import Dissent
from dissent.services import dissent_submit, dissent_weigh
from tests.factories import make_article, make_claim, make_editor

from .helpers import ARGUMENT


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 30, tzinfo=datetime.UTC), tick=False)
class MaterialDissentOnTheArticleTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article()
        self.claim = make_claim(article=self.article, is_primary=True)

    def weigh(self, **kwargs):
        kwargs.setdefault("argument", ARGUMENT)
        dissent = dissent_submit(claim=self.claim, email="reader@example.org", **kwargs)
        return dissent_weigh(dissent=dissent, material=True, editor=self.editor, note="Weighed at review.")

    def test_credited_dissent_shows_the_name_in_the_change_history(self):
        self.weigh(name="Ada Reader", consent_to_credit=True)
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "Material dissent")
        self.assertContains(response, f"Material dissent from Ada Reader on {self.claim.code} weighed.")
        self.assertContains(response, '<time datetime="2026-05-04">4 May 2026</time>', html=True)
        self.assertNotContains(response, "reader@example.org")

    def test_uncredited_dissent_shows_without_a_name(self):
        self.weigh(name="Ada Reader", consent_to_credit=False)
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, f"Material dissent from a reader on {self.claim.code} weighed.")
        self.assertNotContains(response, "Ada Reader")
        self.assertNotContains(response, "reader@example.org")

    def test_markup_in_a_credited_name_is_inert(self):
        # The form refuses < and > in names; a name stored some other way is still escaped.
        dissent = dissent_submit(claim=self.claim, argument=ARGUMENT, name="Ada", consent_to_credit=True)
        Dissent.objects.filter(pk=dissent.pk).update(name='<img src=x onerror="alert(1)">')
        dissent_weigh(dissent=dissent, material=True, editor=self.editor)
        response = self.client.get(self.article.get_absolute_url())
        self.assertNotContains(response, '<img src=x onerror="alert(1)">')
        self.assertContains(response, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;")

    def test_article_links_to_both_reader_forms(self):
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, f"/articles/{self.article.slug}/dissent/")
        self.assertContains(response, f"/corrections/report/?article={self.article.slug}")


class MaterialDissentPartTests(TestCase):
    """templates/dissent/parts/material_dissent.html, for the claim page."""

    def setUp(self):
        self.editor = make_editor()
        self.claim = make_claim()

    def weighed(self, **kwargs):
        kwargs.setdefault("argument", ARGUMENT)
        dissent = dissent_submit(claim=self.claim, **kwargs)
        return dissent_weigh(dissent=dissent, material=True, editor=self.editor)

    def render(self):
        items = Dissent.objects.for_claim_page(self.claim)
        return render_to_string("dissent/parts/material_dissent.html", {"dissent_items": items})

    def test_credited_and_uncredited_items(self):
        self.weighed(name="Ada Reader", consent_to_credit=True, email="ada@example.org")
        self.weighed(argument="Second. " + ARGUMENT, name="Bob Quiet", email="bob@example.org")
        html = self.render()
        self.assertIn("From <strong>Ada Reader</strong>", html)
        self.assertIn("From a reader", html)
        self.assertNotIn("Bob Quiet", html)
        self.assertNotIn("@example.org", html)

    def test_only_material_dissent_is_shown(self):
        dissent_submit(claim=self.claim, argument="Unweighed. " + ARGUMENT)
        self.assertIn("No dissent on this claim has been weighed material yet.", self.render())

    def test_reader_text_is_escaped_and_links_are_safe(self):
        self.weighed(
            argument='<script>alert("x")</script> <a href="javascript:alert(1)">click</a> ' + ARGUMENT,
            sources=["https://example.org/a?b=1&c=2"],
        )
        Dissent.objects.update(sources=["https://example.org/a?b=1&c=2", "javascript:alert(1)", "data:text/html,x"])
        html = self.render()
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertNotIn('href="javascript:', html)
        self.assertNotIn('href="data:', html)
        self.assertIn(
            '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener" class="reader-text">', html
        )

    def test_long_words_wrap(self):
        self.weighed(argument=ARGUMENT + " " + "x" * 400)
        self.assertIn('<div class="reader-text">', self.render())

    def test_query_count(self):
        for n in range(5):
            self.weighed(argument=f"{n}. {ARGUMENT}", name=f"Reader {n}", consent_to_credit=True)
        with self.assertNumQueries(1):
            self.render()
