"""The moderation desk: only editors, filters and counts, the same services as the review form."""

import datetime
import re

import time_machine
from django.test import TestCase
from django.urls import reverse

from corrections.models import CorrectionEntry, ErrorReport
from corrections.services import error_report_submit
from dissent.models import Dissent
from dissent.services import dissent_reject, dissent_submit, dissent_weigh
from tests.factories import make_article, make_claim, make_editor, make_user

from .helpers import ARGUMENT

FROZEN = datetime.datetime(2026, 5, 4, 9, 30, tzinfo=datetime.UTC)


def submit(claim, n=0, **kwargs):
    return dissent_submit(claim=claim, argument=f"Item {n}. {ARGUMENT}", **kwargs)


class ModerationPermissionTests(TestCase):
    def setUp(self):
        self.dissent = submit(make_claim())
        self.report = error_report_submit(article=self.dissent.claim.article, what_is_wrong="The year is wrong.")
        self.urls = [
            ("get", reverse("dissent:moderation"), {}),
            ("post", reverse("dissent:weigh", kwargs={"pk": self.dissent.pk}), {"decision": "material"}),
            ("post", reverse("dissent:weigh", kwargs={"pk": self.dissent.pk}), {"decision": "reject"}),
            ("post", reverse("dissent:report", kwargs={"pk": self.report.pk}), {"decision": "decline"}),
            ("post", reverse("dissent:report", kwargs={"pk": self.report.pk}), {"decision": "correct", "text": "x"}),
        ]

    def test_anonymous_people_are_sent_to_sign_in(self):
        for method, url, data in self.urls:
            response = getattr(self.client, method)(url, data)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response.url.startswith(reverse("login")), url)
        self.assert_nothing_changed()

    def test_signed_in_readers_are_forbidden(self):
        self.client.force_login(make_user())
        for method, url, data in self.urls:
            self.assertEqual(getattr(self.client, method)(url, data).status_code, 403, url)
        self.assert_nothing_changed()

    def test_actions_refuse_get(self):
        self.client.force_login(make_editor())
        for _, url, _ in self.urls[1:]:
            self.assertEqual(self.client.get(url).status_code, 405, url)
        self.assert_nothing_changed()

    def test_actions_need_the_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(make_editor())
        for _, url, data in self.urls[1:]:
            self.assertEqual(client.post(url, data).status_code, 403, url)
        self.assert_nothing_changed()

    def assert_nothing_changed(self):
        self.dissent.refresh_from_db()
        self.report.refresh_from_db()
        self.assertEqual(self.dissent.status, Dissent.Status.RECEIVED)
        self.assertEqual(self.report.status, ErrorReport.Status.OPEN)
        self.assertFalse(CorrectionEntry.objects.exists())


@time_machine.travel(FROZEN, tick=False)
class ModerationQueueTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.client.force_login(self.editor)
        self.url = reverse("dissent:moderation")

    def test_queue_lists_received_dissent_and_open_reports_with_counts(self):
        claim = make_claim()
        received = submit(claim, 1, name="Ada Reader", email="ada@example.org")
        dissent_weigh(dissent=submit(claim, 2), material=False, editor=self.editor)
        dissent_reject(dissent=submit(claim, 3), editor=self.editor)
        error_report_submit(article=claim.article, what_is_wrong="The chart's axis is mislabelled.")
        response = self.client.get(self.url)
        self.assertContains(response, "Item 1.")
        self.assertNotContains(response, "Item 2.")
        self.assertContains(response, "ada@example.org")  # editors see contact details
        self.assertContains(response, "Received <span class=\"count\">(1)</span>", html=False)
        self.assertContains(response, "Weighed: not material <span class=\"count\">(1)</span>", html=False)
        self.assertContains(response, "Rejected (spam or abuse) <span class=\"count\">(1)</span>", html=False)
        self.assertContains(response, "All <span class=\"count\">(3)</span>", html=False)
        self.assertContains(response, "The chart&#x27;s axis is mislabelled.")
        self.assertContains(response, f'id="dissent-{received.pk}"')

    def test_sources_are_links_marked_as_reader_content(self):
        claim = make_claim()
        submit(claim, 1, sources=["https://example.org/survey?a=1&b=2"])
        link = '<a class="reader-text" href="https://example.org/survey?a=1&amp;b=2" rel="nofollow ugc noopener noreferrer">'
        self.assertContains(self.client.get(self.url), link)
        review = self.client.get(reverse("reviews:review", kwargs={"code": claim.code}))
        self.assertContains(review, link)

    def test_filters(self):
        claim = make_claim()
        submit(claim, 1)
        dissent_reject(dissent=submit(claim, 2), editor=self.editor)
        report = error_report_submit(article=claim.article, what_is_wrong="Wrong figure in table two.")
        from corrections.services import error_report_decline

        error_report_decline(report=report, editor=self.editor)
        response = self.client.get(self.url, {"dissent": "rejected", "reports": "declined"})
        self.assertNotContains(response, "Item 1.")
        self.assertContains(response, "Item 2.")
        self.assertContains(response, "Wrong figure in table two.")
        response = self.client.get(self.url, {"dissent": "nonsense", "reports": "all"})
        self.assertContains(response, "Item 1.")  # an unknown filter falls back to received

    def test_reader_markup_is_inert_on_the_desk(self):
        submit(make_claim(), 1, name="Mallory", sources=["https://example.org/<b>x</b>"])
        Dissent.objects.update(argument='<script>alert("desk")</script> ' + ARGUMENT)
        response = self.client.get(self.url)
        self.assertNotContains(response, '<script>alert("desk")</script>')
        self.assertContains(response, "&lt;script&gt;alert(&quot;desk&quot;)&lt;/script&gt;")
        self.assertNotContains(response, "<b>x</b>")

    def test_query_count_does_not_grow_with_the_queue(self):
        articles = [make_article() for _ in range(3)]
        for n in range(12):
            claim = make_claim(article=articles[n % 3])
            submit(claim, n)
            error_report_submit(article=articles[n % 3], what_is_wrong=f"Error number {n} in the piece.")
        dissent_weigh(dissent=Dissent.objects.first(), material=True, editor=self.editor)
        # session, user, groups, dissent counts, report counts, dissent list, report list, footer
        with self.assertNumQueries(8):
            response = self.client.get(self.url, {"dissent": "all", "reports": "all"})
        self.assertEqual(len(response.context["dissent_items"]), 12)
        self.assertEqual(len(response.context["reports"]), 12)

    def test_weigh_material_from_the_desk_writes_the_change_history(self):
        dissent = submit(make_claim(), 1, name="Ada Reader", consent_to_credit=True)
        response = self.client.post(
            reverse("dissent:weigh", kwargs={"pk": dissent.pk}),
            {"decision": "material", "note": "Two later surveys disagree.", "next": f"{self.url}?dissent=all"},
        )
        self.assertRedirects(response, f"{self.url}?dissent=all")
        dissent.refresh_from_db()
        self.assertEqual(dissent.status, Dissent.Status.MATERIAL)
        self.assertEqual(dissent.weighed_by, self.editor)
        self.assertIn("Ada Reader", dissent.correction_entry.text)
        self.assertEqual(dissent.correction_entry.entry_on, datetime.date(2026, 5, 4))

    def test_weigh_twice_says_so(self):
        dissent = submit(make_claim(), 1)
        url = reverse("dissent:weigh", kwargs={"pk": dissent.pk})
        self.client.post(url, {"decision": "not_material"})
        response = self.client.post(url, {"decision": "material"}, follow=True)
        self.assertContains(response, "This dissent was already weighed: not material.")
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_unsafe_next_is_ignored(self):
        dissent = submit(make_claim(), 1)
        response = self.client.post(
            reverse("dissent:weigh", kwargs={"pk": dissent.pk}),
            {"decision": "reject", "next": "https://evil.example/"},
        )
        self.assertRedirects(response, self.url)

    def test_correct_a_report_logs_an_entry(self):
        article = make_article()
        report = error_report_submit(article=article, what_is_wrong="The date of the study is 2019, not 2021.")
        self.client.post(
            reverse("dissent:report", kwargs={"pk": report.pk}),
            {"decision": "correct", "kind": "correction", "text": "We said 2021; the study is from 2019."},
        )
        report.refresh_from_db()
        self.assertEqual(report.status, ErrorReport.Status.CORRECTED)
        self.assertEqual(report.correction_entry.text, "We said 2021; the study is from 2019.")
        self.assertEqual(report.correction_entry.article, article)
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, "We said 2021; the study is from 2019.")

    def test_correct_without_text_is_refused_with_a_message(self):
        report = error_report_submit(article=make_article(), what_is_wrong="The date of the study is wrong.")
        response = self.client.post(
            reverse("dissent:report", kwargs={"pk": report.pk}),
            {"decision": "correct", "kind": "correction", "text": "  "},
        )
        self.assertContains(response, "Write the correction-log entry.", status_code=400)
        report.refresh_from_db()
        self.assertEqual(report.status, ErrorReport.Status.OPEN)
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_decline_a_report(self):
        report = error_report_submit(article=make_article(), what_is_wrong="I don't like the headline much.")
        self.client.post(reverse("dissent:report", kwargs={"pk": report.pk}), {"decision": "decline"})
        report.refresh_from_db()
        self.assertEqual(report.status, ErrorReport.Status.DECLINED)
        self.assertEqual(report.handled_by, self.editor)
        self.assertFalse(CorrectionEntry.objects.exists())


@time_machine.travel(FROZEN, tick=False)
class ModerationErrorSummaryTests(TestCase):
    """A refused decision comes back on the queue as it was (filters kept), with
    the GOV.UK error summary focused at the top of that item's form, a link to
    the field, and what the editor typed still there."""

    def setUp(self):
        self.client.force_login(make_editor())
        self.url = reverse("dissent:moderation")

    def summary(self, response, form_action):
        html = response.content.decode()
        form = re.search(rf'<form method="post" action="{re.escape(form_action)}".*?</form>', html, re.S).group(0)
        block = re.search(r'<div class="error-summary"[^>]*>.*?</div>', form, re.S)
        self.assertTrue(block, "no error summary in the refused item's form")
        self.assertIn("autofocus", block.group(0))
        self.assertEqual(html.count('class="error-summary"'), 1)
        for target in re.findall(r'href="#([^"]+)"', block.group(0)):
            self.assertIn(f'id="{target}"', form)
        return block.group(0), form

    def test_a_correction_without_text_keeps_the_kind_and_links_the_text_box(self):
        report = error_report_submit(article=make_article(), what_is_wrong="The date of the study is wrong.")
        error_report_submit(article=make_article(), what_is_wrong="Another report, untouched.")
        action = reverse("dissent:report", kwargs={"pk": report.pk})
        response = self.client.post(
            action, {"decision": "correct", "kind": "clarification", "text": "   ", "next": f"{self.url}?reports=all"}
        )
        self.assertEqual(response.status_code, 400)
        block, form = self.summary(response, action)
        self.assertIn("Write the correction-log entry.", block)
        self.assertIn(f'href="#report-text-{report.pk}"', block)
        self.assertIn('<option value="clarification" selected>', form)
        self.assertIn(f'aria-describedby="report-text-{report.pk}_error"', form)
        # The queue is the one the editor came from, and the way back stays there.
        self.assertContains(response, "Another report, untouched.", status_code=400)
        self.assertIn(f'name="next" value="{self.url}?reports=all"', form)

    def test_a_bad_kind_is_named_on_its_field_and_the_text_is_kept(self):
        report = error_report_submit(article=make_article(), what_is_wrong="The date of the study is wrong.")
        action = reverse("dissent:report", kwargs={"pk": report.pk})
        response = self.client.post(action, {"decision": "correct", "kind": "rewrite", "text": "We said 2021; it is 2019."})
        block, form = self.summary(response, action)
        self.assertIn(f'href="#report-kind-{report.pk}"', block)
        self.assertIn("We said 2021; it is 2019.", form)
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_a_weighing_without_a_decision_keeps_the_note(self):
        dissent = submit(make_claim(), 1)
        action = reverse("dissent:weigh", kwargs={"pk": dissent.pk})
        response = self.client.post(action, {"note": "Two later surveys disagree.", "decision": "maybe"})
        self.assertEqual(response.status_code, 400)
        block, form = self.summary(response, action)
        self.assertIn("Choose material, not material or reject.", block)
        self.assertIn(f'href="#decision-{dissent.pk}"', block)
        self.assertIn("Two later surveys disagree.</textarea>", form)
        dissent.refresh_from_db()
        self.assertEqual(dissent.status, Dissent.Status.RECEIVED)

    def test_a_refused_item_hidden_by_the_filters_is_shown_first(self):
        report = error_report_submit(article=make_article(), what_is_wrong="The date of the study is wrong.")
        action = reverse("dissent:report", kwargs={"pk": report.pk})
        response = self.client.post(action, {"decision": "correct", "text": "", "next": f"{self.url}?reports=declined"})
        self.summary(response, action)
        self.assertEqual(response.context["reports"][0], report)

    def test_each_item_has_its_own_field_ids(self):
        claim = make_claim()
        first, second = submit(claim, 1), submit(claim, 2)
        report = error_report_submit(article=claim.article, what_is_wrong="The date of the study is wrong.")
        html = self.client.get(self.url).content.decode()
        for target in [f"note-{first.pk}", f"note-{second.pk}", f"report-text-{report.pk}", f"report-kind-{report.pk}"]:
            self.assertEqual(html.count(f'id="{target}"'), 1, target)
            self.assertIn(f'for="{target}"', html)
        self.assertNotIn('class="error-summary"', html)
