"""The public dissent form: success paths and every kind of bad input."""

import re

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from articles.models import Article
from dissent.models import Dissent
from tests.factories import make_article, make_claim

from .helpers import ARGUMENT, article_with_claims, dissent_post


class DissentFormPageTests(TestCase):
    def setUp(self):
        self.article, self.primary, self.secondary = article_with_claims()
        self.url = reverse("dissent:submit", kwargs={"slug": self.article.slug})

    def test_page_lists_the_articles_claims_and_points_to_corrections(self):
        other = make_claim(statement="A claim of another piece.")
        response = self.client.get(self.url)
        self.assertContains(response, self.primary.code)
        self.assertContains(response, self.secondary.code)
        self.assertNotContains(response, other.code)
        self.assertContains(response, "This is not a corrections form")
        self.assertContains(response, f'{reverse("corrections:report")}?article={self.article.slug}')
        self.assertContains(response, "csrfmiddlewaretoken")
        self.assertContains(response, 'data-counter-min="200"')
        self.assertContains(response, "js/counter.js")

    def test_page_query_count(self):
        for _ in range(5):
            make_claim(article=self.article)
        with self.assertNumQueries(3):  # the article, its claims, the footer count
            self.client.get(self.url)

    def test_article_without_claims_says_so(self):
        bare = make_article()
        response = self.client.get(reverse("dissent:submit", kwargs={"slug": bare.slug}))
        self.assertContains(response, "makes no tracked claims yet")
        self.assertNotContains(response, "Send dissent")

    def test_claim_is_preselected_from_the_query_string(self):
        response = self.client.get(f"{self.url}?claim={self.secondary.code}")
        self.assertRegex(
            response.content.decode(), rf'<input type="radio" name="claim" value="{self.secondary.code}"[^>]* checked>'
        )
        self.assertNotRegex(
            response.content.decode(), rf'<input type="radio" name="claim" value="{self.primary.code}"[^>]* checked>'
        )

    def test_each_claim_is_a_choice_with_its_whole_statement(self):
        """A select cut long claims off at its width; each claim is now a radio
        whose label holds the code, the verdict and every word of the statement."""
        long = make_claim(
            article=self.article,
            statement="Enterprises that fund a standing evaluation function for their AI agents reach "
            "production quality sooner than those that treat evaluation as a one-off acceptance test, "
            "across sectors and company sizes.",
        )
        html = self.client.get(self.url).content.decode()
        self.assertIn("<legend>Which claim do you dispute?</legend>", html)
        for claim in (self.primary, self.secondary, long):
            match = re.search(rf'<input type="radio" name="claim" value="{claim.code}"[^>]*id="([^"]+)"', html)
            self.assertTrue(match, claim.code)
            label = re.search(rf'<label for="{match.group(1)}">(.*?)</label>', html, re.S).group(1)
            self.assertIn(claim.code, label)
            self.assertIn(claim.statement, label)
            self.assertIn(claim.get_verdict_display(), label)
        self.assertNotIn("<select", html)
        # Several claims: the reader chooses; none is chosen for them.
        self.assertNotRegex(html, r'name="claim"[^>]* checked')

    def test_the_only_claim_is_chosen_already(self):
        article = make_article()
        only = make_claim(article=article, is_primary=True)
        html = self.client.get(reverse("dissent:submit", kwargs={"slug": article.slug})).content.decode()
        self.assertRegex(html, rf'<input type="radio" name="claim" value="{only.code}"[^>]* checked>')

    def test_no_claim_chosen_is_summarised_and_the_rest_is_kept(self):
        response = self.client.post(self.url, dissent_post(self.primary, claim=None))
        self.assertContains(response, "Choose the claim you dispute.")
        self.assertContains(response, 'href="#id_claim_0"')
        self.assertContains(response, 'id="id_claim_0"')
        self.assertContains(response, "Ada Reader")

    def test_draft_article_is_not_found(self):
        draft = make_article(status=Article.Status.DRAFT, published_on=None)
        self.assertEqual(self.client.get(reverse("dissent:submit", kwargs={"slug": draft.slug})).status_code, 404)

    def test_retired_article_is_gone_with_a_clear_message(self):
        replacement = make_article(title="The closer-fit piece")
        retired = make_article(title="An old piece")
        make_claim(article=retired)
        Article.objects.filter(pk=retired.pk).update(status=Article.Status.RETIRED, redirect_to=replacement)
        url = reverse("dissent:submit", kwargs={"slug": retired.slug})
        for response in (self.client.get(url), self.client.post(url, dissent_post(retired.claims.get()))):
            self.assertEqual(response.status_code, 410)
            self.assertContains(response, "has been retired", status_code=410)
            self.assertContains(response, "The closer-fit piece", status_code=410)
        self.assertFalse(Dissent.objects.exists())


class DissentSubmitTests(TestCase):
    def setUp(self):
        self.article, self.primary, self.secondary = article_with_claims()
        self.url = reverse("dissent:submit", kwargs={"slug": self.article.slug})

    def post(self, **overrides):
        return self.client.post(self.url, dissent_post(self.secondary, **overrides))

    def assert_refused(self, response, field, message):
        """The form comes back with the message next to the field and nothing is written."""
        self.assertEqual(response.status_code, 200)
        self.assertFormError(response.context["form"], field, message)
        self.assertContains(response, "Your dissent was not sent yet")
        self.assertFalse(Dissent.objects.exists())

    def test_success_redirects_to_confirmation_and_stores_the_dissent(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post()
        self.assertRedirects(response, reverse("dissent:received", kwargs={"slug": self.article.slug}))
        dissent = Dissent.objects.get()
        self.assertEqual(dissent.claim, self.secondary)
        self.assertEqual(dissent.argument, ARGUMENT)
        self.assertEqual(dissent.sources, ["https://example.org/survey-2025", "http://stats.example.net/table?id=3"])
        self.assertEqual(dissent.credit, "Ada Reader")
        self.assertEqual(dissent.status, Dissent.Status.RECEIVED)
        self.assertTrue(dissent.fingerprint)

        page = self.client.get(response.url)
        self.assertContains(page, "What happens next")
        self.assertNotContains(page, "csrfmiddlewaretoken")

    def test_acknowledgement_email_is_sent_through_the_outbox(self):
        """Written in the dissent's transaction; the drain (or the worker) sends it once."""
        from vigil.models import OutboxMessage
        from vigil.notifications import outbox_drain

        with self.captureOnCommitCallbacks(execute=False):
            self.post()
        self.assertEqual(len(mail.outbox), 0)
        row = OutboxMessage.objects.get(kind="dissent_acknowledged")
        self.assertEqual(row.recipient, "ada@example.org")
        self.assertEqual(outbox_drain(), (1, 0))
        self.assertEqual(outbox_drain(), (0, 0))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["ada@example.org"])
        self.assertIn(self.secondary.code, mail.outbox[0].subject)
        self.assertIn("What happens next", mail.outbox[0].body)

    def test_no_email_no_acknowledgement(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.post(email="", name="", consent_to_credit=None)
        self.assertEqual(len(mail.outbox), 0)
        dissent = Dissent.objects.get()
        self.assertIsNone(dissent.credit)

    def test_sources_are_optional(self):
        self.post(sources="")
        self.assertEqual(Dissent.objects.get().sources, [])

    def test_empty_argument(self):
        self.assert_refused(self.post(argument=""), "argument", "Please set out your argument.")

    def test_too_short_argument_keeps_the_text(self):
        response = self.post(argument="I just disagree.")
        self.assert_refused(
            response, "argument",
            "Please give a reasoned argument of at least 200 characters (you wrote 16).",
        )
        self.assertContains(response, "I just disagree.")
        self.assertContains(response, "Ada Reader")
        self.assertContains(response, "https://example.org/survey-2025")

    def test_over_long_argument(self):
        self.assert_refused(
            self.post(argument="word " * 2001), "argument",
            "Please keep your argument under 10,000 characters (you wrote 10,004); "
            "link to longer material as a source.",
        )

    def test_javascript_url_is_refused(self):
        self.assert_refused(
            self.post(sources="https://example.org/ok\njavascript:alert(1)"), "sources",
            "Line 2 is not a web address starting with http:// or https://: “javascript:alert(1)”.",
        )

    def test_invalid_url_is_refused(self):
        self.assert_refused(
            self.post(sources="not a link"), "sources",
            "Line 1 is not a web address starting with http:// or https://: “not a link”.",
        )

    def test_other_schemes_are_refused(self):
        for url in ("ftp://example.org/file", "data:text/html,hi", "//example.org/x"):
            response = self.post(sources=url)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.context["form"].has_error("sources", "invalid_url"), url)
        self.assertFalse(Dissent.objects.exists())

    def test_too_many_links(self):
        sources = "\n".join(f"https://example.org/{n}" for n in range(11))
        self.assert_refused(
            self.post(sources=sources), "sources", "Please give at most 10 sources (you gave 11)."
        )

    def test_repeated_links_count_once(self):
        self.post(sources="https://example.org/a\nhttps://example.org/a\n\n")
        self.assertEqual(Dissent.objects.get().sources, ["https://example.org/a"])

    def test_claim_of_another_article_is_refused(self):
        other = make_claim(statement="Elsewhere.")
        self.assert_refused(self.post(claim=other.code), "claim", "Choose one of this article's claims.")

    def test_invalid_email(self):
        self.assert_refused(self.post(email="not-an-address"), "email", "Enter a valid email address.")

    def test_consent_without_a_name(self):
        self.assert_refused(self.post(name=""), "name", "Give the name to credit, or untick “Credit me by name”.")

    def test_markup_in_a_name_is_refused(self):
        self.assert_refused(self.post(name="<b>Ada</b>"), "name", "A name can't contain < or >.")

    def test_html_and_script_in_argument_are_kept_as_literal_text(self):
        argument = ARGUMENT + ' <script>alert("x")</script> <img src=x onerror=alert(1)>'
        self.post(argument=argument)
        self.assertEqual(Dissent.objects.get().argument, argument)

    def test_markup_echoed_back_is_escaped(self):
        response = self.post(argument='<script>alert("x")</script> too short')
        self.assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
        self.assertNotContains(response, '<script>alert("x")</script>')

    def test_control_characters_are_stripped_newlines_and_tabs_kept(self):
        argument = "First\x00 para\x07graph\x1b[31m.\r\n\r\n\tSecond paragraph\x7f.\x85 " + ARGUMENT
        self.post(argument=argument)
        stored = Dissent.objects.get().argument
        self.assertEqual(stored, "First paragraph[31m.\n\n\tSecond paragraph. " + ARGUMENT)

    def test_non_latin_scripts_and_emoji_are_kept_exactly(self):
        argument = (
            "Утверждение неверно: 数据来自2019年。 الادعاء غير دقيق. दावा गलत है। "
            "👩🏽‍🔬 The data 🧪 say otherwise. " + ARGUMENT
        )
        name = "Zoë Ōkubo 大久保 🌱"
        self.post(argument=argument, name=name)
        dissent = Dissent.objects.get()
        self.assertEqual(dissent.argument, argument)
        self.assertEqual(dissent.name, name)

    def test_very_long_single_word_is_accepted(self):
        argument = ARGUMENT + " " + "Pneumono" * 300
        self.post(argument=argument)
        self.assertEqual(Dissent.objects.get().argument, argument)

    def test_honeypot_shows_confirmation_and_writes_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(website="http://spam.example")
        self.assertRedirects(response, reverse("dissent:received", kwargs={"slug": self.article.slug}))
        self.assertFalse(Dissent.objects.exists())
        self.assertEqual(len(mail.outbox), 0)

    def test_repeated_identical_submission_is_refused(self):
        self.post()
        response = self.post(argument=ARGUMENT.upper().replace(" ", "  "), claim=self.primary.code)
        self.assertFormError(
            response.context["form"], "argument",
            "We have already received this exact argument. There is no need to send it again.",
        )
        self.assertEqual(Dissent.objects.count(), 1)

    def test_csrf_is_enforced(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        response = client.post(self.url, dissent_post(self.secondary))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Dissent.objects.exists())

    @override_settings(PUBLIC_FORMS={
        "RATE_LIMIT": 5, "RATE_WINDOW_SECONDS": 600, "ARGUMENT_MIN_CHARS": 20,
        "ARGUMENT_MAX_CHARS": 50, "MAX_SOURCES": 1, "REPORT_MIN_CHARS": 20, "REPORT_MAX_CHARS": 5000,
    })
    def test_limits_come_from_settings(self):
        response = self.post(argument="x" * 51, sources="https://a.example\nhttps://b.example")
        form = response.context["form"]
        self.assertTrue(form.has_error("argument", "too_long"))
        self.assertTrue(form.has_error("sources", "too_many"))
