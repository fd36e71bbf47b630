"""After a failed submit the reader or editor lands on an error summary at the top
of the form (GOV.UK pattern): focused on load, one link per problem to its field."""

import re

from django.test import TestCase
from django.urls import reverse

from tests.dissent.helpers import article_with_claims, dissent_post
from tests.factories import make_editor


def summary(response):
    html = response.content.decode()
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0), html


class PublicFormErrorSummaryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article, cls.primary, _ = article_with_claims()

    def test_dissent_form_summary_is_first_focused_and_links_each_field(self):
        url = reverse("dissent:submit", kwargs={"slug": self.article.slug})
        response = self.client.post(url, dissent_post(self.primary, argument="Too short.", email="not-an-address"))
        block, html = summary(response)
        self.assertIn("autofocus", block)
        self.assertIn('tabindex="-1"', block)
        self.assertIn('href="#id_argument"', block)
        self.assertIn('href="#id_email"', block)
        # Before the fields, and each link's target exists.
        self.assertLess(html.index('class="error-summary"'), html.index('id="id_argument"'))
        for target in re.findall(r'href="#([^"]+)"', block):
            self.assertIn(f'id="{target}"', html)

    def test_every_bad_source_url_is_reported(self):
        url = reverse("dissent:submit", kwargs={"slug": self.article.slug})
        sources = "https://ok.example/a\nnot a url\nftp://files.example/b\nhttps://ok.example/c"
        response = self.client.post(url, dissent_post(self.primary, sources=sources))
        self.assertContains(response, "Line 2 is not a web address")
        self.assertContains(response, "Line 3 is not a web address")
        self.assertContains(response, sources)  # what was typed is kept

    def test_labels_say_optional_once(self):
        url = reverse("dissent:submit", kwargs={"slug": self.article.slug})
        html = self.client.get(url).content.decode()
        self.assertNotIn("(optional) (optional)", re.sub(r"<[^>]+>", "", html))
        self.assertIn("Your name <span", html)

    def test_report_form_states_its_minimum_length_and_summarises_errors(self):
        url = reverse("corrections:report")
        self.assertContains(self.client.get(url), "At least 20 and up to")
        block, _ = summary(self.client.post(url, {"article": self.article.slug, "what_is_wrong": "Wrong."}))
        self.assertIn('href="#id_what_is_wrong"', block)
        self.assertIn("at least", block)


class ReviewFormErrorSummaryTests(TestCase):
    def test_review_form_summary_sits_at_the_top_and_links_the_field(self):
        article, primary, _ = article_with_claims()
        self.client.force_login(make_editor())
        url = reverse("reviews:review", kwargs={"code": primary.code})
        response = self.client.post(url, {"verdict": "partial", "cadence_days": "200", "reasoning": ""})
        block, html = summary(response)
        self.assertIn('href="#id_cadence_days"', block)
        self.assertIn('href="#id_reasoning"', block)
        self.assertLess(html.index('class="error-summary"'), html.index('id="id_reasoning"'))


class RewriteDecisionErrorSummaryTests(TestCase):
    """The sign-off decisions: a refused rejection lands on the rewrite's page with
    the summary focused in the reject form, linked to its field; on the sign-off
    queue every rewrite's fields have ids of their own."""

    @classmethod
    def setUpTestData(cls):
        from tests.articles.test_rewrites import submitted
        from tests.factories import make_admin, make_article

        cls.admin = make_admin()
        editor = make_editor()
        # Submitted for sign-off: a private draft is not the admins' to decide.
        cls.first = submitted(make_article(), editor)
        cls.second = submitted(make_article(), editor)

    def setUp(self):
        self.client.force_login(self.admin)

    def test_a_rejection_without_a_reason_is_summarised_in_the_reject_form(self):
        pk = self.first.pk
        response = self.client.post(reverse("articles:desk_rewrite_reject", kwargs={"pk": pk}), {"reason": "   "})
        self.assertEqual(response.status_code, 400)
        block, html = summary(response)
        self.assertIn("autofocus", block)
        self.assertIn(f'href="#reject-reason-{pk}"', block)
        self.assertIn("Tell the editor why the rewrite is rejected.", block)
        reject_form = html[html.index(reverse("articles:desk_rewrite_reject", kwargs={"pk": pk})):]
        self.assertLess(reject_form.index('class="error-summary"'), reject_form.index(f'id="reject-reason-{pk}"'))
        self.assertIn(f'aria-describedby="reject-reason-{pk}_error"', html)
        self.assertEqual(html.count('class="error-summary"'), 1)

    def test_the_approve_form_beside_a_refused_rejection_keeps_its_ids_and_help(self):
        pk = self.first.pk
        response = self.client.post(reverse("articles:desk_rewrite_reject", kwargs={"pk": pk}), {"reason": ""})
        html = response.content.decode()
        self.assertIn(f'id="approve-entry_text-{pk}"', html)
        self.assertIn(f'aria-describedby="approve-entry_text-{pk}_helptext"', html)
        self.assertIn(f'id="approve-entry_text-{pk}_helptext"', html)

    def test_each_rewrite_on_the_sign_off_queue_has_its_own_field_ids(self):
        html = self.client.get(reverse("corrections:signoff_queue")).content.decode()
        for rewrite in (self.first, self.second):
            for stem in ("approve-entry_text", "approve-open_review", "reject-reason"):
                target = f"{stem}-{rewrite.pk}"
                self.assertEqual(html.count(f'id="{target}"'), 1, target)
                self.assertIn(f'for="{target}"', html)
        self.assertNotIn('class="error-summary"', html)


class OtherDeskFormErrorSummaryTests(TestCase):
    """The other hand-written desk forms: the blind second review, spreading due
    dates, registering a webhook, joining the desk; and the public follow form."""

    def assert_summary_links(self, response, *targets):
        block, html = summary(response)
        self.assertIn("autofocus", block)
        for target in targets:
            self.assertIn(f'href="#{target}"', block)
            self.assertIn(f'id="{target}"', html)
            self.assertLess(html.index('class="error-summary"'), html.index(f'id="{target}"'))
        return html

    def test_second_review_without_a_verdict_keeps_the_reasoning(self):
        import datetime

        import time_machine
        from django.conf import settings
        from django.test import override_settings

        from reviews.services import review_record
        from tests.factories import make_claim

        first = make_editor()
        make_editor()  # someone else, to give the second review to
        with override_settings(VIGIL={**settings.VIGIL, "SECOND_REVIEW_PERCENT": 100}), time_machine.travel(
            datetime.datetime(2026, 5, 4, 10, 30, tzinfo=datetime.UTC), tick=False
        ):
            review = review_record(
                claim=make_claim(), editor=first, verdict="holding", cadence_days=60, reasoning="First."
            )
        self.client.force_login(review.second_review.reviewer)
        url = reverse("reviews:second_review", kwargs={"pk": review.second_review.pk})
        response = self.client.post(url, {"reasoning": "My own reading of the replication."})
        self.assertEqual(response.status_code, 422)
        html = self.assert_summary_links(response, "id_verdict_0")
        self.assertIn("My own reading of the replication.", html)

    def test_spreading_with_bad_dates_summarises_the_problem(self):
        self.client.force_login(make_editor())
        response = self.client.get(reverse("reviews:spread"), {"due_from": "2026-06-15", "due_to": "2026-06-01"})
        block, html = summary(response)
        self.assertIn("The last day is before the first.", block)
        self.assertIn('value="2026-06-15"', html)

    def test_a_refused_webhook_is_summarised_and_kept(self):
        from tests.factories import make_admin

        self.client.force_login(make_admin())
        response = self.client.post("/desk/webhooks/", {"url": "http://127.0.0.1:9/hook"})
        html = self.assert_summary_links(response, "id_url")
        self.assertIn('value="http://127.0.0.1:9/hook"', html)

    def test_the_follow_form_summarises_a_bad_address_and_keeps_it(self):
        from tests.factories import make_claim

        claim = make_claim()
        response = self.client.post(reverse("followers:follow_claim", args=[claim.code]), {"email": "not-an-address"})
        html = self.assert_summary_links(response, "id_email")
        self.assertIn('value="not-an-address"', html)

    def test_joining_the_desk_with_passwords_that_differ_is_summarised(self):
        from vigil.people import invite_token
        from tests.factories import make_user

        person = make_user(username="ines")
        person.set_unusable_password()
        person.save()
        response = self.client.post(
            f"/accounts/invite/{invite_token(person)}/",
            {"new_password1": "a long passphrase 42", "new_password2": "another passphrase 42"},
        )
        self.assert_summary_links(response, "id_new_password2")


class ReviewPageSideFormErrorSummaryTests(TestCase):
    """The review page's smaller forms (marking a trigger fired, assigning the
    claim) and the time-away form get the summary too."""

    @classmethod
    def setUpTestData(cls):
        article, cls.claim, _ = article_with_claims()
        cls.editor = make_editor()

    def setUp(self):
        self.client.force_login(self.editor)

    def test_marking_a_trigger_fired_without_saying_what_appeared(self):
        from claims.models import EvidenceTrigger

        trigger = EvidenceTrigger.objects.create(claim=self.claim, text="A replication.", position=0)
        url = reverse("reviews:trigger_fire", kwargs={"code": self.claim.code, "pk": trigger.pk})
        response = self.client.post(url, {f"trigger-{trigger.pk}-note": "", f"trigger-{trigger.pk}-url": "not a link"})
        self.assertEqual(response.status_code, 422)
        block, html = summary(response)
        note, link = f"id_trigger-{trigger.pk}-note", f"id_trigger-{trigger.pk}-url"
        self.assertIn(f'href="#{note}"', block)
        self.assertIn(f'href="#{link}"', block)
        self.assertIn('value="not a link"', html)
        # Every id an aria-describedby names is on the page.
        for ids in re.findall(r'aria-describedby="([^"]+)"', html):
            for target in ids.split():
                self.assertIn(f'id="{target}"', html)

    def test_assigning_someone_who_is_not_an_editor(self):
        from tests.factories import make_user

        reader = make_user()
        response = self.client.post(reverse("reviews:assign", kwargs={"code": self.claim.code}), {"editor": reader.pk})
        self.assertEqual(response.status_code, 422)
        block, _ = summary(response)
        self.assertIn('href="#id_editor"', block)

    def test_time_away_ending_before_it_starts(self):
        response = self.client.post(
            reverse("reviews:time_away_add"), {"starts_on": "2026-06-10", "ends_on": "2026-06-01"}
        )
        block, html = summary(response)
        self.assertIn("The last day away cannot be before the first.", block)
        self.assertIn('href="#id_ends_on"', block)
        self.assertIn('value="2026-06-10"', html)
