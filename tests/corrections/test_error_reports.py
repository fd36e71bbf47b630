"""The corrections report form and corrections.services error_report_*."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from corrections.models import CorrectionEntry, ErrorReport
from corrections.services import (
    ErrorReportAlreadyHandled,
    error_report_correct,
    error_report_decline,
    error_report_submit,
)
from tests.factories import make_article, make_editor

WHAT = "The second paragraph dates the study to 2021; the paper itself says 2019."


class ErrorReportFormTests(TestCase):
    def setUp(self):
        self.article = make_article(title="What the survey shows")
        self.url = reverse("corrections:report")

    def post(self, **overrides):
        data = {
            "article": self.article.slug,
            "what_is_wrong": WHAT,
            "evidence": "https://example.org/paper.pdf, page 3.",
            "contact_name": "Ada Reader",
            "contact_email": "ada@example.org",
            "website": "",
        }
        data.update(overrides)
        return self.client.post(self.url, data)

    def assert_refused(self, response, field, message):
        self.assertEqual(response.status_code, 200)
        self.assertFormError(response.context["form"], field, message)
        self.assertContains(response, "Your report was not sent yet")
        self.assertFalse(ErrorReport.objects.exists())

    def test_article_is_preselected_from_the_article_link(self):
        response = self.client.get(f"{self.url}?article={self.article.slug}")
        self.assertContains(response, f'<option value="{self.article.slug}" selected>What the survey shows</option>', html=True)
        self.assertContains(response, "csrfmiddlewaretoken")

    def test_page_query_count(self):
        for _ in range(10):
            make_article()
        with self.assertNumQueries(2):  # published articles, footer count
            self.client.get(self.url)

    def test_success_path(self):
        response = self.post()
        self.assertRedirects(response, f"{self.url}?sent=1&article={self.article.slug}")
        # The confirmation leads back to the article.
        self.assertContains(self.client.get(response.url), f'<a href="{self.article.get_absolute_url()}">Back to “')
        report = ErrorReport.objects.get()
        self.assertEqual(report.article, self.article)
        self.assertEqual(report.what_is_wrong, WHAT)
        self.assertEqual(report.contact_email, "ada@example.org")
        self.assertEqual(report.status, ErrorReport.Status.OPEN)
        page = self.client.get(response.url)
        self.assertContains(page, "What happens next")
        self.assertNotContains(page, "csrfmiddlewaretoken")

    def test_contact_is_optional(self):
        self.post(contact_name="", contact_email="", evidence="")
        self.assertEqual(ErrorReport.objects.get().contact_email, "")

    def test_editors_are_notified(self):
        with mock.patch("corrections.services.notify_editors") as notify:
            self.post()
        notify.assert_called_once_with(event="error_report_received", object_id=ErrorReport.objects.get().pk)

    def test_empty_report(self):
        self.assert_refused(self.post(what_is_wrong=""), "what_is_wrong", "Please say what is wrong.")

    def test_too_short_report_keeps_the_text(self):
        response = self.post(what_is_wrong="Typo.")
        self.assert_refused(
            response, "what_is_wrong", "Please say a little more: at least 20 characters (you wrote 5)."
        )
        self.assertContains(response, "Typo.")
        self.assertContains(response, "ada@example.org")

    def test_over_long_text(self):
        self.assert_refused(
            self.post(evidence="e" * 5001), "evidence", "Please keep this under 5,000 characters (you wrote 5,001)."
        )

    def test_no_article(self):
        self.assert_refused(self.post(article=""), "article", "Choose the article that contains the error.")

    def test_retired_or_draft_article_is_refused(self):
        draft = make_article(status=Article.Status.DRAFT, published_on=None)
        self.assert_refused(
            self.post(article=draft.slug), "article",
            "That article is not open for error reports. Choose a published article.",
        )
        retired = make_article()
        Article.objects.filter(pk=retired.pk).update(status=Article.Status.RETIRED, redirect_to=self.article)
        self.assert_refused(
            self.post(article=retired.slug), "article",
            "That article is not open for error reports. Choose a published article.",
        )

    def test_invalid_email(self):
        self.assert_refused(self.post(contact_email="nope"), "contact_email", "Enter a valid email address.")

    def test_markup_in_a_name_is_refused(self):
        self.assert_refused(self.post(contact_name="<script>"), "contact_name", "A name can't contain < or >.")

    def test_markup_is_literal_text_and_echoed_escaped(self):
        text = '<script>alert("x")</script> The figure in table 2 is wrong.'
        self.post(what_is_wrong=text)
        self.assertEqual(ErrorReport.objects.get().what_is_wrong, text)
        response = self.post(what_is_wrong="<b>x</b>")
        self.assertContains(response, "&lt;b&gt;x&lt;/b&gt;")
        self.assertNotContains(response, "<b>x</b>")

    def test_control_characters_stripped_and_any_script_kept(self):
        self.post(what_is_wrong="Дата\x00 неверна: 2019年 not 2021 🙂\x1b\r\n\tSee the paper.")
        self.assertEqual(
            ErrorReport.objects.get().what_is_wrong, "Дата неверна: 2019年 not 2021 🙂\n\tSee the paper."
        )

    def test_honeypot_is_discarded_silently(self):
        response = self.post(website="http://spam.example")
        self.assertRedirects(response, f"{self.url}?sent=1&article={self.article.slug}")
        self.assertFalse(ErrorReport.objects.exists())

    def test_repeat_of_an_open_report_is_refused(self):
        self.post()
        response = self.post()
        self.assertFormError(
            response.context["form"], "what_is_wrong",
            "We have already received this report and it is open. There is no need to send it again.",
        )
        self.assertEqual(ErrorReport.objects.count(), 1)


class ErrorReportServiceTests(TestCase):
    def setUp(self):
        self.editor = make_editor()
        self.article = make_article()
        self.report = error_report_submit(article=self.article, what_is_wrong=WHAT)

    def test_correct_writes_a_dated_correction_entry(self):
        report = error_report_correct(
            report=self.report, editor=self.editor, kind=CorrectionEntry.Kind.CLARIFICATION,
            text="Clarified that the study is from 2019.",
        )
        self.assertEqual(report.status, ErrorReport.Status.CORRECTED)
        entry = report.correction_entry
        self.assertEqual(entry.kind, CorrectionEntry.Kind.CLARIFICATION)
        self.assertEqual(entry.article, self.article)
        self.assertEqual(entry.created_by, self.editor)

    def test_correct_refuses_other_kinds(self):
        with pytest.raises(ValidationError):
            error_report_correct(
                report=self.report, editor=self.editor, kind=CorrectionEntry.Kind.VERDICT_CHANGE, text="x"
            )
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_a_report_is_handled_once(self):
        error_report_decline(report=self.report, editor=self.editor)
        with pytest.raises(ErrorReportAlreadyHandled):
            error_report_correct(report=self.report, editor=self.editor, text="Too late.")
        with pytest.raises(ErrorReportAlreadyHandled):
            error_report_decline(report=self.report, editor=self.editor)
        self.assertFalse(CorrectionEntry.objects.exists())

    def test_submit_refuses_unpublished_articles(self):
        draft = make_article(status=Article.Status.DRAFT, published_on=None)
        with pytest.raises(ValidationError):
            error_report_submit(article=draft, what_is_wrong=WHAT)
